"""A layout's part in its source's scan plan (compiler/scanplan.py): the filter, for every
record; the rules, when the filter holds (all of them: the classification by hit policy reads
them together, and a `unique` layout checks that at most one holds); the column values, when
the record got a row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir

if TYPE_CHECKING:
    from compiler.scanplan import Builder


def scanned(lay: ir.Layout) -> bool:
    """A layout takes part in its source's scan when it has rule or otherwise rows."""
    return lay.source is not None and any(
        r.kind in (ir.RowKind.RULE, ir.RowKind.OTHERWISE) for r in lay.rows)


def rule_rows(lay: ir.Layout) -> list[ir.Row]:
    return [r for r in lay.rows if r.kind is ir.RowKind.RULE]


class _LayoutPlan:
    reaches = True

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        assert isinstance(node, ir.Layout)
        return (node.source,) if scanned(node) and node.source is not None else ()

    def steps(self, b: Builder, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Layout)
        lay = node
        b.eval(lay.filter)
        b.enter("filter", lay.filter)
        rules = rule_rows(lay)
        for r in rules:
            b.eval(r.cond)
        if lay.hit_policy is ir.HitPolicy.UNIQUE and len(rules) > 1:
            b.unique(lay.id, [r.index for r in rules])
        b.enter("row")
        for c in lay.columns:
            if c.value is not None:
                b.eval(c.value.where)
                b.eval(c.value.arg)
        b.exit()
        b.exit()


PART = _LayoutPlan()
