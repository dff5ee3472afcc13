"""How two packages differ (`apura diff`): id, description, partition, params by name."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _param(p: ir.Param) -> list[tuple[str, Value]]:
    return [("type", p.type.base), ("min", p.min), ("max", p.max)]


PARAM: Part[ir.Param] = Part(kind="param", key=lambda p: p.name, content=_param,
                             span=lambda p: p.span)


def diff_package(old: ir.Package, new: ir.Package) -> Found:
    """Package-level attributes only (its specs are compared one by one)."""
    return (attrs([("id", old.id, new.id), ("description", old.description, new.description),
                   ("partition", old.partition, new.partition)]),
            tuple(compare(PARAM, old.params, new.params)))


class _Differ:
    diff = staticmethod(diff_package)


PART = _Differ()
