"""How two coverage nodes differ (`apura diff`): the map, severity, label, `unused` and each
source by its ledger (filter, keys)."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _source(s: ir.CoverageSource) -> list[tuple[str, Value]]:
    return [("filter", s.filter_text or None), ("keys", tuple(s.keys_text))]


SOURCE: Part[ir.CoverageSource] = Part(kind="source", key=lambda s: f"{s.ledger} ({s.index + 1})",
                                       content=_source, span=lambda s: s.span)


def diff_coverage(old: ir.Coverage, new: ir.Coverage) -> Found:
    return (attrs([("map", old.map, new.map), ("severity", old.severity, new.severity),
                   ("label", old.label, new.label), ("unused", old.unused, new.unused)]),
            tuple(compare(SOURCE, old.sources, new.sources)))


class _Differ:
    diff = staticmethod(diff_coverage)


PART = _Differ()
