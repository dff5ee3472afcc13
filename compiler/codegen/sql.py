"""IR package → SQL statements (sqlglot trees rendered per dialect) and their plan.

For every ledger of a package, per dialect, one file `sql/<dialect>/<ledger>.sql` of named
statements, and one dialect-neutral `sql/plan.json` telling the runtime what each statement
returns (see runtime/backends/plan.py, which reads them):

* `convert`: text cells → typed values with the accept rules of runtime/ledgers.py, plus `_ok`;
* `duplicates <map>`: repeated keys of a map built from this ledger (D0202);
* `errors`: records that hit a missing map key (D0201) or two rows of a `unique` layout (D0301),
  with what the messages need, in the order the Python back end evaluates them;
* `aggregate`: one row per (node, partition, row) with the column aggregates as text; plan.json's
  `accumulators` gives, per node, how each column's text is parsed back (kinds.base.Accumulator).

Relations the statements read (made by the runtime): `"<ledger>__cells"` (`_line`,
`_width_ok`, one text column per field), the typed ledgers `"<ledger>"` (fields + `_line`) and
`"apura_params"` (one row, one column per parameter). Totalizers and value rows are not here:
they stay in the generated Python `finish`, which runs on what `aggregate` returns.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler import kinds
from compiler.codegen import names
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import DIALECTS
from compiler.codegen.sqlexpr import SqlExpr
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import decimal_type
from compiler.codegen.sqlexpr import make_date
from compiler.codegen.sqlexpr import paren
from compiler.version import COMPILER_VERSION

if TYPE_CHECKING:
    from compiler.kinds.base import SqlScanPart

LEDGER_PRECISION = 18  # ledger decimals are DECIMAL(18, scale): 9999999999999999,99 at scale 2
STATEMENT_MARK = "-- apura:statement "
PARAM_PRECISION, PARAM_SCALE = 18, 6  # decimal run parameters are DECIMAL(18, 6)
_SQL_TYPES = {"int": "BIGINT", "str": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


def sql_type(f: ir.Field) -> exp.DataType:
    if f.type.base == "decimal":
        return decimal_type(LEDGER_PRECISION, f.scale)
    return exp.DataType.build(_SQL_TYPES[f.type.base])


def _where(span: object, plan_id: str) -> str:
    s = span
    where = f"{s.file}:{s.line}:{s.col}"  # type: ignore[attr-defined]
    return f" {sql_comment(where)}  {sql_comment(plan_id)} "


def _regex(e: exp.Expr, pattern: str) -> exp.Expr:
    return exp.RegexpLike(this=e, expression=exp.Literal.string(f"^{pattern}$"))


def _cls(ch: str) -> str:
    """One character as a regex character class (no backslashes to escape per dialect)."""
    return "[\\\\]" if ch == "\\" else ("[\\^]" if ch == "^" else f"[{ch}]")


# ---------------------------------------------------------------- convert: cells → typed
def convert_statement(led: ir.Ledger) -> exp.Expr:
    """SELECT typed values and `_ok` from "<ledger>__cells"; the same accept rules as
    runtime.ledgers.converter (a row this accepts, Python accepts with the same values; the
    runtime re-checks every row this rejects with the Python converters)."""
    fmt = led.format
    values: list[exp.Expr] = [col("_line"), col("_width_ok")]
    outs: list[exp.Expr] = [col("_line")]
    oks: list[exp.Expr] = [col("_width_ok")]
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
            ok = exp.and_(_regex(text.copy(), "-?[0-9]+"), has_value)
        elif t == "decimal":
            cell: exp.Expr = c.copy()
            if fmt.thousands:
                cell = exp.Anonymous(this="REPLACE", expressions=[
                    cell, exp.Literal.string(fmt.thousands), exp.Literal.string("")])
                body = f"(?:[0-9]{{1,3}}(?:{_cls(fmt.thousands)}[0-9]{{3}})+|[0-9]+)"
            else:
                body = "[0-9]+"
            if fmt.decimal != ".":
                cell = exp.Anonymous(this="REPLACE", expressions=[
                    cell, exp.Literal.string(fmt.decimal), exp.Literal.string(".")])
            frac = f"(?:{_cls(fmt.decimal)}[0-9]{{1,{f.scale}}})?" if f.scale > 0 else ""
            value = exp.TryCast(safe=True, this=cell, to=sql_type(f))
            ok = exp.and_(_regex(text.copy(), f"-?{body}{frac}"), has_value)
        elif t == "date":
            def part(start: int, length: int, c: exp.Column = c) -> exp.Expr:
                return exp.TryCast(safe=True, this=exp.Substring(this=c.copy(),
                                                      start=exp.Literal.number(start),
                                                      length=exp.Literal.number(length)),
                                   to=exp.DataType.build("INT"))
            if fmt.date == "DD/MM/YYYY":
                pattern = "[0-9]{2}/[0-9]{2}/[0-9]{4}"
                value = make_date(part(7, 4), part(4, 2), part(1, 2))
            else:
                pattern = "[0-9]{4}-[0-9]{2}-[0-9]{2}"
                value = make_date(part(1, 4), part(6, 2), part(9, 2))
            ok = exp.and_(_regex(text.copy(), pattern), has_value)
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
        values.append(exp.alias_(c.copy(), f"t__{f.name}", quoted=True))
        values.append(exp.alias_(value, f.name, quoted=True))
        outs.append(col(f.name))
        if ok is not None:
            oks.append(exp.Paren(this=ok))
    outs.append(exp.alias_(exp.and_(*oks), "_ok", quoted=True))
    inner = exp.select(*values).from_(exp.to_table(f"{led.id}__cells", quoted=True))
    return exp.select(*outs).from_(exp.alias_(exp.Subquery(this=inner), "c", quoted=True))


def duplicates_statement(m: ir.Map) -> exp.Expr:
    """Repeated keys of a map (every occurrence after the first, with the first's line)."""
    keys = [col(k) for k in m.key]
    window = exp.Window(this=exp.RowNumber(), partition_by=[k.copy() for k in keys],
                        order=exp.Order(expressions=[exp.Ordered(this=col("_line"))]))
    first = exp.Window(this=exp.Min(this=col("_line")), partition_by=[k.copy() for k in keys])
    inner = exp.select(*[k.copy() for k in keys], col("_line"),
                       exp.alias_(window, "_n", quoted=True),
                       exp.alias_(first, "_first", quoted=True)) \
        .from_(exp.to_table(m.source, quoted=True))
    return exp.select(*[col(k) for k in m.key], col("_line"), col("_first")) \
        .from_(exp.alias_(exp.Subquery(this=inner), "_d", quoted=True)) \
        .where(exp.GT(this=col("_n"), expression=exp.Literal.number(1))) \
        .order_by(exp.Ordered(this=col("_line")))


# ---------------------------------------------------------------- scans
@dataclass(slots=True)
class _Lookup:
    """A LEFT JOIN on a map for one key expression list."""

    index: int
    map: ir.Map
    keys: tuple[ir.Expr, ...]


@dataclass(slots=True)
class _Check:
    """One thing the Python back end checks per record, in its evaluation order: a lookup
    of a map with on_missing error (D0201), or a check a scan part adds (ScanGen.add_check:
    its `render(gen, column)` gives its columns, the test a record needs to be looked at, the
    test it fails, and its plan.json entry)."""

    kind: str                      # "lookup" | "part"
    column: str
    lookup: _Lookup | None = None
    reach: exp.Expr | None = None
    render: Callable[[ScanGen, str], tuple[list[exp.Expr], exp.Expr, exp.Expr,
                                           dict[str, object]]] | None = None


def lookups_in(e: ir.Expr | None) -> list[ir.MapLookup]:
    """The map lookups of an expression, inner ones (in keys) first."""
    out: list[ir.MapLookup] = []

    def walk(n: object) -> None:
        if isinstance(n, ir.MapLookup):
            for k in n.keys:
                walk(k)
            out.append(n)
            return
        for attr in getattr(n, "__slots__", ()):
            v = getattr(n, attr)
            if isinstance(v, tuple):
                for x in v:
                    walk(x)
            elif isinstance(v, ir.Expr.__args__):
                walk(v)
    if e is not None:
        walk(e)
    return out


class ScanGen:
    """The CTE chain of one scanned ledger for one dialect: records, parameters, map joins,
    derived fields, then the layers the scan parts of the nodes reading the ledger add
    (compiler/kinds/base.SqlScanPart: `filtered`, `classified`); then the `errors` and
    `aggregate` statements, assembled from the parts' checks and aggregates."""

    def __init__(self, pkg: ir.Package, led: ir.Ledger, parts: Sequence[SqlScanPart],
                 dialect: str) -> None:
        self.pkg = pkg
        self.led = led
        self.parts = list(parts)
        self.dialect = dialect
        self.maps = {m.id: m for m in pkg.maps}
        self.ledgers = {x.id: x for x in pkg.ledgers}
        self.ctes: list[exp.CTE] = []
        self.lookups: dict[str, _Lookup] = {}
        self.derived = {d.name: d for d in led.derived}
        self.sx = SqlExpr(dialect, self._resolve, self._shape)
        self.checks: list[_Check] = []
        self._error_count: exp.Select | None = None  # set by errors(), used by aggregate()

    # ------------------------------------------------------------ references
    def _resolve(self, e: ir.Expr) -> exp.Expr | None:
        match e:
            case ir.FieldRef(name=n) | ir.DerivedRef(name=n):
                return col(n, "s")
            case ir.ParamRef(name=n):
                return col(f"${n}", "s")
            case ir.MapLookup():
                return col(f"_l{self._lookup(e).index}__found", "s")
            case ir.GetField(record=ir.MapLookup() as m, name=n):
                return col(f"_l{self._lookup(m).index}__{n}", "s")
        return None

    def _shape(self, e: ir.Expr) -> tuple[int, int]:
        match e:
            case ir.FieldRef(name=n):
                f = next(f for f in self.led.fields if f.name == n)
                return LEDGER_PRECISION, f.scale
            case ir.GetField(record=ir.MapLookup(map=m), name=n):
                src = self.ledgers[self.maps[m].source]
                f = next(f for f in src.fields if f.name == n)
                return LEDGER_PRECISION, f.scale
            case ir.DerivedRef(name=n):
                return self.sx.shape(self.derived[n].expr)
        return PARAM_PRECISION, PARAM_SCALE

    def _key(self, e: ir.MapLookup) -> str:
        return e.map + "|" + "|".join(self.sx(k).sql(self.dialect) for k in e.keys)

    def _lookup(self, e: ir.MapLookup) -> _Lookup:
        key = self._key(e)
        if key not in self.lookups:
            raise AssertionError(f"lookup {key} used before its join")
        return self.lookups[key]

    # ------------------------------------------------------------ the CTE chain
    def _layer(self, name: str, query: exp.Select) -> None:
        self.ctes.append(exp.CTE(this=query, alias=exp.TableAlias(
            this=exp.to_identifier(name, quoted=True))))

    @property
    def _last(self) -> str:
        return self.ctes[-1].alias

    def _join(self, e: ir.MapLookup) -> _Lookup:
        key = self._key(e)
        if key in self.lookups:
            return self.lookups[key]
        m = self.maps[e.map]
        lk = _Lookup(index=len(self.lookups), map=m, keys=e.keys)
        alias = f"l{lk.index}"
        src = self.ledgers[m.source]
        nullable = {f.name for f in src.fields if not f.required}
        conds = []
        for k, name in zip(e.keys, m.key, strict=True):
            left, right = self.sx(k), col(name, alias)
            safe = k.type.nullable or name in nullable
            conds.append(exp.NullSafeEQ(this=left, expression=right) if safe
                         else exp.EQ(this=left, expression=right))
        picked = [exp.alias_(col(v, alias), f"_l{lk.index}__{v}", quoted=True) for v in m.values]
        picked.append(exp.alias_(col("_found", alias), f"_l{lk.index}__found", quoted=True))
        q = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("s", quoted=True)),
                       *picked) \
            .from_(exp.alias_(exp.to_table(self._last, quoted=True), "s", table=True,
                              quoted=True)) \
            .join(exp.alias_(exp.to_table(f"map__{names.ident(m.id)}", quoted=True), alias,
                             table=True, quoted=True),
                  on=exp.and_(*conds), join_type="left")
        q.add_comments([_where(m.span, f"{self.pkg.id}/{m.id}") + "lookup"])
        self._layer(f"lookup_{lk.index}", q)
        self.lookups[key] = lk
        return lk

    def _map_cte(self, m: ir.Map) -> exp.CTE:
        keys = [col(k) for k in m.key]
        window = exp.Window(this=exp.RowNumber(), partition_by=[k.copy() for k in keys],
                            order=exp.Order(expressions=[exp.Ordered(this=col("_line"))]))
        inner = exp.select(exp.Star(), exp.alias_(window, "_n", quoted=True)) \
            .from_(exp.to_table(m.source, quoted=True))
        q = exp.select(*[col(k) for k in (*m.key, *m.values)],
                       exp.alias_(exp.Boolean(this=True), "_found", quoted=True)) \
            .from_(exp.alias_(exp.Subquery(this=inner), "_m", quoted=True)) \
            .where(exp.EQ(this=col("_n"), expression=exp.Literal.number(1)))
        q.add_comments([_where(m.span, f"{self.pkg.id}/{m.id}")
                        + "first entry per key (repeated keys are D0202)"])
        return exp.CTE(this=q, alias=exp.TableAlias(
            this=exp.to_identifier(f"map__{names.ident(m.id)}", quoted=True)))

    def _select(self, *cols: exp.Expr) -> exp.Select:
        return exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("s", quoted=True)),
                          *cols).from_(exp.alias_(exp.to_table(self._last, quoted=True), "s",
                                                  table=True, quoted=True))

    def build(self) -> None:
        led, pkg = self.led, self.pkg
        params = [exp.alias_(col(p.name, "p"), f"${p.name}", quoted=True) for p in pkg.params]
        base = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("r", quoted=True)),
                          *params) \
            .from_(exp.alias_(exp.to_table(led.id, quoted=True), "r", table=True, quoted=True))
        if params:
            base = base.join(exp.alias_(exp.to_table("apura_params", quoted=True), "p",
                                        table=True, quoted=True), join_type="cross")
        base.add_comments([f" ledger '{led.id}' with the run parameters "])
        self._layer("records", base)
        # Derived fields, in dependency order; map lookups joined where first needed.
        for d in led.derived:
            for lk in lookups_in(d.expr):
                self.occurrence(lk, None, 0)
            q = self._select(exp.alias_(self.sx(d.expr), d.name, quoted=True))
            q.add_comments([_where(d.span, d.id) + sql_comment(d.text) + " "])
            self._layer(f"derived_{d.name}", q)
        # Lookups of the parts, joined in their order; then their columns, layer by layer.
        pending = [(p, list(p.lookups())) for p in self.parts]
        for _, lks in pending:
            for _, lk in lks:
                self._join(lk)
        q = self._select(*[c for p in self.parts for c in p.filtered(self)])
        q.add_comments([" each layout's filter (a record is in the layout when it is true) "])
        self._layer("filtered", q)
        q = self._select(*[c for p in self.parts for c in p.classified(self)])
        q.add_comments([" each record's row in each layout (null: the record is not in it) "])
        self._layer("classified", q)
        for p, lks in pending:
            p.checks(self, lks)

    def add_check(self, prefix: str, render: Callable[[ScanGen, str], tuple[
            list[exp.Expr], exp.Expr, exp.Expr, dict[str, object]]]) -> None:
        """A per-record check of a scan part, next in the Python scan's order (see _Check)."""
        self.checks.append(_Check(kind="part", column=f"{prefix}{len(self.checks)}",
                                  render=render))

    def occurrence(self, e: ir.MapLookup, reach: exp.Expr | None, outer: int) -> None:
        """A lookup the Python scan evaluates at this point (D0201 when the key is missing),
        unless an earlier one in a scope still open there already did: derived fields and
        filters stay open for the whole record, a layout's rules and columns for the layout."""
        lk = self._join(e)
        if lk.map.on_missing != "error":
            return
        for k, c in enumerate(self.checks):
            if c.kind == "lookup" and c.lookup is lk and (c.reach is None or
                                                          (reach is not None and k >= outer)):
                return
        self.checks.append(_Check(kind="lookup", column=f"_e{len(self.checks)}", lookup=lk,
                                  reach=reach))

    # ------------------------------------------------------------ statements
    def _with(self, query: exp.Expr) -> exp.Expr:
        ctes = [self._map_cte(self.maps[m]) for m in
                sorted({lk.map.id for lk in self.lookups.values()},
                       key=lambda i: [m.id for m in self.pkg.maps].index(i))]
        # The CTE chain is shared, not copied: each statement is rendered before the next is
        # built (a deep copy per statement was most of the time of a 20,000-row layout).
        query.set("with_", exp.With(expressions=[*ctes, *self.ctes]))
        return query

    def errors(self) -> tuple[exp.Expr, list[dict[str, object]]] | None:
        if not self.checks:
            return None
        cols: list[exp.Expr] = [col("_line", "s")]
        anys: list[exp.Expr] = []
        # a record can be reported only if one of these holds: the checks run on those alone
        pre: list[exp.Expr] = []
        meta: list[dict[str, object]] = []
        for c in self.checks:
            if c.kind == "lookup":
                assert c.lookup is not None
                missing = exp.Is(this=col(f"_l{c.lookup.index}__found", "s"),
                                 expression=exp.Null())
                test = missing if c.reach is None else exp.and_(c.reach.copy(), missing)
                cols.append(exp.alias_(test, c.column, quoted=True))
                pre.append(paren(test.copy()))
                anys.append(col(c.column))
                keys = []
                for j, k in enumerate(c.lookup.keys):
                    name = f"{c.column}_k{j}"
                    cols.append(exp.alias_(self.sx(k), name, quoted=True))
                    keys.append(name)
                meta.append({"kind": "lookup", "column": c.column, "map": c.lookup.map.id,
                             "keys": keys})
            else:
                assert c.render is not None
                more, needed, failed, entry = c.render(self, c.column)
                cols.extend(more)
                pre.append(needed)
                anys.append(failed)
                meta.append(entry)
        inner = exp.select(*cols).from_(exp.alias_(exp.to_table("classified", quoted=True), "s",
                                                   table=True, quoted=True)) \
            .where(exp.or_(*pre))
        self._error_count = exp.select(
            exp.alias_(exp.Literal.string(""), "layout", quoted=True),
            exp.alias_(exp.Null(), "part", quoted=True),
            exp.alias_(exp.Null(), "row", quoted=True),
            exp.alias_(cast(exp.Count(this=exp.Star()), "VARCHAR"), "v0", quoted=True)) \
            .from_(exp.alias_(exp.Subquery(this=inner.copy()), "e", quoted=True)) \
            .where(exp.or_(*[a.copy() for a in anys]))
        outer = exp.select(exp.Star()).from_(exp.alias_(exp.Subquery(this=inner), "e",
                                                        quoted=True)) \
            .where(exp.or_(*anys)).order_by(exp.Ordered(this=col("_line")))
        return self._with(outer), meta

    def aggregate(self) -> tuple[exp.Expr, dict[str, list[str]]]:
        """One SELECT per part (its accumulator's rows), then the partitions and the records
        that reached a node (layout '*'), then the count of `errors` (layout ''), as text."""
        part_field = self.pkg.partition
        accs = [p.accumulator() for p in self.parts]
        width = max(len(a.columns) for a in accs)
        selects = [p.aggregate(self, width) for p in self.parts]
        kinds = {a.node_id: list(a.columns) for a in accs}
        # Every partition value of the ledger (layout '*'): the partitions of a run are those of
        # its records, whether or not a layout took them; v0 counts the records that reached a
        # layout (got a row in one), as the Python scan's `_reached`.
        part = col(part_field, "s") if part_field else exp.Null()
        landed = exp.or_(*[e for p in self.parts if p.reaches
                           for e in (p.landed(self),) if e is not None])
        reached = cast(exp.Count(this=exp.Case(ifs=[exp.If(this=landed,
                                                           true=exp.Literal.number(1))])),
                       "VARCHAR")
        every = exp.select(exp.alias_(exp.Literal.string("*"), "layout", quoted=True),
                           exp.alias_(part, "part", quoted=True),
                           exp.alias_(exp.Null(), "row", quoted=True),
                           exp.alias_(reached, "v0", quoted=True),
                           *[exp.alias_(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True)
                             for k in range(1, width)]) \
            .from_(exp.alias_(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True))
        if part_field:
            every = every.group_by(part.copy())
        selects.append(every)
        if self._error_count is not None and width > 0:
            # How many records `errors` would report: that statement (a second pass over the
            # ledger) runs only when this is not 0. Layout '' marks the row.
            count = self._error_count
            for k in range(1, width):
                count = count.select(exp.alias_(cast(exp.Null(), "VARCHAR"), f"v{k}",
                                                quoted=True))
            selects.append(count)
        query: exp.Expr = selects[0]
        for s in selects[1:]:
            query = exp.union(query, s, distinct=False)
        return self._with(query), kinds


