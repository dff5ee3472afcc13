"""The SQL of a derivation node (DuckDB dialect): one SELECT over the relation the runtime
loads with the node's input records (`INPUT`, alias `_s`: the ledger's fields, the classify
fields and `_line`), giving per output record its first line, its keys or classify fields, its
fields and its warnings' tests, in output order (per record: the input order; per key: the
key's first record). Aggregates are rendered with the null rules of the Python back end (nulls
skipped, the sum of nothing 0).

A collection (`related:`) is a join and window functions: CTE `_k<j>` joins each record
(`_s`) with the related records (`_r`, relation `RELATED<i>`) on the `on` fields and `where`,
numbering them per record in the declared order (`_apura_rn`, ties by the related line; and
per max_by/min_by use by its key, then that order), with each use's value and picked field as
columns; CTE `_g<j>` folds them per record; the main SELECT left-joins it (no related record:
the defaults of runtime/derivation_related.py — 0, false, true, null)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlglot import exp

from compiler import ir
from compiler.codegen.sqlexpr import SqlExpr
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.kinds.derivation import union_sql as union
from compiler.kinds.derivation.each import EACH
from compiler.kinds.derivation.lower import rewrite
from compiler.kinds.derivation.params import PARAM
from compiler.kinds.derivation.related import OUTER
from compiler.kinds.derivation.related import PICKS
from compiler.kinds.derivation.related import USE
from runtime.contract import LEDGER_PRECISION
from runtime.contract import SUM_PRECISION

INPUT = "_apura_derivation_input"  # what runtime/derivation.py names the loaded records
RELATED = "_apura_related_"        # + i: the i-th related ledger (runtime/derivation.RELATED)
OWNER, RN, N = "_apura_o", "_apura_rn", "_apura_n"


def _table(name: str, alias: str) -> exp.Expr:
    return exp.alias_(exp.to_table(f'"{name}"'), alias, table=True, quoted=True)


class _Render:
    def __init__(self, dialect: str, scales: Callable[[ir.Expr], tuple[int, int] | None],
                 resolve: Callable[[ir.Expr], exp.Expr | None]) -> None:
        self.scales = scales
        self.resolve = resolve
        self.sx = SqlExpr(dialect, self._resolve, self._shape)

    def _shape(self, e: ir.Expr) -> tuple[int, int]:
        got = self.scales(e)
        if got is not None:
            return got
        if isinstance(e, ir.Aggregate) and e.arg is not None:
            return SUM_PRECISION, self.sx.shape(e.arg)[1]
        return SUM_PRECISION, 2

    def _resolve(self, e: ir.Expr) -> exp.Expr | None:
        got = self.resolve(e)
        if got is not None:
            return got
        if isinstance(e, ir.Aggregate):
            value = self.sx(e.arg) if e.arg is not None else exp.Literal.number(1)
            if e.where is not None:
                value = exp.Case(ifs=[exp.If(this=self.sx(e.where), true=value)])
            if e.func == "sum":
                return exp.Coalesce(this=exp.Sum(this=value), expressions=[lit(0)])
            if e.func == "count":
                return exp.Count(this=value)
            return (exp.Min if e.func == "min" else exp.Max)(this=value)
        return None


def _fn(name: str, *args: exp.Expr) -> exp.Expr:
    return exp.Anonymous(this=name, expressions=list(args))


def derivation_sql(node: ir.Derivation, ledgers: dict[str, ir.Ledger],
                   params: tuple[tuple[str, str], ...] = (), dialect: str = "duckdb") -> str:
    """The node's SELECT; `params` (compiler/kinds/derivation/params.py) are columns of the
    input relation, one value on every record, grouped by as keys in a per-key node."""
    led = ledgers[node.ledger]
    scale = {f.name: f.scale for f in led.fields}
    rel = {r.name: r for r in node.related}
    with_ledgers = [w.ledger for w in node.union.withs] if node.union else []
    rel_index = {name: i for i, name in enumerate(dict.fromkeys(
        [*(r.ledger for r in node.related), *with_ledgers]))}
    uses = {f"{USE}{u.index}": u for u in node.collects}
    used = list(dict.fromkeys(u.related for u in node.collects))
    rscale = {name: {f.name: f.scale for f in ledgers[rel[name].ledger].fields} for name in rel}

    escale = rscale.get(node.union.collections[0] if node.union else node.each, {})

    def outer_scales(e: ir.Expr) -> tuple[int, int] | None:
        if isinstance(e, ir.FieldRef) and e.name.startswith(EACH):
            return LEDGER_PRECISION, escale.get(e.name[len(EACH):], 2)
        if isinstance(e, ir.FieldRef) and e.name in uses:
            u = uses[e.name]
            if u.func in PICKS:
                return LEDGER_PRECISION, rscale[u.related].get(u.field or "", 2)
            if u.func == "sum" and u.value is not None:
                return SUM_PRECISION, main.sx.shape(u.value)[1]
            return None
        if isinstance(e, ir.FieldRef):
            return LEDGER_PRECISION, scale.get(e.name, 2)
        return None

    def outer_resolve(e: ir.Expr) -> exp.Expr | None:
        if isinstance(e, ir.FieldRef) and e.name.startswith(EACH):
            name = e.name[len(EACH):]
            return union.member_col(node.union, name) if node.union else col(name, "_e")
        if isinstance(e, ir.FieldRef) and e.name in uses:
            u = uses[e.name]
            got = col(f"{USE}{u.index}", f"_g{used.index(u.related)}")
            default = {"count": lit(0), "sum": lit(0), "any": exp.false(),
                       "all": exp.true()}.get(u.func)
            return got if default is None else exp.Coalesce(this=got, expressions=[default])
        if isinstance(e, ir.FieldRef):
            return col(e.name, "_s")
        return None

    main = _Render(dialect, outer_scales, outer_resolve)
    line = col("_line", "_s")
    cols: list[exp.Expr] = [exp.Min(this=line) if node.per else line]
    cols += [col(k, "_s") for k in node.per] if node.per else \
        [col(c.name, "_s") for c in node.classify]
    cols += [exp.alias_(main.sx(f.expr), f"v{i}", quoted=True)
             for i, f in enumerate(node.fields)]
    cols += [exp.alias_(exp.Coalesce(this=main.sx(w.cond), expressions=[exp.false()]), f"w{i}",
                        quoted=True) for i, w in enumerate(node.warnings)]
    q = exp.select(*cols).from_(_table(INPUT, "_s"))
    for j, name in enumerate(used):
        k, g = _collection(node, rel[name], j, rel_index[rel[name].ledger], dialect, scale,
                           rscale[name])
        q = q.with_(f"_k{j}", as_=k).with_(f"_g{j}", as_=g)
        q = q.join(exp.alias_(exp.to_table(f'"_g{j}"'), f"_g{j}", table=True, quoted=True),
                   on=exp.EQ(this=col(OWNER, f"_g{j}"), expression=line), join_type="left")
    if node.union is not None:
        return union.join_members(
            q, node, rel, rel_index,
            lambda r: _inner(dialect, scale, rscale[r.name])).sql(dialect=dialect)
    if node.each:
        return _members(q, node, rel[node.each], rel_index[rel[node.each].ledger],
                        main).sql(dialect=dialect)
    if node.per:
        q = q.group_by(*(col(k, "_s") for k in node.per),
                       *(col(f"{PARAM}{name}", "_s") for name, _ in params))
    q = q.order_by(exp.Literal.number(1))
    return q.sql(dialect=dialect)


def _members(q: exp.Select, node: ir.Derivation, r: ir.Related, i: int,
             main: _Render) -> exp.Select:
    """`q` joined with the members of the `each:` collection `r` (RELATED<i>, alias `_e`), in
    output order: the record's line, the collection's order (nulls last), the member's line.
    Its `where:` reads this record's fields (OUTER + f) on `_s` and the member's on `_e`."""
    def member(x: ir.Expr) -> ir.Expr | None:
        if isinstance(x, ir.FieldRef):
            name = x.name[len(OUTER):] if x.name.startswith(OUTER) else f"{EACH}{x.name}"
            return dataclasses.replace(x, name=name)
        return None

    on: exp.Expr = exp.true()
    for theirs, mine in r.on:
        on = exp.And(this=on, expression=exp.EQ(this=col(theirs, "_e"),
                                                 expression=col(mine, "_s")))
    if r.where is not None:
        on = exp.And(this=on, expression=exp.Paren(this=main.sx(rewrite(r.where, member))))
    q = q.join(_table(f"{RELATED}{i}", "_e"), on=on, join_type="inner")
    order: list[exp.Expr] = [exp.Ordered(this=col("_line", "_s"))]
    order += [exp.Ordered(this=col(f, "_e"), desc=d, nulls_first=False) for f, d in r.order]
    order.append(exp.Ordered(this=col("_line", "_e")))
    return q.order_by(*order)


def _inner(dialect: str, scale: dict[str, int], rscale: dict[str, int]) -> _Render:
    """The renderer of a collection's expressions: the related record `_r`, this record
    (OUTER + f) `_s`."""
    def scales(e: ir.Expr) -> tuple[int, int] | None:
        if isinstance(e, ir.FieldRef) and e.name.startswith(OUTER):
            return LEDGER_PRECISION, scale.get(e.name[len(OUTER):], 2)
        if isinstance(e, ir.FieldRef):
            return LEDGER_PRECISION, rscale.get(e.name, 2)
        return None

    def resolve(e: ir.Expr) -> exp.Expr | None:
        if isinstance(e, ir.FieldRef) and e.name.startswith(OUTER):
            return col(e.name[len(OUTER):], "_s")
        if isinstance(e, ir.FieldRef):
            return col(e.name, "_r")
        return None

    return _Render(dialect, scales, resolve)


def _collection(node: ir.Derivation, r: ir.Related, j: int, i: int, dialect: str,
                scale: dict[str, int], rscale: dict[str, int]) -> tuple[exp.Select, exp.Select]:
    """The `_k<j>` and `_g<j>` CTEs of collection `r`."""
    inner = _inner(dialect, scale, rscale)
    part = [col("_line", "_s")]
    order: list[exp.Expr] = [exp.Ordered(this=col(f, "_r"), desc=d, nulls_first=False)
                             for f, d in r.order]
    order.append(exp.Ordered(this=col("_line", "_r"), nulls_first=False))

    def window(fn: exp.Expr, by: list[exp.Expr]) -> exp.Expr:
        return exp.Window(this=fn, partition_by=part, order=exp.Order(expressions=by))

    cols: list[exp.Expr] = [
        exp.alias_(col("_line", "_s"), OWNER, quoted=True),
        exp.alias_(window(exp.RowNumber(), order), RN, quoted=True),
        exp.alias_(exp.Window(this=exp.Count(this=exp.Star()), partition_by=part), N,
                   quoted=True)]
    folds: list[exp.Expr] = [col(OWNER)]
    for u in (u for u in node.collects if u.related == r.name):
        v = f"_apura_v{u.index}"
        if u.value is not None:
            cols.append(exp.alias_(inner.sx(u.value), v, quoted=True))
        if u.field is not None:
            cols.append(exp.alias_(col(u.field, "_r"), f"_apura_p{u.index}", quoted=True))
        if u.func in ("max_by", "min_by"):
            key = inner.sx(u.value) if u.value is not None else exp.Null()
            by: list[exp.Expr] = [exp.Ordered(this=exp.Is(this=key, expression=exp.Null())),
                  exp.Ordered(this=key.copy(), desc=u.func == "max_by"), *order]
            cols.append(exp.alias_(window(exp.RowNumber(), by), f"_apura_r{u.index}",
                                   quoted=True))
        truth = exp.Coalesce(this=col(v), expressions=[exp.false()])
        pick = col(f"_apura_p{u.index}")
        match u.func:
            case "count" if u.value is None:
                fold: exp.Expr = exp.Count(this=exp.Star())
            case "count":
                fold = exp.Sum(this=exp.Case(ifs=[exp.If(this=truth, true=lit(1))],
                                             default=lit(0)))
            case "any":
                fold = _fn("bool_or", truth)
            case "all":
                fold = _fn("bool_and", truth)
            case "sum":
                fold = exp.Sum(this=col(v))
            case "first" | "last":
                at = lit(1) if u.func == "first" else col(N)
                fold = exp.Max(this=exp.Case(ifs=[exp.If(this=exp.EQ(this=col(RN), expression=at),
                                                         true=pick)]))
            case _:
                test = exp.And(this=exp.EQ(this=col(f"_apura_r{u.index}"), expression=lit(1)),
                               expression=exp.Not(this=exp.Is(this=col(v),
                                                              expression=exp.Null())))
                fold = exp.Max(this=exp.Case(ifs=[exp.If(this=test, true=pick)]))
        folds.append(exp.alias_(fold, f"{USE}{u.index}", quoted=True))
    on: exp.Expr = exp.true()
    for theirs, mine in r.on:
        on = exp.And(this=on, expression=exp.EQ(this=col(theirs, "_r"),
                                                 expression=col(mine, "_s")))
    if r.where is not None:
        on = exp.And(this=on, expression=exp.Paren(this=inner.sx(r.where)))
    k = exp.select(*cols).from_(_table(INPUT, "_s")).join(
        _table(f"{RELATED}{i}", "_r"), on=on, join_type="inner")
    g = exp.select(*folds).from_(exp.to_table(f'"_k{j}"')).group_by(col(OWNER))
    return k, g
