"""A run's outputs change as a whole, or not at all: a staged commit with a redo manifest.

1. `stage`: every file is written (umask permissions) and fsynced under
   `OUT/.apura-staging/<token>/`, the same file system as its final place.
2. `commit`: the manifest `OUT/.apura-staging/<token>.commit` (the files, their sha256 and
   sizes, the run) is written to a temporary name, fsynced and renamed: that rename is the
   commit point. Before it, the run has changed nothing in OUT; after it, it has changed all.
3. `apply`: the files the manifest says to remove (`remove`: a partial run's stale bundle,
   runtime/bundle.py) are unlinked, each staged file is renamed over its final path, the
   folders are fsynced, then the manifest and the staging folder are removed.

`recover` (every run and `Result.write` call it first, holding the lock of OUT) finishes
step 3 for a committed manifest left by a killed process (roll forward: renaming is idempotent,
a file already moved is skipped) and deletes a staging folder with no manifest (the run never
committed), plus the temporaries of older apura versions (`.NAME.xxxxxxxx.tmp`). Files no run
is writing are never touched.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
from collections.abc import Mapping
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from pathlib import PurePosixPath
from typing import Any

from runtime import catalog
from runtime.errors import RunFailed

STAGING = ".apura-staging"
MANIFEST = ".commit"
OUTSIDE = ".outside"  # STAGING/<token>.outside: the temporaries staged outside OUT
RESERVED = ".apura"  # OUT/.apura-staging, OUT/.apura.lock: no output may be named so
_LEGACY_TMP = re.compile(r"^\..+\.[a-z0-9_]{8}\.tmp$")  # write_atomic's mkstemp, before 0.2

Written = tuple[str, str, int]  # (path, sha256, bytes)

_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_DENIED = {errno.EACCES, errno.EPERM, errno.EROFS}


def os_reason(exc: OSError) -> str:
    """An OS error in pt-BR words."""
    reasons = {errno.ENOSPC: "não há espaço no disco", errno.EDQUOT: "cota de disco esgotada",
               errno.EFBIG: "arquivo grande demais", errno.EROFS: "o sistema de arquivos é "
               "somente leitura", errno.EACCES: "permissão negada", errno.EPERM: "operação não "
               "permitida", errno.ENOTDIR: "não é uma pasta", errno.EEXIST: "já existe e não é "
               "uma pasta", errno.ENOENT: "não existe", errno.EISDIR: "é uma pasta",
               errno.EIO: "erro de entrada/saída", errno.ENAMETOOLONG: "nome longo demais",
               errno.ELOOP: "links simbólicos demais"}
    return reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def out_error(path: Path | str, text: str) -> RunFailed:
    """D0504: the output folder (or a path under it) cannot hold the outputs."""
    return RunFailed([catalog.out_unusable(text, file=str(path))])


def write_error(path: Path | str, exc: OSError) -> RunFailed:
    """D0505: writing a file failed (full disk, quota, I/O error, permission)."""
    return RunFailed([catalog.write_failed(os_reason(exc), file=str(path),
                                           full=exc.errno in _FULL)])


def output_path(root: Path, rel: str) -> Path:
    """`root/rel` for an output, or D0504 when it would not land inside `root`: an absolute
    path, an empty, '.' or '..' component, a backslash or control character, apura's own
    `.apura*` entries, or a folder on the way that is a symbolic link leading out of `root`."""
    pure = PurePosixPath(rel)
    bad = (rel == "" or pure.is_absolute() or "\\" in rel
           or any(part in ("", ".", "..") for part in rel.split("/"))
           or any(ord(ch) < 32 or ord(ch) == 127 for ch in rel)
           or pure.parts[0].startswith(RESERVED))
    target = root / rel
    if not bad:
        top = root.resolve()
        parent = target.parent.resolve()
        bad = parent != top and top not in parent.parents
    if bad:
        raise out_error(target, "o caminho de saída sairia da pasta --out")
    return target


def _check_target(root: Path, target: Path) -> None:
    """D0504 now (not halfway through the commit) when a folder on the way is a file or the
    output is a folder."""
    if target.is_dir():
        raise out_error(target, "o arquivo de saída já existe como pasta")
    for parent in target.parents:
        if parent == root:
            break
        if parent.exists() and not parent.is_dir():
            raise out_error(parent, "a pasta de saída da partição já existe como arquivo")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create `path` (it must not exist) with the umask's permissions, write, fsync."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def prepare_root(root: Path) -> list[Path]:
    """Create OUT if needed; D0504 when it is not a folder one can write in. Returns the
    folders it created, deepest first (a run that writes nothing removes them again)."""
    created = [p for p in (root, *root.parents) if not p.exists()]
    if root.exists() and not root.is_dir():
        raise out_error(root, "a saída (--out) não é uma pasta")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise out_error(root, f"não foi possível criar a pasta de saída: {os_reason(exc)}") \
            from None
    if not root.is_dir():
        raise out_error(root, "a saída (--out) não é uma pasta")
    if not os.access(root, os.W_OK | os.X_OK):
        raise out_error(root, "não há permissão de escrita na pasta de saída")
    return created


def remove_created(created: list[Path]) -> None:
    """Remove the folders `prepare_root` created, if they are empty (nothing was written)."""
    for d in created:
        with contextlib.suppress(OSError):
            (d / STAGING).rmdir()
        try:
            d.rmdir()
        except OSError:
            return


@dataclass
class Commit:
    """The outputs of one run (or one `Result.write`) on their way into `root`."""

    root: Path
    token: str
    outside: list[tuple[str, str]] = field(default_factory=list)  # (temporary, final)

    @classmethod
    def new(cls, root: Path, label: str = "w") -> Commit:
        return cls(root, f"{label}-{os.getpid()}-{secrets.token_hex(4)}")

    @property
    def outside_note(self) -> Path:
        return self.root / STAGING / (self.token + OUTSIDE)

    def stage_outside(self, final: Path, data: bytes) -> None:
        """Stage a file that lives outside `root` (the --rejects report) into this commit:
        written and fsynced as `.NAME.<token>.apura-tmp` in its own folder, moved over `final`
        with the outputs after the commit point, removed if the commit is not made. The
        temporary is noted in `STAGING/<token>.outside` first, so `recover` removes it when
        the process dies before the commit. Call it after `stage`. D0505 on failure."""
        tmp = final.with_name(f".{final.name}.{self.token}.apura-tmp")
        self.outside.append((str(tmp), str(final)))
        try:
            note = self.outside_note.with_name(self.outside_note.name + ".tmp")
            _write_new(note, json.dumps([t for t, _ in self.outside]).encode("utf-8"))
            os.replace(note, self.outside_note)
            final.parent.mkdir(parents=True, exist_ok=True)
            _write_new(tmp, data)
        except OSError as exc:
            self.discard()
            raise write_error(final, exc) from None
        except BaseException:
            self.discard()
            raise

    @property
    def folder(self) -> Path:
        return self.root / STAGING / self.token

    @property
    def manifest(self) -> Path:
        return self.root / STAGING / (self.token + MANIFEST)

    def stage(self, outputs: Mapping[str, bytes]) -> list[Written]:
        """Write every output under the staging folder, fsynced; nothing in `root` changes.
        Returns (final path, sha256, bytes) sorted by path. D0504/D0505 on failure (the
        staging folder is then removed)."""
        targets = {rel: output_path(self.root, rel) for rel in sorted(outputs)}
        for target in targets.values():
            _check_target(self.root, target)
        try:
            try:
                self.folder.mkdir(parents=True)
            except OSError as exc:
                raise out_error(self.root, "não foi possível escrever na pasta de saída: "
                                f"{os_reason(exc)}") from None
            dirs = {self.folder, *((self.folder / rel).parent for rel in targets)}
            for d in sorted(dirs):
                try:
                    d.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise write_error(d, exc) from None

            def put(rel: str) -> Written:
                data, target = outputs[rel], targets[rel]
                try:
                    _write_new(self.folder / rel, data)
                except OSError as exc:
                    raise write_error(target, exc) from None
                return target.as_posix(), hashlib.sha256(data).hexdigest(), len(data)
            # fsync waits for the disk, not the CPU: in parallel it is several times faster
            with ThreadPoolExecutor(max_workers=min(16, max(1, len(targets)))) as pool:
                written = list(pool.map(put, targets))
            for d in sorted(dirs):
                _fsync_dir(d)
        except BaseException:
            self.discard()
            raise
        return written

    def commit(self, written: list[Written], run: int | None = None,
               state: Path | None = None, remove: Sequence[str] = ()) -> None:
        """Write the manifest (the commit point): from now on the outputs are the new ones,
        and the files of `remove` (paths relative to `root`, D0504 outside it) are gone."""
        rels = [Path(p).relative_to(self.root).as_posix() for p, _, _ in written]
        gone = sorted({output_path(self.root, rel).relative_to(self.root).as_posix()
                       for rel in remove} - set(rels))
        body = {"version": 1, "token": self.token, "run": run, "remove": gone,
                "state": None if state is None else str(Path(state).resolve()),
                "files": [[rel, sha, size] for rel, (_, sha, size) in zip(rels, written,
                                                                           strict=True)],
                "outside": [list(pair) for pair in self.outside]}
        tmp = self.manifest.with_name(self.manifest.name + ".tmp")
        try:
            _write_new(tmp, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
            os.replace(tmp, self.manifest)
            _fsync_dir(self.manifest.parent)
        except OSError as exc:
            _unlink_quiet(tmp)
            _unlink_quiet(self.manifest)  # renamed but not fsynced: not committed after all
            self.discard()
            raise write_error(self.manifest, exc) from None

    def apply(self) -> None:
        """Move the staged files into place (roll forward), then forget the commit."""
        _roll_forward(self.root, self.token, _read_manifest(self.manifest))

    def discard(self) -> None:
        """Drop an uncommitted staging folder and the temporaries staged outside `root`
        (nothing in `root` or outside it changed)."""
        for tmp, _ in self.outside:
            _unlink_quiet(Path(tmp))
        _unlink_quiet(self.outside_note)
        _unlink_quiet(self.outside_note.with_name(self.outside_note.name + ".tmp"))
        shutil.rmtree(self.folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.root / STAGING).rmdir()


def _unlink(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _unlink_quiet(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _drop_outside(note: Path, token: str) -> None:
    """Remove the temporaries an uncommitted commit staged outside OUT (listed in `note`),
    then the note. Only names apura gives them (`.NAME.<token>.apura-tmp`) are removed."""
    try:
        listed = json.loads(note.read_text("utf-8"))
    except (OSError, ValueError):
        listed = []
    for tmp in listed if isinstance(listed, list) else []:
        if isinstance(tmp, str) and Path(tmp).name.endswith(f".{token}.apura-tmp"):
            _unlink_quiet(Path(tmp))
    _unlink_quiet(note)


def _read_manifest(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def _roll_forward(root: Path, token: str, manifest: dict[str, Any]) -> None:
    staged_root = root / STAGING / token
    dirs: set[Path] = set()
    for rel in manifest.get("remove", []):  # first: a stale file never sits beside new ones
        gone = output_path(root, rel)
        if gone.is_file() or gone.is_symlink():
            _unlink(gone)
            dirs.add(gone.parent)
    for rel, _, _ in manifest["files"]:
        src = staged_root / rel
        if not src.exists():
            continue  # moved before the interruption
        dst = output_path(root, rel)
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        dirs.add(dst.parent)
    for tmp, final in manifest.get("outside", []):
        if os.path.exists(tmp):  # else moved before the interruption
            os.replace(tmp, final)
            dirs.add(Path(final).parent)
    for d in sorted(dirs):
        _fsync_dir(d)
    _unlink(root / STAGING / (token + OUTSIDE))
    _unlink(root / STAGING / (token + MANIFEST))
    shutil.rmtree(staged_root, ignore_errors=True)
    with contextlib.suppress(OSError):
        (root / STAGING).rmdir()  # when empty: OUT shows only the outputs (and the lock)
    _fsync_dir(root)


@dataclass(frozen=True)
class Recovered:
    """A commit a killed process left half applied, finished by `recover`."""

    token: str
    run: int | None
    state: str | None
    files: list[Written]


def recover(root: Path) -> list[Recovered]:
    """Finish the committed manifests under `root` (roll forward), drop uncommitted staging
    folders and the stray temporaries of older versions (in `root` and its folders). Call it
    holding the lock of `root`."""
    done: list[Recovered] = []
    staging = root / STAGING
    if staging.is_dir():
        for man in sorted(staging.glob("*" + MANIFEST)):
            token = man.name[:-len(MANIFEST)]
            try:
                manifest = _read_manifest(man)
            except (OSError, ValueError, KeyError):
                _unlink(man)  # unreadable: it was never renamed into place complete
                continue
            _roll_forward(root, token, manifest)
            done.append(Recovered(token, manifest.get("run"), manifest.get("state"),
                                  [((root / rel).as_posix(), sha, size)
                                   for rel, sha, size in manifest["files"]]))
        for note in sorted(staging.glob("*" + OUTSIDE)):
            _drop_outside(note, note.name[:-len(OUTSIDE)])  # its manifest was never written
        for entry in sorted(staging.iterdir()) if staging.is_dir() else []:
            if entry.is_dir():
                shutil.rmtree(entry, ignore_errors=True)
            elif entry.name.endswith((MANIFEST + ".tmp", OUTSIDE + ".tmp")):
                _unlink(entry)
        with contextlib.suppress(OSError):
            staging.rmdir()
    if root.is_dir():
        for d in [root, *(e for e in root.iterdir() if e.is_dir() and e.name != STAGING)]:
            for entry in d.iterdir():
                if _LEGACY_TMP.match(entry.name) and entry.is_file():
                    _unlink(entry)
    return done
