"""Domain invariants on random ledgers: totalizers, conservation, accepted + rejected = read."""

from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

import runtime
from tests.conftest import ROOT

PROGRAM = runtime.load(ROOT / "generated" / "siops")
PARAMS = {"exercicio": 2020, "bimestre": 2}
EQUIV = [
    {"municipio": m, "recurso": r, "recurso_siops": s, "covid": c}
    for m in ("1", "2")
    for r, s, c in (("A", "212", "N"), ("B", "213", "S"), ("C", "001", "N"), ("D", "202", "S"))
]

money = st.decimals(min_value=Decimal("-99999999.99"), max_value=Decimal("99999999.99"),
                    places=2, allow_nan=False, allow_infinity=False)
despesa_rows = st.lists(st.fixed_dictionaries({
    "municipio": st.sampled_from(["1", "2"]),
    "entidade": st.just("E"),
    "exercicio": st.sampled_from([2019, 2020, 2020, 2020]),
    "empenho": st.just("1"),
    "data": st.dates(min_value=datetime.date(2019, 12, 1), max_value=datetime.date(2020, 8, 1)),
    "funcao": st.sampled_from([4, 10, 10]),
    "subfuncao": st.sampled_from([122, 301, 302, 303, 304, 305, 306, 128]),
    "natureza": st.just("33903900"),
    "recurso": st.sampled_from(["A", "B", "C", "D"]),
    "saude": st.just(True),
    "covid": st.booleans(),
    "covid_siops_desp": st.sampled_from([None, "SAMU_192", "APOIO_RECURSOS", "OUTRO"]),
    "empenhado": money, "anulado_empenho": money, "liquidado": money,
    "anulado_liquidacao": money, "pago": money, "anulado_pagamento": money,
}), max_size=60)

QUADRO = {"212": "covid/77", "213": "covid/78", "001": "covid/79"}


@given(despesa_rows)
def test_totalizers_equal_the_sum_of_their_rows_and_of_the_records(rows: list[dict]) -> None:  # type: ignore[type-arg]
    result = PROGRAM.run(ledgers={"despesa": rows, "receita": [],
                                  "equivalencia_recursos": EQUIV}, params=PARAMS)
    siops = {(e["municipio"], e["recurso"]): e for e in EQUIV}
    for part in result.partitions:
        for layout in ("covid/77", "covid/78", "covid/79"):
            lay = PROGRAM.package.layout(layout)
            values = result.values[(layout, part)]
            leaves = [i for i, r in enumerate(lay.rows) if not r.totalizer]
            total = values[len(lay.rows) - 1]
            for c in range(3):
                assert total[c] == sum((values[i][c] for i in leaves), Decimal(0))
            # independent of apura: integer cents straight from the records
            cents = 0
            for r in rows:
                eq = siops[(r["municipio"], r["recurso"])]
                in_period = r["exercicio"] == 2020 and datetime.date(2020, 1, 1) <= r["data"] \
                    <= datetime.date(2020, 4, 30)
                covid = r["covid"] or eq["covid"] == "S"
                if (r["municipio"] == part and in_period and covid and r["funcao"] == 10
                        and QUADRO.get(eq["recurso_siops"]) == layout):
                    cents += int((r["empenhado"] - r["anulado_empenho"]) * 100)
            assert total[0] * 100 == cents
    # quadro 72 carries 79's total empenhado
    for part in result.partitions:
        assert result.cell("covid/72", part, "9999999030") == \
            result.cell("covid/79", part, "9999999029")


cells = st.one_of(st.sampled_from(["1", "10", "abc", "", "1,5", "12,345", "01/02/2020",
                                   "31/02/2020", "S", "N", "x;y", "-0,01"]),
                  st.text(alphabet="0123456789,-/SN ", max_size=6))


@given(st.lists(st.lists(cells, min_size=3, max_size=6), max_size=25))
def test_accepted_plus_rejected_equals_read(tmp_path_factory, lines: list[list[str]]) -> None:  # type: ignore[no-untyped-def]
    path: Path = tmp_path_factory.mktemp("eq") / "equivalencia_recursos.csv"
    text = "municipio;recurso;recurso_siops;covid\n" + "".join(
        ";".join(c.replace(";", "") for c in line) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
    try:
        result = PROGRAM.run(ledgers={"despesa": [], "receita": [],
                                      "equivalencia_recursos": path},
                             params=PARAMS, allow_rejects=True)
    except runtime.RunFailed as exc:  # duplicate keys in the map are run errors, not rejects;
        # so is a município that is no folder name (D0501: '01/02/2020') or names another's
        assert all(e.code in ("D0202", "D0501", "D0502") for e in exc.errors)
        return
    st_eq = next(s for s in result.inputs if s.name == "equivalencia_recursos")
    assert st_eq.read == len(lines)
    assert st_eq.accepted + len(st_eq.rejected) == st_eq.read
    for rej in st_eq.rejected:
        assert rej.line >= 2 and rej.code.startswith("D01")