# ---------------------------------------------------------------- files
def _render(e: exp.Expr, dialect: str) -> str:
    return e.sql(dialect=dialect, pretty=True, identify=True) + ";"


def scan_parts(pkg: ir.Package) -> dict[str, list[SqlScanPart]]:
    """ledger id → the SQL scan parts of the nodes that read it (registry, then file order)."""
    out: dict[str, list[SqlScanPart]] = {}
    for node in pkg.nodes:
        em = kinds.sql(ir.kind_of(node))
        for ledger, part in (em.scan_parts(node) if em is not None else ()):
            out.setdefault(ledger, []).append(part)
    return out


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """sql/plan.json and sql/<dialect>/<ledger>.sql for every ledger and dialect."""
    files: dict[str, str] = {}
    plan: dict[str, object] = {"format": 1, "ledgers": {}}
    ledgers_plan: dict[str, object] = {}
    parts = scan_parts(pkg)
    for dialect in DIALECTS:
        for led in pkg.ledgers:
            readers = parts.get(led.id, [])
            out = [f"-- Code generated by apura {COMPILER_VERSION} from "
                   f"{sql_comment(folder)}. DO NOT EDIT.",
                   f"-- Ledger '{led.id}' ({sql_comment(led.span.file)}), {dialect} dialect. "
                   f"Statements start at '{STATEMENT_MARK.strip()} <name>';",
                   "-- what each returns: sql/plan.json (read by runtime/backends/plan.py).",
                   ""]
            statements: list[str] = []

            def emit(name: str, what: str, e: exp.Expr, statements: list[str] = statements,
                     out: list[str] = out, dialect: str = dialect) -> None:
                statements.append(name)
                out.append(f"{STATEMENT_MARK}{name}")
                out.append(f"-- {what}")
                out.append(_render(e, dialect))
                out.append("")

            conv = convert_statement(led)
            emit("convert", "text cells → typed values; _ok is false where runtime/ledgers.py "
                 "might reject the row", conv)
            for m in pkg.maps:
                if m.source == led.id:
                    emit(f"duplicates {m.id}", f"repeated keys of map '{m.id}' (D0202)",
                         duplicates_statement(m))
            entry: dict[str, object] = {"statements": statements, "accumulators": {},
                                        "checks": []}
            if readers:
                gen = ScanGen(pkg, led, readers, dialect)
                gen.build()
                errs = gen.errors()
                if errs is not None:
                    emit("errors", "records with a missing map key (D0201) or two rows of a "
                         "unique layout (D0301)", errs[0])
                    entry["checks"] = errs[1]
                agg, kinds = gen.aggregate()
                emit("aggregate", "per layout, partition and row: the column aggregates as "
                     "text (totalizers and value rows are computed by the Python finish)", agg)
                entry["accumulators"] = kinds
            files[f"sql/{dialect}/{led.id}.sql"] = "\n".join(out)
            if dialect == DIALECTS[0]:
                ledgers_plan[led.id] = entry
            else:
                assert ledgers_plan[led.id] == entry, "dialects disagree on the plan"
    plan["ledgers"] = ledgers_plan
    files["sql/plan.json"] = json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return files
