"""An allocation node in the SQL back end: its rows of `aggregate` — one per record of each
ledger it reads, while the run computes it (its flag), with the values the plan carries
(compiler/kinds/allocation/plan.py) as text, the ledger's name first (kinds.base.Accumulator
kind "record": runtime/backends/sqlrun.py parses them back into the same typed tuples the
Python scan appends, `ctx.acc[node][part][ledger]`) and the line last; and its check in
`errors` (scanplan.Refused, D1401: a source record whose class the map does not give).

The values travel typed (dates ISO, money as the engine's decimal text), never as the texts
of the ids or outputs: runtime/allocation.py formats them once, in Python, for every back
end alike (money `1234,56`, dates DD/MM/YYYY) — so no SQL dialect has to write them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import all_of
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import paren
from compiler.kinds.allocation.plan import record_layout
from compiler.kinds.base import Accumulator

if TYPE_CHECKING:
    from compiler.codegen.sql import ScanGen
    from compiler.scanplan import Guard
    from compiler.scanplan import Part
    from compiler.scanplan import Refused


def _text(g: ScanGen, e: ir.Expr) -> exp.Expr:
    x = g.sx(e)
    return x if e.type.base == "str" else cast(x, "VARCHAR")


@dataclass(slots=True)
class _AllocationScan:
    node: ir.Allocation
    ledger: str
    index: int  # the part's index in the ledger's plan (its "on" flag)
    node_id: str

    def filtered(self, g: ScanGen) -> list[exp.Expr]:
        return []

    def classified(self, g: ScanGen) -> list[exp.Expr]:
        return []

    def landed(self, g: ScanGen) -> exp.Expr | None:
        return None

    def guard(self, g: ScanGen, guard: Guard) -> exp.Expr:
        raise AssertionError("an allocation part opens no scope of its own")

    def record_check(self, g: ScanGen, check: Refused, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        """D1401: the class is null where the run computes the node (the Python scan's
        `Allocation.refuse`), with the class keys for the message."""
        test = all_of(*g.reach(check.scope),
                      exp.Is(this=paren(g.sx(check.value)), expression=exp.Null()))
        cols: list[exp.Expr] = [as_alias(test, f"{column}_hit", quoted=True)]
        keys = []
        for j, k in enumerate(check.keys):
            cols.append(as_alias(g.sx(k), f"{column}_k{j}", quoted=True))
            keys.append(f"{column}_k{j}")
        meta: dict[str, object] = {"kind": "allocation_class", "node": self.node.id,
                                   "column": f"{column}_hit", "keys": keys}
        return cols, paren(test.copy()), col(f"{column}_hit"), meta

    def accumulator(self) -> Accumulator:
        kinds = [e.type.base for _, values in record_layout(self.node, self.ledger)
                 for e in values]
        return Accumulator(node_id=self.node.id, rows=0, columns=("record", *kinds, "int"))

    def aggregate(self, g: ScanGen, width: int) -> exp.Select:
        part_field = g.pkg.partition
        part = col(part_field, "s") if part_field else exp.Null()
        values: list[exp.Expr] = [exp.Literal.string(self.ledger)]
        for _, exprs in record_layout(self.node, self.ledger):
            values += [_text(g, e) for e in exprs]
        values.append(cast(col("_line", "s"), "VARCHAR"))
        values += [cast(exp.Null(), "VARCHAR") for _ in range(len(values), width)]
        q = exp.select(as_alias(exp.Literal.string(self.node.id), "layout", quoted=True),
                       as_alias(part, "part", quoted=True),
                       as_alias(exp.Null(), "row", quoted=True),
                       *[as_alias(v, f"v{k}", quoted=True) for k, v in enumerate(values)]) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False) \
            .where(col(f"${g.flags[self.index]}", "s"), copy=False)
        q.add_comments([f" {sql_comment(f'{g.pkg.id}/{self.node.id}')} "
                        f"os registros de '{sql_comment(self.ledger)}' que a alocação lê "])
        return q


class _AllocationSql:
    def scan_part(self, part: Part) -> _AllocationScan:
        assert isinstance(part.node, ir.Allocation)
        return _AllocationScan(part.node, part.ledger, part.index, part.node.id)


PART = _AllocationSql()
