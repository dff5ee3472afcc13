"""Every fixture gives byte-identical outputs (and the same counts) on python, duckdb and spark:
the hand-made ledger, the ~100k generated one, and the generated one as Parquet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.backends.conftest import SQL_BACKENDS
from tests.backends.conftest import outcome
from tests.conftest import FIXTURES
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": 2020, "bimestre": 2}
NAMES = ("despesa", "receita", "equivalencia_recursos")


@pytest.fixture(scope="module")
def parquet_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The generated fixture (same arguments as `large_inputs`) also written as Parquet."""
    out = tmp_path_factory.mktemp("parquet")
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), "--out", str(out),
                    "--rows", "100000", "--parquet"], check=True, capture_output=True)
    return {n: out / f"{n}.parquet" for n in NAMES}


@pytest.fixture(scope="module")
def python_large(siops_program, large_inputs):  # type: ignore[no-untyped-def]
    return outcome(siops_program, large_inputs, PARAMS, "python")


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_small_fixture_is_identical(siops_program, backend: str) -> None:  # type: ignore[no-untyped-def]
    expected = outcome(siops_program, SMALL_INPUTS, PARAMS, "python")
    assert expected[0] == "ok" and len(expected[1]) == 6 + 1 + 3  # quadros, Receitas, bundle
    assert outcome(siops_program, SMALL_INPUTS, PARAMS, backend) == expected


@pytest.mark.parametrize("backend", SQL_BACKENDS)
def test_large_fixture_is_identical(siops_program, large_inputs, python_large,  # type: ignore[no-untyped-def]
                                    backend: str) -> None:
    assert python_large[0] == "ok"
    assert outcome(siops_program, large_inputs, PARAMS, backend) == python_large


def _without_provenance(outputs: dict[str, bytes]) -> dict[str, bytes]:
    """The outputs but the bundle's files that hold the provenance (the zip, its manifest's
    row of it, the provenance itself); the manifest's rows of the quadros are kept."""
    out = {k: v for k, v in outputs.items()
           if not k.endswith(("/Siops.zip", "/proveniencia.csv", "/manifesto.csv"))}
    for k, v in outputs.items():
        if k.endswith("/manifesto.csv"):
            out[k] = b"\n".join(line for line in v.split(b"\n")
                                if not line.startswith(b"proveniencia.csv;"))
    return out


@pytest.mark.parametrize("backend", ["python", *SQL_BACKENDS])
def test_large_fixture_as_parquet_is_identical(siops_program, parquet_inputs, python_large,  # type: ignore[no-untyped-def]
                                               backend: str) -> None:
    got = outcome(siops_program, parquet_inputs, PARAMS, backend)
    assert got[0] == "ok"
    # outputs, byte for byte — but the bundle's provenance, which names other input files
    # (Parquet, not CSV: other sha256)
    assert _without_provenance(got[1]) == _without_provenance(python_large[1])
    assert got[2] == python_large[2]  # every cell value
    assert [s[2:] for s in got[3]] == [s[2:] for s in python_large[3]]  # counts, partitions


def test_auto_picks_duckdb_for_parquet_and_python_for_small_csv(siops_program,  # type: ignore[no-untyped-def]
                                                                parquet_inputs) -> None:
    assert siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS, backend="auto").backend \
        == "python"
    assert siops_program.run(ledgers=parquet_inputs, params=PARAMS, backend="auto").backend \
        == "duckdb"
