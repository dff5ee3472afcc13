"""`apura run debita` (the `allocation` kind, specs/debita) against the independent oracle
(benchmarks/debita_baseline.py, checked against hand figures in tests/unit/test_debita_oracle.py)
on the hand-made cases of fixtures/debita/casos that are one run of the rules in force: the six
output files byte for byte, on the python and duckdb back ends.

The cases with several steps (a second month, manual events, reversals, the earlier rule)
are not compared here yet: the step runner on apura's side is the next slice of issue 10."""

from __future__ import annotations

from pathlib import Path

import pytest

import runtime
from benchmarks.debita_baseline import State
from benchmarks.debita_baseline import outputs
from benchmarks.debita_baseline import run as oracle_run
from tests.conftest import ROOT

CASOS = ROOT / "fixtures" / "debita" / "casos"
ONE_RUN = ["01_uma_imputacao", "02_duas_mesma_natureza", "03_debito_e_multa", "04_solidaria",
           "08_quitada"]
FILES = ("pagamentos.csv", "eventos.csv", "saldos.csv", "importacao.csv", "resumo.csv",
         "resumo.md")


def _inputs(case: Path) -> dict[str, Path]:
    return {n: case / f"{n}.csv" for n in ("desconto", "imputacao", "responsavel")}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("name", ONE_RUN)
def test_one_run_equals_the_oracle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str,
                                   backend: str) -> None:
    monkeypatch.chdir(ROOT)  # importacao.csv names the input as given: relative to the root
    case = (CASOS / name).relative_to(ROOT)
    inputs = _inputs(case)
    state = State()
    oracle_run(state, [inputs["desconto"]], inputs["imputacao"], inputs["responsavel"])
    want = outputs(state)
    assert set(FILES) <= set(want)
    program = runtime.load(ROOT / "generated" / "debita")
    out = tmp_path / "out"
    program.run_to(out, {k: str(v) for k, v in inputs.items()}, {},
                   state=tmp_path / "s.sqlite", backend=backend)
    for f in FILES:
        assert (out / f).read_text("utf-8") == want[f], f
