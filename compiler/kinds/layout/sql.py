"""A layout in the SQL back end: its part of its ledger's scan (compiler/codegen/sql.ScanGen):
the filter column, the row classification by hit policy, the D0201/D0301 checks in the Python
scan's order, and its rows of the `aggregate` statement (one per partition and row)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler.codegen import names
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import all_of
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.codegen.sqlexpr import paren
from compiler.kinds.base import Accumulator

if TYPE_CHECKING:
    from compiler.codegen.sql import ScanGen
    from compiler.scanplan import Guard
    from compiler.scanplan import Part
    from compiler.scanplan import Unique
    from compiler.source import Span


def _where(span: Span, plan_id: str) -> str:
    return f" {sql_comment(f'{span.file}:{span.line}:{span.col}')}  {sql_comment(plan_id)} "


@dataclass(slots=True)
class _LayoutScan:
    lay: ir.Layout
    node_id: str

    @property
    def _f(self) -> str:
        return f"_f__{names.ident(self.lay.id)}"

    @property
    def _row(self) -> str:
        return f"_row__{names.ident(self.lay.id)}"

    def filtered(self, g: ScanGen) -> list[exp.Expr]:
        lay = self.lay
        filt = g.sx(lay.filter) if lay.filter is not None else exp.Boolean(this=True)
        f_col = as_alias(filt, self._f, quoted=True)
        if lay.filter is not None:
            f_col.add_comments([_where(lay.filter.span, f"{g.pkg.id}/{lay.id}/filter")
                                + sql_comment(lay.filter_text) + " "])
        return [f_col]

    def classified(self, g: ScanGen) -> list[exp.Expr]:
        """The first rule that holds, else the `otherwise` row, else none (null)."""
        lay = self.lay
        ifs = []
        for r in lay.rows:
            if r.kind is ir.RowKind.RULE and r.cond is not None:
                test = g.sx(r.cond)
                test.add_comments([_where(r.span, r.id) + sql_comment(r.cond_text) + " "])
                ifs.append(exp.If(this=test, true=exp.Literal.number(r.index)))
        other = next((r for r in lay.rows if r.kind is ir.RowKind.OTHERWISE), None)
        default = exp.Literal.number(other.index) if other else None
        inner: exp.Expr
        if ifs:
            inner = exp.Case(ifs=ifs, default=default)
        else:
            inner = default if default is not None else exp.Null()
        row = exp.Case(ifs=[exp.If(this=col(self._f, "s"), true=inner)])
        return [as_alias(row, self._row, quoted=True)]

    def landed(self, g: ScanGen) -> exp.Expr | None:
        return exp.Not(this=exp.Is(this=col(self._row, "s"), expression=exp.Null()))

    def guard(self, g: ScanGen, guard: Guard) -> exp.Expr:
        """A scope this part opens in the scan plan: its filter holds, or the record got a
        row (compiler/kinds/layout/plan.py)."""
        if guard.what == "filter":
            return exp.Coalesce(this=col(self._f, "s"), expressions=[exp.Boolean(this=False)])
        assert guard.what == "row", guard
        return exp.Not(this=exp.Is(this=col(self._row, "s"), expression=exp.Null()))

    def record_check(self, g: ScanGen, check: Unique, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        return self._unique(g, column, rows=list(check.rows))

    def _unique(self, g: ScanGen, column: str, *, rows: list[int]
                ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        """D0301: the record holds two rules of a `unique` layout."""
        lay = self.lay
        cols: list[exp.Expr] = []
        hits = []
        for r in rows:
            row = lay.rows[r]
            assert row.cond is not None
            name = f"{column}_r{r}"
            both = all_of(col(self._f, "s"), paren(g.sx(row.cond)))
            cols.append(as_alias(exp.Coalesce(this=exp.Paren(this=both),
                                                expressions=[exp.Boolean(this=False)]),
                                   name, quoted=True))
            hits.append(exp.Case(ifs=[exp.If(this=col(name), true=exp.Literal.number(1))],
                                 default=exp.Literal.number(0)))
        total: exp.Expr = hits[0]
        for h in hits[1:]:
            total = exp.Add(this=total, expression=h)
        meta: dict[str, object] = {"kind": "unique", "layout": lay.id,
                                   "rows": [[r, f"{column}_r{r}"] for r in rows]}
        return cols, col(self._f, "s"), exp.GT(this=total, expression=exp.Literal.number(1)), \
            meta

    def accumulator(self) -> Accumulator:
        return Accumulator(node_id=self.lay.id, rows=len(self.lay.rows),
                           columns=tuple(column_kind(c) for c in self.lay.columns))

    def aggregate(self, g: ScanGen, width: int) -> exp.Select:
        lay, part_field = self.lay, g.pkg.partition
        row = col(self._row, "s")
        part = col(part_field, "s") if part_field else exp.Null()
        values: list[exp.Expr] = []
        for c in lay.columns:
            agg = c.value
            if agg is None:
                values.append(as_alias(exp.Null(), f"v{c.index}", quoted=True))
                continue
            value = aggregate_text(g, agg)
            value.add_comments([_where(c.span, f"{g.pkg.id}/{lay.id}/column/{c.id}")
                                + f"{c.id} = {sql_comment(c.text)} "])
            values.append(as_alias(value, f"v{c.index}", quoted=True))
        for k in range(len(lay.columns), width):
            values.append(as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True))
        q = exp.select(as_alias(exp.Literal.string(lay.id), "layout", quoted=True),
                       as_alias(part, "part", quoted=True),
                       as_alias(row.copy(), "row", quoted=True), *values) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False) \
            .where(exp.Not(this=exp.Is(this=row.copy(), expression=exp.Null())), copy=False) \
            .group_by(*([part.copy()] if part_field else []), row.copy(), copy=False)
        q.add_comments([_where(lay.span, f"{g.pkg.id}/{lay.id}")
                        + f"hit_policy {lay.hit_policy.value} "])
        return q


def aggregate_text(g: ScanGen, agg: ir.Aggregate) -> exp.Expr:
    """An aggregate over the `classified` records as text (NULL-safe sums: 0 for none)."""
    arg = g.sx(agg.arg) if agg.arg is not None else None
    if agg.where is not None:
        arg = exp.Case(ifs=[exp.If(this=g.sx(agg.where),
                                   true=arg if arg is not None else exp.Literal.number(1))])
    if agg.func == "count":
        value: exp.Expr = exp.Count(this=arg if arg is not None else exp.Star())
    elif agg.func == "sum":
        assert arg is not None
        value = exp.Coalesce(this=exp.Sum(this=arg), expressions=[lit(0)])
    else:
        assert arg is not None
        value = (exp.Min if agg.func == "min" else exp.Max)(this=arg)
    return cast(value, "VARCHAR")


def column_kind(c: ir.Column) -> str:
    """How the column's aggregate text is parsed back (runtime/backends/sqlrun.py)."""
    return aggregate_kind(c.value)


def aggregate_kind(agg: ir.Aggregate | None) -> str:
    """How an aggregate's text is parsed back: "int", "decimal", its argument's type for
    min/max, "none" when there is none."""
    if agg is None:
        return "none"
    if agg.func == "count":
        return "int"
    assert agg.arg is not None
    if agg.func == "sum":
        return "int" if agg.arg.type.base == "int" else "decimal"
    return agg.arg.type.base


class _LayoutSql:
    def scan_part(self, part: Part) -> _LayoutScan:
        assert isinstance(part.node, ir.Layout)
        return _LayoutScan(part.node, part.node.id)


PART = _LayoutSql()
