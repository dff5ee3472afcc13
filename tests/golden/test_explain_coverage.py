"""`apura explain` of a coverage key (runtime/explain_coverage.py) on the bundled small SIOPS
fixture (fixtures/siops/small, exercício 2020, bimestre 2, município 3170206; line 1 the
header of each file). Recurso 1621000 is COVID in equivalencia_recursos.csv (its line 7).

Hand-worked from the files:
* cobertura/recursos, key (3170206, 1621000): of the ledgers it covers the run has the
  receita, whose filter is `no_periodo` (January to the end of the bimester, 2020). receita.csv
  carries 1621000 on lines 2, 5–13, 18 and 19; line 18 (15/05/2020) is past the bimester and 19
  is of 2019: the key is carried by lines 2 and 5–13 (10 records) and is confirmed by line 7 of
  the equivalências.
* cobertura/covid_duplicado (a listing, severity warning), the same key: records marked COVID
  whose recurso is COVID too, in any period: despesa.csv lines with recurso 1621000 and covid S
  (4, 6, 7, 8, 11, 12, 14, 15, 16, 18, 37, 38, 39) and receita.csv's (5–13, 18, 19; line 2 is
  covid N).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import runtime
from runtime import explain_coverage
from runtime.errors import RunFailed
from tests.conftest import ROOT

SMALL = ROOT / "fixtures" / "siops" / "small"
INPUTS = {n: str(SMALL / f"{n}.csv") for n in ("despesa", "receita", "equivalencia_recursos")}
PARAMS = {"exercicio": 2020, "bimestre": 2}
KEY = ("3170206", "1621000")


@pytest.fixture(scope="module")
def siops() -> runtime.Views:
    got = runtime.load(ROOT / "generated" / "siops")
    assert isinstance(got, runtime.Views)
    return got


def _explain(program: runtime.Views, node: str, *locator: str) -> dict:  # type: ignore[type-arg]
    return explain_coverage.explain(program, INPUTS, PARAMS, node=node, part="3170206",
                                    locator=locator)


def _lines(t: dict) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(Path(r["source"]["file"]).name, r["source"]["line"]) for r in t["records"]]


def test_a_confirmed_key_and_the_records_that_carry_it(siops: runtime.Views) -> None:
    t = _explain(siops, "cobertura/recursos", *KEY)
    assert t["kind"] == "coverage" and t["value"] == "confirmada"
    assert _lines(t) == [("receita.csv", n) for n in (2, *range(5, 14))]
    assert t["count"] == 10
    (entry,) = t["lookups"]
    assert entry["hit"] == {"recurso_siops": "212", "covid": True}
    assert entry["source"] == {"file": str(SMALL / "equivalencia_recursos.csv"), "line": 7}
    assert json.loads(json.dumps(t)) == t
    assert "coberta: equivalência confirmada" in explain_coverage.render_text(t)


def test_a_listing_lists_every_record_of_its_key(siops: runtime.Views) -> None:
    t = _explain(siops, "cobertura/covid_duplicado", *KEY)
    assert t["value"] == "listado" and t["severity"] == "warning"
    assert _lines(t) == [
        *(("despesa.csv", n) for n in (4, 6, 7, 8, 11, 12, 14, 15, 16, 18, 37, 38, 39)),
        *(("receita.csv", n) for n in (*range(5, 14), 18, 19))]


def test_a_key_no_record_carries(siops: runtime.Views) -> None:
    with pytest.raises(RunFailed) as got:
        _explain(siops, "cobertura/covid_duplicado", "3170206", "999")
    (err,) = got.value.errors
    assert err.code == "D1941" and "3170206:1621000" in (err.help or "")
