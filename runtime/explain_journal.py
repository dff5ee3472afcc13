"""A run's inputs and parameters, read back from the journal (`apura explain ... --state S
[--run N]`), so the memória is of the number that run wrote — or a refusal.

Each input file is hashed again and compared with the sha256 the run recorded: a file that
changed, or that cannot be read any more, is D1920 naming it (explaining it would explain
another number). The paths are as the run was given them (relative ones from the folder the
run was started in). Without `--run`, the run is the package's last one that ended `ok`."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.bundle import file_digest
from runtime.errors import RunFailed
from runtime.journal import Journal


@dataclass(frozen=True, slots=True)
class RunInputs:
    """What one journaled run read: its id, inputs (name → path as given) and parameters."""

    run: int
    inputs: dict[str, str]
    params: dict[str, Any]
    status: str
    select: str | None = None  # the run's --select (None: the package's default)


def _missing(what: str, state: Path) -> RunFailed:
    return RunFailed([catalog.explain_run_missing(what, str(state))])


def read_run(state: Path, package: Any, run: int | None = None) -> RunInputs:
    """The inputs and parameters of run `run` of `package` (a runtime Package; default: its
    last `ok` run), each input checked against its sha256. An optional input the run was not
    given (`<ausente:NAME>`) is not given again; a table shipped with the package is not an
    input (the run reads its copy, checked against the compiled sha256, D1001). RunFailed:
    D1920 (an input changed or is gone), D1921 (no such run, no state file), D1922 (rows in
    memory: no file)."""
    if not state.is_file():
        raise _missing(f"o estado '{state}' não existe: nenhuma execução a explicar", state)
    journal = Journal(state)
    try:
        row = _run_row(journal.db, package.id, run)
        if row is None:
            what = (f"a execução {run} do pacote '{package.id}' não está no estado"
                    if run is not None else
                    f"o pacote '{package.id}' não tem execução terminada (ok) no estado")
            raise _missing(what, state)
        run_id, params, status, select = int(row[0]), json.loads(row[1]), str(row[2]), row[3]
        inputs = journal.db.execute("SELECT name, path, sha256 FROM run_inputs WHERE "
                                    "run_id = ? ORDER BY name", (run_id,)).fetchall()
    except sqlite3.Error as exc:
        raise _missing(f"o estado não pôde ser lido: {exc}", state) from None
    finally:
        journal.close()
    tables = {led.id for led in package.ledgers if led.table is not None}
    inputs = [(n, p, sha) for n, p, sha in inputs
              if n not in tables and p != f"<ausente:{n}>"]
    errors = []
    for name, path, sha in inputs:
        if not sha:
            errors.append(catalog.explain_input_unrecorded(name, run_id))
            continue
        got = file_digest(Path(path))
        if got is None or got.sha256 != sha:
            now = "ilegível (o arquivo não pôde ser lido)" if got is None \
                else f"{got.sha256[:12]}…"
            errors.append(catalog.explain_input_changed(name, path, run_id, now, f"{sha[:12]}…"))
    if errors:
        raise RunFailed(errors)
    return RunInputs(run_id, {n: p for n, p, _ in inputs}, params, status, select)


_COLUMNS = "SELECT id, params, status, selected FROM runs WHERE package = ?"


def _run_row(db: sqlite3.Connection, package: str, run: int | None) -> Any:
    if run is not None:
        return db.execute(f"{_COLUMNS} AND id = ?", (package, run)).fetchone()
    return db.execute(f"{_COLUMNS} AND status = 'ok' ORDER BY id DESC LIMIT 1",
                      (package,)).fetchone()
