"""IR expression → Python expression text.

Plain operators where the checker proved operands non-null; null-aware `o.*` helpers elsewhere.
Sub-expressions that depend only on constants and parameters are hoisted out of record loops.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import assert_never

from compiler import ir
from compiler.codegen import names

if TYPE_CHECKING:
    from compiler.scanplan import Guard
    from compiler.scanplan import ScanPlan

_CMP_HELPER = {ir.CmpOp.EQ: "eq", ir.CmpOp.NE: "ne", ir.CmpOp.LT: "lt", ir.CmpOp.LE: "le",
               ir.CmpOp.GT: "gt", ir.CmpOp.GE: "ge"}
_BIN_HELPER = {ir.BinOp.ADD: "add", ir.BinOp.SUB: "sub", ir.BinOp.MUL: "mul"}
_CALLS = {"coalesce": "coalesce", "round": "round_", "round_half_up": "round_up",
          "abs": "abs_", "left": "left", "within": "within", "date": "date",
          "fim_bimestre": "fim_bimestre", "year": "year", "month": "month", "day": "day",
          "bimestre": "bimestre", "concat": "concat", "date_text": "date_text",
          "join_texts": "join_texts"}


def _has_lookup(e: ir.Expr) -> bool:
    from compiler.scanplan import lookups_in  # scanplan imports the kinds, which import this

    return bool(lookups_in(e))


def literal(v: object) -> str:
    if isinstance(v, bool) or v is None:
        return repr(v)
    if isinstance(v, Decimal):
        return f'D("{v}")'
    if isinstance(v, int | str):
        return repr(v)
    raise AssertionError(v)


def invariant(e: ir.Expr) -> bool:
    """True when `e` reads no record: only constants, parameters and pure builtins."""
    match e:
        case ir.Const() | ir.ParamRef():
            return True
        case ir.FieldRef() | ir.DerivedRef() | ir.MapLookup() | ir.Aggregate() | ir.CellRef():
            return False
        case ir.GetField(record=r):
            return invariant(r)
        case ir.Neg(operand=x) | ir.Not(operand=x) | ir.Matches(operand=x) | ir.IsNull(operand=x):
            return invariant(x)
        case ir.InList(operand=x):
            return invariant(x)
        case ir.Binary(left=a, right=b) | ir.Compare(left=a, right=b):
            return invariant(a) and invariant(b)
        case ir.And(operands=xs) | ir.Or(operands=xs):
            return all(invariant(x) for x in xs)
        case ir.If(cond=c, then=a, other=b):
            return invariant(c) and invariant(a) and invariant(b)
        case ir.Call(args=args):
            return all(invariant(a) for a in args)
        case _:
            assert_never(e)


def _bound(b: ir.Expr, code: str, test: str) -> str:
    """One side of a plain `within`: nothing for a null literal, the comparison for a bound
    that is never null, else the comparison unless the bound is null at run time."""
    if b.type.base == "null":
        return ""
    if not b.type.nullable:
        return f"({test})"
    return f"({code} is None or {test})"


def _simple(code: str) -> bool:
    """A bare local name or a short literal: cheap to mention twice."""
    return code.isidentifier() or code.lstrip("-").isdigit()


class PyExpr:
    """Renders expressions; collects hoisted loop invariants as (name, code) in order."""

    def __init__(self, maps: dict[str, ir.Map], hoist: bool = True,
                 plan: ScanPlan | None = None,
                 row_name: Callable[[str, int], str] | None = None) -> None:
        self.maps = maps
        self.row_name = row_name  # a cell's row by name (finish), else by index
        # A scan's lookups are the plan's (compiler/scanplan.py): `_l<n>` is its lookup n
        # (SQL's join lookup_<n>); `bound` logs each binding with its scope (`guards`, kept
        # by the ScanWriter), for the scan to check against the plan's bindings.
        self.plan = plan
        self.part = -1  # the scan plan part being rendered (-1: the derived fields)
        self.guards: list[Guard] = []
        # the Python tests of the guards open inside the expression being rendered (LAZY of
        # compiler/scanplan.py): a lookup bound under them is made only when they hold, into a
        # local of its own (`_l<n>_<k>`: two chains never share one), remembered per chain
        # while the scope around it is open, as the plan's Builder does
        self._lazy: list[str] = []
        self._memo: dict[tuple[Guard, ...], dict[str, str]] = {}
        self._nlazy = 0
        self.bound: list[tuple[int, tuple[Guard, ...]]] = []
        self.hoisted: list[tuple[str, str]] = []
        self._hoisted_code: dict[str, str] = {}
        self.hoist = hoist
        # Map lookups are evaluated once per record, before the statement that uses them
        # (so `covid or lookup(...)` still checks the key: lookups are eager, as in SQL joins).
        self.lookups: dict[str, str] = {}
        self.pending: list[str] = []
        self._nlookups = 0
        # What the rendered code needs, tracked as it is rendered (imports and the locals a
        # generated function binds): "ops" (runtime.ops as o), "D" (runtime.values.D),
        # "skip" (a lookup that may raise SkipRecord); parameters, maps, cells' layouts.
        self.uses: set[str] = set()
        self.params: set[str] = set()
        self.fields: set[str] = set()  # stored fields read (names.field_var names)
        self.maps_used: set[str] = set()
        self.cells: set[str] = set()

    def _open(self, what: str, e: ir.Expr, test: str) -> None:
        """Open a guard of scanplan.LAZY inside the expression: `test` is its Python text."""
        from compiler.scanplan import Guard

        self.guards.append(Guard(part=self.part, what=what, expr=e))
        self._lazy.append(test)
        self.lookups.update(self._memo.get(tuple(self.guards), {}))

    def _close(self) -> None:
        self.guards.pop()
        self._lazy.pop()

    def _guarded(self, what: str, cond: ir.Expr, test: str, e: ir.Expr) -> str:
        """`e` rendered under one guard of scanplan.LAZY (an `if` branch): the lookups bound
        there are forgotten after it, as the plan's scope is closed."""
        saved = self.scope()
        self._open(what, cond, test)
        try:
            return self(e)
        finally:
            self._close()
            self.restore(saved)

    def take_pending(self) -> list[str]:
        """Statements (`_l0 = M_x.find(...)`) to emit before the expression just rendered."""
        out, self.pending = self.pending, []
        return out

    def close_scope(self) -> None:
        """A scope of the scan (ScanWriter.exit) is closed: the chains of guards inside it
        are forgotten (compiler/scanplan.py Builder.exit)."""
        from compiler.scanplan import forget

        closed = tuple(self.guards)
        self.guards.pop()
        self._memo = forget(self._memo, closed)

    def scope(self) -> dict[str, str]:
        """Enter a nested block: lookups made inside are forgotten by restore()."""
        return dict(self.lookups)

    def restore(self, saved: dict[str, str]) -> None:
        self.lookups = saved

    def _maybe_hoist(self, e: ir.Expr, code: str) -> str:
        if not self.hoist or isinstance(e, ir.Const | ir.ParamRef) or not invariant(e):
            return code
        if code in self._hoisted_code:
            return self._hoisted_code[code]
        name = f"_k{len(self.hoisted)}"
        self.hoisted.append((name, code))
        self._hoisted_code[code] = name
        return name

    def __call__(self, e: ir.Expr) -> str:
        return self._maybe_hoist(e, self.render(e))

    def _o(self, helper: str, *args: str) -> str:
        self.uses.add("ops")
        return f"o.{helper}({', '.join(args)})"

    def render(self, e: ir.Expr) -> str:
        n = e.type.nullable
        match e:
            case ir.Const(value=v):
                if isinstance(v, Decimal):
                    self.uses.add("D")
                return literal(v)
            case ir.FieldRef(name=name):
                self.fields.add(name)
                return names.field_var(name)
            case ir.DerivedRef(name=name):
                return names.derived_var(name)
            case ir.ParamRef(name=name):
                self.params.add(name)
                return names.param_var(name)
            case ir.MapLookup(map=m, keys=keys):
                key = ", ".join(self(k) for k in keys)
                self.maps_used.add(m)
                self.uses.add("skip")  # find() raises SkipRecord on a missing key
                code = f"{names.map_var(m)}.find(({key},), _line)"
                if code not in self.lookups:
                    if self.plan is not None:
                        index = self.plan.lookup_of(e).index
                        self.bound.append((index, tuple(self.guards)))
                    else:
                        index = self._nlookups
                        self._nlookups += 1
                    var = f"_l{index}"
                    if self._lazy:
                        var = f"_l{index}_{self._nlazy}"
                        self._nlazy += 1
                        self._memo.setdefault(tuple(self.guards), {})[code] = var
                    self.lookups[code] = var
                    # A hit is one dict lookup; a miss goes through find() (the declared
                    # missing-key behaviour: null, or a data error and the record skipped).
                    find = f"{names.entries_var(m)}.get(({key},)) or {code}"
                    if self._lazy:  # not needed unless the guards hold: not made
                        find = f"({find}) if {' and '.join(self._lazy)} else None"
                    self.pending.append(f"{var} = {find}")
                return self.lookups[code]
            case ir.GetField(record=r, name=name):
                idx = self.maps[r.map].values.index(name) if isinstance(r, ir.MapLookup) else 0
                if r.type.nullable:
                    return self._o("field", self(r), str(idx))
                return f"{self(r)}[{idx}]"
            case ir.Neg(operand=x):
                return self._o("neg", self(x)) if n else f"(-{self(x)})"
            case ir.Binary(op=op, left=a, right=b):
                if op is ir.BinOp.DIV:
                    return self._o("div", self(a), self(b))
                if n:
                    return self._o(_BIN_HELPER[op], self(a), self(b))
                return f"({self(a)} {op.value} {self(b)})"
            case ir.Compare(op=op, left=a, right=b):
                if n:
                    return self._o(_CMP_HELPER[op], self(a), self(b))
                return f"({self(a)} {op.value} {self(b)})"
            case ir.InList(operand=x, items=items, negated=neg):
                tup = "(" + "".join(f"{literal(i.value)}, " for i in items).rstrip(" ") + ")"
                if n:
                    return self._o("not_in" if neg else "in_", self(x), tup)
                return f"({self(x)} {'not in' if neg else 'in'} {tup})"
            case ir.Matches(operand=x, pattern=p):
                return self._o("matches", self(x), repr(p))
            case ir.IsNull(operand=ir.Const(value=v), negated=neg):
                return repr((v is None) != neg)  # `1 is None` would be a SyntaxWarning
            case ir.IsNull(operand=x, negated=neg):
                return f"({self(x)} is {'not ' if neg else ''}None)"
            case ir.And(operands=ops) | ir.Or(operands=ops):
                # One flat call or boolean operation for a whole chain: Python's parser
                # refuses ~200 nested parentheses.
                word = "and" if isinstance(e, ir.And) else "or"
                parts = [self(x) for x in ops]
                if n:
                    return self._o(f"{word}3", *parts)
                return "(" + f" {word} ".join(parts) + ")"
            case ir.Not(operand=x):
                return self._o("not3", self(x)) if n else f"(not {self(x)})"
            case ir.If(cond=c, then=a, other=b):
                cond = self(c)  # rendered (and its lookups bound) in evaluation order
                then = self._guarded("then", c, f"({cond})", a)
                other = self._guarded("else", c, f"not ({cond})", b)
                return f"({then} if {cond} else {other})"
            case ir.Call(func="coalesce", args=args) if any(_has_lookup(a) for a in args[1:]):
                # a later argument's lookups are made only when the earlier ones are null
                # (scanplan.LAZY "null"), so the value must not evaluate it either
                codes = [self(args[0])]
                saved = self.scope()
                for prev, a in zip(args, args[1:], strict=False):
                    self._open("null", prev, f"{codes[-1]} is None")
                    codes.append(self(a))
                for _ in args[1:]:
                    self._close()
                self.restore(saved)
                out = codes[-1]
                for code in reversed(codes[:-1]):
                    out = f"({code} if {code} is not None else {out})"
                return out
            case ir.Call(func="within", args=(x, lo, hi)) if not x.type.nullable:
                xs, ls, hs = self(x), self(lo), self(hi)
                if all(_simple(t) for t in (xs, ls, hs)):
                    # a null literal leaves its side open; a bound that may be null at run time
                    # is tested (never a literal: `0 is None` is a SyntaxWarning)
                    low = _bound(lo, ls, f"{ls} <= {xs}")
                    high = _bound(hi, hs, f"{xs} <= {hs}")
                    return f"({' and '.join(t for t in (low, high) if t) or 'True'})"
                return self._o("within", xs, ls, hs)
            case ir.Call(func=f, args=args):
                return self._o(_CALLS[f], *(self(a) for a in args))
            case ir.CellRef(layout=lay, row=r, column=c):
                self.cells.add(lay)
                row = self.row_name(lay, r) if self.row_name is not None else str(r)
                return f"{names.rows_var(lay)}[{row}][{c}]"
            case ir.Aggregate():
                raise AssertionError("aggregates are lowered by the layout emitter")
            case _:
                assert_never(e)
