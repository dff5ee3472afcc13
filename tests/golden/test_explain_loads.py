"""`apura explain` of an incremental derivation's value by replaying the loads
(runtime/explain_loads.py) of fixtures/transparencia_mg/cargas/1.csv, 2.csv, 3.csv (line 1 the
header; the loads made with the seed's formula, `convenios`). Worked out by hand from the
files and their README:

* Convênio 1301777: OP 2201 (1.csv:5, financeiro 170.000,00, pendente 0,00, unchanged in
  load 2, absent from load 3) and the cancelled OP 2202 (1.csv:6, financeiro 0,00, pendente
  −170.000,00; load 2 gives it pendente 0,00 at 2.csv:2). So after load 2 and 3 the records are
  1.csv:5 (kept from load 1) and 2.csv:2.
  - seed formula Σ fin − Σ pend: load 1 = 170.000 + (0 − (−170.000)) = 340.000,00; loads 2
    and 3 = 170.000 + 0 = 170.000,00. History: 340.000 → 170.000 at load 2 (2202's
    contribution 170.000 → 0), nothing at load 3.
  - correction Σ fin − Σ (pend where fin ≠ 0): 2202 contributes 0 in every load (fin = 0),
    so 170.000,00 throughout; load 2 still lists 2202 as changed (0 → 0).
* Convênio 1295001, load 3: OP 1320 of 2019 (1.csv:4, 15.000,00) is removed; OP 1320 of 2020
  (1.csv:3, 20.000,00, the same in every load) stays from load 1; OP 1547 (35.000 − 35.000
  until load 3; 3.csv:4: pendente 0,00) contributes 35.000,00. So 20.000 + 35.000 = 55.000,00
  and load 2's 35.000,00 (15.000 + 20.000 + 0) → 55.000,00.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import runtime
from compiler.cli import cli
from runtime import explain_derivation
from runtime.errors import RunFailed
from tests.conftest import ROOT

CARGAS = ROOT / "fixtures" / "transparencia_mg" / "cargas"
GENERATED = ROOT / "generated" / "transparencia_mg"


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    got = runtime.load(GENERATED)
    assert isinstance(got, runtime.Program)
    return got


@pytest.fixture(scope="module")
def state(program: runtime.Program, tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("loads")
    path = tmp / "state.sqlite"
    for n in (1, 2, 3):
        program.run_to(tmp / f"out{n}", {"convenio_pagamento": str(CARGAS / f"{n}.csv")}, {},
                       state=path)
    return path


def _explain(program: runtime.Program, state: Path, node: str, key: str,
             as_of: str | None = None, field: str = "valor_repassado",
             ledgers: dict[str, str] | None = None) -> dict[str, Any]:
    return explain_derivation.explain(program, ledgers or {}, {}, node=node, part=None,
                                      locator=(key, field), state=state, as_of=as_of)


def _lines(records: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(Path(r["source"]["file"]).name, r["source"]["line"]) for r in records]


@pytest.mark.parametrize(("node", "as_of", "value", "records", "contributed"), [
    ("convenios", "1", "340000.00", [("1.csv", 5), ("1.csv", 6)], ["170000.00", "170000.00"]),
    ("convenios", "2", "170000.00", [("1.csv", 5), ("2.csv", 2)], ["170000.00", "0.00"]),
    ("convenios", None, "170000.00", [("1.csv", 5), ("2.csv", 2)], ["170000.00", "0.00"]),
    ("convenios_corrigido", "1", "170000.00", [("1.csv", 5), ("1.csv", 6)],
     ["170000.00", "0.00"]),
    ("convenios_corrigido", "2", "170000.00", [("1.csv", 5), ("2.csv", 2)],
     ["170000.00", "0.00"]),
])
def test_the_cancelled_op_replayed_load_by_load(program: runtime.Program, state: Path,
                                                node: str, as_of: str | None, value: str,
                                                records: list[tuple[str, int]],
                                                contributed: list[str]) -> None:
    t = _explain(program, state, node, "1301777", as_of)
    assert t["value"] == value
    assert _lines(t["records"]) == records  # OP 2201 names load 1's file: it never changed
    assert [r["contributed"] for r in t["records"]] == contributed
    assert t["records_sum"] == value
    assert t["load"]["load"] == (int(as_of) if as_of else 3)
    assert t["load"]["of"] == 3


def test_the_value_is_checked_against_what_the_load_stored(program: runtime.Program,
                                                           state: Path) -> None:
    t = _explain(program, state, "convenios", "1301777", "1")
    assert t["stored"] == {"value": "340000.00", "same": True}
    # the loads ran the seed formula: the correction was not stored, and that is said
    c = _explain(program, state, "convenios_corrigido", "1301777", "1")
    assert c["stored"] is None
    assert any("não gravou 'convenios_corrigido'" in n and "convenios" in n
               for n in c["notes"])


@pytest.mark.parametrize(("node", "values", "load2"), [
    ("convenios", [(None, "340000.00"), ("340000.00", "170000.00"),
                   ("170000.00", "170000.00")], ["170000.00", "0.00"]),
    ("convenios_corrigido", [(None, "170000.00"), ("170000.00", "170000.00"),
                             ("170000.00", "170000.00")], ["0.00", "0.00"]),
])
def test_the_history_of_the_cancelled_op(program: runtime.Program, state: Path, node: str,
                                         values: list[tuple[Any, str]],
                                         load2: list[str]) -> None:
    h = _explain(program, state, node, "1301777")["history"]
    assert [(x["previous"], x["value"]) for x in h] == values
    assert [len(x["changes"]) for x in h] == [2, 1, 0]
    change = h[1]["changes"][0]
    assert change["change"] == "alterado"
    assert "numero_docto_pagamento=2202" in change["record"]
    assert change["fields"] == {"valor_pago_pendente": ["-170000.00", "0.00"]}
    assert (Path(change["source"]["file"]).name, change["source"]["line"]) == ("2.csv", 2)
    assert change["contributed"] == load2
    assert [Path(x["file"]).name for x in h] == ["1.csv", "2.csv", "3.csv"]


def test_a_removed_op_no_longer_contributes(program: runtime.Program, state: Path) -> None:
    t = _explain(program, state, "convenios", "1295001")
    assert t["value"] == "55000.00"
    assert _lines(t["records"]) == [("1.csv", 3), ("3.csv", 4)]
    assert [r["contributed"] for r in t["records"]] == ["20000.00", "35000.00"]
    assert t["stored"] == {"value": "55000.00", "same": True}
    last = t["history"][2]
    assert (last["previous"], last["value"]) == ("35000.00", "55000.00")
    moved = {(c["change"], c["record"].rsplit("=", 1)[1], tuple(c["contributed"]))
             for c in last["changes"]}
    assert moved == {("removido", "1320", ("15000.00", None)),
                     ("alterado", "1547", ("0.00", "35000.00"))}
    # load 2 still had it: 15.000 + 20.000 + 0
    assert _explain(program, state, "convenios", "1295001", "2")["value"] == "35000.00"


def test_an_extract_given_that_differs_is_said(program: runtime.Program, state: Path) -> None:
    t = _explain(program, state, "convenios", "1301777",
                 ledgers={"convenio_pagamento": str(CARGAS / "1.csv")})
    assert t["value"] == "170000.00"  # load 3, from the state, not the extract's 340.000,00
    assert any("difere do estado" in n and "carga 4" in n for n in t["notes"])
    same = _explain(program, state, "convenios", "1295001",
                    ledgers={"convenio_pagamento": str(CARGAS / "3.csv")})
    assert any("é a imagem da carga 3" in n for n in same["notes"])


def test_bad_as_of(program: runtime.Program, state: Path) -> None:
    with pytest.raises(RunFailed) as got:
        _explain(program, state, "convenios", "1301777", "9")
    assert got.value.errors[0].code == "D1902"
    with pytest.raises(RunFailed) as got:
        explain_derivation.explain(program, {}, {}, node="convenios", part=None,
                                   locator=("1301777", "valor_repassado"), as_of="1")
    assert got.value.errors[0].code == "D1905"


def test_the_cli_needs_no_input(state: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    args = ["explain", str(GENERATED), "convenios:1301777:valor_repassado", "--state",
            str(state)]
    text = CliRunner().invoke(cli, [*args, "--as-of", "2"])
    assert text.exit_code == 0, text.output
    assert "valor_repassado = 170000,00" in text.output
    assert "gravado pela carga 2: 170000,00 (igual ao valor refeito)" in text.output
    assert "carga 2 (" in text.output and "340000,00 → 170000,00  ← explicada" in text.output
    js = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert json.loads(js.output)["load"]["load"] == 3


def test_list_names_the_picture_of_the_loads(state: Path, monkeypatch: pytest.MonkeyPatch,
                                             program: runtime.Program) -> None:
    """After load 3 the picture holds the 4 convênios (1402500 absent from 3.csv keeps load
    2's figures) and 7 OPs: 1295001's 1320/2020 and 1547 (1320/2019 removed), 1301777's 2201
    and 2202, 1402500's 4100 (its 0 row replaced), 1500001's 3001 and 3002. So convenios
    lists 4 × 3 values and ordens 7 × 8 columns; each convênio's valor_repassado address
    explains to what load 3 stored."""
    monkeypatch.chdir(ROOT)
    got = CliRunner().invoke(cli, ["explain", str(GENERATED), "--list", "--state", str(state)])
    assert got.exit_code == 0, got.output
    lines = got.stdout.splitlines()
    conv = [x for x in lines if x.startswith("convenios:")]
    assert {x.split(":")[1] for x in conv} == {"1295001", "1301777", "1402500", "1500001"}
    assert len(conv) == 12
    assert len([x for x in lines if x.startswith("ordens:")]) == 56
    for text in conv:
        if text.endswith(":valor_repassado"):
            t = _explain(program, state, "convenios", text.split(":")[1])
            assert t["stored"] is not None and t["stored"]["same"], text


def test_as_of_of_a_value_without_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    """A layout cell keeps no loads: D1923, exit 1, nothing on stdout; with --list, a usage
    error (the list is of the last load's picture)."""
    monkeypatch.chdir(ROOT)
    small = ROOT / "fixtures" / "siops" / "small"
    args = ["explain", "siops", "covid/77@3170206:9999999028:V1", "--input",
            f"despesa={small / 'despesa.csv'}", "--input", f"receita={small / 'receita.csv'}",
            "--input", f"equivalencia_recursos={small / 'equivalencia_recursos.csv'}",
            "--param", "exercicio=2020", "--param", "bimestre=2", "--as-of", "1"]
    got = CliRunner().invoke(cli, args)
    assert got.exit_code == 1 and got.stdout == ""
    assert "erro[D1923]" in got.stderr and "covid/77" in got.stderr
    listed = CliRunner().invoke(cli, ["explain", "siops", "--list", "--as-of", "1"])
    assert listed.exit_code == 2 and "--as-of" in listed.stderr
