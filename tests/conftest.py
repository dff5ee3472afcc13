"""Shared test setup: snapshot extensions, hypothesis profiles, spec-package and fixture helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings
from syrupy.extensions.single_file import SingleFileSnapshotExtension
from syrupy.extensions.single_file import WriteMode

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures" / "siops"

settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=200, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


class ImptSnapshot(SingleFileSnapshotExtension):
    """Output files compared byte for byte (CRLF and encoding included)."""

    _write_mode = WriteMode.BINARY
    file_extension = "IMPT"


class DiagnosticsText(SingleFileSnapshotExtension):
    """Rendered diagnostics exactly as the analyst sees them."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


@pytest.fixture
def impt_snapshot(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(ImptSnapshot)


@pytest.fixture
def diag_snapshot(snapshot):  # type: ignore[no-untyped-def]
    return snapshot.use_extension(DiagnosticsText)


SMALL_INPUTS = {
    "despesa": FIXTURES / "small" / "despesa.csv",
    "receita": FIXTURES / "small" / "receita.csv",
    "equivalencia_recursos": FIXTURES / "small" / "equivalencia_recursos.csv",
}


@pytest.fixture(scope="session")
def large_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The deterministic ~100k-row ledger of municipio 3106200 (generated once per session)."""
    out = tmp_path_factory.mktemp("large")
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), "--out", str(out),
                    "--rows", "100000"], check=True)
    return {n: out / f"{n}.csv" for n in ("despesa", "receita", "equivalencia_recursos")}


@pytest.fixture(scope="session")
def siops_program():  # type: ignore[no-untyped-def]
    import runtime

    return runtime.load(ROOT / "generated" / "siops")


def write_package(root: Path, files: dict[str, str]) -> Path:
    """Write a spec package (relative path → text) under root/specs/pkg; returns the folder."""
    folder = root / "specs" / "pkg"
    for rel, text in files.items():
        p = folder / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    return folder
