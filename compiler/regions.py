"""The records a condition admits, as a region: a union of boxes, a box giving each subject
(a field, or any other per-record expression) the set of values it may take — intervals, with
null as one more value. compiler/shadow.py compares the regions of a layout's rows.

What is understood exactly, for a subject `x` of type int, decimal, str, date or bool and a
constant `c` (a literal, `-literal`, `date(..)`/`fim_bimestre(..)` of integer literals):
`x == c`, `!=`, `<`, `<=`, `>`, `>=` (either side), `x [not] in [..]`, `within(x, c, c)` (a
null bound open), `x is [not] null`, a bool `x` alone, and `and`, `or`, `not` over those, in
three-valued logic (a record is admitted when the condition is TRUE: `not (x == 1)` does not
admit a null x). A subject is a stored field by name, any other expression (a derived field,
`lookup(..).x`, `a + b`, `year(d)`) by its text; any other bool expression (`a < b`, `s matches
".."`, `if ..`) is itself an opaque bool subject. The subjects of a box vary independently, so
a region holds every real record it should (and maybe points no record has): a row's region
may be larger than the truth, never smaller — which is what proving "never matches" needs.

Bounded: a region of more than MAX_BOXES boxes (an `or` of `and`s of `or`s...) is not computed
(`None`: unknown), nor is anything with an error type.
"""

from __future__ import annotations

import datetime
import enum
from dataclasses import dataclass
from decimal import ROUND_CEILING
from decimal import ROUND_FLOOR
from decimal import Decimal
from typing import NamedTuple
from typing import TypeAlias

from compiler import ir
from runtime import dates

MAX_BOXES = 64

Value: TypeAlias = int | Decimal | str
Key: TypeAlias = tuple[object, ...]


# ---------------------------------------------------------------- sets of values
class Iv(NamedTuple):
    """An interval; a None bound is unbounded (its `_in` flag is then ignored)."""

    lo: Value | None
    lo_in: bool
    hi: Value | None
    hi_in: bool


def _lo_key(iv: Iv) -> tuple[object, ...]:
    return (0,) if iv.lo is None else (1, iv.lo, 0 if iv.lo_in else 1)


def _hi_key(iv: Iv) -> tuple[object, ...]:
    return (1,) if iv.hi is None else (0, iv.hi, 1 if iv.hi_in else 0)


def _iv_empty(iv: Iv) -> bool:
    if iv.lo is None or iv.hi is None:
        return False
    return iv.lo > iv.hi or (iv.lo == iv.hi and not (iv.lo_in and iv.hi_in))  # type: ignore[operator]


@dataclass(frozen=True, slots=True)
class Domain:
    """The values a subject takes. Discrete domains (int; bool as 0/1; date as its ordinal)
    hold closed integer intervals only; dense ones (decimal, str) any intervals."""

    discrete: bool
    lo: Value | None = None  # the universe's bounds (closed), None unbounded
    hi: Value | None = None
    nullable: bool = True

    def universe(self, null: bool | None = None) -> VSet:
        return VSet(self.nullable if null is None else null and self.nullable,
                    (Iv(self.lo, True, self.hi, True),))

    def norm(self, ivs: list[Iv], null: bool) -> VSet:
        """The set of `ivs` (any order, overlapping) inside the universe, merged."""
        if len(ivs) == 1 and self.lo is None and self.hi is None and not self.discrete \
                and (ivs[0].lo is not None or ivs[0].lo_in) \
                and (ivs[0].hi is not None or ivs[0].hi_in):
            return VSet(null and self.nullable, () if _iv_empty(ivs[0]) else (ivs[0],))
        u = Iv(self.lo, True, self.hi, True)
        out: list[Iv] = []
        for raw in ivs:
            iv = _meet(raw, u)
            if iv is not None and self.discrete:
                iv = _integral(iv)
            if iv is not None:
                if (iv.lo is None and not iv.lo_in) or (iv.hi is None and not iv.hi_in):
                    iv = Iv(iv.lo, iv.lo is not None and iv.lo_in or iv.lo is None,
                            iv.hi, iv.hi is not None and iv.hi_in or iv.hi is None)
                out.append(iv)
        out.sort(key=_lo_key)
        merged: list[Iv] = []
        for iv in out:
            if merged and self._touch(merged[-1], iv):
                last = merged[-1]
                hi = last if _hi_key(last) >= _hi_key(iv) else iv
                merged[-1] = Iv(last.lo, last.lo_in, hi.hi, hi.hi_in)
            else:
                merged.append(iv)
        return VSet(null and self.nullable, tuple(merged))

    def _touch(self, a: Iv, b: Iv) -> bool:
        """Do a and b (a's lower bound first) overlap or meet without a gap?"""
        if a.hi is None or b.lo is None:
            return True
        if self.discrete:
            return b.lo <= a.hi + 1  # type: ignore[operator]
        return b.lo < a.hi or (b.lo == a.hi and (a.hi_in or b.lo_in))  # type: ignore[operator]


