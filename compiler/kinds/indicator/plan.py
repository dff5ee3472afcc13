"""An indicator's part in the scan plan of its source (compiler/scanplan.py): the filter (the
period's test included), for every record; where it holds, the keys, then each aggregate's
`where` and value — as a sheets part, without a row lookup. An indicator is a report: its part runs
under the "on" scope (a --select of other indicators skips it; compiler/scanplan.is_report)."""

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
