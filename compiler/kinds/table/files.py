"""The files a table adds to generated/<pkg>/: its normalized copy `tables/<id>.csv` (the
CSV the runtime reads; deterministic bytes) and `tables/index.json`, which lists every copy
with its sha256, the spec files it comes from and where in them each of its rows is
(`lines`, for apura explain: runtime/origins.py) — compiler/writer.py treats the files it
lists as the compiler's: `apura compile` replaces or removes them, `--check` compares them."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from compiler import ir
from compiler.kinds.table.data import COPY_FORMAT

INDEX = "tables/index.json"


def origins(t: ir.Table) -> list[list[int]]:
    """Where the copy's rows come from, as runs `[copy line, file (index into `from`), line,
    count]`: the `count` rows from `copy line` on are the lines from `line` on of that file.
    A copy line is numbered as the runtime numbers a record (csv line_num, header included);
    one run per file for a table read whole, so the index stays small."""
    reader = csv.reader(io.StringIO(t.copy, newline=""), delimiter=COPY_FORMAT.delimiter)
    next(reader)  # the header
    runs: list[list[int]] = []
    for (file, line), _ in zip(t.lines, reader, strict=True):
        at, fi = reader.line_num, t.files.index(file)
        last = runs[-1] if runs else None
        if last is not None and last[1] == fi and last[0] + last[3] == at \
                and last[2] + last[3] == line:
            last[3] += 1
        else:
            runs.append([at, fi, line, 1])
    return runs


class _TableFiles:
    def files(self, pkg: ir.Package, nodes: Sequence[ir.PlanNode]) -> dict[str, str]:
        tables = [n for n in nodes if isinstance(n, ir.Table)]
        if not tables:
            return {}
        out = {t.path: t.copy for t in tables}
        index = {"format": 1, "tables": {t.id: {"file": t.path, "sha256": t.sha256,
                                                "rows": len(t.rows), "from": list(t.files),
                                                "lines": origins(t)}
                                         for t in tables}}
        out[INDEX] = json.dumps(index, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return out


PART = _TableFiles()
