"""The `incremental:` section of a derivation: the node keeps the picture its ledger gives
across runs, in the state file (runtime/derivation_state.py). Transparência MG's extracts
(seed 003) change through the year: a payment order keyed by convênio, year and number
changes situação and values, or disappears; each extract is the full picture of the convênios
it holds.

    incremental:
      key:                                  # the record key: a name → an expression over the
        contrato_convenio_saida: contrato_convenio_saida      # ledger record (typed as any)
        ano: year(data_registro)
        numero_docto_pagamento: numero_docto_pagamento
      scope: [contrato_convenio_saida]      # key names: an extract replaces these scopes whole
      changes:                              # optional: what changed since the previous load
        file: mudancas.csv
        records: [situacao_op, valor_pago_financeiro, valor_pago_pendente]  # record fields
        fields: [valor_repassado]           # this derivation's fields

Here: its lowering (the section as written: incremental_spec.py), with the compile-time
checks (S2101–S2106, compiler/catalog_derivation_state.py), and its runtime declaration in
the generated module.
Every incremental derivation of one ledger shares one state (the records are the ledger's),
so they must declare the same key and scope (S2104)."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from compiler import catalog
from compiler import ir
from compiler import irkinds
from compiler import types as T
from compiler.expr import printer
from compiler.kinds.derivation.incremental_spec import IncrementalSpec
from compiler.outputs_check import file_name_problem

if TYPE_CHECKING:
    from compiler.lower import Lowerer

KEY_TYPES = ("int", "str", "date", "bool", "decimal")


def lower(lw: Lowerer, spec: IncrementalSpec, *, node: str, ledger: str,
          record_fields: dict[str, T.Type], fields: Sequence[str], output: str,
          no_lookup: Callable[[ir.Expr], None]) -> irkinds.Incremental | None:
    """The typed section; None (with diagnostics) when it does not fit."""
    before = sum(d.is_error for d in lw.diags)
    key: list[tuple[str, ir.Expr]] = []
    texts: list[str] = []
    for name, scalar in spec.key:
        tree = lw.parse(scalar, scalar.span.file)
        if tree is None:
            continue
        texts.append(f"{name.value}: {printer.show(tree)}")
        scope = lw.scope(f"a chave '{name.value}' de incremental da derivação '{node}'", ledger,
                         derived={})
        scope.fields = dict(record_fields)
        e = lw.checker.scalar(tree, scope)
        if e is None:
            continue
        no_lookup(e)
        if not e.type.is_error and e.type.base not in KEY_TYPES:
            lw.diags.append(catalog.incremental_key_type(scalar.span, name=name.value,
                                                         got=e.type.display()))
        key.append((name.value, e))
    if lw.partition is not None:  # one picture per ledger and run, not yet per partition
        lw.diags.append(catalog.incremental_partitioned(spec.span, partition=lw.partition))
    names = [k.value for k, _ in spec.key]
    for s in spec.scope:
        _known(lw, s, names, "escopo", "um nome de incremental.key")
    for r in spec.records:
        _known(lw, r, list(record_fields), "campo de registro de changes.records",
               f"um campo do ledger '{ledger}'")
    for f in spec.fields:
        _known(lw, f, list(fields), "campo de changes.fields", "um campo de fields:")
    if spec.changes is not None:
        reason = file_name_problem(spec.changes.value)
        if reason is not None:
            lw.diags.append(catalog.bad_output_file(spec.changes.span, name=spec.changes.value,
                                                    reason=reason))
        elif spec.changes.value == output:
            lw.diags.append(catalog.incremental_same_file(spec.changes.span,
                                                          name=output))
        elif not spec.records and not spec.fields:
            lw.diags.append(catalog.incremental_nothing_tracked(spec.changes.span))
    if sum(d.is_error for d in lw.diags) > before:
        return None
    return irkinds.Incremental(
        key=tuple(key), texts=tuple(texts), scope=tuple(s.value for s in spec.scope),
        changes=spec.changes.value if spec.changes is not None else "",
        records=tuple(r.value for r in spec.records), fields=tuple(f.value for f in spec.fields),
        span=spec.span)


def _known(lw: Lowerer, name: Any, names: list[str], what: str, wanted: str) -> None:
    if name.value not in names:
        lw.diags.append(catalog.incremental_unknown(
            name.span, what=what, name=name.value, wanted=wanted,
            candidates=difflib.get_close_matches(name.value, names, n=1)))


def shape(inc: irkinds.Incremental) -> tuple[object, ...]:
    """What the derivations of one ledger must share: the key (names and texts), the scope."""
    return (inc.texts, inc.scope)


def check_shared(lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
    """S2104: two incremental derivations of one ledger with another key or scope."""
    first: dict[str, ir.Derivation] = {}
    for n in nodes:
        if not isinstance(n, ir.Derivation) or n.incremental is None:
            continue
        seen = first.setdefault(n.ledger, n)
        assert seen.incremental is not None
        if seen is not n and shape(seen.incremental) != shape(n.incremental):
            lw.diags.append(catalog.incremental_disagree(
                n.incremental.span or n.span, ledger=n.ledger, node=n.id, other=seen.id,
                other_at=seen.incremental.span or seen.span))


def declaration(inc: irkinds.Incremental, fn: Callable[[ir.Expr], str]) -> list[str]:
    """The `incremental=Incremental(...)` lines of the node's runtime declaration."""
    out = ["    incremental=Incremental(", "        key=("]
    out += [f"            ({name!r}, {fn(e)})," for name, e in inc.key]
    out += ["        ),", f"        scope={inc.scope!r},"]
    if inc.changes:
        out += [f"        changes={inc.changes!r},", f"        records={inc.records!r},",
                f"        fields={inc.fields!r},"]
    out.append("    ),")
    return out