def _meet(a: Iv, b: Iv) -> Iv | None:
    lo = a if _lo_key(a) >= _lo_key(b) else b
    hi = a if _hi_key(a) <= _hi_key(b) else b
    iv = lo if lo is hi else Iv(lo.lo, lo.lo_in, hi.hi, hi.hi_in)
    return None if _iv_empty(iv) else iv


def _integral(iv: Iv) -> Iv | None:
    """The integers of iv, as a closed interval."""
    lo, hi = iv.lo, iv.hi
    if lo is not None:
        c = int(Decimal(lo).to_integral_value(ROUND_CEILING))
        lo = c + 1 if (not iv.lo_in and c == lo) else c
    if hi is not None:
        f = int(Decimal(hi).to_integral_value(ROUND_FLOOR))
        hi = f - 1 if (not iv.hi_in and f == hi) else f
    out = Iv(lo, True, hi, True)
    return None if _iv_empty(out) else out


class VSet(NamedTuple):
    """A set of values of one domain: `null` whether null is in it, `ivs` sorted, disjoint,
    merged (Domain.norm builds them)."""

    null: bool
    ivs: tuple[Iv, ...]

    @property
    def empty(self) -> bool:
        return not self.null and not self.ivs

    def contains(self, v: Value | None) -> bool:
        if v is None:
            return self.null
        return any((iv.lo is None or iv.lo < v or (iv.lo_in and iv.lo == v))  # type: ignore[operator]
                   and (iv.hi is None or v < iv.hi or (iv.hi_in and iv.hi == v))  # type: ignore[operator]
                   for iv in self.ivs)

    def points(self, limit: int) -> tuple[Value, ...] | None:
        """The values (null not counted) when they are at most `limit` single points."""
        if len(self.ivs) > limit or any(iv.lo is None or iv.lo != iv.hi for iv in self.ivs):
            return None
        return tuple(iv.lo for iv in self.ivs)  # type: ignore[misc]


def meet(a: VSet, b: VSet, dom: Domain) -> VSet:
    if a is b:
        return a
    ivs = [m for x in a.ivs for y in b.ivs if (m := _meet(x, y)) is not None]
    return dom.norm(ivs, a.null and b.null)


def join(a: VSet, b: VSet, dom: Domain) -> VSet:
    return dom.norm(list(a.ivs + b.ivs), a.null or b.null)


def complement(a: VSet, dom: Domain) -> VSet:
    """The domain's values (null included when the domain has it) not in `a`."""
    gaps: list[Iv] = []
    lo: Value | None = dom.lo  # where the next gap starts (None: unbounded)
    lo_in = True
    for iv in a.ivs:
        if iv.lo is not None:
            gaps.append(Iv(lo, lo_in, iv.lo, not iv.lo_in))
        if iv.hi is None:
            break
        lo, lo_in = iv.hi, not iv.hi_in
    else:
        gaps.append(Iv(lo, lo_in, dom.hi, True))
    return dom.norm(gaps, dom.nullable and not a.null)


def subset(a: VSet, b: VSet, dom: Domain) -> bool:
    return meet(a, complement(b, dom), dom).empty


# ---------------------------------------------------------------- boxes and regions
Box: TypeAlias = dict[Key, VSet]  # a subject not in the box takes any value (null included)
Region: TypeAlias = list[Box]     # a union of boxes; [] admits nothing, [{}] everything


