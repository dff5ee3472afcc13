"""Shared test setup: snapshot extensions, hypothesis profiles, spec-package and fixture helpers."""

from __future__ import annotations

import difflib
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _visible_lines(data: object) -> list[str]:
    """Bytes decoded as UTF-8 (undecodable bytes as \\xNN), one string per line, with the
    line end written out: "...;\\r\\n", "...;\\n", or "(sem fim de linha)" on a last line
    without one."""
    text = data.decode("utf-8", "backslashreplace") if isinstance(data, bytes) else str(data)
    out = []
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        end = line[len(body):].replace("\r", "\\r").replace("\n", "\\n")
        out.append(body + (end or "  (sem fim de linha)"))
    return out


class ImptSnapshot(SingleFileSnapshotExtension):
    """Output files compared byte for byte (CRLF and encoding included); a mismatch shows a
    unified diff of the decoded lines with their line ends visible, not one bytes literal."""

    _write_mode = WriteMode.BINARY
    file_extension = "IMPT"

    def diff_lines(self, serialized_data: Any, snapshot_data: Any) -> Iterator[str]:
        if snapshot_data is None:
            yield from (f"+ {line}" for line in _visible_lines(serialized_data))
            return
        old, new = _visible_lines(snapshot_data), _visible_lines(serialized_data)
        diff = list(difflib.unified_diff(old, new, "snapshot", "recebido", n=1, lineterm=""))
        if not diff and snapshot_data != serialized_data:  # same lines, other bytes
            diff = ["(as linhas decodificadas são iguais; os bytes diferem, ex.: a codificação)"]
        yield from diff


_DESELECTED: list[int] = []


def pytest_deselected(items: list[pytest.Item]) -> None:
    _DESELECTED.append(len(items))


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With --snapshot-update, syrupy deletes every snapshot no test used; a run that did not
    run every collected test to success (-k/-m deselection, -x, a failure, an interruption)
    would then delete live snapshots. Such a run keeps them (syrupy's --snapshot-no-cleanup);
    only a complete, passing run (`make accept` with no K) removes obsolete ones."""
    option = session.config.option
    if not getattr(option, "update_snapshots", False):
        return
    if exitstatus != 0 or session.testsfailed or session.shouldstop or session.shouldfail \
            or sum(_DESELECTED):
        option.no_cleanup = True


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


# The optional inputs of the despesa, restos, receitas and caixa file sets (specs/siops/
# despesa_execucao.yaml, restos_*.yaml, receita_execucao.yaml, caixa_disponibilidade.yaml) that
# a COVID run does not give: the run reads them as no records and journals them as absent
# (D0801).
OMITTED = ("despesa_movimento", "dotacao", "equivalencia_rubricas", "excecoes_natureza",
           "restos_a_pagar", "contas", "equivalencia_contas")
# The tables shipped with the specs that a full COVID run of 2020 reads (the Receitas file's:
# specs/siops/2019/tabelas), journaled as inputs with their sha256.
COVID_TABLES = ("arquivos_receita", "base_asps", "elementos_receita", "naturezas_receita")

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
