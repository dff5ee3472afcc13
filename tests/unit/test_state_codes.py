"""Two refusals of the state file no other test reaches: `--as-of` on a run that computes no
incremental derivation (D1903), and `apura explain --state` of a run whose input was rows in
memory (D1922: the journal keeps no file nor sha256 to take it from). The other D19xx codes
are tested with their packages (tests/golden/test_transparencia_mg_cargas.py,
tests/golden/test_explain_cli.py, tests/golden/test_explain_loads.py); the literal forms
below are what tests/test_data_errors.py looks for."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

import runtime
from runtime import RunFailed
from runtime.explain_journal import read_run
from tests.conftest import ROOT

FIXTURE = ROOT / "fixtures" / "transparencia_mg" / "convenio_pagamento.csv"


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "transparencia_mg")


def test_as_of_without_an_incremental_derivation_is_d1903(program: runtime.Program,
                                                          tmp_path: Path) -> None:
    with pytest.raises(RunFailed) as got:
        program.run({}, {}, select="dicionario_*", as_of="1", state=tmp_path / "s.sqlite")
    assert [e.code for e in got.value.errors] == ["D1903"]
    assert "transparencia_mg" in got.value.errors[0].message


def test_as_of_with_the_extract_is_d1904(program: runtime.Program, tmp_path: Path) -> None:
    with pytest.raises(RunFailed) as got:
        program.run({"convenio_pagamento": str(FIXTURE)}, {}, as_of="1",
                    state=tmp_path / "s.sqlite")
    assert "D1904" in [e.code for e in got.value.errors]


def test_explaining_a_run_of_rows_in_memory_is_d1922(program: runtime.Program,
                                                     tmp_path: Path) -> None:
    with FIXTURE.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    state = tmp_path / "state.sqlite"
    program.run_to(tmp_path / "out", {"convenio_pagamento": rows}, {}, state=state)
    with pytest.raises(RunFailed) as got:
        read_run(state, program.package)
    (err,) = got.value.errors
    assert err.code == "D1922" and "convenio_pagamento" in err.message
    with pytest.raises(RunFailed) as missing:
        read_run(state, program.package, run=7)
    assert [e.code for e in missing.value.errors] == ["D1921"]


def test_explaining_a_changed_input_is_d1920(program: runtime.Program, tmp_path: Path) -> None:
    src = tmp_path / "extrato.csv"
    src.write_bytes(FIXTURE.read_bytes())
    state = tmp_path / "state.sqlite"
    program.run_to(tmp_path / "out", {"convenio_pagamento": str(src)}, {}, state=state)
    assert read_run(state, program.package).inputs == {"convenio_pagamento": str(src)}
    src.write_bytes(FIXTURE.read_bytes() + b"1600001;1;X;9;01/01/2020;1,00;0,00;paga\n")
    with pytest.raises(RunFailed) as got:
        read_run(state, program.package)
    assert [e.code for e in got.value.errors] == ["D1920"]
