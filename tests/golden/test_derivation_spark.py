"""The `derivation` kind on the spark back end: its SQL, rendered in Spark's dialect
(`Derivation.sql_spark`), runs on the local Spark session and writes the bytes the python back
end writes — Transparência MG under both rule versions (per-key sums, the classified etapa,
the warnings) and the seed-001 collections of tests/cases/derivation/assinatura (joins, window
functions for first/last/max_by/min_by, open-ended windows, an empty collection), and the
assinatura package (issue 13: a union with lookups, the plans)."""

from __future__ import annotations

from pathlib import Path

import pytest

import runtime
from tests.buildkit import build
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
    program = build(CASE / "specs", CASE, tmp_path / "assinatura")
    inputs = {p.stem: str(p) for p in (CASE / "data").glob("*.csv")}
    got = [program.run(ledgers=inputs, params={}, backend=b).outputs
           for b in ("python", "spark")]
    assert got[0]["assinatura_diario.csv"].count(b"\n") > 2
    assert got[1] == got[0]


def test_spark_writes_the_assinatura_files_of_python() -> None:
    """The assinatura package (issue 13) on its fixture, as-of 20/06/2024: documentos.csv,
    destinatarios.csv (the union, its two `with:` lookups, keep, dedupe, next) and every
    plan, the same bytes and the same warnings on spark as on python."""
    program = runtime.load(ROOT / "generated" / "assinatura")
    fixtures = ROOT / "fixtures" / "assinatura"
    inputs = {p.stem: str(p) for p in sorted(fixtures.glob("*.csv"))}
    got = [program.run(ledgers=inputs, params={"data_base": "2024-06-20"}, backend=b)
           for b in ("python", "spark")]
    assert {"documentos.csv", "destinatarios.csv", "planos/D24.json"} <= set(got[0].outputs)
    assert got[1].outputs == got[0].outputs
    assert sorted((w.code, w.line) for w in got[1].warnings) == \
        sorted((w.code, w.line) for w in got[0].warnings) != []
