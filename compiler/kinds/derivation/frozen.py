"""`incremental.frozen:` — fields whose value, once it meets a condition for a key, never
changes again (seed 001: a document "Fora do prazo de assinatura" "não terá mais
atualizações"):

    incremental:
      key: {documento: documento}
      scope: [documento]
      frozen:
        situacao_plano:                          # a field of fields:
          when: situacao_plano == "fora do prazo"  # over the fields as written
          since: congelado_desde                 # optional: a column, the load it froze at

The runtime (runtime/derivation_freeze.py) reads what the derivation wrote at the earlier
loads (`derivation_values`) and writes the frozen value again, whatever the inputs say, after
the back end computed the fields — so alike on every back end. Here: the lowering with its
checks at position (S2040–S2043, compiler/catalog_derivation_state.py) and the runtime
declaration's lines.

`when` reads the derivation's own output fields (keys, classified fields, fields), not the
ledger record nor a parameter: the freeze is judged from what was written, and a stored load
is judged again by the same condition when a later run reads it."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import irkinds
from compiler import types as T
from compiler.expr import printer
from compiler.kinds.derivation.incremental_spec import FrozenSpec

if TYPE_CHECKING:
    from compiler.lower import Lowerer


def since_names(specs: tuple[FrozenSpec, ...]) -> list[str]:
    """The output columns the frozen fields add (their `since:`), in order."""
    return [f.since.value for f in specs if f.since is not None]


def _refs(e: ir.Expr) -> tuple[list[ir.ParamRef], list[ir.FieldRef]]:
    """The parameters and the fields `e` reads."""
    from compiler.kinds.derivation.lower import rewrite

    params: list[ir.ParamRef] = []
    fields: list[ir.FieldRef] = []

    def one(x: ir.Expr) -> ir.Expr | None:
        if isinstance(x, ir.ParamRef):
            params.append(x)
        elif isinstance(x, ir.FieldRef):
            fields.append(x)
        return None

    rewrite(e, one)
    return params, fields


def lower(lw: Lowerer, specs: tuple[FrozenSpec, ...], *, node: str, ledger: str,
          own: dict[str, T.Type], fields: list[str], each: str,
          no_lookup: Callable[[ir.Expr], None]) -> tuple[irkinds.Frozen, ...] | None:
    """The frozen fields, typed; None (with diagnostics) when one does not fit. `own`: the
    output record's names and types; `fields`: the names of fields: (the ones that may
    freeze)."""
    before = sum(d.is_error for d in lw.diags)
    out: list[irkinds.Frozen] = []
    taken = set(own)
    for f in specs:
        if each and f is specs[0]:  # several output rows share one record key
            lw.diags.append(catalog.frozen_each(f.field.span, each=each))
        if f.field.value not in fields:
            lw.diags.append(catalog.frozen_unknown(
                f.field.span, name=f.field.value,
                candidates=difflib.get_close_matches(f.field.value, fields, n=1)))
            continue
        if f.since is not None:
            if f.since.value in taken:
                lw.diags.append(catalog.frozen_since_taken(f.since.span, name=f.since.value))
            taken.add(f.since.value)
        tree = lw.parse(f.when, f.when.span.file)
        if tree is None:
            continue
        scope = lw.scope(f"o when de frozen '{f.field.value}' da derivação '{node}'", ledger,
                         derived={})
        scope.fields = dict(own)
        cond = lw.checker.condition(tree, scope)
        no_lookup(cond)
        params, refs = _refs(cond)
        for p in params:
            lw.diags.append(catalog.frozen_param(p.span, name=p.name))
        reads = tuple(sorted({r.name: own[r.name].base for r in refs if r.name in own}.items()))
        out.append(irkinds.Frozen(field=f.field.value, type=own[f.field.value], when=cond,
                                  text=printer.show(tree), reads=reads,
                                  since=f.since.value if f.since is not None else "",
                                  span=f.field.span))
    if sum(d.is_error for d in lw.diags) > before:
        return None
    return tuple(out)


def declaration(frozen: tuple[irkinds.Frozen, ...], fn: Callable[[ir.Expr], str]
                ) -> list[str]:
    """The `frozen=(Frozen(...), ...)` lines of the node's runtime declaration."""
    out = ["    frozen=("]
    for f in frozen:
        out.append(f"        Frozen({f.field!r}, {f.type.base!r}, {fn(f.when)}, "
                   f"since={f.since!r}, reads={f.reads!r}),")
    out.append("    ),")
    return out
