"""Output files: IMPT rendering and atomic writes (temp file + rename)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime.model import Layout
from runtime.values import format_money


def render_impt(layout: Layout, rows: Sequence[Sequence[Any]]) -> bytes:
    """One line per non-totalizer row, fields joined by ';' with a trailing ';', CRLF, UTF-8.

    The line template comes from the generated package (`layout.line`).
    """
    out = []
    for row, values in zip(layout.rows, rows, strict=True):
        if row.totalizer:
            continue
        cells = {f"V{i}": format_money(v) for i, v in enumerate(values)}
        out.append(layout.line.format(ref=row.ref, record_id=row.record_id, marker=row.marker,
                                      **cells))
    return "".join(line + "\r\n" for line in out).encode("utf-8")


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
