"""The run lifecycle in the runtime (issue 7, sections 3 and 4): locks (D0503), the staged
commit, the journal's statuses, ordinary failures of the places as D codes naming the path
(D0504 --out, D0505 writing, D0506 the state file), paths that would overwrite an input."""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import runtime
from compiler.runner import run_package
from runtime import commit as commit_mod
from runtime.commit import STAGING
from runtime.commit import Commit
from runtime.journal import Journal
from runtime.lifecycle import LOCK
from runtime.lifecycle import state_lock
from runtime.lock import Busy
from runtime.lock import RunLock
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import PARAMS
from tests.test_data_errors import program  # noqa: F401 - the compiled 'dados' package


def _ledgers(tmp: Path, *rows: str) -> dict[str, Path]:
    """despesa with `rows` (GOOD by default: município 3106200) and the equivalências of the
    municípios in them (a map ledger's municípios are partitions too)."""
    rows = rows or tuple(GOOD)
    desp = tmp / "despesa.csv"
    desp.write_text("\n".join([HEADER, *rows]) + "\n", "utf-8")
    eq = tmp / "equivalencias.csv"
    eq.write_text("municipio;recurso;recurso_siops\n" + "".join(
        f"{m};001;001\n{m};002;212\n" for m in dict.fromkeys(r.split(";")[0] for r in rows)),
        "utf-8")
    return {"despesa": desp, "equivalencias": eq}


def _runs(state: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(state)
    try:
        return db.execute("SELECT id, status, message, pid, out, committed_at FROM runs "
                          "ORDER BY id").fetchall()
    finally:
        db.close()


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != LOCK}


def _failed(call: Any) -> list[runtime.DataError]:
    with pytest.raises(runtime.RunFailed) as info:
        call()
    return info.value.errors


