"""The run journal in the state file (SQLite): runs, their inputs and outputs, with sha256.

The same database holds what later kinds must keep between runs; its schema grows by
numbered migrations recorded in `schema_migrations`.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import json
import os
import sqlite3
import stat
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.contract import RUNTIME_ABI
from runtime.errors import RunFailed

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
    # 2: the lifecycle: who ran (pid), into which --out, and when its outputs were committed
    # (the manifest written; a run killed after that point still changed the outputs).
    # Statuses: running, ok, failed, interrupted (SIGINT/SIGTERM), killed (found dead).
    """
    ALTER TABLE runs ADD COLUMN pid INTEGER;
    ALTER TABLE runs ADD COLUMN out TEXT;
    ALTER TABLE runs ADD COLUMN committed_at TEXT;
    """,
    # 3: the outcome of every assertion of the `check` specs, per partition ('' without a
    # partition): severity error|warning, status ok|failed, both sides and their difference
    # as exact decimal text (NULL for a null side), the tolerance, the spec position.
    """
    CREATE TABLE run_checks (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        check_id TEXT NOT NULL,
        partition TEXT NOT NULL,
        severity TEXT NOT NULL,
        status TEXT NOT NULL,
        left_value TEXT,
        right_value TEXT,
        difference TEXT,
        tolerance TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (run_id, check_id, partition)
    );
    """,
    # 4: the provenance stamp (package.yaml `bundle:`, runtime/bundle.py): the runtime ABI of
    # the run, each input's size beside its sha256 (NULL for rows in memory), and each
    # partition's bundle: its zip (path relative to --out), sha256, bytes, and the number of
    # output files in it (besides the manifest and the provenance).
    """
    ALTER TABLE runs ADD COLUMN abi INTEGER;
    ALTER TABLE run_inputs ADD COLUMN bytes INTEGER;
    CREATE TABLE run_bundles (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        partition TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        bytes INTEGER NOT NULL,
        files INTEGER NOT NULL,
        PRIMARY KEY (run_id, partition)
    );
    """,
    # 5: the layout year of the view that ran (NULL for a package without layout years): the
    # views of a package share one spec hash.
    """
    ALTER TABLE runs ADD COLUMN layout_year INTEGER;
    """,
    # 6: the warnings of a run that did not fail (Result.warnings, in the order printed: D0601,
    # D0702, D0801, D0803, D1302–D1304...): code, where (file, line; 0 without a line), text.
    """
    CREATE TABLE run_warnings (
        run_id INTEGER NOT NULL REFERENCES runs(id),
        seq INTEGER NOT NULL,
        code TEXT NOT NULL,
        file TEXT NOT NULL,
        line INTEGER NOT NULL,
        message TEXT NOT NULL,
        PRIMARY KEY (run_id, seq)
    );
    """,
    # 7: the Portal do Gestor (runtime/portal_lotes.py, runtime/portal_send.py): the content
    # the service confirmed for each indicator record (canonical JSON, and the lote whose
    # results confirmed it; for the next run's inserts/updates/removals); every lote
    # `apura send` delivered or tried (keyed by its partition, file and sha256; its records as
    # sent; `state` in runtime.portal_service.STATES; the service's id, its reception time
    # and its last answer, with no token); every per-record result.
    """
    CREATE TABLE portal_records (
        package TEXT NOT NULL,
        entity TEXT NOT NULL,
        exercicio INTEGER NOT NULL,
        indicator TEXT NOT NULL,
        id_integracao TEXT NOT NULL,
        content TEXT NOT NULL,
        lote INTEGER NOT NULL REFERENCES portal_lotes(id),
        PRIMARY KEY (package, entity, exercicio, indicator, id_integracao)
    );
    CREATE TABLE portal_lotes (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        package TEXT NOT NULL,
        partition TEXT NOT NULL,
        file TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        indicator TEXT NOT NULL,
        name TEXT NOT NULL,
        system TEXT NOT NULL,
        tabela TEXT NOT NULL,
        processo TEXT NOT NULL,
        exercicio INTEGER NOT NULL,
        records INTEGER NOT NULL,
        body TEXT NOT NULL,
        url TEXT NOT NULL,
        state TEXT NOT NULL,
        id_lote TEXT,
        received_at TEXT,
        sent_at TEXT,
        updated_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        message TEXT,
        answer TEXT,
        UNIQUE (package, partition, file, sha256)
    );
    CREATE TABLE portal_results (
        lote INTEGER NOT NULL REFERENCES portal_lotes(id),
        id_integracao TEXT NOT NULL,
        status TEXT NOT NULL,
        id_gerado TEXT,
        mensagem TEXT,
        PRIMARY KEY (lote, id_integracao)
    );
    """,
    # 8: the loads of the incremental derivations (runtime/derivation_state.py), per
    # `<package>/<ledger>`: each load (its number, run, time in UTC, the extract, how many
    # records its picture holds and how many versions it changed); each changed record version
    # (its key and scope as canonical JSON, its fields — NULL when the load removed it — and
    # where it came from); what each derivation wrote at the load, per output key; the
    # --as-of of a run that answered from the loads instead of making one (as given).
    """
    ALTER TABLE runs ADD COLUMN as_of TEXT;
    CREATE TABLE derivation_loads (
        package TEXT NOT NULL,
        ledger TEXT NOT NULL,
        load INTEGER NOT NULL,
        run_id INTEGER REFERENCES runs(id),
        loaded_at TEXT NOT NULL,
        file TEXT NOT NULL,
        records INTEGER NOT NULL,
        changed INTEGER NOT NULL,
        PRIMARY KEY (package, ledger, load)
    );
    CREATE TABLE derivation_records (
        package TEXT NOT NULL,
        ledger TEXT NOT NULL,
        key TEXT NOT NULL,
        load INTEGER NOT NULL,
        scope TEXT NOT NULL,
        fields TEXT,
        file TEXT NOT NULL,
        line INTEGER NOT NULL,
        PRIMARY KEY (package, ledger, key, load),
        FOREIGN KEY (package, ledger, load) REFERENCES derivation_loads(package, ledger, load)
    );
    CREATE TABLE derivation_values (
        package TEXT NOT NULL,
        derivation TEXT NOT NULL,
        load INTEGER NOT NULL,
        key TEXT NOT NULL,
        fields TEXT NOT NULL,
        PRIMARY KEY (package, derivation, load, key)
    );
    """,
)


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


def state_error(path: Path, reason: str) -> RunFailed:
    """D0506: the state file cannot be opened, read or written."""
    return RunFailed([catalog.state_unusable(reason, file=str(path))])


def _reason(exc: Exception) -> str:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        return "não é um banco SQLite"
    if "disk is full" in text:
        return "não há espaço no disco"
    if "readonly" in text or "read-only" in text:
        return "é somente leitura"
    if "unable to open" in text:
        return "não foi possível abri-lo"
    if isinstance(exc, OSError):
        from runtime.commit import os_reason

        return os_reason(exc)
    return text


SQLITE_HEADER = b"SQLite format 3\x00"


def check_state(path: Path) -> None:
    """D0506 before anything is created for it (its lock file, --out) when `path` exists and
    is no SQLite file: a folder, a device, a FIFO, a file of another kind. A new path or an
    empty file is fine (SQLite makes it a database)."""
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            raise state_error(path, "não é um arquivo comum (um dispositivo, um FIFO...)")
        if info.st_size:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_HEADER))
            if head != SQLITE_HEADER:
                raise state_error(path, "não é um banco SQLite")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise state_error(path, _reason(exc)) from None


class Journal:
    """Opens (and migrates) the state file; records runs. Any failure of the file (not
    SQLite, read-only, full disk, a folder, /proc) is RunFailed with D0506."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            if path.is_dir():
                raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
        except (OSError, sqlite3.Error) as exc:
            raise state_error(path, _reason(exc)) from None
        with self._guard():
            self.db.execute("PRAGMA foreign_keys = ON")
            self._migrate()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            raise state_error(self.path, _reason(exc)) from None

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
              params: dict[str, Any], selected: str | None, out: str | None = None,
              layout_year: int | None = None, as_of: str | None = None) -> int:
        with self._guard(), self.db:
            cur = self.db.execute(
                "INSERT INTO runs (package, spec_hash, compiler_version, backend, params, "
                "selected, started_at, status, pid, out, abi, layout_year, as_of) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?, ?, ?)",
                (package, spec_hash, compiler_version, backend,
                 json.dumps(params, sort_keys=True, default=str), selected, _now(),
                 os.getpid(), out, RUNTIME_ABI, layout_year, as_of))
        return int(cur.lastrowid or 0)

    def mark_dead(self, by_run: int | None = None) -> list[int]:
        """Mark 'killed' every run still 'running'. Call it only holding the state file's
        lock: every run holds it while it runs, so a run still 'running' is a dead one."""
        with self._guard(), self.db:
            dead = [int(r[0]) for r in self.db.execute(
                "SELECT id FROM runs WHERE status = 'running' ORDER BY id")]
            by = f" (visto pela execução {by_run})" if by_run else ""
            for run in dead:
                self.db.execute(
                    "UPDATE runs SET status = 'killed', finished_at = ?, message = "
                    "'o processo terminou sem registrar o fim (kill -9, queda da máquina?)' "
                    "|| CASE WHEN committed_at IS NULL THEN '; nenhum arquivo foi alterado' "
                    "ELSE '; os arquivos dela já estavam confirmados (commit)' END || ? "
                    "WHERE id = ?", (_now(), by, run))
        return dead

    def inputs(self, run_id: int,
               rows: Sequence[tuple[str, str, str, int, int, int, int | None]]) -> None:
        """(name, path, sha256, read, accepted, rejected, bytes) of each input."""
        with self._guard(), self.db:
            self.db.executemany("INSERT OR REPLACE INTO run_inputs (run_id, name, path, sha256, "
                                "rows_read, rows_accepted, rows_rejected, bytes) "
                                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", [(run_id, *r) for r in rows])

    def bundles(self, run_id: int, rows: Sequence[tuple[str, str, str, int, int]]) -> None:
        """(partition, zip path relative to --out, sha256, bytes, files) of each bundle the
        run made (runtime.bundle.Made.journal_row); committed with the outputs, as
        `committed_at` says."""
        if not rows:
            return
        with self._guard(), self.db:
            self.db.executemany("INSERT OR REPLACE INTO run_bundles VALUES (?, ?, ?, ?, ?, ?)",
                                [(run_id, *r) for r in rows])

    def checks(self, run_id: int, rows: Sequence[tuple[Any, ...]]) -> None:
        """The outcomes of the run's checks (runtime.checks.Outcome.journal_row)."""
        if not rows:
            return
        with self._guard(), self.db:
            self.db.executemany("INSERT OR REPLACE INTO run_checks VALUES "
                                "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [(run_id, *r) for r in rows])

    def warnings(self, run_id: int, rows: Sequence[tuple[str, str, int, str]]) -> None:
        """The warnings of a run that went on (code, file, line, message), in order."""
        if not rows:
            return
        with self._guard(), self.db:
            self.db.executemany("INSERT OR REPLACE INTO run_warnings VALUES (?, ?, ?, ?, ?, ?)",
                                [(run_id, i, *r) for i, r in enumerate(rows)])

    def committed(self, run_id: int, outputs: Sequence[tuple[str, str, int]],
                  out: str | None = None) -> None:
        """The run's outputs are committed (their manifest is written) into `out`: record
        them (`out` fills `runs.out` when the run started without one: `Result.write`)."""
        with self._guard(), self.db:
            known = self.db.execute("SELECT committed_at FROM runs WHERE id = ?",
                                    (run_id,)).fetchone()
            if known is None or known[0] is not None:
                return
            self.db.executemany("INSERT OR REPLACE INTO run_outputs VALUES (?, ?, ?, ?)",
                                [(run_id, *o) for o in outputs])
            self.db.execute("UPDATE runs SET committed_at = ?, out = coalesce(out, ?) "
                            "WHERE id = ?", (_now(), out, run_id))

    def finish(self, run_id: int, *, status: str, message: str | None = None,
               outputs: Sequence[tuple[str, str, int]] = ()) -> None:
        if outputs:
            self.committed(run_id, outputs)
        with self._guard(), self.db:
            self.db.execute("UPDATE runs SET status = ?, message = ?, finished_at = ? "
                            "WHERE id = ?", (status, message, _now(), run_id))

    def run(self, run_id: int) -> dict[str, Any] | None:
        """One run as a dict (columns of `runs`), or None."""
        with self._guard():
            cur = self.db.execute("SELECT * FROM runs WHERE id = ?", (run_id,))
            row = cur.fetchone()
            return None if row is None else dict(zip([d[0] for d in cur.description], row,
                                                     strict=True))

    def close(self) -> None:
        self.db.close()
