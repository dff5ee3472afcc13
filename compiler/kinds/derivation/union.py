"""`each:` over several collections — the recipients of a document are the union of its
sources (seed 001: the professor, the people linked, the aluno, Pai/Mãe, ...), one person
reached twice being one recipient:

    each:
      as: destinatario                 # the member, read as destinatario.f
      union: [professor, vinculados]   # collections of related:, in this order
      with: {ledger: pessoa, on: {pessoa: pessoa}}   # the member's person (its first record)
      keep: configurada                # a boolean field: a row where it is not true is dropped
      dedupe: {key: [email], join: fontes}           # equal e-mails: the first row, listing all

Members come per record in the union's order, then each collection's own order. A member has
the fields every collection of the union has with one type, `colecao` (the collection's name)
and the `with:` ledger's other fields (null when no record matches). `keep` and `dedupe` act
on the computed rows, in Python on every back end (runtime/derivation_union.py), so the back
ends agree by construction; a null key never merges. Compile time, at its position: an
unknown collection or ledger (S2013), a `with:` field that is no field (S2001), a `keep`,
`dedupe` or `join` name that is no field of the derivation, a `keep` that is not boolean or a
`join` that is not text (S2014)."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any

from sqlglot import exp

from compiler import catalog
from compiler import ir
from compiler import types as T
from compiler.codegen.sqlexpr import col
from compiler.codegen.sqlexpr import lit
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.kinds.derivation.related import Collections
    from compiler.kinds.derivation.spec import UnionSpec
    from compiler.lower import Lowerer

INPUT = "_apura_derivation_input"  # sqltext.INPUT
RELATED = "_apura_related_"        # sqltext.RELATED
SOURCE = "colecao"  # the member field naming its collection
U, RN, OWNER = "_apura_u", "_apura_un", "_apura_uo"


def members(lw: Lowerer, u: UnionSpec, colls: Collections
            ) -> tuple[dict[str, T.Type], ir.Union] | None:
    """The member's fields and the union (keep/dedupe are set by `post`)."""
    ok = True
    shared: dict[str, T.Type] | None = None
    for c in u.collections:
        if c.value not in colls.related:
            ok = False
            lw.diags.append(catalog.derivation_union(
                c.span, problem=f"'{c.value}' não é uma coleção de related: desta derivação",
                candidates=list(colls.related)))
            continue
        fields = colls.fields[c.value]
        shared = dict(fields) if shared is None else {
            k: t for k, t in shared.items() if k in fields and fields[k].base == t.base}
    if not ok or shared is None:
        return None
    member = {k: t.null() for k, t in shared.items() if k != SOURCE}
    member[SOURCE] = T.STR
    with_fields: list[str] = []
    with_on: list[tuple[str, str]] = []
    led = ""
    if u.with_ledger is not None:
        led = u.with_ledger.value
        known = [*lw.pkg.ledgers, *lw.pkg.specs_of("table")]
        if led not in known:
            lw.diags.append(catalog.derivation_union(
                u.with_ledger.span, problem=f"with: '{led}' não é um ledger nem uma tabela",
                candidates=known))
            return None
        theirs_fields = lw.field_types.get(led, {})
        for theirs, mine in u.with_on:
            for name, fs, owner in ((theirs, theirs_fields, led), (mine, member, u.name.value)):
                if name.value not in fs:
                    ok = False
                    lw.diags.append(catalog.derivation_field(
                        name.span, what="o campo de with.on:", name=name.value, ledger=owner,
                        candidates=difflib.get_close_matches(name.value, list(fs), n=1)))
            with_on.append((theirs.value, mine.value))
        for k, t in theirs_fields.items():
            if k not in member:
                member[k] = t.null()
                with_fields.append(k)
    if not ok:
        return None
    return member, ir.Union(
        collections=tuple(c.value for c in u.collections),
        member=tuple((k, t.base) for k, t in member.items() if k not in with_fields),
        with_ledger=led, with_on=tuple(with_on), with_fields=tuple(with_fields))


def post(lw: Lowerer, u: UnionSpec, got: ir.Union, typed: dict[str, T.Type]) -> ir.Union:
    """`got` with `keep`, `dedupe` and `join`, each a field of the derivation (S2014)."""
    def field(name: str, span: Span, want: T.Type | None) -> None:
        t = typed.get(name)
        problem = None
        if t is None:
            problem = f"'{name}' não é um campo desta derivação"
        elif want is not None and t.base not in (want.base, "error"):
            problem = f"'{name}' é {t.display()}; aqui vai um campo {want.display()}"
        if problem is not None:
            lw.diags.append(catalog.derivation_union_post(span, problem=problem,
                                                          candidates=list(typed)))
    if u.keep is not None:
        field(u.keep.value, u.keep.span, T.BOOL)
    for k in u.dedupe:
        field(k.value, k.span, None)
    if u.join is not None:
        field(u.join.value, u.join.span, T.STR)
    return dataclasses.replace(got, keep=u.keep.value if u.keep else "",
                               dedupe=tuple(k.value for k in u.dedupe),
                               join=u.join.value if u.join else "")


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
    """`q` joined with the union's members (`_e`) and their `with:` record (`_w`), in output
    order: the record's line, the union's position, the member's place."""
    u = node.union
    assert u is not None
    line = col("_line", "_s")
    q = q.join(members_sql(node, rel, index, render),
               on=exp.EQ(this=col(OWNER, "_e"), expression=line), join_type="inner")
    if u.with_ledger:
        on: exp.Expr = exp.EQ(this=col(RN, "_w"), expression=exp.Literal.number(1))
        for theirs, mine in u.with_on:
            on = exp.And(this=on, expression=exp.EQ(this=col(theirs, "_w"),
                                                     expression=col(mine, "_e")))
        q = q.join(with_sql(u, index), on=on, join_type="left")
    return q.order_by(exp.Ordered(this=line), exp.Ordered(this=col(U, "_e")),
                      exp.Ordered(this=col(RN, "_e")))


def member_col(u: ir.Union, name: str) -> exp.Expr:
    """A member field in the main SELECT: on `_w` when it comes from `with:`, else `_e`."""
    return col(name, "_w" if name in u.with_fields else "_e")


def with_sql(u: ir.Union, index: dict[str, int]) -> exp.Expr:
    """The `with:` ledger, its first record (by line) per `with_on` key (`_w`)."""
    part = [col(theirs) for theirs, _ in u.with_on]
    rn = exp.Window(this=exp.RowNumber(), partition_by=part,
                    order=exp.Order(expressions=[exp.Ordered(this=col("_line"))]))
    q = exp.select(exp.Star(), exp.alias_(rn, RN, quoted=True)).from_(
        exp.to_table(f'"{RELATED}{index[u.with_ledger]}"'))
    return exp.Subquery(this=q, alias=exp.TableAlias(this=exp.to_identifier("_w", quoted=True)))
