"""IR expression → sqlglot expression tree, per dialect (duckdb, spark), with the null and
decimal semantics of runtime/ops.py.

SQL three-valued logic already is apura's (Kleene and/or/not, null-propagating arithmetic and
comparisons); what differs between engines is spelled here, per dialect: exact decimal division
(DuckDB divides decimals as DOUBLE, Spark rounds half-up), half-even rounding (ROUND_EVEN vs
BROUND), and multiplication widths (DuckDB keeps the operands' precision and fails on overflow).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any
from typing import assert_never

from sqlglot import exp

from compiler import ir
from runtime.contract import DIV_SCALE
from runtime.contract import INT_PRECISION
from runtime.contract import SUM_PRECISION

DIALECTS = ("duckdb", "spark")
MAX_PRECISION = SUM_PRECISION  # any computed decimal is DECIMAL(38, s)

Resolver = Callable[[ir.Expr], "exp.Expr | None"]  # a string: exp.Expr is sqlglot >= 30 typing
Shape = Callable[[ir.Expr], tuple[int, int]]


def col(name: str, table: str | None = None) -> exp.Column:
    """A quoted column reference."""
    return exp.column(name, table=table, quoted=True)


def lit(v: int | Decimal | str | bool | None) -> exp.Expr:
    """A typed literal: decimals as exact CASTs, never floats."""
    if v is None:
        return exp.Null()
    if isinstance(v, bool):
        return exp.Boolean(this=v)
    if isinstance(v, int):
        return exp.Literal.number(v) if v >= 0 else exp.Neg(this=exp.Literal.number(-v))
    if isinstance(v, Decimal):
        p, s = decimal_shape(v)
        return cast(exp.Literal.string(f"{v:f}"), decimal_type(p, s))
    return exp.Literal.string(v)


def decimal_shape(v: Decimal) -> tuple[int, int]:
    """(precision, scale) that holds `v` exactly."""
    sign, digits, expo = v.as_tuple()
    assert isinstance(expo, int)
    scale = max(0, -expo)
    ints = max(1, len(digits) + expo) if len(digits) + expo > 0 else 1
    return min(MAX_PRECISION, ints + scale), scale


def decimal_type(p: int, s: int) -> exp.DataType:
    return exp.DataType.build(f"DECIMAL({min(p, MAX_PRECISION)}, {s})")


def cast(e: exp.Expr, to: exp.DataType | str) -> exp.Cast:
    return exp.Cast(this=e, to=to if isinstance(to, exp.DataType) else exp.DataType.build(to))


def paren(e: exp.Expr) -> exp.Expr:
    """Parenthesise compound operands so precedence never depends on the printer."""
    if isinstance(e, exp.Binary | exp.Unary | exp.Not) and not isinstance(e, exp.Paren):
        return exp.Paren(this=e)
    return e


def glob_regex(pattern: str) -> str:
    """`matches` glob → an anchored regular expression both RE2 and Java accept.

    Same language as fnmatch.translate (`*`, `?`, `[...]`, `[!...]`), dot matching newlines.
    """
    out = ["(?s)^"]
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "*":
            out.append(".*")
        elif c == "?":
            out.append(".")
        elif c == "[":
            j = i
            if j < n and pattern[j] == "!":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:
                out.append(r"\[")
                continue
            body = pattern[i:j]
            i = j + 1
            neg = body.startswith("!")
            if neg:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[").replace("^", "\\^")
            out.append(f"[{'^' if neg else ''}{body}]")
        elif c in _REGEX_SPECIAL:
            out.append("\\" + c)
        else:
            out.append(c)
    out.append("$")
    return "".join(out)


_REGEX_SPECIAL = set(".^$*+?()[]{}|\\")


class SqlExpr:
    """Renders IR expressions of one record as sqlglot trees for one dialect.

    `resolve` maps record-level references (fields, derived fields, parameters, map lookups)
    to column expressions of the relation being built; it returns None for nodes it does not
    own, which are then rendered structurally here.
    """

    def __init__(self, dialect: str, resolve: Resolver, ref_shape: Shape) -> None:
        assert dialect in DIALECTS
        self.dialect = dialect
        self.resolve = resolve
        self.ref_shape = ref_shape

    # ------------------------------------------------------------ decimal shapes
    def shape(self, e: ir.Expr) -> tuple[int, int]:
        """(precision, scale) of a numeric expression, by the SQL standard's exact rules."""
        t = e.type.base
        if t == "int":
            return INT_PRECISION, 0
        if t == "null":
            return 1, 0
        match e:
            case ir.Const(value=Decimal() as v):
                return decimal_shape(v)
            case ir.FieldRef() | ir.GetField() | ir.DerivedRef() | ir.ParamRef():
                return self.ref_shape(e)
            case ir.Neg(operand=x) | ir.Call(func="abs", args=(x,)):
                return self.shape(x)
            case ir.Binary(op=ir.BinOp.DIV):
                return MAX_PRECISION, DIV_SCALE
            case ir.Binary(op=ir.BinOp.MUL, left=a, right=b):
                (p1, s1), (p2, s2) = self.shape(a), self.shape(b)
                return min(MAX_PRECISION, p1 + p2 + 1), s1 + s2
            case ir.Binary(left=a, right=b):
                (p1, s1), (p2, s2) = self.shape(a), self.shape(b)
                s = max(s1, s2)
                return min(MAX_PRECISION, max(p1 - s1, p2 - s2) + s + 1), s
            case ir.If(then=a, other=b) | ir.Call(func="coalesce", args=(a, b)):
                (p1, s1), (p2, s2) = self.shape(a), self.shape(b)
                s = max(s1, s2)
                return min(MAX_PRECISION, max(p1 - s1, p2 - s2) + s), s
            case ir.Call(func="coalesce", args=args):
                shapes = [self.shape(a) for a in args]
                s = max(sc for _, sc in shapes)
                return min(MAX_PRECISION, max(p - sc for p, sc in shapes) + s), s
            case ir.Call(func="round" | "round_half_up", args=(x, ir.Const(value=int() as n))):
                p, s = self.shape(x)
                return min(MAX_PRECISION, p - s + n + 1), n
            case _:
                return MAX_PRECISION, 2

    def as_decimal(self, e: ir.Expr) -> exp.Expr:
        """The operand as a decimal (integers become DECIMAL(19, 0))."""
        code = self(e)
        if e.type.base == "int":
            return cast(code, decimal_type(INT_PRECISION, 0))
        return code

    # ------------------------------------------------------------ rendering
    def __call__(self, e: ir.Expr) -> exp.Expr:
        got = self.resolve(e)
        if got is not None:
            return got
        match e:
            case ir.Const(value=v):
                return lit(v)
            case ir.FieldRef() | ir.DerivedRef() | ir.ParamRef() | ir.MapLookup() \
                    | ir.GetField():
                raise AssertionError(f"unresolved reference {e!r}")
            case ir.Neg(operand=x):
                return exp.Neg(this=paren(self(x)))
            case ir.Binary(op=op, left=a, right=b):
                return self.binary(op, a, b)
            case ir.Compare(op=op, left=a, right=b):
                cls = {ir.CmpOp.EQ: exp.EQ, ir.CmpOp.NE: exp.NEQ, ir.CmpOp.LT: exp.LT,
                       ir.CmpOp.LE: exp.LTE, ir.CmpOp.GT: exp.GT, ir.CmpOp.GE: exp.GTE}[op]
                return cls(this=paren(self(a)), expression=paren(self(b)))
            case ir.InList(operand=x, items=items, negated=neg):
                values = [lit(i.value) for i in items]
                if not values:  # `x in []`: false, or null for a null x
                    empty = exp.Case(ifs=[exp.If(this=exp.Is(this=self(x), expression=exp.Null()),
                                                 true=exp.Null())],
                                     default=exp.Boolean(this=neg))
                    return empty
                test = exp.In(this=paren(self(x)), expressions=values)
                return exp.Not(this=exp.Paren(this=test)) if neg else test
            case ir.Matches(operand=x, pattern=p):
                return exp.RegexpLike(this=self(x), expression=exp.Literal.string(glob_regex(p)))
            case ir.IsNull(operand=x, negated=neg):
                is_null = exp.Is(this=paren(self(x)), expression=exp.Null())
                return exp.Not(this=is_null) if neg else is_null
            case ir.And(operands=xs) | ir.Or(operands=xs):
                return connect(isinstance(e, ir.Or), [self(x) for x in xs])
            case ir.Not(operand=x):
                return exp.Not(this=paren(self(x)))
            case ir.If(cond=c, then=a, other=b):
                return exp.Case(ifs=[exp.If(this=self(c), true=self.branch(e, a))],
                                default=self.branch(e, b))
            case ir.Call(func=f, args=args):
                return self.call(e, f, args)
            case ir.Aggregate() | ir.CellRef():
                raise AssertionError(f"{type(e).__name__} is not a record-level expression")
            case _:
                assert_never(e)

    def branch(self, whole: ir.Expr, part: ir.Expr) -> exp.Expr:
        """A branch of if/coalesce: integers joined with decimals become decimals."""
        if whole.type.base == "decimal" and part.type.base == "int":
            return self.as_decimal(part)
        return self(part)

    def binary(self, op: ir.BinOp, a: ir.Expr, b: ir.Expr) -> exp.Expr:
        if op is ir.BinOp.DIV:
            return self.divide(a, b)
        decimal = "decimal" in (a.type.base, b.type.base)
        x: exp.Expr
        y: exp.Expr
        if op is ir.BinOp.MUL and decimal and self.dialect == "duckdb":
            # DuckDB keeps max(p1, p2) digits for a product and fails when it does not fit;
            # DECIMAL(38, s) operands give the product all 38 digits, exactly.
            x = cast(self.as_decimal(a), decimal_type(MAX_PRECISION, self.shape(a)[1]))
            y = cast(self.as_decimal(b), decimal_type(MAX_PRECISION, self.shape(b)[1]))
        else:
            x = self.as_decimal(a) if decimal else self(a)
            y = self.as_decimal(b) if decimal else self(b)
        cls = {ir.BinOp.ADD: exp.Add, ir.BinOp.SUB: exp.Sub, ir.BinOp.MUL: exp.Mul}[op]
        return cls(this=paren(x), expression=paren(y))

    # ------------------------------------------------------------ exact division
    def divide(self, a: ir.Expr, b: ir.Expr) -> exp.Expr:
        """a / b rounded half-even to 10 places; null when b is 0 or either side is null."""
        zero = exp.EQ(this=paren(self(b)), expression=exp.Literal.number(0))
        body = self._divide_duckdb(a, b) if self.dialect == "duckdb" else self._divide_spark(a, b)
        return exp.Case(ifs=[exp.If(this=zero, true=exp.Null())], default=body)

    def _unscaled(self, e: ir.Expr) -> tuple[exp.Expr, int]:
        """(the value times 10^scale as HUGEINT, scale): exact integer arithmetic in DuckDB."""
        if e.type.base == "int":
            return cast(self(e), "HUGEINT"), 0
        _, s = self.shape(e)
        scaled = exp.Mul(this=paren(self(e)), expression=exp.Literal.number(10 ** s))
        return cast(scaled, "HUGEINT"), s

    def _divide_duckdb(self, a: ir.Expr, b: ir.Expr) -> exp.Expr:
        (na, sa), (nb, sb) = self._unscaled(a), self._unscaled(b)
        k = DIV_SCALE + sb - sa
        n = exp.Mul(this=na, expression=exp.Literal.number(10 ** k)) if k > 0 else na
        d = exp.Mul(this=nb, expression=exp.Literal.number(10 ** -k)) if k < 0 else nb
        q = exp.IntDiv(this=paren(n), expression=paren(d))
        r = exp.Mod(this=paren(n.copy()), expression=paren(d.copy()))
        twice_r = exp.Mul(this=exp.Literal.number(2), expression=exp.Abs(this=r))
        abs_d = exp.Abs(this=d.copy())
        odd = exp.NEQ(this=exp.Mod(this=paren(q.copy()), expression=exp.Literal.number(2)),
                      expression=exp.Literal.number(0))
        up = exp.Or(this=exp.GT(this=twice_r, expression=abs_d),
                    expression=exp.And(this=exp.EQ(this=twice_r.copy(), expression=abs_d.copy()),
                                       expression=odd))
        direction = exp.Mul(this=exp.Sign(this=n.copy()), expression=exp.Sign(this=d.copy()))
        rounded = exp.Case(ifs=[exp.If(this=up, true=exp.Add(this=q.copy(), expression=direction))],
                           default=q.copy())
        unit = cast(exp.Literal.string("0." + "0" * (DIV_SCALE - 1) + "1"),
                    decimal_type(DIV_SCALE + 1, DIV_SCALE))
        return exp.Mul(this=cast(rounded, decimal_type(MAX_PRECISION, 0)), expression=unit)

    def _divide_spark(self, a: ir.Expr, b: ir.Expr) -> exp.Expr:
        # Spark divides decimals exactly to a scale >= 11 here (operands are narrow), rounding
        # half-up there; BROUND then gives half-even at 10 places, except when that half-up
        # step made a tie that the exact quotient is not: decide those by comparing |a| with
        # |u * b| exactly.
        x, y = self.as_decimal(a), self.as_decimal(b)
        u = exp.Div(this=paren(x), expression=paren(y))
        shifted = exp.Mul(this=exp.Abs(this=u.copy()), expression=exp.Literal.number(10 ** 10))
        tie = exp.EQ(this=exp.Mod(this=shifted, expression=exp.Literal.number(1)),
                     expression=lit(Decimal("0.5")))
        back = exp.Abs(this=exp.Mul(this=paren(u.copy()), expression=paren(y.copy())))
        abs_a = exp.Abs(this=x.copy())
        half = lit(Decimal("0.00000000005"))
        step = exp.Mul(this=exp.Sign(this=u.copy()), expression=half)
        away = exp.Add(this=paren(u.copy()), expression=step)
        toward = exp.Sub(this=paren(u.copy()), expression=step.copy())
        inexact_tie = exp.And(this=tie, expression=exp.NEQ(this=abs_a, expression=back))
        fixed = exp.Case(ifs=[exp.If(this=exp.GT(this=abs_a.copy(), expression=back.copy()),
                                     true=away)], default=toward)
        rounded = exp.Anonymous(this="BROUND", expressions=[u.copy(), exp.Literal.number(10)])
        return cast(exp.Case(ifs=[exp.If(this=inexact_tie, true=fixed)], default=rounded),
                    decimal_type(MAX_PRECISION, DIV_SCALE))

    # ------------------------------------------------------------ builtins
    def call(self, e: ir.Expr, f: str, args: tuple[ir.Expr, ...]) -> exp.Expr:
        if f == "coalesce":
            return exp.Coalesce(this=self.branch(e, args[0]),
                                expressions=[self.branch(e, a) for a in args[1:]])
        if f in ("round", "round_half_up"):
            arg, n = args
            assert isinstance(n, ir.Const) and isinstance(n.value, int)
            name = "ROUND" if f == "round_half_up" else \
                ("ROUND_EVEN" if self.dialect == "duckdb" else "BROUND")
            p, s = self.shape(e)
            rounded = exp.Anonymous(this=name, expressions=[self.as_decimal(arg),
                                                            exp.Literal.number(n.value)])
            return cast(rounded, decimal_type(p, s))
        if f == "abs":
            return exp.Abs(this=self(args[0]))
        if f == "left":
            # LEFT counts code points on both engines (DuckDB's left_grapheme would not);
            # n is a literal >= 0 (the checker), so a negative width never reaches SQL
            return exp.Left(this=self(args[0]), expression=self(args[1]))
        if f == "within":
            x, lo, hi = (self(a) for a in args)
            parts: list[exp.Expr] = []
            for bound, test in ((lo, exp.LTE(this=paren(lo), expression=paren(x))),
                                (hi, exp.LTE(this=paren(x.copy()), expression=paren(hi)))):
                if isinstance(bound, exp.Null):
                    continue
                parts.append(exp.Paren(this=exp.Or(
                    this=exp.Is(this=paren(bound.copy()), expression=exp.Null()),
                    expression=test)))
            inside: exp.Expr = exp.Boolean(this=True)
            for part in parts:
                inside = part if isinstance(inside, exp.Boolean) else exp.And(this=inside,
                                                                                expression=part)
            return exp.Case(ifs=[exp.If(this=exp.Is(this=paren(x.copy()), expression=exp.Null()),
                                        true=exp.Null())], default=inside)
        if f == "concat":
            parts = [self(a) for a in args]
            null = any_of(*(exp.Is(this=paren(p.copy()), expression=exp.Null()) for p in parts))
            text = exp.Concat(expressions=[cast(p, "VARCHAR") if a.type.base == "int" else p
                                           for p, a in zip(parts, args, strict=True)])
            return exp.Case(ifs=[exp.If(this=null, true=exp.Null())], default=text)
        if f == "join_texts":
            between, parts = self(args[0]), [self(a) for a in args[1:]]
            none = exp.and_(*(exp.Is(this=paren(p.copy()), expression=exp.Null())
                              for p in parts), copy=False)
            return exp.Case(ifs=[exp.If(this=none, true=exp.Null())],
                            # CONCAT_WS skips nulls on both engines (sqlglot's ConcatWs
                            # would render a null-propagating CASE around it)
                            default=exp.Anonymous(this="CONCAT_WS", expressions=[between, *parts]))
        if f == "date_text":
            d, pattern = self(args[0]), args[1]
            assert isinstance(pattern, ir.Const) and isinstance(pattern.value, str)
            pat = pattern.value
            sep = "" if len(pat) == 8 else pat[2] if pat[2] in "-/" else pat[4]

            def pad(part: exp.Expr, width: int) -> exp.Expr:
                return exp.Pad(this=cast(part, "VARCHAR"), expression=exp.Literal.number(width),
                               fill_pattern=exp.Literal.string("0"), is_left=True)
            y, m, dd = (pad(exp.Year(this=d.copy()), 4), pad(exp.Month(this=d.copy()), 2),
                        pad(exp.Day(this=d.copy()), 2))
            order = [y, m, dd] if pat.startswith("A") else [dd, m, y]
            pieces: list[exp.Expr] = []
            for i, part in enumerate(order):
                if i and sep:
                    pieces.append(exp.Literal.string(sep))
                pieces.append(part)
            return exp.Case(ifs=[exp.If(this=exp.Is(this=paren(d.copy()), expression=exp.Null()),
                                        true=exp.Null())],
                            default=exp.Concat(expressions=pieces))
        if f == "date":
            return make_date(*(self(a) for a in args))
        if f == "fim_bimestre":
            y, b = (self(a) for a in args)
            ok = exp.And(this=exp.Between(this=b, low=exp.Literal.number(1),
                                          high=exp.Literal.number(6)),
                         expression=exp.Between(this=y, low=exp.Literal.number(1),
                                                high=exp.Literal.number(9999)))
            first = exp.Anonymous(this="MAKE_DATE", expressions=[
                y.copy(), exp.Mul(this=paren(b.copy()), expression=exp.Literal.number(2)),
                exp.Literal.number(1)])
            return exp.Case(ifs=[exp.If(this=ok, true=exp.LastDay(this=first))])
        if f in ("year", "month", "day"):
            cls = {"year": exp.Year, "month": exp.Month, "day": exp.Day}[f]
            return cls(this=self(args[0]))
        if f == "bimestre":
            month = exp.Month(this=self(args[0]))
            return exp.IntDiv(this=exp.Paren(this=exp.Add(this=month,
                                                          expression=exp.Literal.number(1))),
                              expression=exp.Literal.number(2))
        raise AssertionError(f"no SQL for builtin {f!r}")


