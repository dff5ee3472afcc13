"""Run parameters (`$data_base`) inside a derivation's expressions.

The back ends compute a derivation from its records alone (the Python lambdas take fields, the
SQL reads the loaded relation), so a parameter is made a field here: every `$name` becomes the
field `_param__name` (inside a collection's `where:` and uses, this record's field of that
name), and the runtime (runtime/derivation.py) gives every record that field with the run's
value — the same value on every record, on every back end. `$name` is typed by the checker
against the package's `params:` as anywhere; the lift is made when the node is generated
(compiler/kinds/derivation/python.py), for the lambdas and the SQL alike."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from compiler import ir
from compiler.kinds.derivation.lower import rewrite
from compiler.kinds.derivation.related import OUTER

PARAM = "_param__"  # runtime/derivation.PARAM


def lift_params(node: ir.Derivation) -> tuple[ir.Derivation, tuple[tuple[str, str], ...]]:
    """`node` with its parameters read as fields, and those parameters (name, type)."""
    used: dict[str, str] = {}

    def as_field(prefix: str) -> Callable[[ir.Expr], ir.Expr | None]:
        def one(e: ir.Expr) -> ir.Expr | None:
            if not isinstance(e, ir.ParamRef):
                return None
            used.setdefault(e.name, e.type.base)
            return ir.FieldRef(ledger="", name=f"{prefix}{PARAM}{e.name}", type=e.type,
                               span=e.span)
        return one

    outer, inner = as_field(""), as_field(OUTER)
    fields = tuple(dataclasses.replace(f, expr=rewrite(f.expr, outer)) for f in node.fields)
    warnings = tuple(dataclasses.replace(w, cond=rewrite(w.cond, outer)) for w in node.warnings)
    related = tuple(dataclasses.replace(r, where=rewrite(r.where, inner))
                    if r.where is not None else r for r in node.related)
    collects = tuple(dataclasses.replace(u, value=rewrite(u.value, inner))
                     if u.value is not None else u for u in node.collects)
    return dataclasses.replace(node, fields=fields, warnings=warnings, related=related,
                               collects=collects), tuple(used.items())
