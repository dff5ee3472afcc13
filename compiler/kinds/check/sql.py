"""A check in the SQL back end: its part of its ledger's scan (compiler/codegen/sql.ScanGen) —
no filter or classification columns, the SQL of the tests its scan plan part opens
(compiler/kinds/check/plan.py), and its row of the `aggregate` statement: per partition,
each sum under its own `where` over every record. The assertions are compared by the
generated Python `finish`, the same on every back end, on what this returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import paren
from compiler.kinds.base import Accumulator

if TYPE_CHECKING:
    from compiler.codegen.sql import ScanGen
    from compiler.scanplan import Guard
    from compiler.scanplan import Part
    from compiler.scanplan import Unique


def _kind(agg: ir.Aggregate) -> str:
    if agg.func == "count":
        return "int"
    assert agg.arg is not None
    return "int" if agg.arg.type.base == "int" else "decimal"


@dataclass(slots=True)
class _CheckScan:
    node: ir.Check
    node_id: str

    def filtered(self, g: ScanGen) -> list[exp.Expr]:
        return []

    def classified(self, g: ScanGen) -> list[exp.Expr]:
        return []

    def landed(self, g: ScanGen) -> exp.Expr | None:
        return None

    def guard(self, g: ScanGen, guard: Guard) -> exp.Expr:
        """A test the check's part opens in the scan plan (compiler/kinds/check/plan.py)."""
        assert guard.what == "when" and guard.expr is not None, guard
        return paren(g.sx(guard.expr))

    def record_check(self, g: ScanGen, check: Unique, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        raise AssertionError("a check's part declares no per-record check of its own")

    def accumulator(self) -> Accumulator:
        return Accumulator(node_id=self.node.id, rows=1,
                           columns=tuple(_kind(a) for a in self.node.sums))

    def aggregate(self, g: ScanGen, width: int) -> exp.Select:
        """One row per partition; a sum no record entered is NULL, so the accumulator keeps its
        initial value (0), as in the Python scan: a sum of DECIMAL(18, 2) values COALESCEd to 0
        would read back as 0.00, a different text in messages and in the journal."""
        node, part_field = self.node, g.pkg.partition
        part = col(part_field, "s") if part_field else exp.Null()
        values: list[exp.Expr] = []
        for k, (agg, text) in enumerate(zip(node.sums, node.sum_texts, strict=True)):
            arg = g.sx(agg.arg) if agg.arg is not None else exp.Literal.number(1)
            if agg.where is not None:
                arg = exp.Case(ifs=[exp.If(this=g.sx(agg.where), true=arg)])
            value: exp.Expr = exp.Sum(this=arg) if agg.func == "sum" else exp.Count(this=arg)
            value = cast(value, "VARCHAR")
            value.add_comments([f" {sql_comment(f'{agg.span.file}:{agg.span.line}:{agg.span.col}')}"
                                f"  {sql_comment(f'{g.pkg.id}/{node.id}/sum/{k}')} "
                                f"{sql_comment(text)} "])
            values.append(as_alias(value, f"v{k}", quoted=True))
        for k in range(len(node.sums), width):
            values.append(as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True))
        q = exp.select(as_alias(exp.Literal.string(node.id), "layout", quoted=True),
                       as_alias(part, "part", quoted=True),
                       as_alias(exp.Literal.number(0), "row", quoted=True), *values) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False)
        if part_field:
            q = q.group_by(part.copy(), copy=False)
        q.add_comments([f" {sql_comment(f'{node.span.file}:{node.span.line}:{node.span.col}')}"
                        f"  {sql_comment(f'{g.pkg.id}/{node.id}')} conferências "])
        return q


class _CheckSql:
    def scan_part(self, part: Part) -> _CheckScan:
        assert isinstance(part.node, ir.Check)
        return _CheckScan(part.node, part.node.id)


PART = _CheckSql()
