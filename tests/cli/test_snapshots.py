"""The snapshot workflow of "Changing a layout for a new year": a failing IMPT snapshot shows its
changed lines with their line ends visible; a partial `--snapshot-update` never deletes other
snapshots (syrupy 7 deletes every snapshot an update run did not use)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.conftest import ImptSnapshot

OLD = b"77;1;V0:[>R$10,00<];#L0;#C3;\r\n77;2;V0:[>R$20,00<];#L1;#C3;\r\n77;3;\xc3\xa9;\r\n"


def diff(old: bytes | None, new: bytes) -> list[str]:
    return list(ImptSnapshot().diff_lines(new, old))  # type: ignore[call-arg]


def test_a_changed_value_shows_the_changed_line_only() -> None:
    lines = diff(OLD, OLD.replace(b"20,00", b"21,00"))
    assert "-77;2;V0:[>R$20,00<];#L1;#C3;\\r\\n" in lines
    assert "+77;2;V0:[>R$21,00<];#L1;#C3;\\r\\n" in lines
    assert [ln[0] for ln in lines if ln[:1] in "+-" and ln[:3] not in ("---", "+++")] == ["-", "+"]
    assert " 77;3;é;\\r\\n" in lines  # context decoded as UTF-8


def test_a_lost_carriage_return_is_visible() -> None:
    lines = diff(OLD, OLD.replace(b"#C3;\r\n77;3", b"#C3;\n77;3"))
    assert "-77;2;V0:[>R$20,00<];#L1;#C3;\\r\\n" in lines
    assert "+77;2;V0:[>R$20,00<];#L1;#C3;\\n" in lines


def test_a_missing_last_line_end_and_bad_utf8_are_visible() -> None:
    lines = diff(OLD, OLD[:-2].replace(b"\xc3\xa9", b"\xe9"))
    assert "+77;3;\\xe9;  (sem fim de linha)" in lines


def test_a_new_snapshot_shows_its_lines() -> None:
    assert diff(None, OLD)[0] == "+ 77;1;V0:[>R$10,00<];#L0;#C3;\\r\\n"


TEST_FILE = '''
import pytest

@pytest.mark.parametrize("n", ["a", "b"])
def test_out(n, impt_snapshot):
    assert f"{n};\\r\\n".encode() == impt_snapshot

def test_maybe_fails():
    import os
    assert not os.environ.get("FAIL_ONE")
'''


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    """A tiny suite using the project's conftest, its snapshots written, plus an obsolete one."""
    (tmp_path / "conftest.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from tests.conftest import impt_snapshot, pytest_deselected, pytest_sessionfinish\n",
        "utf-8")
    (tmp_path / "test_x.py").write_text(TEST_FILE, "utf-8")
    assert pytest_run(tmp_path, "--snapshot-update").returncode == 0
    (snaps(tmp_path)[0].parent / "test_out[obsolete].IMPT").write_bytes(b"x;\r\n")
    assert len(snaps(tmp_path)) == 3
    return tmp_path


def pytest_run(where: Path, *args: str, fail: bool = False) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "HYPOTHESIS_PROFILE": "ci", **({"FAIL_ONE": "1"} if fail
                                                                  else {})}
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(where), *args], cwd=where, capture_output=True,
                          text=True, timeout=120, env=env)


def snaps(where: Path) -> list[Path]:
    return sorted(where.rglob("*.IMPT"))


@pytest.mark.parametrize(("args", "fail"), [
    (["-k", "maybe"], False),         # a subset by name
    (["test_x.py::test_out"], False),  # a subset by node id
    (["-x"], True),                   # stopped at a failure
    ([], True),                       # a failing run
], ids=["k", "node-id", "x", "failing"])
def test_a_partial_update_deletes_no_snapshot(suite: Path, args: list[str], fail: bool) -> None:
    done = pytest_run(suite, "--snapshot-update", *args, fail=fail)
    assert done.returncode == (1 if fail else 0), done.stdout + done.stderr
    assert len(snaps(suite)) == 3, done.stdout


def test_a_complete_passing_update_removes_the_obsolete_snapshot(suite: Path) -> None:
    done = pytest_run(suite, "--snapshot-update")
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in snaps(suite)] == ["test_out[a].IMPT", "test_out[b].IMPT"]


def test_make_accept_runs_the_snapshot_tests_through_the_venv() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    assert "accept: $(STAMP)\n\t$(BIN)/python -m pytest $(SNAPSHOT_TESTS) --snapshot-update" \
        in makefile
    listed = makefile.split("SNAPSHOT_TESTS := ", 1)[1].split("\naccept:", 1)[0]
    owners = {p.parent.parent.relative_to(ROOT).as_posix() + "/" + p.parent.name + ".py"
              for p in (ROOT / "tests").rglob("__snapshots__/*/*")}
    for owner in owners:  # every test file that owns snapshots is updated by make accept
        assert owner.replace("/__snapshots__", "") in listed, owner
    assert "clean-demo:" in makefile and "wheel-check:" in makefile
