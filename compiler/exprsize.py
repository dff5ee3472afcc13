"""How big the SQL of an expression gets, and how deep a chain of derived fields inlines: the
two limits the checker (compiler/check.py, E0202) and the ledger kind's lowering (E0203) hold
every expression to, so no spec can make the SQL back ends blow up."""

from __future__ import annotations

from compiler import ir

# The SQL back ends write some operands more than once: a division repeats each side about
# ten times (exact half-even rounding, no float), within() its value three times, date() its
# year and month three times. Nested, that is exponential: six nested divisions would be
# millions of SQL nodes. sql_size counts the nodes with those repetitions (an upper bound,
# checked against the generated SQL in tests/unit/test_limits.py); MAX_SQL_SIZE allows three
# nested divisions (four take half a minute and 250 MB to compile).
MAX_SQL_SIZE = 200_000
_REPEATS = {"within": (3, 2, 2), "date": (3, 3, 2), "fim_bimestre": (2, 2)}


def children(e: ir.Expr) -> list[ir.Expr]:
    out: list[ir.Expr] = []
    for attr in e.__slots__:
        v = getattr(e, attr)
        if isinstance(v, tuple):
            out.extend(x for x in v if isinstance(x, ir.Expr.__args__))
        elif isinstance(v, ir.Expr.__args__):
            out.append(v)
    return out


def sql_size(e: ir.Expr) -> int:
    """An upper bound on the SQL nodes `e` renders to, repeated operands counted each time."""
    match e:
        case ir.Binary(op=ir.BinOp.DIV, left=a, right=b):
            return 12 * (sql_size(a) + sql_size(b)) + 150
        case ir.Call(func=f, args=args) if f in _REPEATS:
            return sum(k * sql_size(x) for k, x in zip(_REPEATS[f], args, strict=False)) + 20
    return 4 + sum(sql_size(c) for c in children(e))


# The SQL back ends compute derived fields in one SELECT, and DuckDB expands a derived field
# used by another in place (its binder stops at 1,000 levels): the levels of a chain of derived
# fields add up. 150 keeps even the deepest constructs (~6 DuckDB levels each) under that.
MAX_INLINED_DEPTH = 150


def inlined_depth(e: ir.Expr, derived: dict[str, int]) -> int:
    """Nesting levels of `e` with the derived fields it uses expanded (their depths given)."""
    if isinstance(e, ir.DerivedRef):
        return derived.get(e.name, 0)
    return 1 + max((inlined_depth(c, derived) for c in children(e)), default=0)
