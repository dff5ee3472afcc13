"""Conditions for the region tests (tests/unit/test_regions.py, tests/props/test_shadow.py):
checked IR from text over a small ledger, a direct three-valued evaluator (runtime.ops, the
functions the generated Python calls) and region membership.

Ledger fields: a, b (int, may be null), r (int, required), s (str?), d (date?), x (decimal?),
f (bool?), g (bool, required); derived `par` (a + b); map `m` keyed by a with values v (int?)
and w (bool?).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from compiler import ir
from compiler import regions
from compiler import types as T
from compiler.check import Checker
from compiler.check import MapInfo
from compiler.check import Scope
from compiler.expr import parse_expression
from compiler.source import SourceFile
from compiler.yamlnodes import YScalar
from runtime import ops

FIELDS = {"a": T.INT.null(), "b": T.INT.null(), "r": T.INT, "s": T.STR.null(),
          "d": T.DATE.null(), "x": T.DECIMAL.null(), "f": T.BOOL.null(), "g": T.BOOL}
MAP = MapInfo(id="m", key=(("a", T.INT),),
              record=T.Type("record", True, (("v", T.INT.null()), ("w", T.BOOL.null())), "m"))


def scope() -> Scope:
    return Scope(where="o teste", ledger="t", fields=dict(FIELDS),
                 derived={"par": T.INT.null()}, params={"p": T.INT}, maps={"m": MAP})


def cond(text: str) -> ir.Expr:
    """`text` parsed and checked as a condition (it must be correct)."""
    src = SourceFile.from_text("x.yaml", f"rule: {text}\n")
    scalar = YScalar(value=text, style=None, span=src.span(6, 6 + len(text)))
    tree, diags = parse_expression(src, scalar)
    assert tree is not None and not diags, diags
    out = Checker(diags).condition(tree, scope())
    assert not diags, [d.message for d in diags]
    return out


def evaluate(e: ir.Expr, rec: dict[str, Any]) -> Any:
    """The value of `e` for a record (fields by name; `par` and map values computed)."""
    def ev(x: ir.Expr) -> Any:
        match x:
            case ir.Const(value=v):
                return v
            case ir.FieldRef(name=n):
                return rec.get(n)
            case ir.DerivedRef(name="par"):
                return ops.add(rec.get("a"), rec.get("b"))
            case ir.ParamRef():
                return 7
            case ir.GetField(record=ir.MapLookup(keys=(k,)), name=n):
                key = ev(k)
                return None if key is None else (key * 3 if n == "v" else key % 2 == 0)
            case ir.Neg(operand=o):
                return ops.neg(ev(o))
            case ir.Binary(op=ir.BinOp.ADD, left=a, right=b):
                return ops.add(ev(a), ev(b))
            case ir.Compare(op=op, left=a, right=b):
                f = {ir.CmpOp.EQ: ops.eq, ir.CmpOp.NE: ops.ne, ir.CmpOp.LT: ops.lt,
                     ir.CmpOp.LE: ops.le, ir.CmpOp.GT: ops.gt, ir.CmpOp.GE: ops.ge}[op]
                return f(ev(a), ev(b))
            case ir.InList(operand=o, items=items, negated=neg):
                vals = tuple(i.value for i in items)
                return (ops.not_in if neg else ops.in_)(ev(o), vals)
            case ir.IsNull(operand=o, negated=neg):
                return (ev(o) is None) != neg
            case ir.And(operands=xs):
                return ops.and3(*(ev(o) for o in xs))
            case ir.Or(operands=xs):
                return ops.or3(*(ev(o) for o in xs))
            case ir.Not(operand=o):
                return ops.not3(ev(o))
            case ir.Matches(operand=o, pattern=p):
                return ops.matches(ev(o), p)
            case ir.Call(func="within", args=(v, lo, hi)):
                return ops.within(ev(v), ev(lo), ev(hi))
            case ir.Call(func="date", args=args):
                return ops.date(*(ev(a) for a in args))
            case ir.Call(func="year", args=(a,)):
                return ops.year(ev(a))
        raise AssertionError(f"the test evaluator does not take {x}")
    return ev(e)


def point(space: regions.Space, e: ir.Expr, rec: dict[str, Any]) -> dict[regions.Key, Any]:
    """A record as a point of the space: each subject's value (bools 0/1, dates ordinals)."""
    subjects: dict[regions.Key, ir.Expr] = {}

    def walk(x: object) -> None:
        if isinstance(x, ir.Expr.__args__):
            subjects.setdefault(("s", regions.expr_key(x)), x)  # type: ignore[arg-type]
            for s in x.__slots__:  # type: ignore[union-attr]
                walk(getattr(x, s))
        elif isinstance(x, tuple):
            for y in x:
                walk(y)
    walk(e)
    out: dict[regions.Key, Any] = {}
    for key, x in subjects.items():
        if key not in space.domains:
            continue
        v = evaluate(x, rec)
        if isinstance(v, bool):
            v = int(v)
        elif isinstance(v, datetime.date):
            v = v.toordinal()
        out[key] = v
    return out


def member(region: regions.Region, at: dict[regions.Key, Any]) -> bool:
    return any(all(vs.contains(at[k]) for k, vs in box.items()) for box in region)


__all__ = ["Decimal", "cond", "evaluate", "member", "point", "scope"]
