"""A sheets node in the SQL back end: per part of the scanned ledger, the filter column, the
accumulator key (`<code>;<row key>`, null when the filter fails) and its rows of `aggregate`
— the key as the first value (kinds.base.Accumulator kind "key"), then every column: this
part's aggregates, NULL for the columns another ledger gives (runtime/backends/sqlrun.py
keeps what is already there on NULL)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler.codegen import names
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import any_of
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.kinds.base import Accumulator
from compiler.kinds.layout.sql import aggregate_kind
from compiler.kinds.layout.sql import aggregate_text
from compiler.kinds.sheets.plan import parts_of
from runtime.sheets import CODE_SEP
from runtime.sheets import KEY_SEP

if TYPE_CHECKING:
    from compiler.codegen.sql import ScanGen
    from compiler.scanplan import Guard
    from compiler.scanplan import Part
    from compiler.scanplan import Unique


@dataclass(slots=True)
class _SheetsScan:
    node: ir.Sheets
    ledger: str
    node_id: str

    def _name(self, what: str, p: ir.SheetPart) -> str:
        return f"_{what}__{names.ident(self.node.id)}__p{p.index}"

    @property
    def _parts(self) -> list[ir.SheetPart]:
        return parts_of(self.node, self.ledger)

    def filtered(self, g: ScanGen) -> list[exp.Expr]:
        out = []
        for p in self._parts:
            filt = g.sx(p.filter) if p.filter is not None else exp.Boolean(this=True)
            c = as_alias(filt, self._name("f", p), quoted=True)
            c.add_comments([f" {sql_comment(f'{g.pkg.id}/{self.node.id}/part/{p.index}')} "
                            + sql_comment(p.filter_text) + " "])
            out.append(c)
        return out

    def classified(self, g: ScanGen) -> list[exp.Expr]:
        """The accumulator key, as the Python scan builds it: the code's parts joined by '_'
        (an int part cast to text), ';', the row key."""
        out = []
        for p in self._parts:
            pieces: list[exp.Expr] = []
            for k, e in enumerate(p.sheet):
                if k:
                    pieces.append(lit(CODE_SEP))
                x = g.sx(e)
                pieces.append(x if e.type.base == "str" else cast(x, "VARCHAR"))
            row = g.sx(p.row)
            pieces += [lit(KEY_SEP), row if p.row.type.base == "str" else cast(row, "VARCHAR")]
            key = exp.Case(ifs=[exp.If(this=col(self._name("f", p), "s"),
                                       true=exp.Concat(expressions=pieces))])
            out.append(as_alias(key, self._name("k", p), quoted=True))
        return out

    def _has_key(self, p: ir.SheetPart) -> exp.Expr:
        return exp.Not(this=exp.Is(this=col(self._name("k", p), "s"), expression=exp.Null()))

    def landed(self, g: ScanGen) -> exp.Expr | None:
        tests = [self._has_key(p) for p in self._parts]
        return any_of(*tests) if len(tests) > 1 else tests[0]

    def guard(self, g: ScanGen, guard: Guard) -> exp.Expr:
        """A scope a part opens (compiler/kinds/sheets/plan.py): its filter holds ("filter"),
        or the record has its key ("row"). A node with several parts on one ledger has one
        scope per part; a guard's expression tells which — the part's filter (none: every
        record), its row lookup. (Falling back to the first part checked a second part's
        lookups on the first part's records: D0201 on python, not on SQL.)"""
        if guard.what == "filter":
            if guard.expr is None:  # a part without a filter
                return exp.Boolean(this=True)
            p = next(q for q in self._parts if q.filter is guard.expr)
            return exp.Coalesce(this=col(self._name("f", p), "s"),
                                expressions=[exp.Boolean(this=False)])
        assert guard.what == "row", guard
        return self._has_key(next(q for q in self._parts if q.row_lookup is guard.expr))

    def record_check(self, g: ScanGen, check: Unique, column: str
                     ) -> tuple[list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]:
        raise AssertionError("a sheets node declares no per-record check of its own")

    def accumulator(self) -> Accumulator:
        kinds = ["none"] * len(self.node.columns)
        for p in self.node.parts:
            for c, agg, _ in p.values:
                kinds[c] = aggregate_kind(agg)
        return Accumulator(node_id=self.node.id, rows=0, columns=("key", *kinds))

    def aggregate(self, g: ScanGen, width: int) -> exp.Select:
        selects = [self._aggregate(g, p, width) for p in self._parts]
        q: exp.Select = selects[0]
        for s in selects[1:]:
            q = exp.union(q, s, distinct=False, copy=False)  # type: ignore[assignment]
        return q

    def _aggregate(self, g: ScanGen, p: ir.SheetPart, width: int) -> exp.Select:
        part_field = g.pkg.partition
        key = col(self._name("k", p), "s")
        part = col(part_field, "s") if part_field else exp.Null()
        given = {c: (agg, text) for c, agg, text in p.values}
        values: list[exp.Expr] = [as_alias(key.copy(), "v0", quoted=True)]
        for c in self.node.columns:
            name = f"v{c.index + 1}"
            if c.index not in given:
                values.append(as_alias(cast(exp.Null(), "VARCHAR"), name, quoted=True))
                continue
            agg, text = given[c.index]
            value = aggregate_text(g, agg)
            value.add_comments([f" {c.id} = {sql_comment(text)} "])
            values.append(as_alias(value, name, quoted=True))
        for k in range(len(self.node.columns) + 1, width):
            values.append(as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True))
        q = exp.select(as_alias(exp.Literal.string(self.node.id), "layout", quoted=True),
                       as_alias(part, "part", quoted=True),
                       as_alias(exp.Null(), "row", quoted=True), *values) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False) \
            .where(exp.Not(this=exp.Is(this=key.copy(), expression=exp.Null())), copy=False) \
            .group_by(*([part.copy()] if part_field else []), key.copy(), copy=False)
        q.add_comments([f" {sql_comment(f'{g.pkg.id}/{self.node.id}/part/{p.index}')} "
                        "por planilha e linha "])
        return q


class _SheetsSql:
    def scan_part(self, part: Part) -> _SheetsScan:
        assert isinstance(part.node, ir.Sheets)
        return _SheetsScan(part.node, part.ledger, part.node.id)


PART = _SheetsSql()
