"""A coverage node in the SQL back end: per source on the scanned ledger, its filter column;
its check in `errors` (scanplan.Covered: the records of the filter whose probe found no entry
or an unconfirmed one — without a map, every record of the filter —, with their keys and the
entry's status), read back by runtime/backends/sqlrun.py; and, with `unused`, its rows of
`aggregate`: per partition, the keys used (runtime/coverage.key_text, built here alike) and
how many records carried each (kinds.base.Accumulator kind "key")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler.codegen import names
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import all_of
from compiler.codegen.sqlexpr import any_of
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.kinds.base import Accumulator
from compiler.kinds.coverage.plan import sources_of

if TYPE_CHECKING:
    from compiler.codegen.sql import ScanGen
    from compiler.scanplan import Covered
    from compiler.scanplan import Guard
    from compiler.scanplan import Part


def _false() -> exp.Expr:
    return exp.Boolean(this=False)


@dataclass(slots=True)
class _CoverageScan:
    node: ir.Coverage
    ledger: str
    node_id: str

    def _f(self, s: ir.CoverageSource) -> str:
        return f"_f__{names.ident(self.node.id)}__s{s.index}"

    def filtered(self, g: ScanGen) -> list[exp.Expr]:
        out = []
        for s in sources_of(self.node, self.ledger):
            filt = g.sx(s.filter) if s.filter is not None else exp.Boolean(this=True)
            c = as_alias(exp.Coalesce(this=exp.Paren(this=filt), expressions=[_false()]),
                           self._f(s), quoted=True)
            c.add_comments([f" {sql_comment(f'{g.pkg.id}/{self.node.id}/source/{s.index}')} "
                            + sql_comment(s.filter_text) + " "])
            out.append(c)
        return out

    def classified(self, g: ScanGen) -> list[exp.Expr]:
        return []

    def landed(self, g: ScanGen) -> exp.Expr | None:
        return None

    def guard(self, g: ScanGen, guard: Guard) -> exp.Expr:
        assert guard.what == "filter", guard
        s = next(x for x in sources_of(self.node, self.ledger) if x.filter is guard.expr)
        return col(self._f(s), "s")

    def record_check(self, g: ScanGen, check: Covered, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        """D1301/D1304: the record is an item of the node (the Python scan's Coverage.see)."""
        s = self.node.sources[check.source]
        hit: exp.Expr = col(self._f(s), "s")
        status = None
        if check.lookup is not None:
            lk = g.plan.lookups[check.lookup]
            missing: exp.Expr = exp.Is(this=col(f"_l{lk.index}__found", "s"),
                                       expression=exp.Null())
            if lk.map.status is not None:
                status = f"{column}_status"
                missing = any_of(missing, exp.Coalesce(
                    this=col(f"_l{lk.index}___unconfirmed", "s"), expressions=[_false()]))
            hit = all_of(hit, exp.Paren(this=missing))
        cols: list[exp.Expr] = [as_alias(hit, f"{column}_hit", quoted=True)]
        keys = []
        for j, k in enumerate(s.keys):
            cols.append(as_alias(g.sx(k), f"{column}_k{j}", quoted=True))
            keys.append(f"{column}_k{j}")
        if status is not None and check.lookup is not None:
            cols.append(as_alias(col(f"_l{check.lookup}___status", "s"), status, quoted=True))
        meta: dict[str, object] = {"kind": "coverage", "node": self.node.id,
                                   "column": f"{column}_hit", "keys": keys, "status": status}
        return cols, exp.Paren(this=hit.copy()), col(f"{column}_hit"), meta

    def accumulator(self) -> Accumulator:
        return Accumulator(node_id=self.node.id, rows=0, columns=("key", "int"))

    def _key_text(self, s: ir.CoverageSource) -> exp.Expr:
        """runtime/coverage.key_text in SQL, over the grouped keys `_k<j>`: `<length>:<text>`
        per value, `~` for null."""
        pieces: list[exp.Expr] = []
        for j, k in enumerate(s.keys):
            x = col(f"_k{j}", "u")
            text = x if k.type.base == "str" else cast(x, "VARCHAR")
            length = cast(exp.Length(this=text.copy()), "VARCHAR")
            pieces.append(exp.Case(
                ifs=[exp.If(this=exp.Is(this=text.copy(), expression=exp.Null()),
                            true=lit("~"))],
                default=exp.Concat(expressions=[length, lit(":"), text.copy()])))
        return pieces[0] if len(pieces) == 1 else exp.Concat(expressions=pieces)

    def aggregate(self, g: ScanGen, width: int) -> exp.Select:
        selects = [self._aggregate(g, s, width) for s in sources_of(self.node, self.ledger)]
        q: exp.Select = selects[0]
        for x in selects[1:]:
            q = exp.union(q, x, distinct=False, copy=False)  # type: ignore[assignment]
        return q

    def _aggregate(self, g: ScanGen, s: ir.CoverageSource, width: int) -> exp.Select:
        """The keys used, grouped as they are (then written as text: one text per key, not
        per record), and how many records carried each."""
        part_field = g.pkg.partition
        part = col(part_field, "s") if part_field else exp.Null()
        keys = [as_alias(g.sx(k), f"_k{j}", quoted=True) for j, k in enumerate(s.keys)]
        # the keys used count only for `unused`: without it, no row
        used: exp.Expr = col(self._f(s), "s") if self.node.unused else _false()
        inner = exp.select(as_alias(part, "_p", quoted=True), *keys,
                           as_alias(exp.Count(this=exp.Star()), "_n", quoted=True)) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False) \
            .where(used, copy=False) \
            .group_by(*([part.copy()] if part_field else []),
                      *[g.sx(k) for k in s.keys], copy=False)
        values: list[exp.Expr] = [
            as_alias(self._key_text(s), "v0", quoted=True),
            as_alias(cast(col("_n", "u"), "VARCHAR"), "v1", quoted=True)]
        for k in range(2, width):
            values.append(as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True))
        q = exp.select(as_alias(exp.Literal.string(self.node.id), "layout", quoted=True),
                       as_alias(col("_p", "u"), "part", quoted=True),
                       as_alias(exp.Null(), "row", quoted=True), *values) \
            .from_(as_alias(exp.Subquery(this=inner), "u", quoted=True), copy=False)
        q.add_comments([f" {sql_comment(f'{g.pkg.id}/{self.node.id}/source/{s.index}')} "
                        "chaves usadas "])
        return q


class _CoverageSql:
    def scan_part(self, part: Part) -> _CoverageScan:
        assert isinstance(part.node, ir.Coverage)
        return _CoverageScan(part.node, part.ledger, part.node.id)


PART = _CoverageSql()
