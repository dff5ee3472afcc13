"""The run journal in the state file (SQLite): runs, their inputs and outputs, with sha256.

The same database holds what later kinds must keep between runs; its schema grows by
numbered migrations recorded in `schema_migrations`.
"""

from __future__ import annotations

import datetime
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        package TEXT NOT NULL,
        spec_hash TEXT NOT NULL,
        compiler_version TEXT NOT NULL,
        backend TEXT NOT NULL,
        params TEXT NOT NULL,
        selected TEXT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        message TEXT
    );
    CREATE TABLE run_inputs (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        name TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        rows_read INTEGER NOT NULL,
        rows_accepted INTEGER NOT NULL,
        rows_rejected INTEGER NOT NULL,
        PRIMARY KEY (run_id, name)
    );
    CREATE TABLE run_outputs (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        PRIMARY KEY (run_id, path)
    );
    """,
)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class Journal:
    """Opens (and migrates) the state file; records runs."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute("PRAGMA foreign_keys = ON")
        self._migrate()

    def _migrate(self) -> None:
        with self.db:
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations "
                            "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
            done = {r[0] for r in self.db.execute("SELECT version FROM schema_migrations")}
            for version, script in enumerate(MIGRATIONS, start=1):
                if version in done:
                    continue
                self.db.executescript(f"BEGIN; {script} "
                                      f"INSERT INTO schema_migrations VALUES ({version}, "
                                      f"'{_now()}'); COMMIT;")

    def start(self, *, package: str, spec_hash: str, compiler_version: str, backend: str,
              params: dict[str, Any], selected: str | None) -> int:
        with self.db:
            cur = self.db.execute(
                "INSERT INTO runs (package, spec_hash, compiler_version, backend, params, "
                "selected, started_at, status) VALUES (?, ?, ?, ?, ?, ?, ?, 'running')",
                (package, spec_hash, compiler_version, backend,
                 json.dumps(params, sort_keys=True, default=str), selected, _now()))
        return int(cur.lastrowid or 0)

    def inputs(self, run_id: int, rows: Sequence[tuple[str, str, str, int, int, int]]) -> None:
        with self.db:
            self.db.executemany("INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                                [(run_id, *r) for r in rows])

    def finish(self, run_id: int, *, status: str, message: str | None = None,
               outputs: Sequence[tuple[str, str, int]] = ()) -> None:
        with self.db:
            self.db.executemany("INSERT INTO run_outputs VALUES (?, ?, ?, ?)",
                                [(run_id, *o) for o in outputs])
            self.db.execute("UPDATE runs SET status = ?, message = ?, finished_at = ? "
                            "WHERE id = ?", (status, message, _now(), run_id))

    def close(self) -> None:
        self.db.close()
