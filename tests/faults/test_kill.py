"""Fault test (issue 7, section 3): `kill -9` a large `apura run` at seeded pseudo-random
moments, most of them while it writes its ~240 files, and check after each kill that

* before any recovery, OUT holds exactly the previous set, unless the killed run had reached
  its commit point (its manifest is written): never a mix of two runs otherwise;
* after the recovery every run does first (`recover_out`), OUT is one complete set — the new
  one exactly when the journal says the killed run committed — no staging folder or temporary
  is left, and the journal marks the killed run 'killed';
* the next run works, and the files no run writes are never touched;
* the bundles (Siops.zip and its manifest, per município) are part of each set, so a zip never
  sits beside the files of another run.

The moments are fractions (from random.Random(SEED)) of phases measured on an uninterrupted
run, so the test is reproducible in what it aims at whatever the machine's speed.
"""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import runtime
from runtime.commit import MANIFEST
from runtime.commit import STAGING
from runtime.lifecycle import LOCK
from runtime.lifecycle import recover_out
from tests.conftest import FIXTURES
from tests.conftest import ROOT

SEED = 20261201
KILLS_WRITING = 4
KILLS_ANYWHERE = 1
NAMES = ("despesa", "receita", "equivalencia_recursos")
OLD = {"exercicio": "2020", "bimestre": "2"}
NEW = {"exercicio": "2020", "bimestre": "3"}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("kill_inputs")
    subprocess.run([sys.executable, str(FIXTURES / "generate.py"), "--out", str(out),
                    "--rows", "100000", "--municipios", "40"], check=True,
                   capture_output=True)
    return {n: out / f"{n}.csv" for n in NAMES}


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*"))
            if p.is_file() and p.name != LOCK and STAGING not in p.parts}


def _args(out: Path, state: Path, inputs: dict[str, Path], params: dict[str, str]) -> list[str]:
    return [sys.executable, "-m", "compiler", "run", str(ROOT / "generated" / "siops"),
            "--out", str(out), "--state", str(state),
            *(a for k, v in params.items() for a in ("--param", f"{k}={v}")),
            *(a for n, p in inputs.items() for a in ("--input", f"{n}={p}"))]


def _start(args: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_staging(out: Path, proc: subprocess.Popen[bytes], limit: float = 60) -> float:
    """Seconds from now until the run starts staging (or ends)."""
    t0 = time.monotonic()
    while proc.poll() is None and not (out / STAGING).exists():
        if time.monotonic() - t0 > limit:
            raise AssertionError("a execução não chegou à escrita")
        time.sleep(0.002)
    return time.monotonic() - t0


def _last_run(state: Path) -> tuple[int, dict[str, object]]:
    db = sqlite3.connect(state)
    try:
        run_id, status, committed, message = db.execute(
            "SELECT id, status, committed_at, message FROM runs ORDER BY id DESC").fetchone()
    finally:
        db.close()
    return run_id, {"status": status, "committed": committed is not None, "message": message}


def test_kill_9_at_seeded_moments_leaves_one_complete_set(tmp_path: Path,
                                                          inputs: dict[str, Path]) -> None:
    program = runtime.load(ROOT / "generated" / "siops")
    typed = {n: p for n, p in inputs.items()}
    sets = {}
    for name, params in (("old", OLD), ("new", NEW)):
        res = program.run(ledgers=typed, params={k: int(v) for k, v in params.items()})
        sets[name] = dict(res.outputs)
    assert sets["old"].keys() == sets["new"].keys() and len(sets["old"]) >= 200
    assert sum(sets["old"][k] != sets["new"][k] for k in sets["old"]) >= 40  # they differ
    # each set holds every município's bundle (Siops.zip, manifesto.csv, proveniencia.csv):
    # OUT being one whole set means no zip ever describes the files of another run
    assert sum(k.endswith("/Siops.zip") for k in sets["old"]) == 40
    assert all(sets["old"][k] != sets["new"][k] for k in sets["old"] if k.endswith(".zip"))

    out, state = tmp_path / "out", tmp_path / "state.sqlite"
    (out / "outro").mkdir(parents=True)
    (out / "outro" / "quadro.IMPT").write_bytes(b"de outra execucao\r\n")  # never touched
    # an uninterrupted run: the previous set, and how long its phases take here
    t0 = time.monotonic()
    proc = _start(_args(out, state, inputs, OLD))
    before_writing = _wait_for_staging(out, proc)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    total = time.monotonic() - t0
    writing = max(total - before_writing, 0.05)
    current = "old"
    assert _tree(out) == {**sets["old"], "outro/quadro.IMPT": b"de outra execucao\r\n"}

    rng = random.Random(SEED)
    moments = [("writing", rng.uniform(0.0, 1.2)) for _ in range(KILLS_WRITING)]
    moments += [("anywhere", rng.uniform(0.6, 0.95)) for _ in range(KILLS_ANYWHERE)]
    seen = {"before commit": 0, "after commit": 0}
    last = 1
    for k, (phase, fraction) in enumerate(moments):
        target = "new" if current == "old" else "old"
        proc = _start(_args(out, state, inputs, NEW if target == "new" else OLD))
        if phase == "writing":
            _wait_for_staging(out, proc)
            time.sleep(fraction * writing)
        else:
            time.sleep(fraction * before_writing)
        proc.kill()  # SIGKILL: no handler runs
        proc.communicate(timeout=60)

        committed = list((out / STAGING).glob("*" + MANIFEST)) if (out / STAGING).exists() \
            else []
        raw = _tree(out)
        raw.pop("outro/quadro.IMPT")
        if not committed:  # before the commit point, or after the whole commit
            assert raw in (sets[current], sets[target]), f"kill {k}: a mix of two runs"
        dead = recover_out(out, state)
        after = _tree(out)
        assert after.pop("outro/quadro.IMPT") == b"de outra execucao\r\n"
        run_id, journal = _last_run(state)
        if run_id == last:  # killed before it journaled its start: it changed nothing
            assert dead == [] and after == sets[current], f"kill {k}: changed, not journaled"
            continue
        last = run_id
        if journal["status"] == "ok":  # the run was done when the kill came
            assert dead == [] and after == sets[target]
            current = target
            continue
        assert dead == [run_id] and journal["status"] == "killed"
        assert "kill -9" in str(journal["message"])
        if journal["committed"]:
            assert after == sets[target], f"kill {k}: committed but not rolled forward"
            seen["after commit"] += 1
            current = target
        else:
            assert after == sets[current], f"kill {k}: not committed but changed"
            seen["before commit"] += 1
        assert not (out / STAGING).exists()
        assert not [p for p in out.rglob("*.tmp")]
    assert seen["before commit"] >= 1

    # the next run cleans up after whatever happened and completes
    target = "new" if current == "old" else "old"
    proc = _start(_args(out, state, inputs, NEW if target == "new" else OLD))
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err.decode()
    assert _tree(out) == {**sets[target], "outro/quadro.IMPT": b"de outra execucao\r\n"}
    assert not (out / STAGING).exists()
    db = sqlite3.connect(state)
    assert db.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone() == (0,)
    db.close()
