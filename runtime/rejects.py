"""The rejects report: the rejected rows of a run as CSV (`--rejects FILE`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from runtime.errors import DataError


def rejects_csv(rejects: list[DataError]) -> bytes:
    """Rejected rows as CSV: arquivo;linha;coluna;campo;codigo;motivo;registro."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["arquivo", "linha", "coluna", "campo", "codigo", "motivo", "registro"])
    for e in rejects:
        w.writerow([e.file, e.line, e.col, e.field, e.code, e.message, e.text or ""])
    return buf.getvalue().encode("utf-8")


def write_rejects(path: Path, rejects: list[DataError]) -> None:
    """`rejects_csv` into `path`, atomically (a run stages it with its outputs instead)."""
    from runtime.outputs import write_atomic
    write_atomic(path, rejects_csv(rejects))
