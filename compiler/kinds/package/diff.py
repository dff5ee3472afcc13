"""How two packages differ (`apura diff`): id, description, partition, bundle names, params by
name."""

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
    return [("type", p.type.base), ("min", p.min), ("max", p.max), ("default", p.default)]


PARAM: Part[ir.Param] = Part(kind="param", key=lambda p: p.name, content=_param,
                             span=lambda p: p.span)


def _bundle(pkg: ir.Package) -> Value:
    b = pkg.bundle
    return None if b is None else (b.file, b.manifest, b.provenance)


def diff_package(old: ir.Package, new: ir.Package) -> Found:
    """Package-level attributes only (its specs are compared one by one)."""
    return (attrs([("id", old.id, new.id), ("description", old.description, new.description),
                   ("partition", old.partition, new.partition),
                   ("bundle", _bundle(old), _bundle(new))]),
            tuple(compare(PARAM, old.params, new.params)))


class _Differ:
    diff = staticmethod(diff_package)


PART = _Differ()
