"""How two sheets nodes differ (`apura diff`): the maps and fields the lines and file names
come from, the columns by id (code, label) and each part by its source ledger (filter,
planilha code, row key, values). The rows themselves are the table's: its diff says which
rows, record ids and markers change."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs
from compiler.kinds.layout.diff import COLUMN

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def part_keys(node: ir.Sheets) -> dict[int, str]:
    """A part's key (by its index): its ledger; a second part on that ledger 'gasto (2)', ...
    (keyed by the ledger alone, the parts of one ledger were one item: changes lost)."""
    seen: dict[str, int] = {}
    out = {}
    for p in node.parts:
        n = seen[p.source] = seen.get(p.source, 0) + 1
        out[p.index] = p.source if n == 1 else f"{p.source} ({n})"
    return out


def _part(node: ir.Sheets, keys: dict[int, str]) -> Part[ir.SheetPart]:
    cols = {c.index: c.id for c in node.columns}

    def content(p: ir.SheetPart) -> list[tuple[str, Value]]:
        out: list[tuple[str, Value]] = [("filter", p.filter_text or None),
                                        ("sheet", tuple(p.sheet_text)), ("row", p.row_text)]
        out.extend((f"values.{cols[i]}", text) for i, _, text in p.values)
        return out

    return Part(kind="part", key=lambda p: keys[id(p)], content=content, span=lambda p: p.span)


def diff_sheets(old: ir.Sheets, new: ir.Sheets) -> Found:
    top = attrs([(name, getattr(old, attr) or None, getattr(new, attr) or None)
                 for name, attr in (("rows.map", "rows_map"), ("rows.record_id", "record_id"),
                                    ("rows.marker", "marker"), ("rows.mask", "mask"),
                                    ("output.format", "output_format"),
                                    ("output.files", "files_map"), ("output.stem", "stem"),
                                    ("alternative_of", "alternative_of"))])
    columns = compare(COLUMN, old.columns, new.columns)
    # compare() keys both sides with one function: by the part objects of either node
    keys = {id(p): key for n in (old, new) for p, key in zip(n.parts, part_keys(n).values(),
                                                                strict=True)}
    parts = compare(_part(old, keys), old.parts, new.parts, _part(new, keys))
    return top, (*columns, *parts)


class _Differ:
    diff = staticmethod(diff_sheets)


PART = _Differ()
