"""How two checks differ (`apura diff`): ledger, assertions by id."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _assertion(a: ir.Assertion) -> list[tuple[str, Value]]:
    return [("label", a.label), ("severity", a.severity), ("tolerance", str(a.tolerance)),
            ("left", a.left_text), ("right", a.right_text)]


ASSERTION: Part[ir.Assertion] = Part(kind="assertion", key=lambda a: a.name,
                                     content=_assertion, span=lambda a: a.span)


def diff_check(old: ir.Check, new: ir.Check) -> Found:
    return (attrs([("ledger", old.ledger, new.ledger)]),
            tuple(compare(ASSERTION, old.assertions, new.assertions)))


class _Differ:
    diff = staticmethod(diff_check)


PART = _Differ()
