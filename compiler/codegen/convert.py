"""The SQL `convert` statement: text cells → typed values and `_ok`, by the cell rules of
runtime/cells.py (the patterns there are the Python converters' own)."""

from __future__ import annotations

from sqlglot import exp

from compiler import ir
from compiler.codegen.sqlexpr import all_of
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import decimal_type
from compiler.codegen.sqlexpr import make_date
from runtime.cells import DATE_PARTS
from runtime.cells import DATE_SYNTAX
from runtime.cells import INT_SYNTAX
from runtime.cells import decimal_syntax
from runtime.contract import CELLS_SUFFIX
from runtime.contract import LEDGER_PRECISION
from runtime.contract import LINE_COLUMN
from runtime.contract import OK_COLUMN
from runtime.contract import WIDTH_OK_COLUMN

_SQL_TYPES = {"int": "BIGINT", "str": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


def sql_type(f: ir.Field) -> exp.DataType:
    if f.type.base == "decimal":
        return decimal_type(LEDGER_PRECISION, f.scale)
    return exp.DataType.build(_SQL_TYPES[f.type.base])


def _regex(e: exp.Expr, pattern: str) -> exp.Expr:
    return exp.RegexpLike(this=e, expression=exp.Literal.string(f"^{pattern}$"))


def convert_statement(led: ir.Ledger) -> exp.Expr:
    """SELECT typed values and `_ok` from "<ledger>__cells"; the accept rules of
    runtime/cells.py as runtime/convert.py applies them (a row this accepts, Python accepts
    with the same values; the runtime re-checks every row this rejects with the Python
    converters). The range limits are the casts' (TRY_CAST to BIGINT, DECIMAL(18, s), a real
    date): a cell beyond gives no value, so `_ok` is false."""
    fmt = led.format
    values: list[exp.Expr] = [col(LINE_COLUMN), col(WIDTH_OK_COLUMN)]
    outs: list[exp.Expr] = [col(LINE_COLUMN)]
    oks: list[exp.Expr] = [col(WIDTH_OK_COLUMN)]
    for f in led.fields:
        c = col(f.name)
        text = col(f"t__{f.name}")
        v = col(f.name)
        empty = exp.EQ(this=text.copy(), expression=exp.Literal.string(""))
        has_value = exp.Not(this=exp.Is(this=v.copy(), expression=exp.Null()))
        t = f.type.base
        value: exp.Expr
        ok: exp.Expr | None
        if t == "str":
            value = exp.Nullif(this=c.copy(), expression=exp.Literal.string("")) \
                if not f.required else c.copy()
            ok = exp.Not(this=empty.copy()) if f.required else None
        elif t == "int":
            value = exp.TryCast(safe=True, this=c.copy(), to=exp.DataType.build("BIGINT"))
            ok = all_of(_regex(text.copy(), INT_SYNTAX), has_value)
        elif t == "decimal":
            cell: exp.Expr = c.copy()
            if fmt.thousands:
                cell = exp.Anonymous(this="REPLACE", expressions=[
                    cell, exp.Literal.string(fmt.thousands), exp.Literal.string("")])
            if fmt.decimal != ".":
                cell = exp.Anonymous(this="REPLACE", expressions=[
                    cell, exp.Literal.string(fmt.decimal), exp.Literal.string(".")])
            value = exp.TryCast(safe=True, this=cell, to=sql_type(f))
            ok = all_of(_regex(text.copy(), decimal_syntax(fmt.decimal, fmt.thousands,
                                                             f.scale)), has_value)
        elif t == "date":
            def part(at: tuple[int, int], c: exp.Column = c) -> exp.Expr:
                start, length = at
                return exp.TryCast(safe=True, this=exp.Substring(this=c.copy(),
                                                      start=exp.Literal.number(start),
                                                      length=exp.Literal.number(length)),
                                   to=exp.DataType.build("INT"))
            day, month, year = DATE_PARTS[fmt.date]
            value = make_date(part(year), part(month), part(day))
            ok = all_of(_regex(text.copy(), DATE_SYNTAX[fmt.date]), has_value)
        else:
            assert t == "bool"
            value = exp.Case(ifs=[
                exp.If(this=exp.EQ(this=c.copy(), expression=exp.Literal.string(fmt.true)),
                       true=exp.Boolean(this=True)),
                exp.If(this=exp.EQ(this=c.copy(), expression=exp.Literal.string(fmt.false)),
                       true=exp.Boolean(this=False))])
            ok = has_value
        if not f.required and t != "str":
            assert ok is not None
            value = exp.Case(ifs=[exp.If(this=exp.EQ(this=c.copy(),
                                                     expression=exp.Literal.string("")),
                                         true=exp.Null())], default=value)
            ok = exp.Or(this=empty.copy(), expression=exp.Paren(this=ok))
        values.append(as_alias(c.copy(), f"t__{f.name}", quoted=True))
        values.append(as_alias(value, f.name, quoted=True))
        outs.append(col(f.name))
        if ok is not None:
            oks.append(exp.Paren(this=ok))
    outs.append(as_alias(all_of(*oks), OK_COLUMN, quoted=True))
    inner = exp.select(*values).from_(exp.to_table(f"{led.id}{CELLS_SUFFIX}", quoted=True))
    return exp.select(*outs).from_(as_alias(exp.Subquery(this=inner), "c", quoted=True))
