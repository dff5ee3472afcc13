"""A check's part in its ledger's scan plan (compiler/scanplan.py): every record, no filter
and no row classification; the sums are grouped by their `where` (sums written under the same
`where` share one test) and the leading `and` operands every group shares are tested once
(`no_periodo and e_covid and funcao == 10`); a sum's value is evaluated where its test holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler import types as T
from compiler.scanplan import lookups_in
from compiler.scanplan import shape

if TYPE_CHECKING:
    from compiler.scanplan import Builder


def groups(node: ir.Check) -> list[list[int]]:
    """The sums, grouped by the shape of their `where` (first appearance order)."""
    out: dict[object, list[int]] = {}
    for k, agg in enumerate(node.sums):
        out.setdefault(shape(agg.where), []).append(k)
    return list(out.values())


def operands(e: ir.Expr | None) -> list[ir.Expr]:
    """A `where` as the operands of its top-level `and` ([] for none)."""
    if e is None:
        return []
    return list(e.operands) if isinstance(e, ir.And) else [e]


def common(tests: list[list[ir.Expr]]) -> list[ir.Expr]:
    """The leading operands every test shares (none that looks a map up: such a lookup stays
    in the test of each group that needs it)."""
    if len(tests) < 2:
        return []
    out: list[ir.Expr] = []
    for column in zip(*tests, strict=False):
        if any(shape(x) != shape(column[0]) for x in column[1:]) or lookups_in(column[0]):
            break
        out.append(column[0])
    return out


def conj(ops: list[ir.Expr], where: ir.Expr) -> ir.Expr:
    if len(ops) == 1:
        return ops[0]
    return ir.And(operands=tuple(ops), type=T.BOOL.null(any(o.type.nullable for o in ops)),
                  span=where.span)


def evaluates_arg(agg: ir.Aggregate) -> bool:
    """A count of a never-null argument does not evaluate it (nor the lookups it needs)."""
    return agg.arg is not None and (agg.func != "count" or agg.arg.type.nullable)


class _CheckPlan:
    reaches = False  # summing a record for a check is not reporting it (D0601)

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        assert isinstance(node, ir.Check)
        return (node.ledger,) if node.ledger is not None and node.sums else ()

    def steps(self, b: Builder, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Check)
        gs = groups(node)
        tests = [operands(node.sums[ks[0]].where) for ks in gs]
        shared = common(tests)
        if shared:
            first = node.sums[gs[0][0]].where
            assert first is not None
            test = conj(shared, first)
            b.eval(test)
            b.enter("when", test)
        for ks, ops in zip(gs, tests, strict=True):
            rest = ops[len(shared):]
            if rest:
                where = node.sums[ks[0]].where
                assert where is not None
                test = conj(rest, where)
                b.eval(test)
                b.enter("when", test)
            for k in ks:
                if evaluates_arg(node.sums[k]):
                    b.eval(node.sums[k].arg)
            if rest:
                b.exit()
        if shared:
            b.exit()


PART = _CheckPlan()
