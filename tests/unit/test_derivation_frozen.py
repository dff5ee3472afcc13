"""`incremental.frozen:` on a per-key derivation (tests/cases/derivation/frozen): the general
capability under the assinatura freeze — python and duckdb byte for byte, three extracts into
one state file, `--as-of`, worked out by hand:

* load 1 (1.csv): A = 80 → baixo; B = 150 → alto, frozen since 1;
* load 2 (2.csv, both scopes): B = 50 → the rule says baixo, alto (1) kept — the total follows
  the data; A = 80 + 30 = 110 → alto, since 2;
* load 3 (3.csv, scope A only): A = 10 → baixo by the rule, alto (2) kept; B untouched: 50,
  alto (1);
* the change report compares with the previous load as written (its freezes applied): load 2
  A total 80,00 → 110,00 and faixa baixo → alto, B total 150,00 → 50,00 (faixa alto kept: no
  row); load 3 only A total 110,00 → 10,00 — B's faixa, baixo by the rule on load 2's
  picture, was written alto: no change;
* `--as-of 1`: load 1's picture and its freezes only: A 80 baixo, B 150 alto 1; `--as-of 2`:
  A 110 alto 2, B 50 alto 1;
* a state file whose stored value no longer reads back (edited: not JSON, or a faixa that is
  no text) fails the run with D1830, naming the load and the key.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

import runtime
from runtime import RunFailed
from tests.buildkit import build
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "derivation" / "frozen"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    return build(CASE / "specs", CASE, tmp_path_factory.mktemp("gen") / "congelados")


def _lines(result: runtime.Result) -> list[str]:
    return result.outputs["convenios.csv"].decode("utf-8").splitlines()


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_frozen_band_per_key(program, tmp_path: Path, backend: str) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.sqlite"
    results = [program.run_to(tmp_path / f"out{n}", {"pagamento": str(CASE / "data" /
                                                                      f"{n}.csv")},
                              {}, state=state, backend=backend).result for n in (1, 2, 3)]
    got = [_lines(r) for r in results]
    header = "convenio;total;faixa;alto_desde"
    assert got == [[header, "A;80,00;baixo;", "B;150,00;alto;1"],
                   [header, "A;110,00;alto;2", "B;50,00;alto;1"],
                   [header, "A;10,00;alto;2", "B;50,00;alto;1"]]
    changes = [r.outputs["mudancas.csv"].decode("utf-8").splitlines()[1:] for r in results[1:]]
    assert changes == [["2;por_convenio;A;;alterado;total;80,00;110,00",
                        "2;por_convenio;A;;alterado;faixa;baixo;alto",
                        "2;por_convenio;B;;alterado;total;150,00;50,00"],
                       ["3;por_convenio;A;;alterado;total;110,00;10,00"]]
    past = [_lines(program.run_to(tmp_path / f"asof{n}", {}, {}, state=state, backend=backend,
                                  as_of=str(n)).result) for n in (1, 2)]
    assert past == [[header, "A;80,00;baixo;", "B;150,00;alto;1"],
                    [header, "A;110,00;alto;2", "B;50,00;alto;1"]]


@pytest.mark.parametrize("stored", ['{"total": 150', '{"total": "150.00", "faixa": 7}'])
def test_a_damaged_memory_fails_the_run(program, tmp_path: Path, stored: str) -> None:  # type: ignore[no-untyped-def]
    state = tmp_path / "state.sqlite"
    data = {"pagamento": str(CASE / "data" / "1.csv")}
    program.run_to(tmp_path / "out1", data, {}, state=state, backend="python")
    db = sqlite3.connect(state)
    with db:
        db.execute("UPDATE derivation_values SET fields = ? WHERE key = '[\"B\"]'", (stored,))
    db.close()
    with pytest.raises(RunFailed) as info:
        program.run_to(tmp_path / "out2", data, {}, state=state, backend="python")
    (err,) = info.value.errors
    assert err.code == "D1830" and "carga 1 (chave [\"B\"])" in err.message