# ---------------------------------------------------------------- runs and the journal
def test_run_to_journals_and_commits(program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    rec = program.run_to(out, _ledgers(tmp_path), PARAMS, state=state)
    assert set(_tree(out)) == {"3106200/quadro.IMPT"}
    assert not (out / STAGING).exists()
    (run_id, status, message, pid, where, committed), = _runs(state)
    assert (run_id, status, message, pid, where) == (rec.run_id, "ok", None, os.getpid(),
                                                      str(out))
    assert committed is not None
    assert rec.written[0][0] == (out / "3106200/quadro.IMPT").as_posix()


def test_outputs_follow_the_umask(program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        rejects = tmp_path / "rej.csv"
        program.run_to(out, _ledgers(tmp_path), PARAMS, state=tmp_path / "s.sqlite",
                       rejects=rejects)
        os.umask(0o027)
        program.run(ledgers=_ledgers(tmp_path), params=PARAMS).write(tmp_path / "w")
    finally:
        os.umask(old)
    assert (out / "3106200/quadro.IMPT").stat().st_mode & 0o777 == 0o644
    assert rejects.stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "w/3106200/quadro.IMPT").stat().st_mode & 0o777 == 0o640


def test_a_data_error_run_records_its_inputs_and_fails(program: runtime.Program,  # noqa: F811
                                                       tmp_path: Path) -> None:
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    ledgers = _ledgers(tmp_path, GOOD[0], "3106200;15/01/2020;dez;1,00;S;001;")
    _failed(lambda: program.run_to(out, ledgers, PARAMS, state=state))
    assert not out.exists()
    (run_id, status, message, *_), = _runs(state)
    assert status == "failed" and "D0101" in message and "nenhum arquivo" in message
    db = sqlite3.connect(state)
    rows = db.execute("SELECT name, rows_read, rows_rejected, length(sha256) FROM run_inputs "
                      "WHERE run_id = ? ORDER BY name", (run_id,)).fetchall()
    assert rows == [("despesa", 2, 1, 64), ("equivalencias", 2, 0, 64)]


def test_an_internal_error_marks_the_run_failed_and_keeps_the_outputs(
        program: runtime.Program, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    program.run_to(out, _ledgers(tmp_path), PARAMS, state=state)
    before = _tree(out)

    def boom(self: Commit, written: Any, run: Any = None, state: Any = None,
             remove: Any = ()) -> None:
        raise ZeroDivisionError("de propósito")
    monkeypatch.setattr(Commit, "commit", boom)
    with pytest.raises(ZeroDivisionError):
        program.run_to(out, _ledgers(tmp_path, GOOD[0]), PARAMS, state=state)
    assert _tree(out) == before and not (out / STAGING).exists()
    assert _runs(state)[1][1:3] == ("failed", "erro interno: ZeroDivisionError: de propósito; "
                                    "nenhum arquivo de saída foi alterado")


def test_sigterm_marks_the_run_interrupted_and_restores_the_handlers(
        program: runtime.Program, tmp_path: Path,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    real = Commit.stage

    def stage(self: Commit, outputs: Any) -> Any:
        written = real(self, outputs)
        os.kill(os.getpid(), signal.SIGTERM)  # arrives while the run writes
        time.sleep(0.1)
        return written
    monkeypatch.setattr(Commit, "stage", stage)
    before = signal.getsignal(signal.SIGTERM)
    from runtime.lifecycle import Interrupted

    with pytest.raises(Interrupted):
        program.run_to(out, _ledgers(tmp_path), PARAMS, state=state, handle_signals=True)
    assert signal.getsignal(signal.SIGTERM) is before
    assert _runs(state)[0][1:3] == ("interrupted", "interrompida (SIGTERM); nenhum arquivo "
                                    "de saída foi alterado")
    assert _tree(out) == {} and not (out / STAGING).exists()


def test_cli_sigterm_exits_143_and_journals_it(tmp_path: Path,
                                               large_inputs: dict[str, Path]) -> None:
    state = tmp_path / "s.sqlite"
    args = [sys.executable, "-m", "compiler", "run", "siops", "--out", str(tmp_path / "out"),
            "--state", str(state), "--param", "exercicio=2020", "--param", "bimestre=2",
            *(a for n, p in large_inputs.items() for a in ("--input", f"{n}={p}"))]
    proc = subprocess.Popen(args, cwd=Path(__file__).resolve().parents[2],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if _runs(state):
                break
        except sqlite3.Error:  # not there yet, or being migrated
            pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err.decode()
    assert "interrompida (SIGTERM)" in err.decode()
    assert _runs(state)[0][1] == "interrupted"


# ---------------------------------------------------------------- locks
def test_a_second_run_on_the_same_out_is_refused_naming_the_first(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    holder = RunLock(out / LOCK, "x", "D0504")
    holder.acquire(info={"run": 7})
    try:
        errors = _failed(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS,
                                                state=tmp_path / "s.sqlite"))
    finally:
        holder.release()
    (e,) = errors
    assert (e.code, e.file, e.line) == ("D0503", str(out / LOCK), 0)
    assert f"(pid {os.getpid()}, iniciada em " in e.message and "execução 7)" in e.message
    assert e.render().startswith(f"{out / LOCK}: erro[D0503]: outra execução do apura está "
                                 f"usando a pasta de saída '{out}'")
    assert _tree(out) == {} and not (tmp_path / "s.sqlite").exists()


def test_a_second_run_on_the_same_state_is_refused_by_the_cli(tmp_path: Path,
                                                               capsys: Any) -> None:
    from tests.conftest import ROOT
    from tests.conftest import SMALL_INPUTS

    state = tmp_path / "s.sqlite"
    holder = RunLock(state.with_name("s.sqlite.lock"), "x", "D0506")
    holder.acquire()
    try:
        code = run_package(package=str(ROOT / "generated/siops"),
                           inputs={k: str(v) for k, v in SMALL_INPUTS.items()},
                           params={"exercicio": "2020", "bimestre": "2"},
                           out=tmp_path / "out", select=None, rejects=None, state=state,
                           debug=False)
    finally:
        holder.release()
    assert code == 1
    err = capsys.readouterr().err
    assert f"{state}.lock: erro[D0503]: outra execução do apura está usando o arquivo de " \
           f"estado '{state}' (pid {os.getpid()}" in err


def test_wait_waits_for_the_first_run(program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    holder = RunLock(out / LOCK, "x", "D0504")
    holder.acquire()
    threading.Timer(0.5, holder.release).start()
    t0 = time.monotonic()
    program.run_to(out, _ledgers(tmp_path), PARAMS, state=tmp_path / "s.sqlite", wait=True)
    assert time.monotonic() - t0 >= 0.4
    assert set(_tree(out)) == {"3106200/quadro.IMPT"}


def test_a_lock_left_by_a_killed_process_does_not_block(program: runtime.Program,  # noqa: F811
                                                        tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code = ("import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT); "
            "fcntl.flock(fd, fcntl.LOCK_EX); os.write(fd, b'{\"pid\": 1}'); print('ok', "
            "flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(out / LOCK)],
                            stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"ok\n"
    assert _failed(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS,
                                          state=tmp_path / "s.sqlite"))[0].code == "D0503"
    proc.kill()
    proc.wait()
    proc.stdout.close()
    program.run_to(out, _ledgers(tmp_path), PARAMS, state=tmp_path / "s.sqlite")
    assert set(_tree(out)) == {"3106200/quadro.IMPT"}


def test_result_write_takes_the_lock_and_commits(program: runtime.Program,  # noqa: F811
                                                 tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = program.run(ledgers=_ledgers(tmp_path), params=PARAMS)
    out.mkdir()
    with RunLock(out / LOCK, "x", "D0504") as holder:
        holder.acquire()
        with pytest.raises(Busy):
            result.write(out)
    written = result.write(out)
    assert [w[0] for w in written] == [(out / "3106200/quadro.IMPT").as_posix()]
    assert _tree(out) == {"3106200/quadro.IMPT": result.outputs["3106200/quadro.IMPT"]}


# ---------------------------------------------------------------- the commit
def test_files_the_run_does_not_write_are_untouched_and_stale_temporaries_go(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    program.run_to(out, _ledgers(tmp_path, "3170206;15/01/2020;10;9,00;S;001;"), PARAMS,
                   state=state)
    other = _tree(out)
    (out / "3106200").mkdir()
    (out / "3106200" / "notas.txt").write_text("minhas notas")
    legacy = out / "3106200" / ".quadro.IMPT.ab12cd_9.tmp"  # left by an older apura
    legacy.write_text("meio arquivo")
    dead = out / STAGING / "r9-123-deadbeef"
    (dead / "3106200").mkdir(parents=True)
    (dead / "3106200" / "quadro.IMPT").write_text("nunca confirmado")
    program.run_to(out, _ledgers(tmp_path), PARAMS, state=state)
    tree = _tree(out)
    assert tree["3170206/quadro.IMPT"] == other["3170206/quadro.IMPT"]
    assert tree["3106200/notas.txt"] == b"minhas notas"
    assert not legacy.exists() and not (out / STAGING).exists()
    assert b"nunca" not in tree["3106200/quadro.IMPT"]


def test_a_committed_manifest_is_rolled_forward_by_the_next_run(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    first = program.run_to(out, _ledgers(tmp_path), PARAMS, state=state)
    new = {"3106200/quadro.IMPT": b"novo\r\n", "9/quadro.IMPT": b"nove\r\n"}
    c = Commit.new(out, "r99")
    written = c.stage(new)
    c.commit(written, 99, state)  # a process killed right after its commit point
    assert _tree(out)["3106200/quadro.IMPT"] != b"novo\r\n"
    program.run_to(out, _ledgers(tmp_path, "3170206;15/01/2020;10;9,00;S;001;"), PARAMS,
                   state=state)
    tree = _tree(out)
    assert tree["3106200/quadro.IMPT"] == b"novo\r\n" and tree["9/quadro.IMPT"] == b"nove\r\n"
    assert "3170206/quadro.IMPT" in tree and not (out / STAGING).exists()
    assert first.run_id == 1


# ---------------------------------------------------------------- the places (D0504-D0506)
def test_an_out_that_is_a_file_is_d0504(program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    out.write_text("não sou pasta")
    (e,) = _failed(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS,
                                          state=tmp_path / "s.sqlite"))
    assert (e.code, e.file, e.line, e.col) == ("D0504", str(out), 0, 0)
    assert e.render().startswith(f"{out}: erro[D0504]: a saída (--out) não é uma pasta")


def test_a_partition_folder_that_is_a_file_or_a_link_out_is_d0504(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "out"
    out.mkdir()
    (out / "3106200").write_text("arquivo")
    (e,) = _failed(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS,
                                          state=tmp_path / "s.sqlite"))
    assert (e.code, e.file, e.line) == ("D0504", str(out / "3106200"), 0)
    (out / "3106200").unlink()
    (tmp_path / "fora").mkdir()
    (out / "3106200").symlink_to(tmp_path / "fora")
    (e,) = _failed(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS,
                                          state=tmp_path / "s.sqlite"))
    assert (e.code, e.file) == ("D0504", str(out / "3106200/quadro.IMPT"))
    assert "sairia da pasta --out" in e.message and list((tmp_path / "fora").iterdir()) == []


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs (needs root and mount; skipped otherwise)."""
    where = tmp_path / "tiny"
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                                            str(where)], capture_output=True).returncode:
        pytest.skip("montar um tmpfs precisa de root")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def test_a_full_disk_is_d0505_and_leaves_the_old_outputs(
        program: runtime.Program, tmp_path: Path, tiny_tmpfs: Path) -> None:  # noqa: F811
    out = tiny_tmpfs / "out"
    program.run_to(out, _ledgers(tmp_path), PARAMS, state=tmp_path / "s.sqlite")
    before = _tree(out)
    big = {f"{i}/quadro.IMPT": b"x" * 20_000 for i in range(10)}
    result = program.run(ledgers=_ledgers(tmp_path), params=PARAMS)
    result.outputs.update(big)
    (e,) = _failed(lambda: result.write(out))
    assert e.code == "D0505" and e.line == 0 and e.file.startswith(str(out / ""))
    assert "não há espaço no disco" in e.message
    assert _tree(out) == before and not (out / STAGING).exists()


def test_enospc_while_staging_is_d0505(program: runtime.Program, tmp_path: Path,  # noqa: F811
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The same without a tmpfs: the write raises ENOSPC (simulated)."""
    out, state = tmp_path / "out", tmp_path / "s.sqlite"

    def full(path: Path, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(commit_mod, "_write_new", full)
    (e,) = _failed(lambda: program.run_to(out, _ledgers(tmp_path), PARAMS, state=state))
    assert (e.code, e.file, e.line) == ("D0505", str(out / "3106200/quadro.IMPT"), 0)
    assert _runs(state)[0][1:3] == ("failed", "1 erro(s): D0505; nenhum arquivo de saída "
                                    "foi alterado")


def test_a_read_only_out_is_d0504(program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    where = tmp_path / "ro"
    where.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=64k",
                                            "tmpfs", str(where)],
                                           capture_output=True).returncode:
        pytest.skip("montar um tmpfs somente leitura precisa de root")
    try:
        (e,) = _failed(lambda: program.run_to(where, _ledgers(tmp_path), PARAMS,
                                              state=tmp_path / "s.sqlite"))
        assert (e.code, e.file, e.line) == ("D0504", str(where), 0)
        (e,) = _failed(lambda: program.run_to(where / "sub", _ledgers(tmp_path), PARAMS,
                                              state=tmp_path / "s.sqlite"))
        assert (e.code, e.file) == ("D0504", str(where / "sub"))
        assert "somente leitura" in e.message
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


@pytest.mark.parametrize("kind", ["text", "folder", "proc", "device", "fifo", "link"])
def test_a_state_file_that_cannot_be_used_is_d0506(program: runtime.Program,  # noqa: F811
                                                   tmp_path: Path, kind: str) -> None:
    state = {"text": tmp_path / "s.sqlite", "folder": tmp_path / "pasta",
             "proc": Path("/proc/self/apura/state.sqlite"), "device": Path("/dev/null"),
             "fifo": tmp_path / "fifo", "link": tmp_path / "link.sqlite"}[kind]
    if kind in ("text", "link"):
        (tmp_path / "s.sqlite").write_text("isto não é SQLite\n" * 100)
    if kind == "link":
        state.symlink_to("s.sqlite")
    if kind == "folder":
        state.mkdir()
    if kind == "fifo":
        os.mkfifo(state)
    before = sorted(p.name for p in tmp_path.iterdir())
    errors = _failed(lambda: program.run_to(tmp_path / "out", _ledgers(tmp_path), PARAMS,
                                            state=state))
    (e,) = errors
    assert e.code == "D0506" and e.line == 0
    assert e.file in (str(state), str(state_lock(state)))
    if kind in ("text", "link"):
        assert e.message == "o arquivo de estado não pode ser usado: não é um banco SQLite"
    if kind in ("device", "fifo"):
        assert "não é um arquivo comum" in e.message
    # nothing left behind: no lock file beside the state file (nor /dev/null.lock), no --out
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*before, "despesa.csv", "equivalencias.csv"])
    assert not (tmp_path / "out").exists()
    assert not state_lock(state).exists()
    assert not Path(f"{state}.lock").exists()


def test_journal_migrates_an_old_state_file(tmp_path: Path) -> None:
    from runtime.journal import MIGRATIONS

    state = tmp_path / "old.sqlite"
    db = sqlite3.connect(state)
    db.executescript("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                     "applied_at TEXT NOT NULL);" + MIGRATIONS[0]
                     + "INSERT INTO schema_migrations VALUES (1, 'x');"
                     "INSERT INTO runs (package, spec_hash, compiler_version, backend, params,"
                     " started_at, status) VALUES ('p', 'h', 'v', 'python', '{}', 't', "
                     "'running');")
    db.commit()
    db.close()
    j = Journal(state)
    assert j.mark_dead(by_run=5) == [1]
    run = j.run(1)
    j.close()
    assert run is not None and run["status"] == "killed" and run["pid"] is None
    assert "nenhum arquivo foi alterado (visto pela execução 5)" in run["message"]


# ---------------------------------------------------------------- paths that destroy inputs
@pytest.mark.parametrize("option", ["--rejects", "--state"])
def test_rejects_or_state_on_an_input_or_inside_out_exit_2(tmp_path: Path, option: str) -> None:
    from click.testing import CliRunner

    from compiler.cli import cli
    from tests.conftest import ROOT
    from tests.conftest import SMALL_INPUTS

    base = ["run", str(ROOT / "generated/siops"), "--param", "exercicio=2020", "--param",
            "bimestre=2", "--out", str(tmp_path / "out"),
            *(a for n, p in SMALL_INPUTS.items() for a in ("--input", f"{n}={p}"))]
    if option == "--rejects":
        base += ["--state", str(tmp_path / "s.sqlite")]
    ledger = SMALL_INPUTS["despesa"]
    before = ledger.read_bytes()
    for target, words in ((ledger, "é o arquivo da entrada 'despesa'"),
                          (tmp_path / "out" / "x.csv", "fica dentro da pasta de saída")):
        result = CliRunner().invoke(cli, [*base, option, str(target)])
        assert result.exit_code == 2, result.output
        assert option in result.output and words in result.output
    assert ledger.read_bytes() == before and not (tmp_path / "out").exists()
    if option == "--rejects":  # explain writes --rejects too
        args = ["explain", str(ROOT / "generated/siops"), "--param", "exercicio=2020",
                "--param", "bimestre=2", "--layout", "covid/77", "--partition", "3170206",
                "--row", "9999999013", "--rejects", str(ledger),
                *(a for n, p in SMALL_INPUTS.items() for a in ("--input", f"{n}={p}"))]
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and "é o arquivo da entrada 'despesa'" in result.output
        assert ledger.read_bytes() == before


def test_run_to_refuses_paths_that_would_overwrite_an_input(program: runtime.Program,  # noqa: F811
                                                            tmp_path: Path) -> None:
    ledgers = _ledgers(tmp_path)
    with pytest.raises(ValueError, match="--rejects: .* é o arquivo da entrada 'despesa'"):
        program.run_to(tmp_path / "out", ledgers, PARAMS, state=tmp_path / "s.sqlite",
                       rejects=ledgers["despesa"])


def test_the_lock_file_names_its_holder(tmp_path: Path) -> None:
    lk = RunLock(tmp_path / "l", "x", "D0504")
    lk.acquire(info={"run": 3})
    lk.note({"extra": 1})
    body = json.loads((tmp_path / "l").read_text())
    lk.release()
    assert body["pid"] == os.getpid() and body["run"] == 3 and body["extra"] == 1


def test_cli_wait_flag_waits_and_without_it_refuses(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from compiler.cli import cli
    from tests.conftest import ROOT
    from tests.conftest import SMALL_INPUTS

    out = tmp_path / "out"
    out.mkdir()
    args = ["run", str(ROOT / "generated/siops"), "--param", "exercicio=2020", "--param",
            "bimestre=2", "--out", str(out), "--state", str(tmp_path / "s.sqlite"),
            *(a for n, p in SMALL_INPUTS.items() for a in ("--input", f"{n}={p}"))]
    holder = RunLock(out / LOCK, "x", "D0504")
    holder.acquire()
    refused = CliRunner().invoke(cli, args)
    assert refused.exit_code == 1 and "erro[D0503]" in refused.output
    threading.Timer(0.5, holder.release).start()
    waited = CliRunner().invoke(cli, [*args, "--wait"])
    assert waited.exit_code == 0, waited.output
    assert "10 arquivo(s) escrito(s)" in waited.output


def test_result_write_finishes_a_killed_commit_and_tells_its_journal(
        program: runtime.Program, tmp_path: Path) -> None:  # noqa: F811
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    program.run_to(out, _ledgers(tmp_path), PARAMS, state=state)
    j = Journal(state)
    run_id = j.start(package="dados", spec_hash="h", compiler_version="v", backend="python",
                     params={}, selected=None, out=str(out))
    j.close()
    c = Commit.new(out, f"r{run_id}")
    c.commit(c.stage({"3106200/quadro.IMPT": b"novo\r\n"}), run_id, state)  # then kill -9
    result = program.run(ledgers=_ledgers(tmp_path, "3170206;15/01/2020;10;9,00;S;001;"),
                         params=PARAMS)
    result.write(out)
    tree = _tree(out)
    assert tree["3106200/quadro.IMPT"] == b"novo\r\n" and "3170206/quadro.IMPT" in tree
    assert _runs(state)[1][0] == run_id and _runs(state)[1][5] is not None  # committed_at
