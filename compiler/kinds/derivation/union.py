"""`each:` over several collections — the recipients of a document are the union of its
sources (seed 001: the professor, the people linked, the aluno, Pai/Mãe, ...), one person
reached twice being one recipient:

    each:
      as: destinatario                 # the member, read as destinatario.f
      union: [professor, vinculados]   # collections of related:, in this order
      with:                            # lookups in order, each its first record (by line)
        - {ledger: pessoa, on: {pessoa: pessoa}}     # the member's person
        - {ledger: assinatura_destinatario,          # its signature: this record's field
           on: {documento: documento.documento, email: email}}   # and the person's e-mail
      keep: configurada                # a boolean field: a row where it is not true is dropped
      dedupe: {key: [email], join: fontes}           # equal e-mails: the first row, listing all
      next: {mark: proximo, order: ordem}            # the mark stays only at the least order

Members come per record in the union's order, then each collection's own order. A member has
the fields every collection of the union has with one type, `colecao` (the collection's name)
and each `with:` ledger's other fields (null when no record matches). `keep`, `dedupe` and
`next` act on the computed rows, in Python on every back end (runtime/derivation_union.py),
so the back ends agree by construction; a null key never merges (the SQL: union_sql.py).
Compile time, at its position: an unknown collection or ledger, a `with.on` reading another
record than this one (S2013), a `with:` field that is no field (S2001) or of another type
(S2009), a `keep`, `dedupe`, `join` or `next` name that is no field of the derivation, a
`keep` or `next.mark` that is not boolean, a `join` that is not text, a `next.order` that
does not sort (S2014)."""

from __future__ import annotations

import dataclasses
import difflib
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs as S
from compiler import types as T
from compiler.kinds.derivation.related import OUTER
from compiler.kinds.derivation.related import SORTABLE
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.kinds.derivation.related import Collections
    from compiler.kinds.derivation.spec import UnionSpec
    from compiler.kinds.derivation.spec import WithSpec
    from compiler.lower import Lowerer

SOURCE = "colecao"  # the member field naming its collection


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
    withs: list[ir.With] = []
    union_fields = set(member)
    for w in u.withs:  # a lookup in error is left out (reported): the fields still check
        got = _with(lw, w, member, colls)
        if got is not None:
            withs.append(got)
    return member, ir.Union(
        collections=tuple(c.value for c in u.collections),
        member=tuple((k, t.base) for k, t in member.items() if k in union_fields),
        withs=tuple(withs))


def _with(lw: Lowerer, w: WithSpec, member: dict[str, T.Type], colls: Collections
          ) -> ir.With | None:
    """One `with:` lookup; its other fields join `member` (in place)."""
    led = w.ledger.value
    known = [*lw.pkg.ledgers, *lw.pkg.specs_of("table")]
    if led not in known:
        lw.diags.append(catalog.derivation_union(
            w.ledger.span, problem=f"with: '{led}' não é um ledger nem uma tabela",
            candidates=known))
        return None
    theirs_fields = lw.field_types.get(led, {})
    ok = True
    on: list[tuple[str, str]] = []
    for theirs, mine in w.on:
        outer, _, name = mine.value.rpartition(".")
        if outer and outer != colls.outer:  # this record: `<its ledger>.field`
            ok = False
            lw.diags.append(catalog.derivation_union(
                mine.span, problem=f"with.on: '{mine.value}' — este registro é "
                f"'{colls.outer}.campo'", candidates=[f"{colls.outer}.{name}"]))
            continue
        mine_fields = colls.outer_fields if outer else member
        for n, fs, owner in ((theirs, theirs_fields, led),
                             (S.Text(value=name, span=mine.span), mine_fields,
                              colls.outer if outer else "o membro")):
            if n.value not in fs:
                ok = False
                lw.diags.append(catalog.derivation_field(
                    n.span, what="o campo de with.on:", name=n.value, ledger=owner,
                    candidates=difflib.get_close_matches(n.value, list(fs), n=1)))
        a, b = theirs_fields.get(theirs.value), mine_fields.get(name)
        if a is not None and b is not None and a.base != b.base:
            ok = False
            lw.diags.append(catalog.derivation_related(
                mine.span, problem=f"with.on: '{theirs.value}' ({a.display()}) e "
                f"'{mine.value}' ({b.display()}) não são do mesmo tipo"))
        on.append((theirs.value, f"{OUTER}{name}" if outer else name))
    if not ok:
        return None
    fields = []
    for k, t in theirs_fields.items():
        if k not in member:
            member[k] = t.null()
            fields.append(k)
    return ir.With(ledger=led, on=tuple(on), fields=tuple(fields))


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
            lw.diags.append(catalog.derivation_union_post(span, problem=problem, candidates=[
                n for n, tt in typed.items()
                if n != name and (want is None or tt.base == want.base)]))
    if u.keep is not None:
        field(u.keep.value, u.keep.span, T.BOOL)
    for k in u.dedupe:
        field(k.value, k.span, None)
    if u.join is not None:
        field(u.join.value, u.join.span, T.STR)
    if u.next_mark is not None and u.next_order is not None:
        field(u.next_mark.value, u.next_mark.span, T.BOOL)
        field(u.next_order.value, u.next_order.span, None)
        t = typed.get(u.next_order.value)
        if t is not None and t.base not in (*SORTABLE, "error"):
            lw.diags.append(catalog.derivation_union_post(
                u.next_order.span, problem=f"'{u.next_order.value}' ({t.display()}) não "
                "ordena", candidates=[]))
    return dataclasses.replace(got, keep=u.keep.value if u.keep else "",
                               dedupe=tuple(k.value for k in u.dedupe),
                               join=u.join.value if u.join else "",
                               next_mark=u.next_mark.value if u.next_mark else "",
                               next_order=u.next_order.value if u.next_order else "")