class Space:
    """The subjects met so far (key → domain, and the text of each, for messages)."""

    def __init__(self) -> None:
        self.domains: dict[Key, Domain] = {}
        self.texts: dict[Key, str] = {}

    def box_meet(self, a: Box, b: Box) -> Box | None:
        out = dict(a)
        for k, v in b.items():
            old = out.get(k)
            if old is not None:
                v = meet(old, v, self.domains[k])
                if v.empty:
                    return None
            out[k] = v
        return out

    def intersects(self, a: Box, b: Box) -> bool:
        for k, v in b.items():
            old = a.get(k)
            if old is not None and meet(old, v, self.domains[k]).empty:
                return False
        return True

    def subtract(self, r: Box, a: Box) -> list[Box]:
        """r minus a, as disjoint boxes (r and a intersect)."""
        pieces: list[Box] = []
        cur = dict(r)
        for k, av in a.items():
            dom = self.domains[k]
            rv = cur.get(k)
            if rv is None:
                rv = dom.universe()
            outside = meet(rv, complement(av, dom), dom)
            if not outside.empty:
                pieces.append({**cur, k: outside})
            cur[k] = meet(rv, av, dom)
        return pieces

    def product(self, a: Region, b: Region) -> Region | None:
        out: Region = []
        for x in a:
            for y in b:
                m = self.box_meet(x, y)
                if m is not None:
                    out.append(m)
                    if len(out) > MAX_BOXES:
                        return None
        return out


class _Unknown(Exception):
    """The condition has a part the analysis does not take (an error type, too many boxes)."""


_DATE_DOMAIN = Domain(True, datetime.date.min.toordinal(), datetime.date.max.toordinal())
_FLIP = {ir.CmpOp.LT: ir.CmpOp.GT, ir.CmpOp.LE: ir.CmpOp.GE, ir.CmpOp.GT: ir.CmpOp.LT,
         ir.CmpOp.GE: ir.CmpOp.LE, ir.CmpOp.EQ: ir.CmpOp.EQ, ir.CmpOp.NE: ir.CmpOp.NE}
_NO = object()  # "not a constant"


def expr_key(e: object) -> object:
    """A hashable identity of an expression: its structure, without spans and types."""
    match e:
        case ir.FieldRef(name=n):
            return ("field", n)
        case ir.DerivedRef(name=n):
            return ("derived", n)
        case ir.Const(value=v):
            return ("const", type(v).__name__, v)
        case tuple():
            return tuple(expr_key(x) for x in e)
        case enum.Enum():
            return e.value
    if isinstance(e, ir.Expr.__args__):
        return (type(e).__name__,) + tuple(expr_key(getattr(e, s)) for s in e.__slots__
                                           if s not in ("span", "type"))
    return e


def constant(e: ir.Expr) -> object:
    """The value of a constant expression (None: null), or _NO."""
    match e:
        case ir.Const(value=v) if e.type.base != "map":
            return v
        case ir.Neg(operand=ir.Const(value=v)) if isinstance(v, int | Decimal) \
                and not isinstance(v, bool):
            return -v
        case ir.Call(func="date" | "fim_bimestre", args=args):
            vals = [constant(a) for a in args]
            if any(v is _NO or not (v is None or type(v) is int) for v in vals):
                return _NO
            if e.func == "date":
                return dates.make_date(*vals)  # type: ignore[arg-type]
            return dates.fim_bimestre(*vals)  # type: ignore[arg-type]
    return _NO


