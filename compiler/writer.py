"""Write generated/<pkg>/ (sorted, LF, UTF-8, atomic) or, with --check, diff against disk.

Every file under generated/<pkg>/ is the compiler's (Python, SQL, JSON plan), except Python's
own caches: stale files of any kind are removed, and `--check` reports them.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path


def write_tree(out_dir: Path, files: dict[str, str]) -> list[Path]:
    """Write files atomically; remove stale files the compiler no longer produces."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for rel in sorted(files):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = files[rel].encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        written.append(path)
    for stale in _owned(out_dir):
        if stale.relative_to(out_dir).as_posix() not in files:
            stale.unlink()
            written.append(stale)
    for folder in sorted((p for p in out_dir.rglob("*") if p.is_dir()), reverse=True):
        if folder.name != "__pycache__" and not any(folder.iterdir()):
            folder.rmdir()
    return written


def _owned(out_dir: Path) -> list[Path]:
    """Files under out_dir the compiler may have written (all but __pycache__ and dotfiles)."""
    if not out_dir.exists():
        return []
    return sorted(p for p in out_dir.rglob("*") if p.is_file()
                  and "__pycache__" not in p.relative_to(out_dir).parts
                  and not p.name.startswith("."))


def diff_tree(out_dir: Path, files: dict[str, str], display: str) -> str:
    """Unified diff between what is on disk and what the compiler produces ('' when equal)."""
    chunks: list[str] = []
    on_disk = {p.relative_to(out_dir).as_posix() for p in _owned(out_dir)}
    for rel in sorted(set(files) | on_disk):
        path = out_dir / rel
        old = path.read_text("utf-8") if path.exists() else ""
        new = files.get(rel, "")
        if old != new:
            chunks.extend(difflib.unified_diff(
                old.splitlines(keepends=True), new.splitlines(keepends=True),
                fromfile=f"{display}/{rel} (no disco)", tofile=f"{display}/{rel} (compilado)"))
    return "".join(chunks)
