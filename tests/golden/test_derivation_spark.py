"""The `derivation` kind on the spark back end: its SQL, rendered in Spark's dialect
(`Derivation.sql_spark`), runs on the local Spark session and writes the bytes the python back
end writes — Transparência MG under both rule versions (per-key sums, the classified etapa,
the warnings) and the seed-001 collections of tests/cases/derivation/assinatura (joins, window
functions for first/last/max_by/min_by, open-ended windows, an empty collection)."""

from __future__ import annotations

from pathlib import Path

import pytest

import compiler
import runtime
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "derivation" / "assinatura"


@pytest.mark.parametrize("select", [None, "convenios_corrigido,ordens"])
def test_spark_writes_the_transparencia_files_of_python(select: str | None) -> None:
    program = runtime.load(ROOT / "generated" / "transparencia_mg")
    src = str(ROOT / "fixtures" / "transparencia_mg" / "convenio_pagamento.csv")
    got = [program.run(ledgers={"convenio_pagamento": src}, params={}, select=select,
                       backend=b) for b in ("python", "spark")]
    assert "convenios.csv" in got[0].outputs
    assert got[1].outputs == got[0].outputs
    assert [w.code for w in got[1].warnings] == [w.code for w in got[0].warnings] != []


def test_spark_writes_the_collections_of_python(tmp_path: Path) -> None:
    result = compiler.compile_package(CASE / "specs", base=CASE)
    assert not result.errors, result.errors
    pkg = tmp_path / "assinatura"
    for rel, text in result.files.items():
        (pkg / rel).parent.mkdir(parents=True, exist_ok=True)
        (pkg / rel).write_text(text, "utf-8")
    program = runtime.load(pkg)
    inputs = {p.stem: str(p) for p in (CASE / "data").glob("*.csv")}
    got = [program.run(ledgers=inputs, params={}, backend=b).outputs
           for b in ("python", "spark")]
    assert got[0]["assinatura_diario.csv"].count(b"\n") > 2
    assert got[1] == got[0]
