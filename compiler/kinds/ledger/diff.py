"""How two ledgers differ (`apura diff`): reading format, fields by name (and their order),
derived fields by name."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _field(f: ir.Field) -> list[tuple[str, Value]]:
    # scale is read only for decimal cells (runtime/ledgers.py): elsewhere it says nothing
    scale = f.scale if f.type.base == "decimal" else None
    # optional (the column may be missing) shown only where it is set: None says nothing
    optional = True if f.optional else None
    return [("type", f.type.base), ("required", f.required), ("optional", optional),
            ("scale", scale)]


def _derived(d: ir.Derived) -> list[tuple[str, Value]]:
    return [("expr", d.text)]


FIELD: Part[ir.Field] = Part(kind="field", key=lambda f: f.name, content=_field,
                             span=lambda f: f.span)
# derived fields are listed in dependency order, which says nothing: compared unordered
DERIVED: Part[ir.Derived] = Part(kind="derived", key=lambda d: d.name, content=_derived,
                           span=lambda d: d.span)

FORMAT_KEYS = ("delimiter", "encoding", "decimal", "thousands", "date", "true", "false", "header")


def diff_ledger(old: ir.Ledger, new: ir.Ledger) -> Found:
    fmt = [(f"format.{k}", getattr(old.format, k), getattr(new.format, k)) for k in FORMAT_KEYS]
    common = {f.name for f in old.fields} & {f.name for f in new.fields}
    order = [("fields.order", tuple(f.name for f in old.fields if f.name in common),
              tuple(f.name for f in new.fields if f.name in common))]
    return (attrs([("optional", old.optional, new.optional), *fmt, *order]),
            (*compare(FIELD, old.fields, new.fields), *compare(DERIVED, old.derived, new.derived)))


class _Differ:
    diff = staticmethod(diff_ledger)


PART = _Differ()
