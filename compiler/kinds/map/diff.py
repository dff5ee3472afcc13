"""How two maps differ (`apura diff`): source, key, values and on_missing."""

from __future__ import annotations

from compiler import ir
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def diff_map(old: ir.Map, new: ir.Map) -> Found:
    return (attrs([("source", old.source, new.source), ("key", old.key, new.key),
                   ("values", old.values, new.values),
                   ("on_missing", old.on_missing, new.on_missing),
                   ("status", old.status, new.status)]), ())


class _Differ:
    diff = staticmethod(diff_map)


PART = _Differ()