def connect(is_or: bool, parts: list[exp.Expr]) -> exp.Expr:
    """An and/or chain as a balanced tree: sqlglot (and the engines' parsers) recurse per
    level, so a 2,000-term `or` must be 11 levels deep, not 2,000."""
    if len(parts) == 1:
        return parts[0]
    mid = (len(parts) + 1) // 2
    left, right = paren(connect(is_or, parts[:mid])), paren(connect(is_or, parts[mid:]))
    if is_or:
        return exp.Paren(this=exp.Or(this=left, expression=right))
    return exp.And(this=left, expression=right)


def make_date(y: exp.Expr, m: exp.Expr, d: exp.Expr) -> exp.Expr:
    """date(y, m, d) that is null (never an error) when the date does not exist.

    Nested CASEs, so MAKE_DATE only ever sees a valid month and year.
    """
    def num(v: int) -> exp.Literal | exp.Neg:
        return exp.Literal.number(v)

    plausible = all_of(exp.Between(this=m, low=num(1), high=num(12)),
                         exp.Between(this=y, low=num(1), high=num(9999)),
                         exp.GTE(this=d, expression=num(1)))
    last = exp.Day(this=exp.LastDay(this=exp.Anonymous(this="MAKE_DATE",
                                                       expressions=[y.copy(), m.copy(), num(1)])))
    exists = exp.LTE(this=d.copy(), expression=last)
    made = exp.Anonymous(this="MAKE_DATE", expressions=[y.copy(), m.copy(), d.copy()])
    return exp.Case(ifs=[exp.If(this=plausible, true=exp.Case(ifs=[exp.If(this=exists,
                                                                           true=made)]))])


# The builders below take their operands as they are (sqlglot's default copies each one, deep):
# every tree apura builds is used once, so copying only cost time (half of compiling).
def as_alias(e: exp.Expr, name: str, **kw: Any) -> exp.Expr:
    """`e AS name` (exp.alias_ without the copy)."""
    return exp.alias_(e, name, copy=False, **kw)


def all_of(*xs: exp.Expr) -> exp.Expr:
    """`x1 AND x2 ...` (exp.and_ without the copy)."""
    return exp.and_(*xs, copy=False)


def any_of(*xs: exp.Expr) -> exp.Expr:
    """`x1 OR x2 ...` (exp.or_ without the copy)."""
    return exp.or_(*xs, copy=False)
