"""`output.json:` — a derivation that also writes one JSON file per output record: the
signature plan of each document as a signature service takes it (seed 001), with its
recipients from another derivation:

    output:
      file: documentos.csv
      json:
        dir: planos                    # --out/planos/<documento>.json
        name: documento                # a text field: the file's name
        when: valido                   # optional: a boolean field; only where it is true
        fields: [documento, arquivo, situacao_plano]
        items: {derivation: destinatarios, on: documento, as: destinatarios,
                fields: [ordem, tipo, nome, email], order: [ordem]}

Compile time, at its position: a `dir` that is no plain file name (S0502); a `name`, `when`
or `fields` name that is no field of the derivation (S2003); a `name` that is not text or a
`when` that is not boolean (S2015); `items` naming no derivation of the package, or an
`on`/`fields`/`order` name that is no field of it (S2016, checked once every derivation is
lowered). The files are made at run time (runtime/derivation_json.py) from the computed
rows, alike on every back end."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import types as T
from compiler.kinds.derivation.jsonout_spec import JsonSpec
from compiler.outputs_check import file_name_problem

if TYPE_CHECKING:
    from compiler.lower import Lowerer


def lower(lw: Lowerer, j: JsonSpec, own: list[str], typed: dict[str, T.Type]) -> ir.JsonOut:
    reason = file_name_problem(j.dir.value)
    if reason is not None:
        lw.diags.append(catalog.bad_output_file(j.dir.span, name=j.dir.value, reason=reason))
    for k in (j.name, *([j.when] if j.when else []), *j.fields):
        if k.value not in own:
            lw.diags.append(catalog.derivation_unknown_name(
                k.span, what="o campo do json", name=k.value,
                candidates=difflib.get_close_matches(k.value, own, n=1)))
    typed_names = [(j.name, T.STR)] + ([(j.when, T.BOOL)] if j.when is not None else [])
    for k, want in typed_names:
        t = typed.get(k.value)
        if t is not None and t.base not in (want.base, "error"):
            lw.diags.append(catalog.derivation_json(
                k.span, problem=f"'{k.value}' é {t.display()}; aqui vai um campo "
                f"{want.display()}"))
    return ir.JsonOut(
        dir=j.dir.value, name=j.name.value, when=j.when.value if j.when else "",
        fields=tuple(k.value for k in j.fields), items=j.items.value if j.items else "",
        items_on=j.items_on.value if j.items_on else "",
        items_as=j.items_as.value if j.items_as else "",
        items_fields=tuple(k.value for k in j.items_fields),
        items_order=tuple(k.value for k in j.items_order), span=j.items.span if j.items else None)


def check_items(lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
    """Each `items:` names a derivation of the package and fields it has (S2016)."""
    derivations = {n.id: n for n in nodes if isinstance(n, ir.Derivation)}
    for node in derivations.values():
        j = node.json
        if j is None or not j.items or j.span is None:
            continue
        other = derivations.get(j.items)
        if other is None:
            lw.diags.append(catalog.derivation_json_items(
                j.span, problem=f"'{j.items}' não é uma derivação deste pacote",
                candidates=[d for d in derivations if d != node.id]))
            continue
        names = [*other.per, *(c.name for c in other.classify), *(f.name for f in other.fields)]
        for k in (j.items_on, *j.items_fields, *j.items_order):
            if k not in names:
                lw.diags.append(catalog.derivation_json_items(
                    j.span, problem=f"'{k}' não é um campo da derivação '{j.items}'",
                    candidates=names))
