"""The SQL of a derivation node (DuckDB dialect): one SELECT over the relation the runtime
loads with the node's input records (`INPUT`: the ledger's fields, the classify fields and
`_line`), giving per output record its first line, its fields and its warnings' tests, in
output order (per record: the input order; per key: the key's first record). Aggregates are
rendered here with the null rules of the Python back end (nulls skipped, the sum of nothing 0)."""

from __future__ import annotations

from sqlglot import exp

from compiler import ir
from compiler.codegen.sqlexpr import SqlExpr
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from runtime.contract import LEDGER_PRECISION
from runtime.contract import SUM_PRECISION

INPUT = "_apura_derivation_input"  # what runtime/derivation.py names the loaded records


def derivation_sql(node: ir.Derivation, led: ir.Ledger, dialect: str = "duckdb") -> str:
    scales = {f.name: f.scale for f in led.fields}
    sx: SqlExpr

    def shape(e: ir.Expr) -> tuple[int, int]:
        if isinstance(e, ir.FieldRef):
            return LEDGER_PRECISION, scales.get(e.name, 2)
        if isinstance(e, ir.Aggregate) and e.arg is not None:
            return SUM_PRECISION, sx.shape(e.arg)[1]
        return SUM_PRECISION, 2

    def resolve(e: ir.Expr) -> exp.Expr | None:
        if isinstance(e, ir.FieldRef):
            return col(e.name)
        if isinstance(e, ir.Aggregate):
            return aggregate(e)
        return None

    def aggregate(a: ir.Aggregate) -> exp.Expr:
        value = sx(a.arg) if a.arg is not None else exp.Literal.number(1)
        if a.where is not None:
            value = exp.Case(ifs=[exp.If(this=sx(a.where), true=value)])
        if a.func == "sum":
            return exp.Coalesce(this=exp.Sum(this=value), expressions=[lit(0)])
        if a.func == "count":
            return exp.Count(this=value)
        return (exp.Min if a.func == "min" else exp.Max)(this=value)

    sx = SqlExpr(dialect, resolve, shape)
    line = col("_line")
    cols: list[exp.Expr] = [exp.Min(this=line) if node.per else line]
    cols += [col(k) for k in node.per] if node.per else [col(c.name) for c in node.classify]
    cols += [exp.alias_(sx(f.expr), f"v{i}", quoted=True) for i, f in enumerate(node.fields)]
    cols += [exp.alias_(exp.Coalesce(this=sx(w.cond), expressions=[exp.false()]), f"w{i}",
                        quoted=True) for i, w in enumerate(node.warnings)]
    q = exp.select(*cols).from_(exp.to_identifier(INPUT, quoted=True))
    if node.per:
        q = q.group_by(*(col(k) for k in node.per))
    q = q.order_by(exp.Literal.number(1))
    return q.sql(dialect=dialect)
