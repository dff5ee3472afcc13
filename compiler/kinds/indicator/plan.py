"""An indicator's part in the scan plan of its source (compiler/scanplan.py): the filter (the
period's test included), for every record; where it holds, the keys, then each aggregate's
`where` and value — as a sheets part, without a row lookup. Indicators are computed nodes, not
reports: no "on" scope (a package's indicators are computed together, runtime/indicator.py)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler.kinds.check.plan import evaluates_arg

if TYPE_CHECKING:
    from compiler.scanplan import Builder


class _IndicatorPlan:
    reaches = True

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        assert isinstance(node, ir.Indicator)
        return (node.source,)

    def steps(self, b: Builder, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Indicator)
        b.eval(node.filter)
        b.enter("filter", node.filter)
        for _, key, _ in node.keys:
            b.eval(key)
        for agg in node.aggregates:
            b.eval(agg.where)
            if evaluates_arg(agg):
                b.eval(agg.arg)
        b.exit()


PART = _IndicatorPlan()
