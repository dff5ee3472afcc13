"""Regressions found by the outside review of issue 7 (REVIEW.md of h/review). Each test states
what the issue or the README promises; the ones marked xfail fail today. Fix the product, then
remove the marker (strict=True makes a fixed bug fail the suite until the marker goes)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

import runtime
from compiler.writer import write_tree
from runtime.journal import Journal
from runtime.lock import RunLock
from tests.conftest import ROOT
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import PARAMS
from tests.test_data_errors import program  # noqa: F401 - the compiled 'dados' package


def _ledgers(tmp: Path, *municipios: str) -> dict[str, Path]:
    """despesa: the GOOD rows (município 3106200) plus one row per value in `municipios`, and
    the equivalências of every município."""
    rows = [*GOOD, *(f"{m};15/01/2020;10;1,00;S;001;" for m in municipios)]
    desp = tmp / "despesa.csv"
    desp.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("utf-8"))
    eq = tmp / "equivalencias.csv"
    eq.write_bytes(("municipio;recurso;recurso_siops\n" + "".join(
        f"{m};001;001\n{m};002;212\n" for m in dict.fromkeys(r.split(";")[0] for r in rows))
    ).encode("utf-8"))
    return {"despesa": desp, "equivalencias": eq}


def _codes(call: object) -> set[str]:
    with pytest.raises(runtime.RunFailed) as info:
        call()  # type: ignore[operator]
    return {e.code for e in info.value.errors}


# ----------------------------------------------------------------- partitions (section 2)
def test_a_partition_longer_than_255_bytes_is_d0501(program: runtime.Program,  # noqa: F811
                                                    tmp_path: Path) -> None:
    value = "\U0001F600" * 64  # 64 characters (the limit), 256 bytes
    ledgers = _ledgers(tmp_path, value)
    codes = _codes(lambda: program.run_to(tmp_path / "out", ledgers, PARAMS,
                                          state=tmp_path / "s.sqlite"))
    assert codes == {"D0501"}


@pytest.mark.parametrize("twin", ["3106200 ", "3106200."])
def test_a_trailing_space_or_dot_twin_is_d0502(program: runtime.Program,  # noqa: F811
                                               tmp_path: Path, twin: str) -> None:
    ledgers = _ledgers(tmp_path, twin)
    codes = _codes(lambda: program.run_to(tmp_path / "out", ledgers, PARAMS,
                                          state=tmp_path / "s.sqlite"))
    assert "D0502" in codes
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.IMPT"))


# ----------------------------------------------------- places of a run (sections 2 and 3)
@pytest.mark.skipif(os.geteuid() != 0, reason="mknod needs root")
def test_rejects_on_a_device_does_not_replace_it(program: runtime.Program,  # noqa: F811
                                                 tmp_path: Path) -> None:
    dev = tmp_path / "null"
    os.mknod(dev, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # a /dev/null of our own
    try:
        program.run_to(tmp_path / "out", _ledgers(tmp_path), PARAMS,
                       state=tmp_path / "s.sqlite", rejects=dev)
    except (ValueError, runtime.RunFailed):
        pass  # refusing is fine
    assert stat.S_ISCHR(os.lstat(dev).st_mode)


def test_a_state_file_through_a_symlink_shares_its_lock(program: runtime.Program,  # noqa: F811
                                                        tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite"
    journal = Journal(state)
    running = journal.start(package="dados", spec_hash="x", compiler_version="0",
                            backend="python", params={}, selected=None, out="elsewhere")
    journal.close()
    holder = RunLock(state.with_name(state.name + ".lock"), "o arquivo de estado", "D0506")
    holder.acquire()  # a live run holds the state file
    link = tmp_path / "link.sqlite"
    link.symlink_to(state.name)
    try:
        codes = _codes(lambda: program.run_to(tmp_path / "out", _ledgers(tmp_path), PARAMS,
                                              state=link))
        assert codes == {"D0503"}
    finally:
        holder.release()
        journal = Journal(state)
        status = journal.run(running)
        journal.close()
    assert status is not None and status["status"] == "running"


def test_a_refused_state_file_leaves_no_lock_file(program: runtime.Program,  # noqa: F811
                                                  tmp_path: Path) -> None:
    state = tmp_path / "notes.txt"
    state.write_text("isto não é SQLite\n" * 100, "utf-8")
    assert _codes(lambda: program.run_to(tmp_path / "out", _ledgers(tmp_path), PARAMS,
                                         state=state)) == {"D0506"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["despesa.csv", "equivalencias.csv",
                                                          "notes.txt"]


# ------------------------------------------------------------------- apura compile
def test_generated_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_tree(tmp_path / "pkg", {"__init__.py": "x = 1\n", "sql/plan.json": "{}\n"})
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "pkg").rglob("*")
             if p.is_file()}
    assert modes == {"__init__.py": 0o644, "plan.json": 0o644}


def test_compile_out_does_not_delete_files_it_never_wrote(tmp_path: Path) -> None:
    quadro = tmp_path / "siops" / "3170206" / "covid_70_receitas_uniao.IMPT"
    quadro.parent.mkdir(parents=True)
    quadro.write_bytes(b"70;9999999001;7001;...;\r\n")
    notes = tmp_path / "siops" / "LEIA-ME.txt"
    notes.write_text("minhas anotações\n", "utf-8")
    r = subprocess.run([sys.executable, "-m", "compiler", "--project", str(ROOT), "compile",
                        "--out", str(tmp_path)], capture_output=True, text=True, cwd=ROOT)
    kept = quadro.exists() and notes.exists()
    assert kept or r.returncode != 0, r.stdout + r.stderr  # keep them, or refuse the folder
    assert kept


def test_a_run_that_fails_while_staging_keeps_the_old_rejects_file(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    (out / "3106200").write_text("um arquivo, não uma pasta\n", "utf-8")
    rejects = tmp_path / "rejeitadas.csv"
    rejects.write_text("as rejeitadas da execução anterior\n", "utf-8")
    assert _codes(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS,
                                         state=tmp_path / "s.sqlite",
                                         rejects=rejects)) == {"D0504"}
    assert rejects.read_text("utf-8") == "as rejeitadas da execução anterior\n"
