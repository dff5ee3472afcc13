"""An indicator in the SQL back end: its filter column, the accumulator key (runtime/coverage
`key_text` of the keys, built alike: `<length>:<text>` per value, `~` for null; null when the
filter fails) and its rows of `aggregate`, grouped by partition and key — the key as the first
value (kinds.base.Accumulator kind "key"), then each aggregate as text. The records are made
from the accumulator in Python at the end of the run (runtime/indicator.py), on every back end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler.codegen import names
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.kinds.base import Accumulator
from compiler.kinds.layout.sql import aggregate_kind
from compiler.kinds.layout.sql import aggregate_text

if TYPE_CHECKING:
    from compiler.codegen.sql import ScanGen
    from compiler.scanplan import Guard
    from compiler.scanplan import Part
    from compiler.scanplan import Unique


@dataclass(slots=True)
class _IndicatorScan:
    node: ir.Indicator
    node_id: str

    def _name(self, what: str) -> str:
        return f"_{what}__{names.ident(self.node.id)}"

    def filtered(self, g: ScanGen) -> list[exp.Expr]:
        node = self.node
        filt = g.sx(node.filter) if node.filter is not None else exp.Boolean(this=True)
        c = as_alias(filt, self._name("f"), quoted=True)
        c.add_comments([f" {sql_comment(f'{g.pkg.id}/{node.id}/filter')} "
                        + sql_comment(node.filter_text) + " "])
        return [c]

    def classified(self, g: ScanGen) -> list[exp.Expr]:
        """The key text where the filter holds (null elsewhere)."""
        pieces: list[exp.Expr] = []
        for _, k, _ in self.node.keys:
            x = g.sx(k)
            text = x if k.type.base == "str" else cast(x, "VARCHAR")
            length = cast(exp.Length(this=text.copy()), "VARCHAR")
            pieces.append(exp.Case(
                ifs=[exp.If(this=exp.Is(this=text.copy(), expression=exp.Null()),
                            true=lit("~"))],
                default=exp.Concat(expressions=[length, lit(":"), text.copy()])))
        key: exp.Expr = lit("") if not pieces else pieces[0] if len(pieces) == 1 \
            else exp.Concat(expressions=pieces)
        case = exp.Case(ifs=[exp.If(this=col(self._name("f"), "s"), true=key)])
        return [as_alias(case, self._name("k"), quoted=True)]

    def _has_key(self) -> exp.Expr:
        return exp.Not(this=exp.Is(this=col(self._name("k"), "s"), expression=exp.Null()))

    def landed(self, g: ScanGen) -> exp.Expr | None:
        return self._has_key()

    def guard(self, g: ScanGen, guard: Guard) -> exp.Expr:
        assert guard.what == "filter", guard
        if self.node.filter is None:
            return exp.Boolean(this=True)
        return exp.Coalesce(this=col(self._name("f"), "s"), expressions=[exp.Boolean(this=False)])

    def record_check(self, g: ScanGen, check: Unique, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        raise AssertionError("an indicator declares no per-record check of its own")

    def accumulator(self) -> Accumulator:
        return Accumulator(node_id=self.node.id, rows=0,
                           columns=("key", *(aggregate_kind(a) for a in self.node.aggregates)))

    def aggregate(self, g: ScanGen, width: int) -> exp.Select:
        node = self.node
        part_field = g.pkg.partition
        key = col(self._name("k"), "s")
        part = col(part_field, "s") if part_field else exp.Null()
        values: list[exp.Expr] = [as_alias(key.copy(), "v0", quoted=True)]
        for i, (agg, text) in enumerate(zip(node.aggregates, node.agg_texts, strict=True)):
            value = aggregate_text(g, agg)
            value.add_comments([f" [{i}] {agg.func}: {sql_comment(text)} "])
            values.append(as_alias(value, f"v{i + 1}", quoted=True))
        for k in range(len(node.aggregates) + 1, width):
            values.append(as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True))
        q = exp.select(as_alias(exp.Literal.string(node.id), "layout", quoted=True),
                       as_alias(part, "part", quoted=True),
                       as_alias(exp.Null(), "row", quoted=True), *values) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False) \
            .where(self._has_key(), copy=False) \
            .group_by(*([part.copy()] if part_field else []), key.copy(), copy=False)
        q.add_comments([f" {sql_comment(f'{g.pkg.id}/{node.id}')} por chave "])
        return q


class _IndicatorSql:
    def scan_part(self, part: Part) -> _IndicatorScan:
        assert isinstance(part.node, ir.Indicator)
        return _IndicatorScan(part.node, part.node.id)


PART = _IndicatorSql()
