"""The fixes of the outside review of issue 7 (tests/regressions/test_issue7_review.py), each
with its rule generated or parametrized: partition values around the byte and character
limits and with trailing spaces and dots (python and duckdb agree), --rejects on what is not a
regular file, locks through symbolic links, and --rejects as part of the run's commit."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from runtime.commit import STAGING
from runtime.commit import Commit
from runtime.commit import recover
from runtime.lifecycle import LOCK
from runtime.lifecycle import path_conflicts
from runtime.lifecycle import state_lock
from runtime.lock import RunLock
from runtime.partitions import MAX_PARTITION
from runtime.partitions import MAX_PARTITION_BYTES
from runtime.partitions import partition_problem
from tests.backends.conftest import outcome
from tests.test_data_errors import GOOD
from tests.test_data_errors import HEADER
from tests.test_data_errors import PARAMS
from tests.test_data_errors import program  # noqa: F401 - the compiled 'dados' package


def _ledgers(tmp: Path, values: list[str], bad: str = "") -> dict[str, Path]:
    """despesa: GOOD (município 3106200), one row per value (from line 2 + len(GOOD)), then a
    rejected row when `bad`; the equivalências of every município (2 lines each)."""
    rows = [*GOOD, *(f"{v};15/01/2020;10;1,00;S;001;" for v in values)]
    if bad:
        rows.append("3106200;99/99/2020;10;1,00;S;001;")  # a date that does not convert
    desp = tmp / "despesa.csv"
    desp.write_bytes(("\n".join([HEADER, *rows]) + "\n").encode("utf-8"))
    eq = tmp / "equivalencias.csv"
    eq.write_bytes(("municipio;recurso;recurso_siops\n" + "".join(
        f"{m};001;001\n{m};002;212\n" for m in dict.fromkeys(r.split(";")[0] for r in rows))
    ).encode("utf-8"))
    return {"despesa": desp, "equivalencias": eq}


def _codes(call: Any) -> list[runtime.DataError]:
    with pytest.raises(runtime.RunFailed) as info:
        call()
    return list(info.value.errors)


# ------------------------------------------------------- 1. the byte limit of a folder name
def test_the_limits_are_characters_and_utf8_bytes() -> None:
    assert partition_problem("\u20ac" + "\U0001F600" * (MAX_PARTITION - 1)) is None  # 255 B
    assert "256 bytes" in str(partition_problem("\U0001F600" * MAX_PARTITION))
    assert "caracteres" in str(partition_problem("a" * (MAX_PARTITION + 1)))
    # 64 Hangul syllables are 192 bytes composed, 384 decomposed (HFS+ stores NFD)
    assert "NFD" in str(partition_problem("\uAC00" * MAX_PARTITION))
    assert partition_problem("\uAC00" * 28) is None  # 84 bytes NFC, 252 NFD


def test_a_255_byte_partition_is_written_and_256_is_d0501(program: runtime.Program,  # noqa: F811
                                                          tmp_path: Path) -> None:
    ok = "\u20ac" + "\U0001F600" * (MAX_PARTITION - 1)
    assert len(ok.encode("utf-8")) == MAX_PARTITION_BYTES
    rec = program.run_to(tmp_path / "out", _ledgers(tmp_path, [ok]), PARAMS,
                         state=tmp_path / "s.sqlite")
    assert (tmp_path / "out" / ok).is_dir() and any(ok in p for p, _, _ in rec.written)
    errors = _codes(lambda: program.run_to(tmp_path / "o2", _ledgers(tmp_path, [ok + "a"]),
                                           PARAMS, state=tmp_path / "s.sqlite"))
    assert {(e.code, Path(e.file).name, e.line) for e in errors} == {
        ("D0501", "despesa.csv", 2 + len(GOOD)), ("D0501", "equivalencias.csv", 4)}
    assert not (tmp_path / "o2").exists()


# one character of each UTF-8 length, a combining accent, and the trailing characters Windows
# drops
_CHARS = st.sampled_from(["a", "Z", "\u00e9", "e\u0301", "\u20ac", "\uAC00", "\U0001F600"])


@st.composite
def _near_the_limit(draw: st.DrawFn) -> str:
    n = draw(st.integers(min_value=MAX_PARTITION - 4, max_value=MAX_PARTITION + 1))
    body = "".join(draw(st.lists(_CHARS, min_size=n, max_size=n)))[:MAX_PARTITION + 1]
    return "1" + body[1:] + draw(st.sampled_from(["", " ", ".", ". ", " ."]))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(_near_the_limit(), st.sampled_from(
    ["3106200", "3106200 ", "3106200.", "abc", "ABC. ", "abc..", " .", "x y"])),
    min_size=1, max_size=3))
def test_generated_values_near_the_limits_agree_on_python_and_duckdb(
        program: runtime.Program, tmp_path_factory: pytest.TempPathFactory,  # noqa: F811
        values: list[str]) -> None:
    tmp = tmp_path_factory.mktemp("p")
    ledgers = _ledgers(tmp, values)
    py = outcome(program, ledgers, PARAMS, "python")
    assert outcome(program, ledgers, PARAMS, "duckdb") == py
    every = ["3106200", *values]
    bad = {v for v in every if partition_problem(v) is not None}
    for v in bad:  # the rule, by hand: characters, bytes (also NFD), only spaces and dots
        assert (len(v) > MAX_PARTITION or len(v.encode()) > MAX_PARTITION_BYTES
                or len(unicodedata.normalize("NFD", v).encode()) > MAX_PARTITION_BYTES
                or v.rstrip(" .") == "")
    good = [v for v in dict.fromkeys(every) if v not in bad]
    # one folder on Windows/macOS: case, Unicode form, trailing spaces and dots
    twins = len({unicodedata.normalize("NFC", v).casefold().rstrip(" .") for v in good}) \
        < len(good)
    if not bad and not twins:
        assert py[0] == "ok", py
        assert sorted(py[4]) == sorted(good)
    else:
        assert py[0] == "failed"
        assert any("D0501" in e for e in py[1]) == bool(bad)
        assert any("D0502" in e for e in py[1]) == twins


# ---------------------------------------------------- 2. trailing spaces and dots (Windows)
@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("first,twin", [("abc", "abc."), ("abc", "abc "), ("abc", "ABC. "),
                                        ("abc.", "abc "), ("S\u00e3o Jo\u00e3o", "SA\u0303O "
                                                                              "JOA\u0303O..")])
def test_values_windows_makes_one_folder_are_d0502(program: runtime.Program,  # noqa: F811
                                                   tmp_path: Path, backend: str, first: str,
                                                   twin: str) -> None:
    errors = _codes(lambda: program.run_to(tmp_path / "out", _ledgers(tmp_path, [first, twin]),
                                           PARAMS, state=tmp_path / "s.sqlite",
                                           backend=backend))
    got = {(e.code, Path(e.file).name, e.line) for e in errors}
    assert got == {("D0502", "despesa.csv", 3 + len(GOOD)), ("D0502", "equivalencias.csv", 6)}
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", [" ", "  ", " .", " . ."])
def test_a_value_of_only_spaces_and_dots_is_d0501(value: str) -> None:
    assert "espaços e pontos" in str(partition_problem(value))


# --------------------------------------------------- 3. --rejects on what is not a file
@pytest.mark.parametrize("kind", ["fifo", "folder", "link-to-fifo", "device"])
def test_rejects_on_something_that_is_not_a_regular_file_is_refused(
        program: runtime.Program, tmp_path: Path, kind: str) -> None:  # noqa: F811
    target = tmp_path / "alvo"
    if kind in ("fifo", "link-to-fifo"):
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target = Path("/dev/null")
    where = target
    if kind == "link-to-fifo":
        where = tmp_path / "link.csv"
        where.symlink_to(target)
    before = os.lstat(where)
    with pytest.raises(ValueError, match="--rejects: .* não um arquivo comum"):
        program.run_to(tmp_path / "out", _ledgers(tmp_path, [], bad="x"), PARAMS,
                       state=tmp_path / "s.sqlite", rejects=where)
    after = os.lstat(where)
    assert (after.st_ino, stat.S_IFMT(after.st_mode)) == (before.st_ino,
                                                          stat.S_IFMT(before.st_mode))
    assert not (tmp_path / "out").exists() and not (tmp_path / "s.sqlite").exists()
    assert path_conflicts(None, None, where, {})[0][0] == "--rejects"  # explain refuses too


def test_rejects_through_a_symlink_writes_the_file_it_names(program: runtime.Program,  # noqa: F811
                                                            tmp_path: Path) -> None:
    real = tmp_path / "real.csv"
    real.write_text("antigo\n", "utf-8")
    link = tmp_path / "link.csv"
    link.symlink_to(real.name)
    program.run_to(tmp_path / "out", _ledgers(tmp_path, [], bad="x"), PARAMS,
                   state=tmp_path / "s.sqlite", rejects=link)
    assert link.is_symlink() and real.read_text("utf-8").startswith("arquivo;linha;")
    assert "D0106" in real.read_text("utf-8") or "99/99/2020" in real.read_text("utf-8")


# ----------------------------------------------------- 4. locks on the resolved paths
@pytest.mark.parametrize("form", ["file-link", "folder-link", "dotdot"])
def test_every_path_to_a_state_file_or_out_shares_its_lock(program: runtime.Program,  # noqa: F811
                                                           tmp_path: Path, form: str) -> None:
    real = tmp_path / "estado"
    real.mkdir()
    state = real / "s.sqlite"
    if form == "file-link":
        (tmp_path / "s.sqlite").symlink_to(state)
        other = tmp_path / "s.sqlite"
    elif form == "folder-link":
        (tmp_path / "via").symlink_to(real)
        other = tmp_path / "via" / "s.sqlite"
    else:
        other = real / ".." / "estado" / "s.sqlite"
    assert state_lock(other) == state_lock(state) == real / "s.sqlite.lock"
    holder = RunLock(state_lock(state), "o arquivo de estado", "D0506")
    holder.acquire()
    try:
        errors = _codes(lambda: program.run_to(tmp_path / "out", _ledgers(tmp_path, []),
                                               PARAMS, state=other))
    finally:
        holder.release()
    assert [e.code for e in errors] == ["D0503"]
    # --out through a link: the same lock as the folder itself
    (tmp_path / "saida").mkdir()
    (tmp_path / "saida-link").symlink_to("saida")
    out_holder = RunLock(tmp_path / "saida" / LOCK, "a pasta de saída", "D0504")
    out_holder.acquire()
    try:
        errors = _codes(lambda: program.run_to(tmp_path / "saida-link", _ledgers(tmp_path, []),
                                               PARAMS, state=state))
    finally:
        out_holder.release()
    assert [e.code for e in errors] == ["D0503"]


# ------------------------------------------- 6. --rejects is part of the run's commit
OLD = "as rejeitadas da execução anterior\n"


def _leftovers(tmp: Path) -> list[str]:
    return sorted(p.name for p in tmp.rglob("*apura-tmp*")) + sorted(
        p.name for p in tmp.rglob(STAGING))


@pytest.mark.parametrize("where", ["stage", "stage_outside", "commit"])
def test_a_run_that_fails_before_its_commit_point_keeps_the_old_rejects(
        program: runtime.Program, tmp_path: Path, where: str,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    rejects = tmp_path / "rej.csv"
    rejects.write_text(OLD, "utf-8")
    original = getattr(Commit, where)

    def broken(self: Commit, *args: Any, **kw: Any) -> Any:
        if where != "stage":
            original(self, *args)  # the step is done, then the disk fills up
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(Commit, where, broken)
    with pytest.raises(OSError):
        program.run_to(tmp_path / "out", _ledgers(tmp_path, [], bad="x"), PARAMS,
                       state=tmp_path / "s.sqlite", rejects=rejects)
    assert rejects.read_text("utf-8") == OLD
    recover(tmp_path / "out")  # what the next run does first: still nothing changes
    assert rejects.read_text("utf-8") == OLD
    assert _leftovers(tmp_path) == []
    out = tmp_path / "out"
    assert not out.exists() or {p.name for p in out.rglob("*")} <= {LOCK}


@pytest.mark.parametrize("committed", [False, True])
def test_a_killed_commit_with_rejects_is_rolled_back_or_forward(tmp_path: Path,
                                                               committed: bool) -> None:
    """A process killed after staging (no manifest: the old report stays, the temporary goes)
    or after the commit point (the next run moves the report into place with the outputs)."""
    out = tmp_path / "out"
    out.mkdir()
    rejects = tmp_path / "rej.csv"
    rejects.write_text(OLD, "utf-8")
    commit = Commit.new(out, "r1")
    written = commit.stage({"3106200/q.IMPT": b"novo\r\n"})
    commit.stage_outside(rejects, b"arquivo;linha\n")
    assert rejects.read_text("utf-8") == OLD and len(_leftovers(tmp_path)) == 2
    if committed:
        commit.commit(written)
    recover(out)  # what the next run does first, holding the lock of OUT
    assert _leftovers(tmp_path) == []
    if committed:
        assert rejects.read_bytes() == b"arquivo;linha\n"
        assert (out / "3106200/q.IMPT").read_bytes() == b"novo\r\n"
    else:
        assert rejects.read_text("utf-8") == OLD and not (out / "3106200").exists()


def test_a_successful_run_leaves_only_its_rejects_file(program: runtime.Program,  # noqa: F811
                                                       tmp_path: Path) -> None:
    rejects = tmp_path / "sub" / "rej.csv"
    rec = program.run_to(tmp_path / "out", _ledgers(tmp_path, [], bad="x"), PARAMS,
                         state=tmp_path / "s.sqlite", rejects=rejects)
    lines = rejects.read_text("utf-8").splitlines()
    assert lines[0] == "arquivo;linha;coluna;campo;codigo;motivo;registro"
    assert len(lines) == 1 + len(rec.result.rejects) == 2
    assert sorted(p.name for p in rejects.parent.iterdir()) == ["rej.csv"]
    assert _leftovers(tmp_path) == []
