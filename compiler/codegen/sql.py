"""IR package → SQL statements (sqlglot trees rendered per dialect) and their plan.

For every ledger of a package, per dialect, one file `sql/<dialect>/<ledger>.sql` of named
statements, and one dialect-neutral `sql/plan.json` telling the runtime what each statement
returns (see runtime/backends/plan.py, which reads them):

* `convert`: text cells → typed values with the accept rules of runtime/cells.py, plus `_ok`
  (compiler/codegen/convert.py);
* `duplicates <map>`: repeated keys of a map built from this ledger (D0202);
* `errors`: records that fail a per-record check of the ledger's scan plan
  (compiler/scanplan.py: a missing map key, D0201, under the scope where the plan evaluates
  the lookup; two rows of a `unique` layout, D0301), with what the messages need, in the
  plan's order;
* `aggregate`: one row per (node, partition, row) with the column aggregates as text; plan.json's
  `accumulators` gives, per node, how each column's text is parsed back (kinds.base.Accumulator).

Relations the statements read (made by the runtime): `"<ledger>__cells"` (`_line`,
`_width_ok`, one text column per field), the typed ledgers `"<ledger>"` (fields + `_line`) and
`"apura_params"` (one row, one column per parameter). Totalizers and value rows are not here:
they stay in the generated Python `finish`, which runs on what `aggregate` returns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlglot import exp

from compiler import ir
from compiler import kinds
from compiler import scanplan
from compiler.codegen import names
from compiler.codegen.convert import convert_statement
from compiler.codegen.quoting import sql_comment
from compiler.codegen.sqlexpr import DIALECTS
from compiler.codegen.sqlexpr import SqlExpr
from compiler.codegen.sqlexpr import all_of
from compiler.codegen.sqlexpr import any_of
from compiler.codegen.sqlexpr import as_alias
from compiler.codegen.sqlexpr import cast
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import paren
from compiler.scanplan import LAZY
from compiler.scanplan import Guard
from compiler.scanplan import Lookup
from compiler.scanplan import MissingKey
from compiler.scanplan import ScanPlan
from compiler.scanplan import Scope
from compiler.scanplan import Unconfirmed
from compiler.scanplan import is_report
from compiler.scanplan import lookups_in
from compiler.scanplan import reports
from compiler.version import COMPILER_VERSION
from runtime.contract import LEDGER_PRECISION
from runtime.contract import PARAM_PRECISION
from runtime.contract import PARAM_SCALE
from runtime.contract import STATEMENT_MARK
from runtime.model import CONFIRMED
from runtime.model import report_flag

if TYPE_CHECKING:
    from compiler.kinds.base import SqlScanPart


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
                       as_alias(window, "_n", quoted=True),
                       as_alias(first, "_first", quoted=True)) \
        .from_(exp.to_table(m.source, quoted=True), copy=False)
    return exp.select(*[col(k) for k in m.key], col("_line"), col("_first")) \
        .from_(as_alias(exp.Subquery(this=inner), "_d", quoted=True), copy=False) \
        .where(exp.GT(this=col("_n"), expression=exp.Literal.number(1)), copy=False) \
        .order_by(exp.Ordered(this=col("_line")), copy=False)


# ---------------------------------------------------------------- scans
class ScanGen:
    """The CTE chain of one scanned ledger for one dialect, along its scan plan
    (compiler/scanplan.py): records, parameters, the plan's map joins (`lookup_<n>`, joined
    where first needed) and derived fields, then the layers the scan parts of the nodes
    reading the ledger add (compiler/kinds/base.SqlScanPart: `filtered`, `classified`); then
    the `errors` statement (the plan's checks, in its order) and `aggregate`."""

    def __init__(self, pkg: ir.Package, plan: ScanPlan, parts: Sequence[SqlScanPart],
                 dialect: str) -> None:
        self.pkg = pkg
        self.plan = plan
        self.led = plan.ledger
        self.parts = list(parts)
        self.dialect = dialect
        self.maps = {m.id: m for m in pkg.maps}
        self.ledgers = {x.id: x for x in pkg.readable}  # a map's source may be a table
        self.ctes: list[exp.CTE] = []
        self.joined: set[int] = set()
        self.derived = {d.name: d for d in self.led.derived}
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

    def _lookup(self, e: ir.MapLookup) -> Lookup:
        lk = self.plan.lookup_of(e)
        if lk.index not in self.joined:
            raise AssertionError(f"lookup {lk.index} used before its join")
        return lk

    # ------------------------------------------------------------ the CTE chain
    def _layer(self, name: str, query: exp.Select) -> None:
        self.ctes.append(exp.CTE(this=query, alias=exp.TableAlias(
            this=exp.to_identifier(name, quoted=True))))

    @property
    def _last(self) -> str:
        return self.ctes[-1].alias

    def _join(self, lk: Lookup) -> None:
        if lk.index in self.joined:
            return
        m = lk.map
        alias = f"l{lk.index}"
        src = self.ledgers[m.source]
        nullable = {f.name for f in src.fields if not f.required}
        conds = []
        for k, name in zip(lk.keys, m.key, strict=True):
            left, right = self.sx(k), col(name, alias)
            safe = k.type.nullable or name in nullable
            conds.append(exp.NullSafeEQ(this=left, expression=right) if safe
                         else exp.EQ(this=left, expression=right))
        picked = [as_alias(col(v, alias), f"_l{lk.index}__{v}", quoted=True) for v in m.values]
        picked.append(as_alias(col("_found", alias), f"_l{lk.index}__found", quoted=True))
        if m.status is not None:  # D0802: which entry, its status, whether it is unconfirmed
            picked.extend(as_alias(col(c, alias), f"_l{lk.index}__{c}", quoted=True)
                          for c in ("_entry", "_status", "_unconfirmed"))
        q = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("s", quoted=True)),
                       *picked) \
            .from_(as_alias(exp.to_table(self._last, quoted=True), "s", table=True,
                              quoted=True), copy=False) \
            .join(as_alias(exp.to_table(f"map__{names.ident(m.id)}", quoted=True), alias,
                             table=True, quoted=True),
                  on=all_of(*conds), join_type="left", copy=False)
        q.add_comments([_where(m.span, f"{self.pkg.id}/{m.id}") + "lookup"])
        self._layer(f"lookup_{lk.index}", q)
        self.joined.add(lk.index)

    def _map_cte(self, m: ir.Map) -> exp.CTE:
        keys = [col(k) for k in m.key]
        window = exp.Window(this=exp.RowNumber(), partition_by=[k.copy() for k in keys],
                            order=exp.Order(expressions=[exp.Ordered(this=col("_line"))]))
        inner = exp.select(exp.Star(), as_alias(window, "_n", quoted=True)) \
            .from_(exp.to_table(m.source, quoted=True), copy=False)
        status: list[exp.Expr] = []
        if m.status is not None:  # an entry is confirmed when its status is null or CONFIRMADA
            st = col(m.status)
            confirmed = any_of(exp.Is(this=st, expression=exp.Null()),
                                exp.EQ(this=st.copy(), expression=exp.Literal.string(CONFIRMED)))
            status = [as_alias(col("_line"), "_entry", quoted=True),
                      as_alias(st.copy(), "_status", quoted=True),
                      as_alias(exp.Not(this=paren(confirmed)), "_unconfirmed", quoted=True)]
        q = exp.select(*[col(k) for k in (*m.key, *m.values)],
                       as_alias(exp.Boolean(this=True), "_found", quoted=True), *status) \
            .from_(as_alias(exp.Subquery(this=inner), "_m", quoted=True), copy=False) \
            .where(exp.EQ(this=col("_n"), expression=exp.Literal.number(1)), copy=False)
        q.add_comments([_where(m.span, f"{self.pkg.id}/{m.id}")
                        + "first entry per key (repeated keys are D0202)"])
        return exp.CTE(this=q, alias=exp.TableAlias(
            this=exp.to_identifier(f"map__{names.ident(m.id)}", quoted=True)))

    def _select(self, *cols: exp.Expr) -> exp.Select:
        return exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("s", quoted=True)),
                          *cols).from_(as_alias(exp.to_table(self._last, quoted=True), "s",
                                                  table=True, quoted=True), copy=False)

    def build(self) -> None:
        led, pkg = self.led, self.pkg
        params = [as_alias(col(p.name, "p"), f"${p.name}", quoted=True) for p in pkg.params]
        # the run's flag of each report part (does the run compute its node?), as a parameter
        ids = reports(pkg)
        self.flags = {p.index: report_flag(ids.index(p.node.id)) for p in self.plan.parts
                      if is_report(p.node)}
        params += [as_alias(col(f, "p"), f"${f}", quoted=True)
                   for f in dict.fromkeys(self.flags.values())]
        base = exp.select(exp.Column(this=exp.Star(), table=exp.to_identifier("r", quoted=True)),
                          *params) \
            .from_(as_alias(exp.to_table(led.id, quoted=True), "r", table=True, quoted=True),
                   copy=False)
        if params:
            base = base.join(as_alias(exp.to_table("apura_params", quoted=True), "p",
                                        table=True, quoted=True), join_type="cross", copy=False)
        base.add_comments([f" ledger '{led.id}' with the run parameters "])
        self._layer("records", base)
        # Derived fields, in dependency order; the plan's map joins where first needed.
        for d in led.derived:
            for m in lookups_in(d.expr):
                self._join(self.plan.lookup_of(m))
            q = self._select(as_alias(self.sx(d.expr), d.name, quoted=True))
            q.add_comments([_where(d.span, d.id) + sql_comment(d.text) + " "])
            self._layer(f"derived_{d.name}", q)
        for lk in self.plan.lookups:  # the parts' lookups, in the plan's order
            self._join(lk)
        q = self._select(*[self._gated(i, c) for i, p in enumerate(self.parts)
                           for c in p.filtered(self)])
        q.add_comments([" each layout's filter (a record is in the layout when it is true) "])
        self._layer("filtered", q)
        q = self._select(*[c for p in self.parts for c in p.classified(self)])
        q.add_comments([" each record's row in each layout (null: the record is not in it) "])
        self._layer("classified", q)

    def _landed(self) -> exp.Expr:
        """The record got a row of a node that counts as a report (D0601's `reached`)."""
        reaching = [e for p, pp in zip(self.parts, self.plan.parts, strict=True) if pp.reaches
                    for e in (p.landed(self),) if e is not None]
        return any_of(*reaching) if reaching else exp.Boolean(this=False)

    def reach(self, scope: Scope) -> list[exp.Expr]:
        """The SQL tests of a scope of the plan (each guard by the part that opened it; "on",
        the run's flag of a report part, here)."""
        return [col(f"${self.flags[g.part]}", "s") if g.what == "on"
                else self._lazy(g) if g.what in LAZY
                else self.parts[g.part].guard(self, g) for g in scope]

    def _lazy(self, g: Guard) -> exp.Expr:
        """A guard an expression opens inside itself (scanplan.LAZY): a later `coalesce`
        argument is evaluated when the earlier one is null, an `if` branch when its
        condition holds (then) or does not (else: false or null)."""
        assert g.expr is not None
        x = paren(self.sx(g.expr))
        if g.what == "null":
            return exp.Is(this=x, expression=exp.Null())
        holds = exp.Coalesce(this=x, expressions=[exp.Boolean(this=False)])
        return holds if g.what == "then" else exp.Not(this=holds)

    def _gated(self, index: int, column: exp.Expr) -> exp.Expr:
        """A report part's filter column, false when the run does not compute its node."""
        if index not in self.flags:
            return column
        assert isinstance(column, exp.Alias)
        column.set("this", all_of(col(f"${self.flags[index]}", "s"), paren(column.this)))
        return column

    # ------------------------------------------------------------ statements
    def _with(self, query: exp.Expr) -> exp.Expr:
        ctes = [self._map_cte(self.maps[m]) for m in
                sorted({self.plan.lookups[i].map.id for i in self.joined},
                       key=lambda i: [m.id for m in self.pkg.maps].index(i))]
        # The CTE chain is shared, not copied: each statement is rendered before the next is
        # built (a deep copy per statement was most of the time of a 20,000-row layout).
        query.set("with_", exp.With(expressions=[*ctes, *self.ctes]))
        return query

    def errors(self) -> tuple[exp.Expr, list[dict[str, object]]] | None:
        """The records that fail one of the plan's per-record checks, with what the messages
        need; plan.json's `checks` says, in the plan's order, how to read each row
        (runtime/backends/sqlrun.py RECORD_CHECKS)."""
        if not self.plan.checks:
            return None
        cols: list[exp.Expr] = [col("_line", "s")]
        anys: list[exp.Expr] = []
        # a record can be reported only if one of these holds: the checks run on those alone
        pre: list[exp.Expr] = []
        meta: list[dict[str, object]] = []
        for k, chk in enumerate(self.plan.checks):
            if isinstance(chk, MissingKey):
                b = self.plan.bindings[chk.binding]
                lk = self.plan.lookups[b.lookup]
                column = f"_e{k}"
                missing = exp.Is(this=col(f"_l{lk.index}__found", "s"), expression=exp.Null())
                test = all_of(*self.reach(b.scope), missing) if b.scope else missing
                cols.append(as_alias(test, column, quoted=True))
                pre.append(paren(test.copy()))
                anys.append(col(column))
                keys = []
                for j, key in enumerate(lk.keys):
                    name = f"{column}_k{j}"
                    cols.append(as_alias(self.sx(key), name, quoted=True))
                    keys.append(name)
                meta.append({"kind": "lookup", "column": column, "map": lk.map.id,
                             "keys": keys})
            elif isinstance(chk, Unconfirmed):
                b = self.plan.bindings[chk.binding]
                lk = self.plan.lookups[b.lookup]
                column = f"_c{k}"
                # used: looked up where the plan evaluates it, by a record that reaches a
                # report (got a row of a layout; the Python scan's `_hit`)
                used = all_of(col(f"_l{lk.index}___unconfirmed", "s"), paren(self._landed()))
                test = all_of(*self.reach(b.scope), used) if b.scope else used
                cols.append(as_alias(test, column, quoted=True))
                pre.append(paren(test.copy()))
                anys.append(col(column))
                keys = []
                for j, key in enumerate(lk.keys):
                    name = f"{column}_k{j}"
                    cols.append(as_alias(self.sx(key), name, quoted=True))
                    keys.append(name)
                for what in ("entry", "status"):
                    cols.append(as_alias(col(f"_l{lk.index}___{what}", "s"),
                                           f"{column}_{what}", quoted=True))
                meta.append({"kind": "unconfirmed", "column": column, "map": lk.map.id,
                             "keys": keys, "entry": f"{column}_entry",
                             "status": f"{column}_status"})
            else:
                more, needed, failed, entry = self.parts[chk.part].record_check(
                    self, chk, f"_u{k}")
                cols.extend(more)
                pre.append(needed)
                anys.append(failed)
                meta.append(entry)
        inner = exp.select(*cols).from_(as_alias(exp.to_table("classified", quoted=True), "s",
                                                   table=True, quoted=True), copy=False) \
            .where(any_of(*pre), copy=False)
        self._error_count = exp.select(
            as_alias(exp.Literal.string(""), "layout", quoted=True),
            as_alias(exp.Null(), "part", quoted=True),
            as_alias(exp.Null(), "row", quoted=True),
            as_alias(cast(exp.Count(this=exp.Star()), "VARCHAR"), "v0", quoted=True)) \
            .from_(as_alias(exp.Subquery(this=inner.copy()), "e", quoted=True), copy=False) \
            .where(any_of(*[a.copy() for a in anys]), copy=False)
        outer = exp.select(exp.Star()).from_(as_alias(exp.Subquery(this=inner), "e",
                                                        quoted=True), copy=False) \
            .where(any_of(*anys), copy=False).order_by(exp.Ordered(this=col("_line")), copy=False)
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
        landed = self._landed()
        reached = cast(exp.Count(this=exp.Case(ifs=[exp.If(this=landed,
                                                           true=exp.Literal.number(1))])),
                       "VARCHAR")
        every = exp.select(as_alias(exp.Literal.string("*"), "layout", quoted=True),
                           as_alias(part, "part", quoted=True),
                           as_alias(exp.Null(), "row", quoted=True),
                           as_alias(reached, "v0", quoted=True),
                           *[as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}", quoted=True)
                             for k in range(1, width)]) \
            .from_(as_alias(exp.to_table("classified", quoted=True), "s", table=True,
                              quoted=True), copy=False)
        if part_field:
            every = every.group_by(part.copy(), copy=False)
        selects.append(every)
        if self._error_count is not None and width > 0:
            # How many records `errors` would report: that statement (a second pass over the
            # ledger) runs only when this is not 0. Layout '' marks the row.
            count = self._error_count
            for k in range(1, width):
                count = count.select(as_alias(cast(exp.Null(), "VARCHAR"), f"v{k}",
                                                quoted=True), copy=False)
            selects.append(count)
        query: exp.Expr = selects[0]
        for s in selects[1:]:
            query = exp.union(query, s, distinct=False, copy=False)
        return self._with(query), kinds


