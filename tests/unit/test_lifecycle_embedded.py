"""The run lifecycle is the runtime's (issue 8, item 4): an embedded `Program.run(...,
state=)` (then `Result.write`) and `Program.run_to` journal a run exactly as the CLI
`apura run` does — the same rows in `runs`, `run_inputs` and `run_outputs`, but for the run
id, the pid, the timestamps and where OUT is."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import runtime
from runtime.lock import Busy
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS: dict[str, Any] = {"exercicio": 2020, "bimestre": 2}  # the CLI passes strings


def _rows(state: Path, out: Path | None) -> dict[str, list[tuple[Any, ...]]]:
    """The journal of `state` without what differs between two runs of the same thing (ids,
    pid, timestamps); OUT shown as 'OUT'; whether a timestamp is set is kept."""
    db = sqlite3.connect(state)
    try:
        def where(path: str | None) -> str | None:
            if path is None or out is None:
                return path
            return path.replace(out.as_posix(), "OUT").replace(str(out), "OUT")
        runs = [(pkg, spec, ver, backend, params, selected, status, message, where(o),
                 started is not None, finished is not None, committed is not None)
                for pkg, spec, ver, backend, params, selected, status, message, o, started,
                finished, committed in db.execute(
                    "SELECT package, spec_hash, compiler_version, backend, params, selected, "
                    "status, message, out, started_at, finished_at, committed_at FROM runs "
                    "ORDER BY id")]
        inputs = db.execute("SELECT name, path, sha256, rows_read, rows_accepted, "
                            "rows_rejected FROM run_inputs ORDER BY run_id, name").fetchall()
        outputs = [(where(p), sha, size) for p, sha, size in db.execute(
            "SELECT path, sha256, bytes FROM run_outputs ORDER BY run_id, path")]
        return {"runs": runs, "inputs": inputs, "outputs": outputs}
    finally:
        db.close()


def _cli_run(tmp: Path, backend: str, *extra: str) -> tuple[Path, Path]:
    out, state = tmp / "cli-out", tmp / "cli.sqlite"
    args = [sys.executable, "-m", "compiler", "run", str(ROOT / "generated" / "siops"),
            *[a for name, path in SMALL_INPUTS.items() for a in ("--input", f"{name}={path}")],
            "--param", "exercicio=2020", "--param", "bimestre=2", "--out", str(out),
            "--state", str(state), "--backend", backend, *extra]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return out, state


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_embedded_runs_journal_the_same_rows_as_the_cli(siops_program: runtime.Program,
                                                        tmp_path: Path, backend: str) -> None:
    cli_out, cli_state = _cli_run(tmp_path, backend)
    expected = _rows(cli_state, cli_out)
    assert expected["runs"][0][6] == "ok" and len(expected["outputs"]) == 6 + 1 + 3  # + bundle
    # values, not text; gerar_consorcio is the package's default
    assert expected["runs"][0][4] == \
        '{"bimestre": 2, "exercicio": 2020, "gerar_consorcio": false}'

    to_out, to_state = tmp_path / "to-out", tmp_path / "to.sqlite"
    siops_program.run_to(to_out, SMALL_INPUTS, PARAMS, state=to_state, backend=backend)
    assert _rows(to_state, to_out) == expected

    w_out, w_state = tmp_path / "w-out", tmp_path / "w.sqlite"
    result = siops_program.run(SMALL_INPUTS, PARAMS, state=w_state, backend=backend)
    assert result.run_id == 1 and result.state == w_state
    before = _rows(w_state, None)  # journaled, nothing written yet
    assert [r[6:12] for r in before["runs"]] == [("ok", None, None, True, True, False)]
    assert before["inputs"] == expected["inputs"] and before["outputs"] == []
    written = result.write(w_out)
    assert _rows(w_state, w_out) == expected
    assert [(Path(p).relative_to(w_out).as_posix(), sha, n) for p, sha, n in written] == \
        [(p.removeprefix("OUT/"), sha, n) for p, sha, n in expected["outputs"]]


def test_the_cli_and_run_state_journal_a_failed_run_alike(siops_program: runtime.Program,
                                                          tmp_path: Path) -> None:
    bad = tmp_path / "despesa.csv"
    lines = SMALL_INPUTS["despesa"].read_text("utf-8").splitlines()
    lines[3] = lines[3].replace(";10;", ";dez;", 1)
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    ledgers = {**SMALL_INPUTS, "despesa": bad}
    out, cli_state = tmp_path / "out", tmp_path / "cli.sqlite"
    args = [sys.executable, "-m", "compiler", "run", str(ROOT / "generated" / "siops"),
            *[a for name, path in ledgers.items() for a in ("--input", f"{name}={path}")],
            "--param", "exercicio=2020", "--param", "bimestre=2", "--out", str(out),
            "--state", str(cli_state)]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "D0101" in done.stderr
    state = tmp_path / "embedded.sqlite"
    with pytest.raises(runtime.RunFailed) as info:
        siops_program.run(ledgers, PARAMS, state=state)
    assert {e.code for e in info.value.errors} == {"D0101"}
    got, expected = _rows(state, None), _rows(cli_state, out)
    # the CLI's run had an --out (the embedded one none): the rest is the same
    assert [r[:8] + r[9:] for r in got["runs"]] == [r[:8] + r[9:] for r in expected["runs"]]
    assert got["runs"][0][6:8] == ("failed", "1 erro(s): D0101; nenhum arquivo de saída foi "
                                             "alterado")
    assert got["inputs"] == expected["inputs"] and got["outputs"] == expected["outputs"] == []


def test_a_journaled_result_is_written_once(siops_program: runtime.Program,
                                            tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite"
    result = siops_program.run(SMALL_INPUTS, PARAMS, state=state)
    result.write(tmp_path / "first")
    with pytest.raises(ValueError, match="já foram gravados em .*first"):
        result.write(tmp_path / "second")
    assert not (tmp_path / "second").exists()  # refused before anything was created
    # a result of no journal is written as often as asked, journaling nothing
    free = siops_program.run(SMALL_INPUTS, PARAMS)
    assert free.run_id is None
    free.write(tmp_path / "a")
    free.write(tmp_path / "b")
    assert len(_rows(state, None)["runs"]) == 1


def test_result_write_stages_the_rejects_file_with_the_outputs(siops_program: runtime.Program,
                                                               tmp_path: Path) -> None:
    bad = tmp_path / "despesa.csv"
    lines = SMALL_INPUTS["despesa"].read_text("utf-8").splitlines()
    lines[3] = lines[3].replace(";10;", ";dez;", 1)
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    ledgers = {**SMALL_INPUTS, "despesa": bad}
    rejects = tmp_path / "rejeitadas.csv"
    result = siops_program.run(ledgers, PARAMS, state=tmp_path / "s.sqlite",
                               allow_rejects=True)
    result.write(tmp_path / "out", rejects=rejects)
    by_cli = tmp_path / "cli-rejects.csv"
    siops_program.run_to(tmp_path / "out2", ledgers, PARAMS, state=tmp_path / "s2.sqlite",
                         rejects=by_cli)
    assert rejects.read_bytes() == by_cli.read_bytes()
    assert b";D0101;" in rejects.read_bytes()
    with pytest.raises(ValueError, match="arquivo da entrada 'despesa'"):
        result.write(tmp_path / "out3", rejects=bad)


def test_run_state_holds_the_state_lock_while_it_runs(siops_program: runtime.Program,
                                                      tmp_path: Path) -> None:
    state = tmp_path / "s.sqlite"
    seen: list[str] = []

    def second(run_id: int) -> None:
        with pytest.raises(Busy) as info:
            siops_program.run(SMALL_INPUTS, PARAMS, state=state)
        seen.append(info.value.errors[0].code)
        assert f"execução {run_id}" in info.value.errors[0].message

    siops_program.run(SMALL_INPUTS, PARAMS, state=state, on_start=second)
    assert seen == ["D0503"]
    assert [r[6] for r in _rows(state, None)["runs"]] == ["ok"]
    with pytest.raises(TypeError, match="on_start: só com state="):
        siops_program.run(SMALL_INPUTS, PARAMS, on_start=print)


def test_the_journal_keeps_what_the_nodes_found(tmp_path: Path) -> None:
    from runtime.journal import Journal

    j = Journal(tmp_path / "s.sqlite")
    run = j.start(package="p", spec_hash="h", compiler_version="v", backend="python",
                  params={}, selected=None)
    j.checks(run, [("c/a", "3170206", "warning", "failed", "2.00", "1.00", "1.00", "0.01",
                    "specs/p/c.yaml:4:9"), ("c/a", "", "error", "ok", "1", "1", "0", "0",
                                            "specs/p/c.yaml:4:9")])
    got = j.db.execute("SELECT * FROM run_checks ORDER BY partition").fetchall()
    version = j.db.execute("SELECT max(version) FROM schema_migrations").fetchone()
    j.close()
    assert version == (8,)  # 5: layout_year, 6: run_warnings, 7: portal_*, 8: derivation_*
    assert got == [(run, "c/a", "", "error", "ok", "1", "1", "0", "0", "specs/p/c.yaml:4:9"),
                   (run, "c/a", "3170206", "warning", "failed", "2.00", "1.00", "1.00", "0.01",
                    "specs/p/c.yaml:4:9")]
