"""The run lifecycle: lock, journal, run, staged commit, finish — what `apura run` does, for
any program that embeds the runtime. Three entry points share the steps below:
`run_to` (`Program.run_to`, and the CLI, which only turns options into it), `run_journaled`
(`Program.run(..., state=PATH)`: the same without an output folder) and `write_result`
(`Result.write`: a journaled result's outputs are recorded in its run).

    lock OUT (run_to) and the state file (refused at once, or `wait`)
    → recover OUT (finish a killed run's commit, drop its staging) and mark dead runs 'killed'
    → journal 'running' (pid, --out) → run → journal the inputs (also when the data fails)
    → stage the outputs, then --rejects (beside it) → commit (manifest) → journal the outputs
    → move them (and --rejects) into place → journal 'ok' → unlock

Errors of the data or of the places (D05xx) raise RunFailed after the journal records them;
SIGINT/SIGTERM (when `handle_signals`, as the CLI asks) and internal errors mark the run
'interrupted'/'failed' before they propagate. A kill -9 is seen by the next run.
"""

from __future__ import annotations

import contextlib
import signal
import stat
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from typing import Any

from runtime import gcpause
from runtime.bundle import Digest
from runtime.bundle import file_digest
from runtime.commit import STAGING
from runtime.commit import Commit
from runtime.commit import Written
from runtime.commit import prepare_root
from runtime.commit import recover
from runtime.commit import remove_created
from runtime.errors import RunFailed
from runtime.journal import Journal
from runtime.journal import check_state
from runtime.ledgers import rejects_csv
from runtime.lock import RunLock
from runtime.portal_lotes import stale as stale_lotes

if TYPE_CHECKING:
    from runtime.program import LedgerInput
    from runtime.program import Program
    from runtime.program import Result

