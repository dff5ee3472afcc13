"""The `derivation` kind on random inputs: python and duckdb give byte-identical files, and the
values are those an oracle written here computes straight from the generated records.

* the seed-001 example (tests/cases/derivation/assinatura): per record, two collections —
  etapas by idturmadisc ordered by data_criacao desc (max_by/min_by ties, first/last, sum and
  count with a condition), coordenadores by codturma filtered by a date window whose end may be
  empty (open-ended) — with keys from small sets, so collections are often empty, often tied;
* the same collection with `each:` (coordenadores.yaml): one row per coordinator, in order;
* transparencia_mg: per key (convênio) sums under both rule versions.

Cost: inputs written as CSV files, both back ends in-process; max_examples 40 and 30."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.buildkit import build
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "derivation" / "assinatura"
D0 = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def assinatura(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    return build(CASE / "specs", CASE, tmp_path_factory.mktemp("gen") / "assinatura")


def _date(d: dt.date | None) -> str:
    return "" if d is None else d.strftime("%d/%m/%Y")


def _csv(path: Path, header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")
    return str(path)


days = st.integers(0, 40).map(lambda n: D0 + dt.timedelta(days=n))
maybe_day = st.one_of(st.none(), days)
money = st.one_of(st.none(), st.integers(-500, 500).map(lambda c: Decimal(c) / 4 * Decimal(1)
                                                        .quantize(Decimal("0.01"))))
diario = st.tuples(st.integers(1, 2), st.sampled_from(["T1", "T2"]), days, maybe_day, days)
# few distinct dates: ties in max_by/min_by keys and in the collection's order are common
few_days = st.sampled_from([D0, D0 + dt.timedelta(days=1), D0 + dt.timedelta(days=2)])
etapa = st.tuples(st.integers(1, 2), st.integers(1, 5), st.one_of(st.none(), few_days),
                  few_days, st.one_of(st.none(), st.integers(0, 9)))
prof = st.tuples(st.sampled_from(["T1", "T2", "T3"]), st.sampled_from(["P1", "P2", "P3"]),
                 st.sampled_from(["Ana", "Bia; \"x\"", "Çé"]),
                 st.sampled_from(["Coordenador", "Professor"]), days, maybe_day, money)


def _money(x: Decimal | None) -> str:
    return "" if x is None else f"{x:.2f}".replace(".", ",")


# each: coordinators ending on different days (desc), one open-ended (last)
ORDERED = [("T1", "P1", "Ana", "Coordenador", D0, D0 + dt.timedelta(days=20), None),
           ("T1", "P2", "Bia", "Coordenador", D0, D0 + dt.timedelta(days=30), None),
           ("T1", "P3", "Çé", "Coordenador", D0, None, Decimal("1.00"))]


@settings(max_examples=40, deadline=None)
@example(ds=[(1, "T1", D0 + dt.timedelta(days=10), None, D0)], es=[], ps=ORDERED)
@given(st.lists(diario, min_size=1, max_size=4), st.lists(etapa, max_size=8),
       st.lists(prof, max_size=6))
def test_collections_agree_and_match_the_oracle(assinatura, ds, es, ps) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        inputs = {
            "diario": _csv(t / "d.csv", ["idturmadisc", "codturma", "data_referencia",
                                         "data_termino_periodo", "previsao_termino"],
                           [[str(a), b, _date(c), _date(d), _date(e)] for a, b, c, d, e in ds]),
            "etapa": _csv(t / "e.csv", ["idturmadisc", "codetapa", "data_termino",
                                        "data_criacao", "faltas"],
                          [[str(a), str(b), _date(c), _date(d), "" if f is None else str(f)]
                           for a, b, c, d, f in es]),
            "turma_professor": _csv(t / "p.csv", ["codturma", "codprofessor", "nome", "tipo",
                                                  "data_inicio", "data_termino", "carga"],
                                    [[a, b, c, d, _date(e), _date(f), _money(g)]
                                     for a, b, c, d, e, f, g in ps])}
        got = [assinatura.run(ledgers=inputs, params={}, backend=b).outputs
               for b in ("python", "duckdb")]
    assert got[0] == got[1]
    rows = list(csv.DictReader(io.StringIO(got[0]["assinatura_diario.csv"].decode("utf-8")),
                               delimiter=";"))
    assert len(rows) == len(ds)
    # each: one row per coordinator of each diário (the count of its collection), in the
    # diários' order, then data_termino desc (nulls last), codprofessor, the file's order
    each = list(csv.DictReader(io.StringIO(got[0]["coordenadores.csv"].decode("utf-8")),
                               delimiter=";"))
    expect = []
    for idt, turma, ref, _, _ in ds:
        coords = [(n, p) for n, p in enumerate(ps) if p[0] == turma and p[3] == "Coordenador"
                  and p[4] <= ref and (p[5] is None or ref <= p[5])]
        coords.sort(key=lambda np: (np[1][5] is None, -(np[1][5] or D0).toordinal(),
                                    np[1][1], np[0]))
        expect += [[str(idt), p[1], p[2], _date(p[5]), _money(p[6]), str(len(coords))]
                   for _, p in coords]
    assert [list(r.values()) for r in each] == expect
    for row, (idt, turma, ref, fim, prev) in zip(rows, ds, strict=True):
        mine = [(i, e) for i, e in enumerate(es) if e[0] == idt]
        coords = sorted((p for p in ps if p[0] == turma and p[3] == "Coordenador"
                         and p[4] <= ref and (p[5] is None or ref <= p[5])),
                        key=lambda p: p[1])  # order: codprofessor, then input order (stable)
        # etapas in order: data_criacao desc, then input order
        ordered = sorted(mine, key=lambda ie: (-ie[1][3].toordinal(), ie[0]))
        ended = [e for _, e in ordered if e[2] is not None]
        top = max((e[2] for e in ended), default=None)
        assert row["ultima_etapa"] == next((str(e[1]) for e in ended if e[2] == top), "")
        low = min((e[2] for e in ended), default=None)
        assert row["primeira_etapa"] == next((str(e[1]) for e in ended if e[2] == low), "")
        assert row["etapa_mais_recente"] == (str(ordered[0][1][1]) if ordered else "")
        assert row["etapa_mais_antiga"] == (str(ordered[-1][1][1]) if ordered else "")
        assert row["faltas"] == str(sum(e[4] or 0 for _, e in mine))
        assert row["etapas_sem_termino"] == str(sum(e[2] is None for _, e in mine))
        assert row["data_limite"] == _date(fim if fim is not None else prev)
        assert row["n_coordenadores"] == str(len(coords))
        assert row["primeiro_coordenador"] == (coords[0][2] if coords else "")
        assert row["algum_sem_termino"] == ("S" if any(p[5] is None for p in coords) else "N")
        assert row["todos_com_carga"] == ("S" if all(p[6] is not None and p[6] > 0
                                                     for p in coords) else "N")
        total = sum((p[6] for p in coords if p[6] is not None), Decimal("0"))
        assert row["carga"] == f"{total:.2f}".replace(".", ",")
        assert row["arquivo"] == f"diario_{idt}_{ref:%Y%m%d}.pdf"


TMG = runtime.load(ROOT / "generated" / "transparencia_mg")
HEADER = ["contrato_convenio_saida", "cnpj_credor", "razao_social_credor",
          "numero_docto_pagamento", "data_registro", "valor_pago_financeiro",
          "valor_pago_pendente", "situacao_op"]
op = st.tuples(st.sampled_from(["100", "200", "300"]), st.integers(1, 9),
               st.sampled_from([2019, 2020]), st.integers(-300, 300), st.integers(-300, 300),
               st.sampled_from(["paga", "pendente de transmissão aos bancos", "cancelada", ""]))


@settings(max_examples=30, deadline=None)
@given(st.lists(op, max_size=8, unique_by=lambda o: (o[0], o[1], o[2])))
def test_repassado_agrees_and_matches_the_oracle(ops: list[Any]) -> None:
    rows = [[c, "1", "X", str(n), f"01/02/{y}", _money(Decimal(f) / 100), _money(Decimal(p) / 100),
             s] for c, n, y, f, p, s in ops]
    with tempfile.TemporaryDirectory() as tmp:
        src = _csv(Path(tmp) / "x.csv", HEADER, rows)
        for select, fixed in ((None, False), ("convenios_corrigido", True)):
            got = [TMG.run(ledgers={"convenio_pagamento": src}, params={}, select=select,
                           backend=b).outputs for b in ("python", "duckdb")]
            assert got[0] == got[1]
            out = list(csv.reader(io.StringIO(got[0]["convenios.csv"].decode()), delimiter=";"))
            expect = {}
            for c, _, _, f, p, _ in ops:
                fin, pend, rep = expect.get(c, (0, 0, 0))
                expect[c] = (fin + f, pend + p, rep + f - (p if not fixed or f != 0 else 0))
            # incremental: the picture is in key order (convênio first, texts by code point)
            assert [r[0] for r in out[1:]] == sorted({o[0] for o in ops})
            for c, fin, pend, rep in out[1:]:
                assert [fin, pend, rep] == [_money(Decimal(v) / 100) for v in expect[c]]
