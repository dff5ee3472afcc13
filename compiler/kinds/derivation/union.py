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
ends agree by construction; a null key never merges (the SQL: union_sql.py). Compile
time, at its position: an unknown collection or ledger (S2013), a `with:` field that is no
field (S2001), a `keep`, `dedupe` or `join` name that is no field of the derivation, a `keep`
that is not boolean or a `join` that is not text (S2014)."""

from __future__ import annotations

import dataclasses
import difflib
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import types as T
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.kinds.derivation.related import Collections
    from compiler.kinds.derivation.spec import UnionSpec
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