LOCK = ".apura.lock"
DEFAULT_STATE = Path(".apura/state.sqlite")


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived during a run (raised by the handlers of `handle_signals`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


@dataclass(slots=True)
class RunRecord:
    """A finished run: its id in the journal, the result, the files written."""

    run_id: int
    result: Result
    written: list[Written]
    out: Path
    state: Path


def path_conflicts(out: Path | None, state: Path | None, rejects: Path | None,
                   inputs: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(option, pt-BR message) for each path of a run that would destroy another: --rejects or
    --state naming an input file or lying inside --out, --rejects naming the state file, or
    naming (also through a symbolic link) something that is not a regular file — a device
    such as /dev/null, a FIFO, a folder: apura replaces the report by a rename, which would
    put a file in its place."""
    files = {name: Path(src).resolve() for name, src in inputs.items()
             if isinstance(src, str | Path)}
    top = None if out is None else out.resolve()
    found: list[tuple[str, str]] = []
    for option, path in (("--rejects", rejects), ("--state", state)):
        if path is None:
            continue
        where = path.resolve()
        for name, f in files.items():
            if where == f:
                found.append((option, f"'{path}' é o arquivo da entrada '{name}'; ele seria "
                                      "sobrescrito"))
        if top is not None and (where == top or top in where.parents):
            found.append((option, f"'{path}' fica dentro da pasta de saída '{out}'; "
                                  "escolha um caminho fora dela"))
    if rejects is not None and state is not None and rejects.resolve() == state.resolve():
        found.append(("--rejects", f"'{rejects}' é o arquivo de estado (--state)"))
    if rejects is not None:
        try:
            mode = rejects.stat().st_mode
        except OSError:
            mode = None  # a new file (or a broken link: the file it names is created)
        if mode is not None and not stat.S_ISREG(mode):
            kind = "uma pasta" if stat.S_ISDIR(mode) else "um dispositivo" \
                if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "um FIFO" \
                if stat.S_ISFIFO(mode) else "um soquete" if stat.S_ISSOCK(mode) else \
                "algo que não é um arquivo comum"
            found.append(("--rejects", f"'{rejects}' é {kind}, não um arquivo comum; o "
                                       "relatório das rejeitadas seria gravado no lugar dele "
                                       "— indique um arquivo"))
    return found


def state_lock(state: Path) -> Path:
    """The lock file of a state file: beside the file it resolves to, so every path to one
    state file (a symbolic link, a relative path) shares one lock."""
    real = state.resolve()
    return real.with_name(real.name + ".lock")


def _inputs(stats: list[Any], known: Mapping[str, Digest | None] | None = None,
            ) -> list[tuple[str, str, str, int, int, int, int | None]]:
    """The journal's rows of the inputs: sha256 and size of each file (`known`: the digests a
    bundled run already took, runtime/bundle.py; '' and None for rows in memory)."""
    rows = []
    for st in stats:
        got = known[st.name] if known and st.name in known else file_digest(Path(st.path))
        rows.append((st.name, st.path, "" if got is None else got.sha256, st.read,
                     st.accepted, len(st.rejected), None if got is None else got.size))
    return rows


class _Signals:
    """SIGINT/SIGTERM raise Interrupted, except while `deferred` (the commit): then the run
    completes (it is quick) and the signal is noted. Restores the previous handlers."""

    def __init__(self) -> None:
        self.deferred = False
        self.pending: int | None = None
        self._old: dict[int, Any] = {}

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        if self.deferred:
            self.pending = signum
            return
        raise Interrupted(signum)

    @contextlib.contextmanager
    def installed(self, enabled: bool) -> Iterator[_Signals]:
        if not enabled or threading.current_thread() is not threading.main_thread():
            yield self
            return
        for sig in (signal.SIGINT, signal.SIGTERM):
            self._old[sig] = signal.signal(sig, self._handler)
        try:
            yield self
        finally:
            for num, old in self._old.items():
                signal.signal(num, old)


@contextlib.contextmanager
def _locked(out: Path | None, state: Path | None, wait: bool,
            created: list[Path] | None = None) -> Iterator[list[RunLock]]:
    """The locks of OUT (when the run writes one) and of the state file, taken in path order
    (no deadlock when runs share one of them and wait). `created`: the folders this run
    created for OUT; if OUT holds nothing else when the run ends, they go, lock included."""
    out_lock = None if out is None else out.resolve() / LOCK  # one lock for every path to OUT
    locks = [] if out_lock is None else [RunLock(out_lock, f"a pasta de saída '{out}'",
                                                 "D0504")]
    if state is not None:
        locks.append(RunLock(state_lock(state), f"o arquivo de estado '{state}'", "D0506"))
    locks.sort(key=lambda lk: str(lk.path.resolve()))
    try:
        for lk in locks:
            lk.acquire(wait)
        yield locks
    finally:
        try:
            empty = out is not None and bool(created) and \
                {e.name for e in out.iterdir()} <= {LOCK, STAGING}
        except OSError:
            empty = False
        for lk in reversed(locks):
            lk.release(remove=empty and lk.path == out_lock)
        if empty and created:
            remove_created(created)


def write_outputs(out: str | Path, outputs: Mapping[str, bytes], *,
                  wait: bool = False, remove: Sequence[str] = ()) -> list[Written]:
    """The outputs into `out` as one commit, under its lock (no journal); the files of
    `remove` (relative to `out`: a partial run's stale bundle) go in the same commit, with the
    lote files an earlier run left where this one writes lotes (runtime/portal_lotes.stale)."""
    root = Path(out)
    created = prepare_root(root)
    with _locked(root, None, wait, created):
        _recover(root, None)
        commit = Commit.new(root)
        written = commit.stage(outputs)
        commit.commit(written, remove=[*remove, *stale_lotes(root, outputs)])
        commit.apply()
    return written


def write_result(result: Result, out: str | Path, *, rejects: str | Path | None = None,
                 wait: bool = False) -> list[Written]:
    """`Result.write`: the outputs (and, when given, the `rejects` CSV of `result.rejects`) into
    `out` as one commit, under the lock of `out`. A result of a journaled run
    (`Program.run(..., state=)`) is written under the state file's lock too, as that run's
    outputs: the journal records them (`run_outputs`, `out`, `committed_at`) exactly as
    `apura run` does; such a result is written once (ValueError the second time)."""
    root = Path(out)
    rejects_p = None if rejects is None else Path(rejects)
    state = result.state if result.run_id is not None else None
    conflicts = path_conflicts(root, state, rejects_p, result.ledgers)
    if conflicts:
        raise ValueError("; ".join(f"{opt}: {msg}" for opt, msg in conflicts))
    if state is None and rejects_p is None:
        return write_outputs(root, result.outputs, wait=wait, remove=result.removes)
    if state is not None:
        check_state(state)
    created = prepare_root(root)
    with _locked(root, state, wait, created) as locks:
        journal = None if state is None else _open_journal(state, locks)
        try:
            _recover(root, journal)
            run_id = result.run_id
            if journal is not None and run_id is not None:
                known = journal.run(run_id)
                if known is None or known["status"] != "ok":
                    raise ValueError(f"a execução {run_id} não está registrada como 'ok' em "
                                     f"'{state}'; este resultado não pode ser gravado nela")
                if known["committed_at"] is not None:
                    raise ValueError(f"os arquivos da execução {run_id} já foram gravados em "
                                     f"'{known['out']}' (um resultado registrado no diário é "
                                     "gravado uma vez); rode de novo para gravar em outro lugar")
            staged = _Staged(root, state, journal, run_id)
            try:
                return staged.commit(result, rejects_p, None)
            except BaseException:
                staged.abandon()
                raise
        finally:
            if journal is not None:
                journal.close()


def recover_out(out: str | Path, state: str | Path | None = None, *,
                wait: bool = False) -> list[int]:
    """What every run does first, on its own (for an operator after a crash, or a test):
    holding the locks, finish a commit a killed run left half applied (roll forward), drop
    staging folders never committed and stray temporaries, and mark 'killed' the runs of the
    state file still 'running'. Returns the ids of the runs so marked."""
    root = Path(out)
    if not root.is_dir():
        return []
    state_p = None if state is None else Path(state)
    if state_p is not None:
        check_state(state_p)
    with _locked(root, state_p, wait) as locks:
        if state_p is None:
            _recover(root, None)
            return []
        journal = _open_journal(state_p, locks)
        try:
            _recover(root, journal)
            return journal.mark_dead()
        finally:
            journal.close()


def _recover(root: Path, journal: Journal | None) -> None:
    """Recover `root`; the outputs of a commit finished here go to the journal of its run
    (this one's, or another state file when its lock is free: else its next run marks it)."""
    for rec in recover(root):
        if rec.run is None or rec.state is None:
            continue
        if journal is not None and Path(rec.state) == journal.path.resolve():
            journal.committed(rec.run, rec.files, out=str(root))
            continue
        other = Path(rec.state)
        if not other.is_file():
            continue
        lock = RunLock(state_lock(other), f"o arquivo de estado '{other}'", "D0506")
        with contextlib.suppress(RunFailed), lock:
            lock.acquire()
            theirs = Journal(other)
            try:
                theirs.committed(rec.run, rec.files, out=str(root))
            finally:
                theirs.close()


def run_journaled(program: Program, ledgers: Mapping[str, LedgerInput],
                  params: Mapping[str, Any], *, state: str | Path = DEFAULT_STATE,
                  select: str | None = None, backend: str = "python",
                  allow_rejects: bool = False, wait: bool = False,
                  handle_signals: bool = False, progress: Callable[[str], None] | None = None,
                  on_start: Callable[[int], None] | None = None,
                  allow_unconfirmed: bool = False, allow_gaps: bool = False,
                  as_of: str | None = None) -> Result:
    """`Program.run(..., state=PATH)`: run and journal it with the steps of `apura run` —
    the state file's lock, dead runs marked 'killed', 'running', the inputs with sha256 (also
    when the data fails), 'ok' or 'failed'/'interrupted' — without an output folder: the
    outputs stay in `result.outputs` (`runs.out` and `committed_at` empty, no `run_outputs`)
    until `result.write(out)` commits them and records them in this run."""
    state_p = Path(state)
    conflicts = path_conflicts(None, state_p, None, ledgers)
    if conflicts:
        raise ValueError("; ".join(f"{opt}: {msg}" for opt, msg in conflicts))
    from runtime.backends import choose

    chosen = choose(backend, ledgers)
    check_state(state_p)  # before anything is created for it
    sigs = _Signals()
    with sigs.installed(handle_signals), _locked(None, state_p, wait) as locks, \
            gcpause.paused():
        journal = _open_journal(state_p, locks)
        try:
            run_id = _begin(journal, locks, program, chosen, params, select, None, on_start,
                            as_of)
            try:
                result = _compute(program, journal, run_id, ledgers, params, select, chosen,
                                  allow_rejects, progress, allow_unconfirmed, allow_gaps,
                                  as_of)
                save_state(journal, run_id, result)
                journal.finish(run_id, status="ok")
            except BaseException as exc:
                _failed(journal, run_id, None, exc)
                raise
        finally:
            journal.close()
    result.run_id, result.state = run_id, state_p
    return result


def run_to(program: Program, out: str | Path, ledgers: Mapping[str, LedgerInput],
           params: Mapping[str, Any], *, state: str | Path = DEFAULT_STATE,
           rejects: str | Path | None = None, select: str | None = None,
           backend: str = "python", allow_rejects: bool | None = None, wait: bool = False,
           handle_signals: bool = False, progress: Callable[[str], None] | None = None,
           on_start: Callable[[int], None] | None = None,
           allow_unconfirmed: bool = False, allow_gaps: bool = False,
           as_of: str | None = None) -> RunRecord:
    """Run `program` and write its outputs into `out` as `apura run` does (the CLI calls
    this); the same steps as `run_journaled` plus the lock of `out`, its recovery and the
    staged commit inside the run. See the module docstring and README "Runs, locks and the
    journal"."""
    root, state_p = Path(out), Path(state)
    rejects_p = None if rejects is None else Path(rejects)
    if allow_rejects is None:
        allow_rejects = rejects_p is not None
    conflicts = path_conflicts(root, state_p, rejects_p, ledgers)
    if conflicts:
        raise ValueError("; ".join(f"{opt}: {msg}" for opt, msg in conflicts))
    from runtime.backends import choose

    chosen = choose(backend, ledgers)
    check_state(state_p)  # before anything is created for it
    created = prepare_root(root)
    sigs = _Signals()
    with sigs.installed(handle_signals), _locked(root, state_p, wait, created) as locks, \
            gcpause.paused():
        journal = _open_journal(state_p, locks)
        try:
            _recover(root, journal)
            run_id = _begin(journal, locks, program, chosen, params, select, str(root),
                            on_start, as_of)
            staged = _Staged(root, state_p, journal, run_id)
            try:
                result = _compute(program, journal, run_id, ledgers, params, select, chosen,
                                  allow_rejects, progress, allow_unconfirmed, allow_gaps,
                                  as_of)
                written = staged.commit(result, rejects_p, sigs)
                late = sigs.pending
                journal.finish(run_id, status="ok", message=None if late is None else
                               f"{signal.Signals(late).name} recebido durante o commit; "
                               "concluída")
            except BaseException as exc:
                _failed(journal, run_id, staged, exc)
                raise
            finally:
                sigs.deferred = False
            if progress is not None:
                progress(f"{len(written)} arquivo(s) escrito(s)")
        finally:
            journal.close()
    result.run_id, result.state = run_id, state_p
    return RunRecord(run_id=run_id, result=result, written=written, out=root, state=state_p)


def _open_journal(state: Path, locks: list[RunLock]) -> Journal:
    """The journal of `state`; when it cannot be used (D0506), the state file's lock file goes
    too if this run created it: a refused state file leaves nothing behind."""
    try:
        return Journal(state)
    except RunFailed:
        mine = state_lock(state)
        for lk in locks:
            if lk.path == mine:
                lk.release(remove=lk.created)
        raise


def journal_params(program: Program, params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as the journal records them: each one the package converts as its
    value (`--param exercicio=2020` and `exercicio=2020` from Python are one run), the others
    (unknown, or not convertible: the run fails on them) as given."""
    checked, _ = program.check_params(params)
    return {**dict(params), **checked}


def _begin(journal: Journal, locks: list[RunLock], program: Program, backend: str,
           params: Mapping[str, Any], select: str | None, out: str | None,
           on_start: Callable[[int], None] | None, as_of: str | None = None) -> int:
    """Every run's start, holding the state file's lock: mark the dead runs, journal this one
    'running', note its id in the lock files, tell `on_start`."""
    journal.mark_dead()
    pkg = program.package
    run_id = journal.start(package=pkg.id, spec_hash=pkg.spec_hash,
                           compiler_version=pkg.compiler_version, backend=backend,
                           params=journal_params(program, params), selected=select, out=out,
                           layout_year=pkg.layout_year, as_of=as_of)
    try:
        for lk in locks:
            lk.note({"run": run_id})
        if on_start is not None:
            on_start(run_id)
    except BaseException as exc:
        _failed(journal, run_id, None, exc)
        raise
    return run_id


def _compute(program: Program, journal: Journal, run_id: int,
             ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
             select: str | None, backend: str, allow_rejects: bool,
             progress: Callable[[str], None] | None, allow_unconfirmed: bool = False,
             allow_gaps: bool = False, as_of: str | None = None) -> Result:
    """Run the program and journal its inputs (sha256, counts) and what its nodes found (the
    outcome of every check) — also when the run fails."""
    try:
        result = program.run(ledgers=ledgers, params=params, select=select,
                             allow_rejects=allow_rejects, backend=backend, progress=progress,
                             allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps,
                             allocation_state=journal.path, as_of=as_of)
    except RunFailed as exc:
        if exc.inputs:
            journal.inputs(run_id, _inputs(exc.inputs))
        journal.checks(run_id, [o.journal_row() for o in exc.outcomes])
        raise
    journal.inputs(run_id, _inputs(result.inputs, result.digests))
    journal.checks(run_id, [o.journal_row() for o in result.outcomes])
    journal.warnings(run_id, [(w.code, w.file, w.line, w.message) for w in result.warnings])
    journal.bundles(run_id, [b.journal_row() for b in result.bundles])
    return result


def save_state(journal: Journal, run_id: int, result: Result) -> None:
    """Store what the run's allocation nodes imported and the events they made
    (runtime/allocation_state.py), and the loads of its incremental derivations (objects
    with `save`, runtime/derivation_state.py), in the state file, when the run commits."""
    allocations = [w for w in result.state_writes if isinstance(w, tuple)]
    if allocations:
        from runtime.allocation_state import AllocationStore

        AllocationStore(journal.db).save(run_id, allocations)
    for w in result.state_writes:
        if not isinstance(w, tuple):
            w.save(journal.db, run_id)


class _Staged:
    """One run's outputs on their way into `root`: staged, `--rejects` beside its own path,
    the manifest (the commit point, naming the run and its state file), the journal told,
    moved into place. `made`/`committed` say how far it got (see `_failed`)."""

    def __init__(self, root: Path, state: Path | None, journal: Journal | None,
                 run_id: int | None) -> None:
        self.root, self.state, self.journal, self.run_id = root, state, journal, run_id
        self.made: Commit | None = None
        self.committed = False

    def commit(self, result: Result, rejects: Path | None,
               sigs: _Signals | None) -> list[Written]:
        self.made = Commit.new(self.root, "w" if self.run_id is None else f"r{self.run_id}")
        written = self.made.stage(result.outputs)
        if rejects is not None:  # part of the commit: a run that fails leaves the old one
            self.made.stage_outside(rejects.resolve(), rejects_csv(result.rejects))
        if sigs is not None:
            sigs.deferred = True  # from the manifest on, the run completes
        self.made.commit(written, self.run_id, self.state,
                         remove=[*result.removes, *stale_lotes(self.root, result.outputs)])
        self.committed = True
        if self.journal is not None and self.run_id is not None:
            save_state(self.journal, self.run_id, result)
            self.journal.committed(self.run_id, written, out=str(self.root))
        self.made.apply()
        return written

    def abandon(self) -> None:
        """After a failure: finish a commit already made (else the next run rolls it forward),
        drop one not made."""
        if self.made is None:
            return
        if self.committed:
            with contextlib.suppress(Exception):
                self.made.apply()
        else:
            self.made.discard()


def _failed(journal: Journal, run_id: int, staged: _Staged | None, exc: BaseException) -> None:
    """Journal why the run stopped; finish a commit already made, drop one not made."""
    committed = staged is not None and staged.committed
    if staged is not None:
        staged.abandon()
    done = "; os arquivos de saída foram confirmados (commit)" if committed else \
        "; nenhum arquivo de saída foi alterado"
    if isinstance(exc, RunFailed):
        status, text = "failed", f"{len(exc.errors)} erro(s): " + ", ".join(
            sorted({e.code for e in exc.errors}))
    elif isinstance(exc, Interrupted | KeyboardInterrupt):
        name = exc.args[0] if isinstance(exc, Interrupted) else "SIGINT"
        status, text = "interrupted", f"interrompida ({name})"
    else:
        status, text = "failed", f"erro interno: {type(exc).__name__}: {exc}"
    with contextlib.suppress(Exception):
        journal.finish(run_id, status=status, message=text + done)


__all__ = ["DEFAULT_STATE", "LOCK", "STAGING", "Interrupted", "RunRecord", "journal_params",
           "path_conflicts", "recover_out", "run_journaled", "run_to", "write_outputs",
           "write_result"]
