"""IR package → SQL statements (sqlglot trees rendered per dialect) and their plan.

For every ledger of a package, per dialect, one file `sql/<dialect>/<ledger>.sql` of named
statements, and one dialect-neutral `sql/plan.json` telling the runtime what each statement
returns (see runtime/backends/plan.py, which reads them):

* `convert`: text cells → typed values with the accept rules of runtime/cells.py, plus `_ok`
  (compiler/codegen/convert.py);
* `duplicates <map>`: repeated keys of a map built from this ledger (D0202);
* `errors`: records that hit a missing map key (D0201) or two rows of a `unique` layout (D0301),
  with what the messages need, in the order the Python back end evaluates them;
* `aggregate`: one row per (layout, partition, row) with the column aggregates as text.

Relations the statements read (made by the runtime): `"<ledger>__cells"` (`_line`,
`_width_ok`, one text column per field), the typed ledgers `"<ledger>"` (fields + `_line`) and
`"apura_params"` (one row, one column per parameter). Totalizers and value rows are not here:
they stay in the generated Python `finish`, which runs on what `aggregate` returns.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from dataclasses import field

from sqlglot import exp

from compiler import ir
from compiler.codegen import names
from compiler.codegen.convert import convert_statement
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import DIALECTS
from compiler.codegen.sqlexpr import SqlExpr
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.codegen.sqlexpr import paren
from compiler.version import COMPILER_VERSION
from runtime.contract import LEDGER_PRECISION
from runtime.contract import PARAM_PRECISION
from runtime.contract import PARAM_SCALE
from runtime.contract import STATEMENT_MARK


def _where(span: object, plan_id: str) -> str:
    s = span
    where = f"{s.file}:{s.line}:{s.col}"  # type: ignore[attr-defined]
    return f" {sql_comment(where)}  {sql_comment(plan_id)} "


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
    """One thing the Python back end checks per record, in its evaluation order."""

    kind: str                      # "lookup" | "unique"
    column: str
    lookup: _Lookup | None = None
    reach: exp.Expr | None = None
    layout: ir.Layout | None = None
    rows: list[int] = field(default_factory=list)


class ScanGen:
    """The CTE chain of one scanned ledger for one dialect: records, parameters, map joins,
    derived fields, row classification; then the `errors` and `aggregate` statements."""

    def __init__(self, pkg: ir.Package, led: ir.Ledger, layouts: list[ir.Layout],
                 dialect: str) -> None:
        self.pkg = pkg
        self.led = led
        self.layouts = layouts
        self.dialect = dialect
        self.maps = {m.id: m for m in pkg.maps}
        self.ledgers = {x.id: x for x in pkg.ledgers}
        self.ctes: list[exp.CTE] = []
        self.lookups: dict[str, _Lookup] = {}
        self.derived = {d.name: d for d in led.derived}
        self.sx = SqlExpr(dialect, self._resolve, self._shape)
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

    def _lookups_in(self, e: ir.Expr | None) -> list[ir.MapLookup]:
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
        self.checks: list[_Check] = []
        # Derived fields, in dependency order; map lookups joined where first needed.
        for d in led.derived:
            for lk in self._lookups_in(d.expr):
                self._occurrence(lk, None, 0)
            q = self._select(exp.alias_(self.sx(d.expr), d.name, quoted=True))
            q.add_comments([_where(d.span, d.id) + sql_comment(d.text) + " "])
            self._layer(f"derived_{d.name}", q)
        # Layout lookups: filters are evaluated for every record, rules when the filter holds,
        # column values when the record got a row (runtime/ops order, for D0201).
        pending: list[tuple[ir.Layout, str, ir.MapLookup]] = []
        for lay in self.layouts:
            for lk in self._lookups_in(lay.filter):
                pending.append((lay, "filter", lk))
            for r in lay.rows:
                for lk in self._lookups_in(r.cond):
                    pending.append((lay, "rule", lk))
            for c in lay.columns:
                if c.value is not None:
                    for lk in (*self._lookups_in(c.value.where), *self._lookups_in(c.value.arg)):
                        pending.append((lay, "column", lk))
        for _, _, lk in pending:
            self._join(lk)
        # Row classification: the first rule that holds, else the `otherwise` row, else none.
        filters: list[exp.Expr] = []
        for lay in self.layouts:
            lid = names.ident(lay.id)
            filt = self.sx(lay.filter) if lay.filter is not None else exp.Boolean(this=True)
            f_col = exp.alias_(filt, f"_f__{lid}", quoted=True)
            if lay.filter is not None:
                f_col.add_comments([_where(lay.filter.span, f"{pkg.id}/{lay.id}/filter")
                                    + sql_comment(lay.filter_text) + " "])
            filters.append(f_col)
        q = self._select(*filters)
        q.add_comments([" each layout's filter (a record is in the layout when it is true) "])
        self._layer("filtered", q)
        classified = [exp.alias_(self._classify(lay), f"_row__{names.ident(lay.id)}",
                                 quoted=True) for lay in self.layouts]
        q = self._select(*classified)
        q.add_comments([" each record's row in each layout (null: the record is not in it) "])
        self._layer("classified", q)
        self._layout_checks(pending)

    def _classify(self, lay: ir.Layout) -> exp.Expr:
        ifs = []
        for r in lay.rows:
            if r.kind is ir.RowKind.RULE and r.cond is not None:
                test = self.sx(r.cond)
                test.add_comments([_where(r.span, r.id) + sql_comment(r.cond_text) + " "])
                ifs.append(exp.If(this=test, true=exp.Literal.number(r.index)))
        other = next((r for r in lay.rows if r.kind is ir.RowKind.OTHERWISE), None)
        default = exp.Literal.number(other.index) if other else None
        inner: exp.Expr
        if ifs:
            inner = exp.Case(ifs=ifs, default=default)
        else:
            inner = default if default is not None else exp.Null()
        filt = col(f"_f__{names.ident(lay.id)}", "s")
        return exp.Case(ifs=[exp.If(this=filt, true=inner)])

    def _layout_checks(self, pending: list[tuple[ir.Layout, str, ir.MapLookup]]) -> None:
        for lay in self.layouts:
            lid = names.ident(lay.id)
            in_filter = exp.Coalesce(this=col(f"_f__{lid}", "s"),
                                     expressions=[exp.Boolean(this=False)])
            has_row = exp.Not(this=exp.Is(this=col(f"_row__{lid}", "s"), expression=exp.Null()))
            outer = len(self.checks)  # lookups of rules/columns are forgotten after the layout
            for where in ("filter", "rule", "column"):
                for lay2, kind, lk in pending:
                    if lay2 is not lay or kind != where:
                        continue
                    reach = None if kind == "filter" else (
                        in_filter.copy() if kind == "rule" else has_row.copy())
                    self._occurrence(lk, reach, outer)
                if where == "rule" and lay.hit_policy is ir.HitPolicy.UNIQUE:
                    rows = [r.index for r in lay.rows if r.kind is ir.RowKind.RULE]
                    if len(rows) > 1:
                        self.checks.append(_Check(kind="unique", column=f"_u{len(self.checks)}",
                                                  layout=lay, rows=rows))

    def _occurrence(self, e: ir.MapLookup, reach: exp.Expr | None, outer: int) -> None:
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
                assert c.layout is not None
                lid = names.ident(c.layout.id)
                pre.append(col(f"_f__{lid}", "s"))
                hits = []
                for r in c.rows:
                    row = c.layout.rows[r]
                    assert row.cond is not None
                    name = f"{c.column}_r{r}"
                    both = exp.and_(col(f"_f__{lid}", "s"), paren(self.sx(row.cond)))
                    cols.append(exp.alias_(exp.Coalesce(this=exp.Paren(this=both),
                                                        expressions=[exp.Boolean(this=False)]),
                                           name, quoted=True))
                    hits.append(exp.Case(ifs=[exp.If(this=col(name),
                                                     true=exp.Literal.number(1))],
                                         default=exp.Literal.number(0)))
                total: exp.Expr = hits[0]
                for h in hits[1:]:
                    total = exp.Add(this=total, expression=h)
                anys.append(exp.GT(this=total, expression=exp.Literal.number(1)))
                meta.append({"kind": "unique", "layout": c.layout.id,
                             "rows": [[r, f"{c.column}_r{r}"] for r in c.rows]})
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
        part_field = self.pkg.partition
        width = max(len(lay.columns) for lay in self.layouts)
        selects = []
        kinds: dict[str, list[str]] = {}
        for lay in self.layouts:
            lid = names.ident(lay.id)
            row = col(f"_row__{lid}", "s")
            part = col(part_field, "s") if part_field else exp.Null()
            values: list[exp.Expr] = []
            kinds[lay.id] = []
            for c in lay.columns:
                agg = c.value
                if agg is None:
                    values.append(exp.alias_(exp.Null(), f"v{c.index}", quoted=True))
                    kinds[lay.id].append("none")
                    continue
                arg = self.sx(agg.arg) if agg.arg is not None else None
                if agg.where is not None:
                    arg = exp.Case(ifs=[exp.If(this=self.sx(agg.where),
                                               true=arg if arg is not None
                                               else exp.Literal.number(1))])
                if agg.func == "count":
                    value: exp.Expr = exp.Count(this=arg if arg is not None
                                                      else exp.Star())
                    kind = "int"
                elif agg.func == "sum":
                    assert arg is not None and agg.arg is not None
                    zero = lit(0)
                    value = exp.Coalesce(this=exp.Sum(this=arg), expressions=[zero])
                    kind = "int" if agg.arg.type.base == "int" else "decimal"
                else:
                    assert arg is not None and agg.arg is not None
                    value = (exp.Min if agg.func == "min" else exp.Max)(this=arg)
                    kind = agg.arg.type.base
                value = cast(value, "VARCHAR")
                value.add_comments([_where(c.span, f"{self.pkg.id}/{lay.id}/column/{c.id}")
                                    + f"{c.id} = {sql_comment(c.text)} "])
                values.append(exp.alias_(value, f"v{c.index}", quoted=True))
                kinds[lay.id].append(kind)
            for k in range(len(lay.columns), width):
                values.append(exp.alias_(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True))
            q = exp.select(exp.alias_(exp.Literal.string(lay.id), "layout", quoted=True),
                           exp.alias_(part, "part", quoted=True),
                           exp.alias_(row.copy(), "row", quoted=True), *values) \
                .from_(exp.alias_(exp.to_table("classified", quoted=True), "s", table=True,
                                  quoted=True)) \
                .where(exp.Not(this=exp.Is(this=row.copy(), expression=exp.Null()))) \
                .group_by(*([part.copy()] if part_field else []), row.copy())
            q.add_comments([_where(lay.span, f"{self.pkg.id}/{lay.id}")
                            + f"hit_policy {lay.hit_policy.value} "])
            selects.append(q)
        # Every partition value of the ledger (layout '*'): the partitions of a run are those of
        # its records, whether or not a layout took them; v0 counts the records that reached a
        # layout (got a row in one), as the Python scan's `_reached`.
        part = col(part_field, "s") if part_field else exp.Null()
        landed = exp.or_(*[exp.Not(this=exp.Is(this=col(f"_row__{names.ident(lay.id)}", "s"),
                                               expression=exp.Null()))
                           for lay in self.layouts])
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


def _scanned(pkg: ir.Package, led: ir.Ledger) -> list[ir.Layout]:
    return [lay for lay in pkg.layouts
            if lay.source == led.id and any(r.kind in (ir.RowKind.RULE, ir.RowKind.OTHERWISE)
                                            for r in lay.rows)]


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """sql/plan.json and sql/<dialect>/<ledger>.sql for every ledger and dialect."""
    files: dict[str, str] = {}
    plan: dict[str, object] = {"format": 1, "ledgers": {}}
    ledgers_plan: dict[str, object] = {}
    for dialect in DIALECTS:
        for led in pkg.ledgers:
            layouts = _scanned(pkg, led)
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
            entry: dict[str, object] = {"statements": statements, "layouts": {}, "checks": []}
            if layouts:
                gen = ScanGen(pkg, led, layouts, dialect)
                gen.build()
                errs = gen.errors()
                if errs is not None:
                    emit("errors", "records with a missing map key (D0201) or two rows of a "
                         "unique layout (D0301)", errs[0])
                    entry["checks"] = errs[1]
                agg, kinds = gen.aggregate()
                emit("aggregate", "per layout, partition and row: the column aggregates as "
                     "text (totalizers and value rows are computed by the Python finish)", agg)
                entry["layouts"] = kinds
            files[f"sql/{dialect}/{led.id}.sql"] = "\n".join(out)
            if dialect == DIALECTS[0]:
                ledgers_plan[led.id] = entry
            else:
                assert ledgers_plan[led.id] == entry, "dialects disagree on the plan"
    plan["ledgers"] = ledgers_plan
    files["sql/plan.json"] = json.dumps(plan, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return files
