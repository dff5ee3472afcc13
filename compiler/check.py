"""Name resolution and static type checking: surface AST → typed IR expressions.

Unknown names get the error type and checking goes on; every problem becomes a Diagnostic.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal

from compiler import builtins
from compiler import catalog
from compiler import ir
from compiler import types as T
from compiler.chars import first_unsafe
from compiler.diagnostics import Diagnostic
from compiler.expr import ast
from compiler.exprsize import MAX_SQL_SIZE
from compiler.exprsize import children
from compiler.exprsize import sql_size
from compiler.source import Span


@dataclass(slots=True)
class MapInfo:
    """What the checker knows about a map: key types and the record type it returns."""

    id: str
    key: tuple[tuple[str, T.Type], ...]
    record: T.Type


@dataclass(slots=True)
class LayoutInfo:
    """Rows and columns of a layout, for cell()."""

    id: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]


@dataclass(slots=True)
class Scope:
    """Names visible to one expression and what the expression may do."""

    where: str
    ledger: str | None = None
    fields: dict[str, T.Type] = field(default_factory=dict)
    derived: dict[str, T.Type] = field(default_factory=dict)
    params: dict[str, T.Type] = field(default_factory=dict)
    maps: dict[str, MapInfo] = field(default_factory=dict)
    layouts: dict[str, LayoutInfo] = field(default_factory=dict)
    allow_aggregate: bool = False
    # Some spec file failed to load: do not report maps/layouts as unknown (they may be in it).
    incomplete: bool = False
    # Filled while checking: cells this expression reads, as (layout, row index).
    cells: list[tuple[str, int, Span]] = field(default_factory=list)


def _close(name: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(name, names, n=1, cutoff=0.6)


class Checker:
    """Checks one expression at a time against a Scope."""

    def __init__(self, diags: list[Diagnostic]) -> None:
        self.diags = diags

    def err(self, d: Diagnostic) -> None:
        self.diags.append(d)

    def _safe_text(self, text: str, span: Span) -> None:
        """S0504: text literals reach generated SQL and Python; no control characters."""
        at = first_unsafe(text)
        if at is not None:
            self.err(catalog.unsafe_expr_text(span, char=text[at]))

    # ------------------------------------------------------------ entry points
    def condition(self, e: ast.Expr, scope: Scope) -> ir.Expr:
        out = self.expr(e, scope, in_agg=False)
        self.sized(out)
        if not out.type.is_error and out.type.base not in ("bool", "null"):
            self.err(catalog.not_boolean(e.span, where=scope.where, got=out.type.display()))
        return out

    def scalar(self, e: ast.Expr, scope: Scope) -> ir.Expr:
        out = self.expr(e, scope, in_agg=False)
        self.sized(out)
        return out

    def sized(self, e: ir.Expr) -> bool:
        """False, and E0202 reported, when the SQL of `e` would be too big (see sql_size)."""
        if sql_size(e) <= MAX_SQL_SIZE:
            return True
        while True:  # report the innermost part that is too big on its own
            inner = next((c for c in children(e) if sql_size(c) > MAX_SQL_SIZE), None)
            if inner is None:
                break
            e = inner
        self.err(catalog.expr_too_big(e.span, limit=MAX_SQL_SIZE))
        return False

    def column_value(self, e: ast.Expr, scope: Scope) -> ir.Aggregate | None:
        if not (isinstance(e, ast.Call) and e.func in builtins.AGGREGATES):
            # still check the inside so names are reported
            self.expr(e, scope, in_agg=True)
            self.err(catalog.aggregate_required(e.span, where=scope.where))
            return None
        out = self.expr(e, scope, in_agg=False, top_aggregate=True)
        if isinstance(out, ir.Aggregate) and self.sized(out):
            if out.arg is not None and not (out.type.is_numeric or out.type.is_error) \
                    and out.func == "sum":
                self.err(catalog.wrong_value_type(e.span, where=scope.where,
                                                  expected="um valor numérico",
                                                  got=out.type.display()))
            return out
        return None

    # ------------------------------------------------------------ the walk
    def expr(self, e: ast.Expr, s: Scope, *, in_agg: bool,
             top_aggregate: bool = False) -> ir.Expr:
        match e:
            case ast.Number(value=v):
                return ir.Const(value=v, type=T.DECIMAL if isinstance(v, Decimal) else T.INT,
                                span=e.span)
            case ast.String(value=v):
                self._safe_text(v, e.span)
                return ir.Const(value=v, type=T.STR, span=e.span)
            case ast.Bool(value=v):
                return ir.Const(value=v, type=T.BOOL, span=e.span)
            case ast.Null():
                return ir.Const(value=None, type=T.NULL, span=e.span)
            case ast.Param(name=n):
                if n not in s.params:
                    self.err(catalog.unknown_param(e.span, name=n,
                                                   candidates=_close(n, list(s.params))))
                    return ir.ParamRef(name=n, type=T.ERROR, span=e.span)
                return ir.ParamRef(name=n, type=s.params[n], span=e.span)
            case ast.Name(name=n):
                return self._name(e, n, s)
            case ast.Attr(obj=o, name=n):
                rec = self.expr(o, s, in_agg=in_agg)
                if rec.type.is_error:
                    return ir.GetField(record=rec, name=n, type=T.ERROR, span=e.span)
                if rec.type.base != "record":
                    self.err(catalog.bad_operand(e.name_span, op=".", left=rec.type.display()))
                    return ir.GetField(record=rec, name=n, type=T.ERROR, span=e.span)
                ft = rec.type.field(n)
                if ft is None:
                    names = [f for f, _ in rec.type.fields]
                    self.err(catalog.unknown_attribute(e.name_span, name=n,
                                                       of=rec.type.display(),
                                                       candidates=_close(n, names)))
                    return ir.GetField(record=rec, name=n, type=T.ERROR, span=e.span)
                return ir.GetField(record=rec, name=n, type=ft.null(ft.nullable or
                                                                     rec.type.nullable),
                                   span=e.span)
            case ast.Call():
                return self._call(e, s, in_agg=in_agg, top_aggregate=top_aggregate)
            case ast.Where():
                self.err(catalog.aggregate_not_allowed(e.span, func="where"))
                return ir.Const(value=None, type=T.ERROR, span=e.span)
            case ast.Neg(operand=o):
                x = self.expr(o, s, in_agg=in_agg)
                if not (x.type.is_numeric or x.type.is_error):
                    self.err(catalog.bad_operand(e.span, op="-", left=x.type.display()))
                    return ir.Neg(operand=x, type=T.ERROR, span=e.span)
                return ir.Neg(operand=x, type=x.type, span=e.span)
            case ast.Binary(op=op, left=le, right=ri):
                a = self.expr(le, s, in_agg=in_agg)
                b = self.expr(ri, s, in_agg=in_agg)
                irop = ir.BinOp(op.value)
                if a.type.is_error or b.type.is_error:
                    return ir.Binary(op=irop, left=a, right=b, type=T.ERROR, span=e.span)
                ok = (a.type.is_numeric or a.type.base == "null") and \
                     (b.type.is_numeric or b.type.base == "null")
                if not ok:
                    self.err(catalog.bad_operand(e.op_span, op=op.value, left=a.type.display(),
                                                 right=b.type.display()))
                    return ir.Binary(op=irop, left=a, right=b, type=T.ERROR, span=e.span)
                t = T.unify_numeric(a.type, b.type)
                if irop is ir.BinOp.DIV:
                    t = T.Type("decimal", True)  # division by zero is null
                return ir.Binary(op=irop, left=a, right=b, type=t, span=e.span)
            case ast.Compare(op=op, left=le, right=ri):
                a = self.expr(le, s, in_agg=in_agg)
                b = self.expr(ri, s, in_agg=in_agg)
                self._comparable(le, a, ri, b)
                if op not in (ast.CmpOp.EQ, ast.CmpOp.NE) and a.type.base == "bool":
                    self.err(catalog.bad_operand(e.op_span, op=op.value, left=a.type.display()))
                return ir.Compare(op=ir.CmpOp(op.value), left=a, right=b,
                                  type=T.BOOL.null(a.type.nullable or b.type.nullable),
                                  span=e.span)
            case ast.InList(operand=o, items=items, negated=neg):
                x = self.expr(o, s, in_agg=in_agg)
                consts: list[ir.Const] = []
                for it in items:
                    c = self.expr(it, s, in_agg=in_agg)
                    if not isinstance(c, ir.Const) or c.value is None:
                        self.err(catalog.wrong_value_type(it.span, where="um item de 'in'",
                                                          expected="um valor literal",
                                                          got=c.type.display()))
                        continue
                    self._comparable(o, x, it, c)
                    consts.append(c)
                return ir.InList(operand=x, items=tuple(consts), negated=neg,
                                 type=T.BOOL.null(x.type.nullable), span=e.span)
            case ast.Matches(operand=o, pattern=p):
                self._safe_text(p, e.span)
                x = self.expr(o, s, in_agg=in_agg)
                if not (x.type.base == "str" or x.type.is_error):
                    self.err(catalog.bad_operand(e.span, op="matches", left=x.type.display()))
                return ir.Matches(operand=x, pattern=p, type=T.BOOL.null(x.type.nullable),
                                  span=e.span)
            case ast.IsNull(operand=o, negated=neg):
                x = self.expr(o, s, in_agg=in_agg)
                return ir.IsNull(operand=x, negated=neg, span=e.span)
            case ast.And(operands=ops) | ast.Or(operands=ops):
                word = "and" if isinstance(e, ast.And) else "or"
                xs = tuple(self._bool(x, s, in_agg, word) for x in ops)
                t = T.BOOL.null(any(x.type.nullable for x in xs))
                if isinstance(e, ast.And):
                    return ir.And(operands=xs, type=t, span=e.span)
                return ir.Or(operands=xs, type=t, span=e.span)
            case ast.Not(operand=o):
                x = self._bool(o, s, in_agg, "not")
                return ir.Not(operand=x, type=T.BOOL.null(x.type.nullable), span=e.span)
            case ast.If(cond=c, then=th, other=ot):
                cc = self._bool(c, s, in_agg, "if")
                a = self.expr(th, s, in_agg=in_agg)
                b = self.expr(ot, s, in_agg=in_agg)
                if a.type.is_error or b.type.is_error:
                    return ir.If(cond=cc, then=a, other=b, type=T.ERROR, span=e.span)
                j = T.join(a.type, b.type)
                if j is None:
                    self.err(catalog.branch_mismatch(e.span, then=a.type.display(),
                                                     other=b.type.display()))
                    j = T.ERROR
                return ir.If(cond=cc, then=a, other=b, type=j, span=e.span)
            case ast.ListLit():
                self.err(catalog.wrong_value_type(e.span, where="uma lista",
                                                  expected="usada só depois de 'in'",
                                                  got="lista"))
                return ir.Const(value=None, type=T.ERROR, span=e.span)
        raise AssertionError(e)

    # ------------------------------------------------------------ helpers
    def _bool(self, e: ast.Expr, s: Scope, in_agg: bool, op: str) -> ir.Expr:
        x = self.expr(e, s, in_agg=in_agg)
        if not (x.type.base in ("bool", "null") or x.type.is_error):
            self.err(catalog.bad_operand(e.span, op=op, left=x.type.display()))
        return x

    def _name(self, e: ast.Name, n: str, s: Scope) -> ir.Expr:
        if s.ledger is None:
            if n in s.maps:
                return ir.Const(value=n, type=T.MAP, span=e.span)
            self.err(catalog.no_record_here(e.span, name=n))
            return ir.FieldRef(ledger="", name=n, type=T.ERROR, span=e.span)
        if n in s.fields:
            return ir.FieldRef(ledger=s.ledger, name=n, type=s.fields[n], span=e.span)
        if n in s.derived:
            return ir.DerivedRef(ledger=s.ledger, name=n, type=s.derived[n], span=e.span)
        if n in s.maps:
            return ir.Const(value=n, type=T.MAP, span=e.span)
        names = list(s.fields) + list(s.derived)
        self.err(catalog.unknown_field(e.span, ledger=s.ledger, name=n,
                                       candidates=_close(n, names)))
        return ir.FieldRef(ledger=s.ledger, name=n, type=T.ERROR, span=e.span)

    def _describe(self, e: ast.Expr, t: T.Type) -> str:
        if isinstance(e, ast.Name):
            return f"o campo {t.display()} '{e.name}'"
        if isinstance(e, ast.String):
            return f'o texto "{e.value}"'
        if isinstance(e, ast.Number):
            return f"o número {e.text}"
        return f"um valor {t.display()}"

    def _comparable(self, le: ast.Expr, a: ir.Expr, ri: ast.Expr, b: ir.Expr) -> None:
        if T.comparable(a.type, b.type):
            return
        hint = None
        if isinstance(ri, ast.String) and a.type.is_numeric and ri.value.isdigit():
            hint = f"escreva {ri.value} sem aspas"
        elif isinstance(ri, ast.Number) and a.type.base == "str":
            hint = f'escreva "{ri.text}" entre aspas'
        span = ri.span if isinstance(ri, ast.String | ast.Number | ast.Bool) else le.span
        self.err(catalog.incomparable(span, left_desc=self._describe(le, a.type),
                                      right_desc=self._describe(ri, b.type), hint=hint,
                                      note=b.type.display()))

    def _call(self, e: ast.Call, s: Scope, *, in_agg: bool, top_aggregate: bool) -> ir.Expr:
        b = builtins.BUILTINS.get(e.func)
        if b is None:
            self.err(catalog.unknown_function(e.name_span, name=e.func,
                                              candidates=_close(e.func, list(builtins.BUILTINS))))
            for a in e.args:
                self.expr(a, s, in_agg=in_agg)
            return ir.Call(func=e.func, args=(), type=T.ERROR, span=e.span)
        n = len(e.args)
        if not (b.min_args <= n <= b.max_args):
            expected = str(b.min_args) if b.min_args == b.max_args else \
                f"de {b.min_args} a {b.max_args}"
            self.err(catalog.wrong_arity(e.span, func=e.func, expected=expected, got=n))
            return ir.Call(func=e.func, args=(), type=T.ERROR, span=e.span)
        if b.aggregate:
            return self._aggregate(e, s, in_agg=in_agg, top=top_aggregate)
        handler = _SCALARS[e.func]
        return handler(self, e, s, in_agg)

    def _aggregate(self, e: ast.Call, s: Scope, *, in_agg: bool, top: bool) -> ir.Expr:
        if not top or in_agg or not s.allow_aggregate:
            self.err(catalog.aggregate_not_allowed(e.span, func=e.func))
            return ir.Const(value=None, type=T.ERROR, span=e.span)
        arg_ast: ast.Expr | None = e.args[0] if e.args else None
        where_ir: ir.Expr | None = None
        if isinstance(arg_ast, ast.Where):
            where_ir = self._bool(arg_ast.cond, s, True, "where")
            arg_ast = arg_ast.value
        arg = self.expr(arg_ast, s, in_agg=True) if arg_ast is not None else None
        if e.func == "count":
            t = T.INT
        elif e.func == "sum":
            t = T.Type(arg.type.base) if arg is not None else T.ERROR
            if arg is not None and not (arg.type.is_numeric or arg.type.is_error):
                self.err(catalog.bad_argument(arg_ast.span if arg_ast else e.span, func="sum",
                                              index=1, expected="numérico",
                                              got=arg.type.display()))
                t = T.ERROR
        else:
            t = arg.type.null() if arg is not None else T.ERROR
        return ir.Aggregate(func=e.func, arg=arg, where=where_ir, type=t, span=e.span)

    def _args(self, e: ast.Call, s: Scope, in_agg: bool) -> list[ir.Expr]:
        return [self.expr(a, s, in_agg=in_agg) for a in e.args]

    def _expect(self, e: ast.Call, args: list[ir.Expr], idx: int, ok: Callable[[T.Type], bool],
                expected: str) -> bool:
        t = args[idx].type
        if t.is_error or t.base == "null" or ok(t):
            return True
        self.err(catalog.bad_argument(e.args[idx].span, func=e.func, index=idx + 1,
                                      expected=expected, got=t.display()))
        return False

    def _nullable(self, args: list[ir.Expr]) -> bool:
        return any(a.type.nullable for a in args)

    def _errored(self, args: list[ir.Expr]) -> bool:
        return any(a.type.is_error for a in args)

    # scalar builtins ----------------------------------------------------------
    def _coalesce(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        args = self._args(e, s, in_agg)
        t: T.Type | None = args[0].type
        for a in args[1:]:
            if t is None or t.is_error or a.type.is_error:
                t = T.ERROR
                break
            t = T.join(t, a.type)
            if t is None:
                self.err(catalog.branch_mismatch(e.span, then=args[0].type.display(),
                                                 other=a.type.display()))
                t = T.ERROR
                break
        assert t is not None
        if not t.is_error:
            t = t.null(args[-1].type.nullable)
        return ir.Call(func="coalesce", args=tuple(args), type=t, span=e.span)

    def _lookup(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        first = e.args[0]
        if not isinstance(first, ast.Name) or first.name not in s.maps:
            name = first.name if isinstance(first, ast.Name) else "?"
            if not s.incomplete:
                self.err(catalog.unknown_map(first.span, name=name,
                                             candidates=_close(name, list(s.maps))))
            for a in e.args[1:]:  # the first argument was just reported as a map, not a field
                self.expr(a, s, in_agg=in_agg)
            return ir.MapLookup(map=name, keys=(), type=T.ERROR, span=e.span)
        info = s.maps[first.name]
        keys = [self.expr(a, s, in_agg=in_agg) for a in e.args[1:]]
        if len(keys) != len(info.key):
            self.err(catalog.wrong_arity(e.span, func=f"lookup({info.id}, ...)",
                                         expected=str(len(info.key) + 1), got=len(e.args)))
            return ir.MapLookup(map=info.id, keys=tuple(keys), type=T.ERROR, span=e.span)
        for (kname, ktype), arg_ast, k in zip(info.key, e.args[1:], keys, strict=True):
            if not k.type.is_error and not T.comparable(ktype, k.type):
                self.err(catalog.lookup_key_mismatch(arg_ast.span, map_id=info.id, key=kname,
                                                     expected=ktype.display(),
                                                     got=k.type.display()))
        rec = info.record.null(info.record.nullable or self._nullable(keys))
        return ir.MapLookup(map=info.id, keys=tuple(keys), type=rec, span=e.span)

    def _cell(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        lits: list[str] = []
        for i, a in enumerate(e.args):
            if not isinstance(a, ast.String):
                self.err(catalog.literal_required(a.span, func="cell", index=i + 1))
                return ir.CellRef(layout="", row=0, column=0, type=T.ERROR, span=e.span)
            lits.append(a.value)
        lay_id, ref, col = lits
        lay = s.layouts.get(lay_id)
        if lay is None:
            if not s.incomplete:
                self.err(catalog.unknown_cell(e.args[0].span, what="o layout", name=lay_id,
                                              candidates=_close(lay_id, list(s.layouts))))
            return ir.CellRef(layout=lay_id, row=0, column=0, type=T.ERROR, span=e.span)
        if ref not in lay.rows:
            self.err(catalog.unknown_cell(e.args[1].span, what="a linha", layout=lay_id,
                                          name=ref, candidates=_close(ref, list(lay.rows))))
            return ir.CellRef(layout=lay_id, row=0, column=0, type=T.ERROR, span=e.span)
        if col not in lay.columns:
            self.err(catalog.unknown_cell(e.args[2].span, what="a coluna", layout=lay_id,
                                          name=col, candidates=list(lay.columns)))
            return ir.CellRef(layout=lay_id, row=0, column=0, type=T.ERROR, span=e.span)
        row, column = lay.rows.index(ref), lay.columns.index(col)
        s.cells.append((lay_id, row, e.span))
        return ir.CellRef(layout=lay_id, row=row, column=column, type=T.DECIMAL, span=e.span)

    def _round(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        args = self._args(e, s, in_agg)
        self._expect(e, args, 0, lambda t: t.is_numeric, "numérico")
        if len(args) == 2 and not (isinstance(args[1], ir.Const)
                                   and isinstance(args[1].value, int)):
            self.err(catalog.literal_required(e.args[1].span, func=e.func, index=2,
                                              expected="um número inteiro literal (ex.: 2)"))
        if len(args) == 1:
            args.append(ir.Const(value=2, type=T.INT, span=e.span))
        t = T.ERROR if self._errored(args) else T.DECIMAL.null(args[0].type.nullable)
        return ir.Call(func=e.func, args=tuple(args), type=t, span=e.span)

    def _abs(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        args = self._args(e, s, in_agg)
        self._expect(e, args, 0, lambda t: t.is_numeric, "numérico")
        return ir.Call(func="abs", args=tuple(args), type=args[0].type, span=e.span)

    def _left(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        """left(texto, n): `n` is a literal, so both back ends cut at the same known width
        (and a negative or computed width, which SQL engines treat differently, never runs)."""
        args = self._args(e, s, in_agg)
        self._expect(e, args, 0, lambda t: t.base == "str", "texto")
        n = args[1]
        if not (isinstance(n, ir.Const) and n.type.base == "int"):
            self.err(catalog.literal_required(e.args[1].span, func="left", index=2,
                                              expected="um número inteiro literal >= 0 "
                                              "(ex.: 10)"))
        t = T.ERROR if self._errored(args) else T.STR.null(args[0].type.nullable)
        return ir.Call(func="left", args=tuple(args), type=t, span=e.span)

    def _concat(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        """concat(a, b, ...): texts and integers (no decimals or dates: their text would be a
        choice; date_text makes it explicit), null when one is null (as `||` in SQL)."""
        args = self._args(e, s, in_agg)
        for i in range(len(args)):
            self._expect(e, args, i, lambda t: t.base in ("str", "int"), "texto ou inteiro")
        t = T.ERROR if self._errored(args) else T.STR.null(self._nullable(args))
        return ir.Call(func="concat", args=tuple(args), type=t, span=e.span)

    def _join_texts(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        """join_texts(sep, a, b, ...): the texts that are not null, in order, `sep` (a text
        literal) between them; null when every one is null — every reason of a refusal in one
        cell (seed 001), as SQL's concat_ws (which skips nulls) on both engines."""
        args = self._args(e, s, in_agg)
        sep = args[0]
        if not (isinstance(sep, ir.Const) and isinstance(sep.value, str)):
            self.err(catalog.literal_required(e.args[0].span, func="join_texts", index=1,
                                              expected='um texto literal (ex.: "; ")'))
        for i in range(1, len(args)):
            self._expect(e, args, i, lambda t: t.base == "str", "texto")
        t = T.ERROR if self._errored(args) else \
            T.STR.null(all(a.type.nullable for a in args[1:]))
        return ir.Call(func="join_texts", args=tuple(args), type=t, span=e.span)

    def _date_text(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        """date_text(d, "AAAAMMDD"): the pattern is a literal of DATE_TEXT, so both back ends
        build the same digits (zero-padded year, month and day)."""
        args = self._args(e, s, in_agg)
        self._expect(e, args, 0, lambda t: t.base == "date", "uma data")
        p = args[1]
        if not (isinstance(p, ir.Const) and p.value in builtins.DATE_TEXT):
            self.err(catalog.literal_required(
                e.args[1].span, func="date_text", index=2,
                expected="um destes textos: " + ", ".join(f'"{x}"' for x in builtins.DATE_TEXT)))
        t = T.ERROR if self._errored(args) else T.STR.null(args[0].type.nullable)
        return ir.Call(func="date_text", args=tuple(args), type=t, span=e.span)

    def _within(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        args = self._args(e, s, in_agg)
        for i in (1, 2):
            if not T.comparable(args[0].type, args[i].type):
                self.err(catalog.bad_argument(e.args[i].span, func="within", index=i + 1,
                                              expected=args[0].type.display(),
                                              got=args[i].type.display()))
        t = T.ERROR if self._errored(args) else T.BOOL.null(args[0].type.nullable)
        return ir.Call(func="within", args=tuple(args), type=t, span=e.span)

    def _date_part(self, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        args = self._args(e, s, in_agg)
        self._expect(e, args, 0, lambda t: t.base == "date", "uma data")
        t = T.ERROR if self._errored(args) else T.INT.null(args[0].type.nullable)
        return ir.Call(func=e.func, args=tuple(args), type=t, span=e.span)


def _ints_to(result: T.Type) -> Callable[[Checker, ast.Call, Scope, bool], ir.Expr]:
    """A builtin taking integers only (date, fim_bimestre) and returning `result`, null when
    the date does not exist (date(2020, 2, 30), bimestre 7) even if no argument is null."""
    def handler(self: Checker, e: ast.Call, s: Scope, in_agg: bool) -> ir.Expr:
        args = self._args(e, s, in_agg)
        for i in range(len(args)):
            self._expect(e, args, i, lambda t: t.base == "int", "inteiro")
        t = T.ERROR if self._errored(args) else result.null()
        return ir.Call(func=e.func, args=tuple(args), type=t, span=e.span)
    return handler


_SCALARS: dict[str, Callable[[Checker, ast.Call, Scope, bool], ir.Expr]] = {
    "coalesce": Checker._coalesce,
    "lookup": Checker._lookup,
    "cell": Checker._cell,
    "round": Checker._round,
    "round_half_up": Checker._round,
    "abs": Checker._abs,
    "left": Checker._left,
    "within": Checker._within,
    "concat": Checker._concat,
    "date_text": Checker._date_text,
    "join_texts": Checker._join_texts,
    "date": _ints_to(T.DATE),
    "fim_bimestre": _ints_to(T.DATE),
    "year": Checker._date_part,
    "month": Checker._date_part,
    "day": Checker._date_part,
    "bimestre": Checker._date_part,
}


def names_used(e: ast.Expr) -> list[str]:
    """Bare names an expression mentions (for the derived-field dependency graph)."""
    out: list[str] = []

    def walk(n: object) -> None:
        if isinstance(n, ast.Name):
            out.append(n.name)
            return
        if isinstance(n, tuple):
            for x in n:
                walk(x)
            return
        for attr in getattr(n, "__slots__", ()):
            v = getattr(n, attr)
            if isinstance(v, tuple) or hasattr(v, "__slots__") and not isinstance(v, Span):
                walk(v)

    walk(e)
    return out
