"""What the assinatura property tests share to write their random school data as the
package's inputs: a date as the ledgers write it (DD/MM/YYYY, empty for none) and a CSV file
in the inputs' dialect (`;`, UTF-8, the rows as given)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path


def day_text(x: dt.date | None) -> str:
    return "" if x is None else x.strftime("%d/%m/%Y")


def write_csv(path: Path, rows: list[list[str]]) -> str:
    """`rows` (the header first) written to `path`; its path as text, for `ledgers=`."""
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), "utf-8")
    return str(path)
