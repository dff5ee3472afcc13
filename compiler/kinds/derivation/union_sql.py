"""The SQL of an `each:` union (compiler/kinds/derivation/union.py), DuckDB or Spark dialect:
the members of every record as a UNION ALL of one join per collection (`_e`: this record's
line, the union's position, the member's `row_number()` in the collection's order, the shared
fields and `colecao` as a literal), joined to the record; each `with:` ledger (`_w<i>`) at
its first line per key, left-joined to the member in order (a key may read an earlier one's
fields, or this record's). Rows come in the record's line, the union's
position, the member's place — the order runtime/derivation_union.expand gives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlglot import exp

from compiler import ir
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.kinds.derivation.related import OUTER
from compiler.kinds.derivation.union import SOURCE

INPUT = "_apura_derivation_input"  # sqltext.INPUT
RELATED = "_apura_related_"        # sqltext.RELATED
U, RN, OWNER = "_apura_u", "_apura_un", "_apura_uo"


def _table(name: str, alias: str) -> exp.Expr:
    return exp.alias_(exp.to_table(f'"{name}"'), alias, table=True, quoted=True)


def members_sql(node: ir.Derivation, rel: dict[str, ir.Related], index: dict[str, int],
                render: Callable[[ir.Related], Any]) -> exp.Expr:
    """The members of every record (`_e`): per collection of the union, this record's line
    (O), the collection's position (U), the member's place in its order (RN) and the member's
    fields, all of them UNION ALL. `render(r)` renders a collection's expressions (its record
    `_r`, this record `_s`: sqltext._collection's renderer)."""
    u = node.union
    assert u is not None
    q: exp.Expr | None = None
    for pos, name in enumerate(u.collections):
        r = rel[name]
        sx = render(r).sx
        order: list[exp.Expr] = [exp.Ordered(this=col(f, "_r"), desc=d, nulls_first=False)
                                 for f, d in r.order]
        order.append(exp.Ordered(this=col("_line", "_r")))
        rn = exp.Window(this=exp.RowNumber(), partition_by=[col("_line", "_s")],
                        order=exp.Order(expressions=order))
        cols: list[exp.Expr] = [exp.alias_(col("_line", "_s"), OWNER, quoted=True),
                                exp.alias_(exp.Literal.number(pos), U, quoted=True),
                                exp.alias_(rn, RN, quoted=True)]
        for f, _ in u.member:
            cols.append(exp.alias_(lit(name) if f == SOURCE else col(f, "_r"), f, quoted=True))
        on: exp.Expr = exp.true()
        for theirs, mine in r.on:
            on = exp.And(this=on, expression=exp.EQ(this=col(theirs, "_r"),
                                                     expression=col(mine, "_s")))
        if r.where is not None:
            on = exp.And(this=on, expression=exp.Paren(this=sx(r.where)))
        one = exp.select(*cols).from_(_table(INPUT, "_s")).join(
            _table(f"{RELATED}{index[r.ledger]}", "_r"), on=on, join_type="inner")
        q = one if q is None else exp.union(q, one, distinct=False)
    return exp.Subquery(this=q, alias=exp.TableAlias(this=exp.to_identifier("_e", quoted=True)))


def join_members(q: exp.Select, node: ir.Derivation, rel: dict[str, ir.Related],
                 index: dict[str, int], render: Callable[[ir.Related], Any]) -> exp.Select:
    """`q` joined with the union's members (`_e`) and their `with:` records (`_w<i>`), in output
    order: the record's line, the union's position, the member's place."""
    u = node.union
    assert u is not None
    line = col("_line", "_s")
    q = q.join(members_sql(node, rel, index, render),
               on=exp.EQ(this=col(OWNER, "_e"), expression=line), join_type="inner")
    for i, w in enumerate(u.withs):
        alias = f"_w{i}"
        on: exp.Expr = exp.EQ(this=col(RN, alias), expression=exp.Literal.number(1))
        for theirs, mine in w.on:
            on = exp.And(this=on, expression=exp.EQ(this=col(theirs, alias),
                                                     expression=_mine(u, mine)))
        q = q.join(with_sql(w, alias, index), on=on, join_type="left")
    return q.order_by(exp.Ordered(this=line), exp.Ordered(this=col(U, "_e")),
                      exp.Ordered(this=col(RN, "_e")))


def member_col(u: ir.Union, name: str) -> exp.Expr:
    """A member field in the main SELECT: on `_w<i>` when the i-th `with:` gives it, else
    `_e`."""
    for i, w in enumerate(u.withs):
        if name in w.fields:
            return col(name, f"_w{i}")
    return col(name, "_e")


def _mine(u: ir.Union, name: str) -> exp.Expr:
    """The member's side of a `with.on` key: this record's field (`_s`) or a member's."""
    if name.startswith(OUTER):
        return col(name[len(OUTER):], "_s")
    return member_col(u, name)


def with_sql(w: ir.With, alias: str, index: dict[str, int]) -> exp.Expr:
    """A `with:` ledger, its first record (by line) per `on` key (`alias`)."""
    part = [col(theirs) for theirs, _ in w.on]
    rn = exp.Window(this=exp.RowNumber(), partition_by=part,
                    order=exp.Order(expressions=[exp.Ordered(this=col("_line"))]))
    q = exp.select(exp.Star(), exp.alias_(rn, RN, quoted=True)).from_(
        exp.to_table(f'"{RELATED}{index[w.ledger]}"'))
    return exp.Subquery(this=q, alias=exp.TableAlias(this=exp.to_identifier(alias,
                                                                              quoted=True)))