# ---------------------------------------------------------------- files
def _render(e: exp.Expr, dialect: str) -> str:
    # each tree is rendered once (built per dialect): no copy for the dialect's transforms
    return e.sql(dialect=dialect, pretty=True, identify=True, copy=False) + ";"


def scan_parts(plan: ScanPlan) -> list[SqlScanPart]:
    """The SQL scan parts of a ledger's plan (registry, then file order)."""
    out: list[SqlScanPart] = []
    for p in plan.parts:
        em = kinds.sql(ir.kind_of(p.node))
        assert em is not None, f"kind {ir.kind_of(p.node)} has a planner but no sql.py"
        out.append(em.scan_part(p))
    return out


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """sql/plan.json and sql/<dialect>/<ledger>.sql for every ledger and dialect."""
    files: dict[str, str] = {}
    plan: dict[str, object] = {"format": 1, "ledgers": {}}
    ledgers_plan: dict[str, object] = {}
    plans = scanplan.build(pkg)
    # a table (compiler/kinds/table) is read only as a map's source or a derivation's
    # collection (related:, read again by the node at finish); otherwise no SQL
    sources = {m.source for m in pkg.maps} | {r.ledger for n in pkg.nodes
                                              if isinstance(n, ir.Derivation)
                                              for r in n.related}
    read = [led for led in pkg.readable if not isinstance(led, ir.Table) or led.id in sources]
    for dialect in DIALECTS:
        for led in read:
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
            if led.id in plans:
                gen = ScanGen(pkg, plans[led.id], scan_parts(plans[led.id]), dialect)
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
