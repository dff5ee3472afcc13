"""Compare compiled packages spec by spec: pair the nodes of both sides by kind and id, and let
each kind's differ (compiler/kinds/<kind>/diff.py) say what changed between a pair."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from typing import TypeAlias
from typing import cast

from compiler import ir
from compiler import kinds
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Pos
from compiler.diff.model import SpecDiff
from compiler.diff.model import Status

Node: TypeAlias = ir.Package | ir.PlanNode
Differ: TypeAlias = Callable[[Any, Any], tuple[tuple[Attr, ...], tuple[Item, ...]]]

def differ(kind: str) -> Differ:
    """The kind's differ: compiler/kinds/<kind>/diff.py (a kind without one is not compared)."""
    part = kinds.part(kind, "diff")
    assert part is not None, f"kind {kind} has no compiler/kinds/{kind}/diff.py"
    return cast(Differ, part.diff)


def nodes(pkg: ir.Package) -> dict[tuple[str, str], Node]:
    """The nodes of a package by (kind, id), the package itself first: the only place that
    knows how ir.Package holds them."""
    out: dict[tuple[str, str], Node] = {("package", pkg.id): pkg}
    for node in pkg.nodes:
        out[(ir.kind_of(node), node.id)] = node
    return out


def _order(s: SpecDiff) -> tuple[str, int, str]:
    return (s.package, kinds.KINDS.index(s.kind), s.id)


def compare_nodes(package: str, kind: str, old: Node, new: Node,
                  *, by_name: bool = False) -> SpecDiff | None:
    """The differences of two nodes of one kind, None if there are none. `by_name`: the
    user named two specs to compare, so their ids may differ (and that is no difference)."""
    found_attrs, items = differ(kind)(old, new)
    if by_name:
        found_attrs = tuple(a for a in found_attrs if a.name != "id")
    if not found_attrs and not items:
        return None
    return SpecDiff(package=package, kind=kind, id=new.id, old_id=old.id, status=Status.CHANGED,
                    pos=Pos.of(new.span), attrs=found_attrs, items=items)


def _one_side(package: str, kind: str, node: Node, status: Status) -> SpecDiff:
    side = "old" if status is Status.REMOVED else "new"
    return SpecDiff(package=package, kind=kind, id=node.id, old_id=node.id, status=status,
                    pos=Pos.of(node.span, side))


def compare_packages(old: ir.Package | None, new: ir.Package | None) -> list[SpecDiff]:
    """Every spec that differs between two packages (one of them may be absent: a package
    added or removed is one difference). The two package nodes are paired whatever their
    ids; the other specs by kind and id."""
    if old is None or new is None:
        assert old is not None or new is not None
        return [_one_side((new or old).id, "package", new or old,  # type: ignore[union-attr,arg-type]
                          Status.ADDED if old is None else Status.REMOVED)]
    a, b = nodes(old), nodes(new)
    a.pop(("package", old.id))
    b.pop(("package", new.id))
    out: list[SpecDiff] = []
    top = compare_nodes(new.id, "package", old, new)
    if top is not None:
        out.append(top)
    for key in sorted(a.keys() | b.keys()):
        kind = key[0]
        if key not in b:
            out.append(_one_side(new.id, kind, a[key], Status.REMOVED))
        elif key not in a:
            out.append(_one_side(new.id, kind, b[key], Status.ADDED))
        else:
            found = compare_nodes(new.id, kind, a[key], b[key])
            if found is not None:
                out.append(found)
    out.sort(key=_order)
    return out
