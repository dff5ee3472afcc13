"""An allocation node's part in the scan plan of each ledger it reads (compiler/scanplan.py):
every record of the source, target and parties ledgers is carried to the node — the values
its loop needs, evaluated by the scan as any kind's expressions (the class by a lookup of the
plan, the targets' cap, open condition and order keys); the loop itself, order-dependent,
runs at finish (runtime/allocation.py).

A ledger may play more than one role (the targets' ledger holding their parties too): its
records carry the values of each role it plays, in the order of ROLES, then the line
(`record_layout`, which the runtime declaration mirrors: runtime/allocation.Allocation.slices).
A source record whose class its map does not give is a rejected row (D1401, scanplan.Refused)
when the map's `on_missing` is null; with `error` the lookup's own D0201 applies, as for every
kind (the record is skipped)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir

if TYPE_CHECKING:
    from compiler.scanplan import Builder

# The roles a ledger plays for an allocation, in the order their values are carried.
ROLES = ("source", "target", "parties")


def role_values(node: ir.Allocation, role: str) -> tuple[ir.Expr, ...]:
    """What a record of `role` carries, in order: a source's fields then its class; a
    target's key, class, date, cap, open condition and order keys; a party's target and
    party."""
    if role == "source":
        return (*node.source_fields, node.class_of)
    if role == "target":
        return (*node.target_fields, node.cap, node.is_open, *(e for e, _, _ in node.rank))
    return node.party_fields


def record_layout(node: ir.Allocation, ledger: str) -> list[tuple[str, tuple[ir.Expr, ...]]]:
    """The roles `ledger` plays for `node` and their values, in ROLES order."""
    ledgers = dict(zip(ROLES, node.sources, strict=True))
    return [(role, role_values(node, role)) for role in ROLES if ledgers[role] == ledger]


def class_keys(node: ir.Allocation) -> tuple[ir.Expr, ...]:
    """The source fields the class is looked up by (the lookup of `class_of`)."""
    assert isinstance(node.class_of, ir.GetField) and isinstance(node.class_of.record,
                                                                 ir.MapLookup)
    return node.class_of.record.keys


def refuses(pkg: ir.Package, node: ir.Allocation) -> bool:
    """Whether a missing class is the node's D1401 (its map's on_missing is null)."""
    return next(m for m in pkg.maps if m.id == node.class_map).on_missing == "null"


class _AllocationPlan:
    reaches = False  # carrying a record to the loop is not reporting it (D0601)

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        assert isinstance(node, ir.Allocation)
        return tuple(dict.fromkeys(node.sources))

    def steps(self, b: Builder, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Allocation) and b.ledger is not None
        for role, values in record_layout(node, b.ledger):
            if role == "source":  # the class first: a record without one is refused here
                b.eval(node.class_of)
                if refuses(b.pkg, node):
                    b.refuse(node.id, node.class_of, class_keys(node))
            for e in values:
                b.eval(e)


PART = _AllocationPlan()
