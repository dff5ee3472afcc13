"""A coverage node's part in the scan plan of each ledger it reads: per source on that ledger,
its filter, its keys (their lookups bound as any expression's), then the coverage check
(scanplan.Covered): the keys probed in the map — joined in SQL, bound nowhere, never a D0201:
a key with no confirmed entry is the gap itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir

if TYPE_CHECKING:
    from compiler.scanplan import Builder


def sources_of(node: ir.Coverage, ledger: str | None) -> list[ir.CoverageSource]:
    return [s for s in node.sources if s.ledger == ledger]


class _CoveragePlan:
    reaches = False  # listing a record's key is not reporting it (D0601)

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        assert isinstance(node, ir.Coverage)
        return tuple(dict.fromkeys(s.ledger for s in node.sources))

    def steps(self, b: Builder, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Coverage)
        for s in sources_of(node, b.ledger):
            if s.filter is not None:
                b.eval(s.filter)
                b.enter("filter", s.filter)
            for k in s.keys:
                b.eval(k)
            b.covered(node.id, s.index, s.probe)
            if s.filter is not None:
                b.exit()


PART = _CoveragePlan()
