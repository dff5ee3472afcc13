"""A coverage node's part in the scan plan of each ledger it reads: per source on that ledger,
its filter, its keys (their lookups bound as any expression's), then the coverage check
(scanplan.Covered): the keys probed in the map — joined in SQL, bound nowhere, never a D0201:
a key with no confirmed entry is the gap itself."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler.scanplan import is_report

if TYPE_CHECKING:
    from compiler.scanplan import Builder
    from compiler.scanplan import ScanPlan


def sources_of(node: ir.Coverage, ledger: str | None) -> list[ir.CoverageSource]:
    return [s for s in node.sources if s.ledger == ledger]


def serves(plans: dict[str, ScanPlan], node: ir.Coverage) -> tuple[str, ...]:
    """The reports whose inputs the node guards, in package order: those that look its map up
    (in their own expressions, or through the derived fields of a ledger they read: a binding
    of every record of it) — without a map, those that read one of its ledgers. A run
    computes the node only when it computes one of them (runtime/coverage.Coverage.active):
    `--select 'covid/*'` does not stop on a rubric the Receitas file alone would need."""
    out: set[str] = set()
    for plan in plans.values():
        reports = [p.node.id for p in plan.parts if is_report(p.node)]
        if node.map is None:
            if plan.ledger.id in {s.ledger for s in node.sources}:
                out.update(reports)
            continue
        for b in plan.bindings:
            if plan.lookups[b.lookup].map.id != node.map:
                continue
            if not b.scope:  # a derived field: every record of the ledger
                out.update(reports)
            out.update(plan.parts[g.part].node.id for g in b.scope
                       if g.what == "on" and is_report(plan.parts[g.part].node))
    order = [n.id for plan in plans.values() for p in plan.parts
             for n in (p.node,) if is_report(n)]
    return tuple(sorted(out, key=order.index))


class _CoveragePlan:
    reaches = False  # listing a record's key is not reporting it (D0601)

    def serves(self, plans: dict[str, ScanPlan], node: ir.PlanNode) -> tuple[str, ...]:
        """The reports this node is computed with (its lookups are needed only then)."""
        assert isinstance(node, ir.Coverage)
        return serves(plans, node)

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
