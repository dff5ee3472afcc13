"""Output files: the registry of output formats (a layout's `output.format` → its renderer:
IMPT now; csv, json, markdown, html are added here) and the atomic write of one file."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
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


Renderer = Callable[[Layout, Sequence[Sequence[Any]]], bytes]

# output.format (compiler/schemas/layout.schema.json) → how a layout's rows become file bytes
FORMATS: dict[str, Renderer] = {"impt": render_impt}


def render(layout: Layout, rows: Sequence[Sequence[Any]]) -> bytes:
    """The bytes of one output file of `layout` in its declared format."""
    try:
        renderer = FORMATS[layout.output_format]
    except KeyError:
        raise ValueError(f"formato de saída desconhecido '{layout.output_format}' no layout "
                         f"'{layout.id}'; formatos: {', '.join(FORMATS)}") from None
    return renderer(layout, rows)


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so readers see the old file or the new one, never half of one
    (temp file in the same folder, fsync, rename). The file gets the umask's permissions
    (0644 for a typical user), as `open` would give it — not mkstemp's 0600. For a set of
    files that must change together, see `runtime.commit`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.apura-tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
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
