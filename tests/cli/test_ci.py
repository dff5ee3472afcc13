"""`.ci/run` on a fresh Debian machine: installs the missing Debian packages with apt-get (update
first, only when something is missing), then runs make test and make wheel-check; a failing
step fails the script."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(f"#!/bin/bash\n{body}\n", "utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def ci(tmp_path: Path, *, java: str | None, make_rc: int = 0, root: bool = True,
       chromium: bool = True) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run a copy of .ci/run with PATH holding only the tools it may use, apt-get and make
    stubbed (they log their arguments), java stubbed with the given version (None: absent),
    chromium stubbed or absent."""
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copy(ROOT / ".ci" / "run", repo / ".ci" / "run")
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    for tool in ("bash", "sed", "dirname", "cat"):
        found = shutil.which(tool)
        assert found is not None, tool
        (bin_ / tool).symlink_to(found)
    (bin_ / "python3").symlink_to(Path(sys.base_prefix) / "bin" / "python3")  # not a shim
    log = tmp_path / "log"
    _stub(bin_, "apt-get", f'echo "apt-get $*" >> {log}')
    _stub(bin_, "make", f'echo "make $*" >> {log}; exit {make_rc}')
    _stub(bin_, "id", f'echo {0 if root else 1000}')
    if java is not None:
        _stub(bin_, "java", f'echo "    java.specification.version = {java}" >&2')
    if chromium:
        _stub(bin_, "chromium", "exit 0")
    done = subprocess.run(["bash", str(repo / ".ci" / "run")], capture_output=True, text=True,
                          timeout=60, env={"PATH": str(bin_), "HOME": str(tmp_path)})
    lines = log.read_text("utf-8").splitlines() if log.exists() else []
    return done, lines


def test_nothing_missing_runs_the_suite_and_the_wheel_check(tmp_path: Path) -> None:
    done, log = ci(tmp_path, java="17")
    assert done.returncode == 0, done.stderr
    assert log == ["make test", "make wheel-check"]


@pytest.mark.parametrize("java", [None, "1.8", "11"])
def test_no_java_17_installs_the_jre_first(tmp_path: Path, java: str | None) -> None:
    done, log = ci(tmp_path, java=java)
    assert done.returncode == 0, done.stderr
    assert log[0] == "apt-get update -qq"
    assert log[1].startswith("apt-get install") and log[1].endswith(" default-jre-headless")
    assert log[2:] == ["make test", "make wheel-check"]


def test_no_chromium_installs_it_for_the_painel_test(tmp_path: Path) -> None:
    done, log = ci(tmp_path, java="17", chromium=False)
    assert done.returncode == 0, done.stderr
    assert log[0] == "apt-get update -qq"
    assert log[1].startswith("apt-get install") and log[1].endswith(" chromium")
    assert log[2:] == ["make test", "make wheel-check"]
    done, log = ci(tmp_path / "both", java=None, chromium=False)
    assert log[1].endswith(" default-jre-headless chromium")


def test_a_failing_suite_fails_ci_and_stops(tmp_path: Path) -> None:
    done, log = ci(tmp_path, java="21", make_rc=2)
    assert done.returncode != 0
    assert log == ["make test"]


def test_missing_packages_without_root_is_an_error_naming_them(tmp_path: Path) -> None:
    done, log = ci(tmp_path, java=None, root=False)
    assert done.returncode == 1
    assert "default-jre-headless" in done.stderr and log == []


def test_the_script_is_executable() -> None:
    for name in ("run", "wheel-check"):
        assert os.access(ROOT / ".ci" / name, os.X_OK), name
