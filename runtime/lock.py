"""One run at a time per output folder and per state file: an OS lock (`fcntl.flock`) on a
lock file. The kernel drops the lock when its process dies, however it dies (kill -9
included), so a lock left by a killed run never blocks the next one; the file stays, holding
the pid and start time of its last holder, which is what the refusal message names.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import os
from pathlib import Path
from types import TracebackType

from runtime import catalog
from runtime.errors import RunFailed


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")


class Busy(RunFailed):
    """D0503: another run holds the lock."""


class RunLock:
    """An exclusive lock on `path` (created if missing). `acquire(wait=False)` refuses at once
    (Busy, naming the holder) when another process holds it; `wait=True` blocks until it is
    free. `what` names the locked thing in messages ("a pasta de saída 'out'")."""

    def __init__(self, path: Path, what: str, code: str) -> None:
        self.path = path
        self.what = what
        self.code = code  # the D code when the lock file cannot be created (D0504, D0506)
        self.fd: int | None = None
        self.created = False  # this holder created the lock file (see `release(remove=)`)

    def acquire(self, wait: bool = False, info: dict[str, object] | None = None) -> None:
        while True:
            fd = self._open()
            self._lock(fd, wait)
            # the holder before us may have removed the file (`release(remove=True)`) after
            # we opened it: then our lock is on a file no one else sees; take the new one
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        self.fd = fd
        body = {"pid": os.getpid(), "started_at": _now(), **(info or {})}
        os.ftruncate(fd, 0)
        os.pwrite(fd, (json.dumps(body) + "\n").encode("utf-8"), 0)

    def _open(self) -> int:
        from runtime.commit import os_reason

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o666)
                self.created = True
                return fd
            except FileExistsError:
                self.created = False
                return os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError as exc:
            raise RunFailed([catalog.lock_uncreatable(self.code, _of(self.what), os_reason(exc),
                                                      file=str(self.path))]) from None

    def _lock(self, fd: int, wait: bool) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise Busy([catalog.busy(self.what, holder, file=str(self.path))]) from None
        except BaseException:
            os.close(fd)
            raise

    def note(self, more: dict[str, object]) -> None:
        """Add to what the lock file says of its holder (e.g. the run id)."""
        if self.fd is None:
            return
        try:
            body = json.loads(os.pread(self.fd, 4096, 0).decode("utf-8") or "{}")
        except ValueError:
            body = {}
        body.update(more)
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, (json.dumps(body) + "\n").encode("utf-8"), 0)

    def release(self, remove: bool = False) -> None:
        """Drop the lock (closing the file drops the flock); `remove`: delete the lock file
        first (a waiter then sees it gone and takes a new one, see `acquire`)."""
        if self.fd is not None:
            fd, self.fd = self.fd, None
            if remove:
                with contextlib.suppress(OSError):
                    os.unlink(self.path)
            os.close(fd)

    def __enter__(self) -> RunLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


def _of(what: str) -> str:
    """'de' + the article: 'da pasta de saída …', 'do arquivo de estado …'."""
    for article, joined in (("a ", "da "), ("o ", "do ")):
        if what.startswith(article):
            return joined + what[len(article):]
    return "de " + what


def _holder(fd: int) -> str:
    """' (pid 123, iniciada em 2026-12-01T21:00:00+00:00)' from the lock file, if written."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
        pid, started = int(data["pid"]), str(data["started_at"])
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    run = f", execução {data['run']}" if data.get("run") else ""
    return f" (pid {pid}, iniciada em {started}{run})"
