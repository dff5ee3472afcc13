"""`apura explain` of a conferência (runtime/explain_check.py) on the bundled small SIOPS fixture
(fixtures/siops/small, exercício 2020, bimestre 2, município 3170206; line 1 the header).

Hand-worked from despesa.csv:
* funcao_10_nos_quadros (a warning): the left side sums the COVID função-10 despesa of the
  bimester, lines 2–36 and 41; the right side is quadros 77 + 78 + 79, whose rows take lines
  2–18, 19–27 and 28–36. Line 41 (empenho 1040, recurso 1590000 → SIOPS 202, R$ 4.444,44)
  reaches no quadro: it is on the left only, and the difference is exactly its 4.444,44
  (565.947,59 − 561.503,15, the figures the README quotes). Lines 37–40 are out of both sides
  (função 4, the 3rd bimester, exercício 2019, not COVID).
* q77_empenhado: quadro 77's total against the ledger under its filter, both the 17 lines
  2–18: equal.
* The same assertion made to fail (its sum reads recurso 213, the lines 19–27 of quadro 78,
  74.850,20): a D0701 fails the run, and explain still shows both sides and the difference
  396.302,00 − 74.850,20 = 321.451,80.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from compiler import compile_package
from runtime import explain_check
from runtime.errors import RunFailed
from tests.conftest import ROOT

SMALL = ROOT / "fixtures" / "siops" / "small"
INPUTS = {n: str(SMALL / f"{n}.csv") for n in ("despesa", "receita", "equivalencia_recursos")}
PARAMS = {"exercicio": 2020, "bimestre": 2}
PART = "3170206"


@pytest.fixture(scope="module")
def siops() -> runtime.Views:
    got = runtime.load(ROOT / "generated" / "siops")
    assert isinstance(got, runtime.Views)
    return got


def _explain(program: object, node: str, *locator: str) -> dict:  # type: ignore[type-arg]
    return explain_check.explain(program, INPUTS, PARAMS, node=node, part=PART, locator=locator)


def _lines(records: list[dict]) -> list[int]:  # type: ignore[type-arg]
    assert all(Path(r["source"]["file"]).name == "despesa.csv" for r in records)
    return [r["source"]["line"] for r in records]


def test_both_sides_add_up_and_the_difference_is_the_missing_record(siops: runtime.Views) -> None:
    t = _explain(siops, "conferencias/despesa", "funcao_10_nos_quadros")
    assert t["kind"] == "check" and t["ok"] is False and t["severity"] == "warning"
    assert t["value"] == {"left": "565947.59", "right": "561503.15", "difference": "4444.44",
                          "tolerance": "0.01"}
    left, right = t["reads"]
    assert _lines(left["records"]) == [*range(2, 37), 41]
    assert Decimal(left["records_sum"]) == Decimal("565947.59")
    assert sorted(_lines(right["records"])) == list(range(2, 37))
    assert Decimal(right["records_sum"]) == Decimal("561503.15")
    assert [(c["kind"], c["value"]) for c in right["reads"]] == [
        ("layout", "396302.00"), ("layout", "74850.20"), ("layout", "90350.95")]
    only_left = set(_lines(left["records"])) - set(_lines(right["records"]))
    assert only_left == {41}
    (extra,) = [r for r in left["records"] if r["source"]["line"] == 41]
    assert extra["contributed"] == t["value"]["difference"]
    assert json.loads(json.dumps(t)) == t
    text = explain_check.render_text(t)
    assert "diferença: 4.444,44 (tolerância 0,01)" in text
    assert "fixtures/siops/small/despesa.csv:41  4.444,44" in text
    assert "não confere (aviso)" in text


def test_an_assertion_that_holds(siops: runtime.Views) -> None:
    t = _explain(siops, "conferencias/despesa/q77_empenhado")
    assert t["ok"] is True and t["value"]["difference"] == "0.00"
    left, right = t["reads"]
    assert sorted(_lines(left["records"])) == _lines(right["records"]) == list(range(2, 19))
    assert left["records_sum"] == right["records_sum"] == "396302.00"
    assert t["rule"]["source"] == {"file": "specs/siops/conferencias_despesa.yaml", "line": 11,
                                   "col": 9}


def test_a_failed_error_check_is_explained(tmp_path: Path) -> None:
    folder = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", folder)
    spec = folder / "conferencias_despesa.yaml"
    text = spec.read_text("utf-8")
    wrong = text.replace('funcao == 10 and recurso_siops == "212")',
                         'funcao == 10 and recurso_siops == "213")', 1)
    assert wrong != text
    spec.write_text(wrong, "utf-8")
    res = compile_package(folder, base=tmp_path)
    assert res.errors == []
    for rel, data in res.files.items():
        (tmp_path / "gen" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "gen" / rel).write_text(data, "utf-8")
    broken = runtime.load(tmp_path / "gen")
    t = _explain(broken, "conferencias/despesa", "q77_empenhado")
    assert t["ok"] is False and t["severity"] == "error"
    assert (t["value"]["left"], t["value"]["right"], t["value"]["difference"]) == (
        "396302.00", "74850.20", "321451.80")
    assert _lines(t["reads"][1]["records"]) == list(range(19, 28))
    assert "não confere (erro)" in t["decision"]


def test_an_unknown_assertion(siops: runtime.Views) -> None:
    with pytest.raises(RunFailed) as got:
        _explain(siops, "conferencias/despesa", "q77_empenhad")
    (err,) = got.value.errors
    assert err.code == "D1943" and "q77_empenhado" in (err.help or "")