class Analyser:
    """Regions of conditions over one ledger's records, all in one Space."""

    def __init__(self, space: Space | None = None) -> None:
        self.space = space or Space()

    def region(self, e: ir.Expr, positive: bool = True) -> Region | None:
        """The records for which `e` is TRUE (positive) or FALSE; None when unknown."""
        try:
            return self._region(e, positive)
        except _Unknown:
            return None

    # ------------------------------------------------------------ the walk
    def _region(self, e: ir.Expr, pos: bool) -> Region:
        if e.type.is_error:
            raise _Unknown
        match e:
            case ir.Const(value=v):
                if v is None or not isinstance(v, bool):
                    return []  # null is neither true nor false
                return [{}] if v == pos else []
            case ir.Not(operand=x):
                return self._region(x, not pos)
            case ir.And(operands=xs) | ir.Or(operands=xs):
                conj = isinstance(e, ir.And) == pos  # and-true / or-false: every operand
                parts = [self._region(x, pos) for x in xs]
                if not conj:
                    out = [b for p in parts for b in p]
                    if len(out) > MAX_BOXES:
                        raise _Unknown
                    return out
                acc: Region = [{}]
                for p in parts:
                    nxt = self.space.product(acc, p)
                    if nxt is None:
                        raise _Unknown
                    acc = nxt
                    if not acc:
                        break
                return acc
            case ir.Compare(op=op, left=a, right=b):
                ca, cb = constant(a), constant(b)
                if cb is not _NO and ca is _NO:
                    return self._cmp(a, op, cb, pos)
                if ca is not _NO and cb is _NO:
                    return self._cmp(b, _FLIP[op], ca, pos)
            case ir.InList(operand=x, items=items, negated=neg):
                key, dom = self._subject(x)
                vals = [self._value(i.value, x) for i in items]
                t = dom.norm([Iv(v, True, v, True) for v in vals], False)
                return self._atom(key, dom, t, pos != neg)
            case ir.IsNull(operand=x, negated=neg):
                key, dom = self._subject(x)
                return self._atom(key, dom, dom.norm([], True), pos != neg, nulls=True)
            case ir.Call(func="within", args=(x, lo, hi)):
                clo, chi = constant(lo), constant(hi)
                if clo is not _NO and chi is not _NO:
                    key, dom = self._subject(x)
                    lv = None if clo is None else self._value(clo, x)
                    hv = None if chi is None else self._value(chi, x)
                    return self._atom(key, dom, dom.norm([Iv(lv, True, hv, True)], False), pos)
        if e.type.base not in ("bool", "null"):
            raise _Unknown
        key, dom = self._subject(e)  # an opaque bool: a subject of its own
        return self._atom(key, dom, dom.norm([Iv(1, True, 1, True)], False), pos)

    def _cmp(self, x: ir.Expr, op: ir.CmpOp, c: object, pos: bool) -> Region:
        if c is None:
            return []  # a comparison with null is null
        key, dom = self._subject(x)
        v = self._value(c, x)
        if op is ir.CmpOp.EQ or op is ir.CmpOp.NE:
            iv = Iv(v, True, v, True)
        elif op is ir.CmpOp.LT or op is ir.CmpOp.LE:
            iv = Iv(None, True, v, op is ir.CmpOp.LE)
        else:
            iv = Iv(v, op is ir.CmpOp.GE, None, True)
        t = dom.norm([iv], False)
        return self._atom(key, dom, t, pos == (op is not ir.CmpOp.NE))

    def _atom(self, key: Key, dom: Domain, t: VSet, pos: bool, nulls: bool = False) -> Region:
        """`t` is where the atom is TRUE; it is FALSE on the rest of the domain — except null,
        where a comparison is neither (`nulls`: the atom is a null test, never null)."""
        s = t if pos else meet(complement(t, dom), dom.universe(null=nulls), dom)
        if s.empty:
            return []
        return [{key: s}]

    def _subject(self, x: ir.Expr) -> tuple[Key, Domain]:
        if x.type.is_error:
            raise _Unknown
        key: Key = ("s", expr_key(x))
        dom = self.space.domains.get(key)
        if dom is None:
            # only a stored field's declared `required` is trusted to exclude null
            nullable = x.type.nullable or not isinstance(x, ir.FieldRef)
            base = x.type.base
            if base == "int":
                dom = Domain(True, nullable=nullable)
            elif base == "bool":
                dom = Domain(True, 0, 1, nullable=nullable)
            elif base == "date":
                dom = Domain(True, _DATE_DOMAIN.lo, _DATE_DOMAIN.hi, nullable=nullable)
            elif base == "str":
                dom = Domain(False, "", nullable=nullable)
            else:  # decimal, and anything only tested for null (a record)
                dom = Domain(False, nullable=nullable)
            self.space.domains[key] = dom
        return key, dom

    def _value(self, c: object, x: ir.Expr) -> Value:
        """A constant as a point of x's domain."""
        base = x.type.base
        if base == "bool" and isinstance(c, bool):
            return int(c)
        if base == "date" and isinstance(c, datetime.date):
            return c.toordinal()
        if base in ("int", "decimal") and isinstance(c, int | Decimal) \
                and not isinstance(c, bool):
            return c
        if base == "str" and isinstance(c, str):
            return c
        raise _Unknown  # the checker reported it (or it cannot be compared)
