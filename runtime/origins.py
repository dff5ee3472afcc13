"""Where a row of a table's checked copy (generated/<pkg>/tables/<id>.csv) comes from in the
specs: apura explain shows a lookup into a table as the spec CSV's `file:line` the analyst
edits (`specs/siops/2019/tabelas/eledessiops_2019.csv:160`), not the copy's. The compiler
lists it in tables/index.json (`lines`: runs, compiler/kinds/table/files.py); a package
without them (or an index that cannot be read) shows the copy's line, as before."""

from __future__ import annotations

import bisect
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Origins:
    """The spec files of one table and its runs `(copy line, file index, line, count)`."""

    files: tuple[str, ...]
    runs: tuple[tuple[int, int, int, int], ...]

    def at(self, line: int) -> str | None:
        """`file:line` in the specs of the copy's record at `line`; None if none is known."""
        i = bisect.bisect_right([r[0] for r in self.runs], line) - 1
        if i < 0:
            return None
        start, fi, first, count = self.runs[i]
        if line >= start + count or not 0 <= fi < len(self.files):
            return None
        return f"{self.files[fi]}:{first + line - start}"


def load(folder: Path) -> dict[str, Origins]:
    """Table id → its Origins, from the compiled package's tables/index.json."""
    try:
        data = json.loads((folder / "tables" / "index.json").read_text("utf-8"))
        tables = data["tables"]
        return {tid: Origins(tuple(t["from"]), tuple(tuple(r) for r in t["lines"]))
                for tid, t in tables.items() if "lines" in t}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}
