"""`$param` inside a derivation (tests/cases/derivation/params): in a collection's `where:`, in
a collection use, in a per-record field and in a per-key aggregate and field; and `each:` (one
output row per member of a collection) — python and duckdb byte for byte, and the values
worked out by hand from the case's data.

data_base 20/06/2024:
* P1's vínculos 01/01–31/05 (ended), 01/06– (open: current), 01/07–31/12 (future): 1 current,
  1 future; P2's 01/06–20/06 ends on the day itself (current), none future; P3's starts 21/06
  (future only). P1 since 01/01 and P3 since 20/06 (not before the day), P2 since 01/07.
* group A: P1 (5 pontos, since ≤ the day) and P2 (7, later) → 5, two members ≥ minimo 2;
  group B: P3 (3, since the day itself) → 3, one member < 2.
* `each:` (vinculos.yaml): one row per vínculo not ended before the day (fim empty or ≥ the
  day), ordered fim desc with the empty fim last: P1's 01/07–31/12 then 01/06–(open); P2's
  01/06–20/06 (ends on the day); P3's 21/06–(open). P1's ended 01/01–31/05 writes no row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import runtime
from tests.buildkit import build
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "derivation" / "params"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    return build(CASE / "specs", CASE, tmp_path_factory.mktemp("gen") / "params_derivacao")


def _run(program: runtime.Program, backend: str, params: dict[str, str]) -> dict[str, bytes]:
    data: Path = CASE / "data"
    return program.run(ledgers={n: str(data / f"{n}.csv") for n in ("pessoa", "vinculo")},
                       params=params, backend=backend).outputs


def test_params_in_collections_fields_and_aggregates(program) -> None:  # type: ignore[no-untyped-def]
    got = [_run(program, b, {"data_base": "2024-06-20"}) for b in ("python", "duckdb")]
    assert got[0] == got[1]
    assert got[0]["pessoas.csv"].decode("utf-8").splitlines() == [
        "pessoa;n_vigentes;futuros;antigo;data_base",
        "P1;1;1;S;20/06/2024",
        "P2;1;0;N;20/06/2024",
        "P3;0;1;N;20/06/2024",
    ]
    assert got[0]["grupos.csv"].decode("utf-8").splitlines() == [
        "grupo;antes;acima", "A;5;S", "B;3;N"]


def test_another_value_moves_every_use(program) -> None:  # type: ignore[no-untyped-def]
    # 01/07/2024, minimo 1: P1's third vínculo is current too, P2's has ended, P2 is
    # not "antigo" (since the day itself) but joins A's sum (since <= the day)
    got = [_run(program, b, {"data_base": "2024-07-01", "minimo": "1"})
           for b in ("python", "duckdb")]
    assert got[0] == got[1]
    assert got[0]["pessoas.csv"].decode("utf-8").splitlines()[1:] == [
        "P1;2;0;S;01/07/2024", "P2;0;0;N;01/07/2024", "P3;1;0;S;01/07/2024"]
    assert got[0]["grupos.csv"].decode("utf-8").splitlines()[1:] == ["A;12;S", "B;3;S"]


def test_each_writes_a_row_per_member(program) -> None:  # type: ignore[no-untyped-def]
    got = [_run(program, b, {"data_base": "2024-06-20"}) for b in ("python", "duckdb")]
    assert got[0]["vinculos.csv"] == got[1]["vinculos.csv"]
    assert got[0]["vinculos.csv"].decode("utf-8").splitlines() == [
        "pessoa;inicio;fim;aberto;total",
        "P1;01/07/2024;31/12/2024;N;2",
        "P1;01/06/2024;;S;2",
        "P2;01/06/2024;20/06/2024;N;1",
        "P3;21/06/2024;;S;1",
    ]
