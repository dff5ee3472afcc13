"""How two tables differ (`apura diff`): the file, the provenance (`source`), the key, the
columns (by name: type, required, scale; their order) and the rows by key — added, removed,
or changed (the cells of the columns both sides have). A row's position is its line in the
CSV file (the new side's; a removed row, the old side's)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs
from compiler.kinds.ledger.diff import FIELD
from compiler.kinds.table.data import cell_text
from compiler.source import Span

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]

COLUMN: Part[ir.Field] = dataclasses.replace(FIELD, kind="column")


@dataclasses.dataclass(frozen=True, slots=True)
class _Row:
    key: str
    cells: tuple[tuple[str, Value], ...]
    span: Span


ROW: Part[_Row] = Part(kind="table_row", key=lambda r: r.key, content=lambda r: list(r.cells),
                       span=lambda r: r.span)


def _rows(t: ir.Table, columns: Sequence[str]) -> list[_Row]:
    names = [f.name for f in t.fields]
    kidx = [names.index(k) for k in t.key]
    shown = [c for c in columns if c not in t.key]
    idx = [names.index(c) for c in shown]
    out = []
    for row, (file, line) in zip(t.rows, t.lines, strict=True):
        key = ", ".join(f"{k}={cell_text(row[i])}" for k, i in zip(t.key, kidx, strict=True))
        cells: tuple[tuple[str, Any], ...] = tuple((c, cell_text(row[i]))
                                                   for c, i in zip(shown, idx, strict=True))
        out.append(_Row(key, cells, Span(file=file, line=line, col=1, end_line=line,
                                         end_col=1, start=0, end=0)))
    return out


def diff_table(old: ir.Table, new: ir.Table) -> Found:
    old_cols = [f.name for f in old.fields]
    new_cols = [f.name for f in new.fields]
    common = [c for c in new_cols if c in old_cols]
    # the files relative to the package folder: the same on two checkouts of one package
    found = attrs([("file", old.in_package, new.in_package), ("source", old.source, new.source),
                   ("key", old.key, new.key),
                   ("columns.order", tuple(c for c in old_cols if c in common), tuple(common))])
    columns = compare(COLUMN, old.fields, new.fields)
    # rows compare by key only when both sides have the same key columns
    rows = compare(ROW, _rows(old, common), _rows(new, common)) if old.key == new.key else []
    return found, (*columns, *rows)


class _Differ:
    diff = staticmethod(diff_table)


PART = _Differ()
