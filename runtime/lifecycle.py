"""The run lifecycle: lock, journal, run, staged commit, finish — what `apura run` does, for
any program that embeds the runtime (`Program.run_to`).

    lock OUT and the state file (refused at once, or `wait`)
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
import hashlib
import signal
import stat
import threading
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING
from typing import Any

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


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def _inputs(stats: list[Any]) -> list[tuple[str, str, str, int, int, int]]:
    return [(st.name, st.path, _sha256(Path(st.path)), st.read, st.accepted, len(st.rejected))
            for st in stats]


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
def _locked(out: Path, state: Path | None, wait: bool,
            created: list[Path] | None = None) -> Iterator[list[RunLock]]:
    """The locks of OUT and of the state file, taken in path order (no deadlock when runs
    share one of them and wait). `created`: the folders this run created for OUT; if OUT
    holds nothing else when the run ends, they go, lock included."""
    out_lock = out.resolve() / LOCK  # one lock for every path to OUT
    locks = [RunLock(out_lock, f"a pasta de saída '{out}'", "D0504")]
    if state is not None:
        locks.append(RunLock(state_lock(state), f"o arquivo de estado '{state}'", "D0506"))
    locks.sort(key=lambda lk: str(lk.path.resolve()))
    try:
        for lk in locks:
            lk.acquire(wait)
        yield locks
    finally:
        try:
            empty = bool(created) and {e.name for e in out.iterdir()} <= {LOCK, STAGING}
        except OSError:
            empty = False
        for lk in reversed(locks):
            lk.release(remove=empty and lk.path == out_lock)
        if empty and created:
            remove_created(created)


def write_outputs(out: str | Path, outputs: Mapping[str, bytes], *,
                  wait: bool = False) -> list[Written]:
    """`Result.write`: the outputs into `out` as one commit, under its lock (no journal)."""
    root = Path(out)
    created = prepare_root(root)
    with _locked(root, None, wait, created):
        _recover(root, None)
        commit = Commit.new(root)
        written = commit.stage(outputs)
        commit.commit(written)
        commit.apply()
    return written


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
            journal.committed(rec.run, rec.files)
            continue
        other = Path(rec.state)
        if not other.is_file():
            continue
        lock = RunLock(state_lock(other), f"o arquivo de estado '{other}'", "D0506")
        with contextlib.suppress(RunFailed), lock:
            lock.acquire()
            theirs = Journal(other)
            try:
                theirs.committed(rec.run, rec.files)
            finally:
                theirs.close()


def run_to(program: Program, out: str | Path, ledgers: Mapping[str, LedgerInput],
           params: Mapping[str, Any], *, state: str | Path = DEFAULT_STATE,
           rejects: str | Path | None = None, select: str | None = None,
           backend: str = "python", allow_rejects: bool | None = None, wait: bool = False,
           handle_signals: bool = False, progress: Callable[[str], None] | None = None,
           on_start: Callable[[int], None] | None = None) -> RunRecord:
    """Run `program` and write its outputs into `out` as `apura run` does; see the module
    docstring and README "Runs, locks and the journal"."""
    root, state_p = Path(out), Path(state)
    rejects_p = None if rejects is None else Path(rejects)
    if allow_rejects is None:
        allow_rejects = rejects_p is not None
    conflicts = path_conflicts(root, state_p, rejects_p, ledgers)
    if conflicts:
        raise ValueError("; ".join(f"{opt}: {msg}" for opt, msg in conflicts))
    from runtime.backends import choose

    chosen = choose(backend, ledgers)
    pkg = program.package
    check_state(state_p)  # before anything is created for it
    created = prepare_root(root)
    sigs = _Signals()
    with sigs.installed(handle_signals), _locked(root, state_p, wait, created) as locks:
        journal = _open_journal(state_p, locks)
        try:
            _recover(root, journal)
            journal.mark_dead()
            run_id = journal.start(package=pkg.id, spec_hash=pkg.spec_hash,
                                   compiler_version=pkg.compiler_version, backend=chosen,
                                   params=dict(params), selected=select, out=str(root))
            try:
                for lk in locks:
                    lk.note({"run": run_id})
                if on_start is not None:
                    on_start(run_id)
            except BaseException as exc:
                _failed(journal, run_id, None, False, exc)
                raise
            return _run(program, journal, run_id, root, state_p, rejects_p, ledgers, params,
                        select, chosen, allow_rejects, progress, sigs)
        finally:
            journal.close()


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


def _run(program: Program, journal: Journal, run_id: int, root: Path, state: Path,
         rejects: Path | None, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
         select: str | None, backend: str, allow_rejects: bool,
         progress: Callable[[str], None] | None, sigs: _Signals) -> RunRecord:
    commit: Commit | None = None
    committed = False
    try:
        try:
            result = program.run(ledgers=ledgers, params=params, select=select,
                                 allow_rejects=allow_rejects, backend=backend,
                                 progress=progress)
        except RunFailed as exc:
            if exc.inputs:
                journal.inputs(run_id, _inputs(exc.inputs))
            raise
        journal.inputs(run_id, _inputs(result.inputs))
        commit = Commit.new(root, f"r{run_id}")
        written = commit.stage(result.outputs)
        if rejects is not None:  # part of the commit: a run that fails leaves the old one
            commit.stage_outside(rejects.resolve(), rejects_csv(result.rejects))
        sigs.deferred = True  # from the manifest on, the run completes
        commit.commit(written, run_id, state)
        committed = True
        journal.committed(run_id, written)
        commit.apply()
        late = sigs.pending
        journal.finish(run_id, status="ok", message=None if late is None else
                       f"{signal.Signals(late).name} recebido durante o commit; concluída")
        if progress is not None:
            progress(f"{len(written)} arquivo(s) escrito(s)")
        return RunRecord(run_id=run_id, result=result, written=written, out=root, state=state)
    except BaseException as exc:
        _failed(journal, run_id, commit, committed, exc)
        raise
    finally:
        sigs.deferred = False


def _failed(journal: Journal, run_id: int, commit: Commit | None, committed: bool,
            exc: BaseException) -> None:
    """Journal why the run stopped; finish a commit already made, drop one not made."""
    if commit is not None:
        if committed:
            with contextlib.suppress(Exception):
                commit.apply()  # else the next run rolls it forward
        else:
            commit.discard()
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


__all__ = ["DEFAULT_STATE", "LOCK", "STAGING", "Interrupted", "RunRecord", "path_conflicts",
           "recover_out", "run_to", "write_outputs"]
