"""A MapSpec → ir.Map and the record type its lookups return (declared before any ledger's
derived fields are checked, since they may look it up)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.check import MapInfo

if TYPE_CHECKING:
    from compiler.lower import Lowerer


def _close(name: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(name, names, n=1, cutoff=0.6)


class _Map:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        _maps(lw, [s for s in specs_ if isinstance(s, specs.MapSpec)])

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Map | None:
        return lw.map_nodes.get(spec.id)

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        return None


def _maps(lw: Lowerer, maps: Sequence[specs.MapSpec]) -> None:
    for m in maps:
        fields = lw.field_types.get(m.source.value)
        if fields is None:
            if lw.incomplete:
                continue
            lw.diags.append(catalog.unknown_spec(
                m.source.span, kind="ledger", name=m.source.value,
                candidates=_close(m.source.value, list(lw.pkg.ledgers))))
            continue
        ok = True
        status = m.status
        for t in (*m.key, *m.values, *((status,) if status is not None else ())):
            if t.value not in fields:
                ok = False
                lw.diags.append(catalog.unknown_ledger_field(
                    t.span, ledger=m.source.value, name=t.value,
                    candidates=_close(t.value, list(fields))))
        if not ok:
            continue
        if status is not None and fields[status.value].base != "str":
            lw.diags.append(catalog.status_not_text(status.span, name=status.value,
                                                    ledger=m.source.value,
                                                    type=fields[status.value].base))
            continue
        nullable = m.on_missing == "null"
        rec = T.Type("record", nullable,
                     tuple((v.value, fields[v.value].null(fields[v.value].nullable or nullable))
                           for v in m.values), m.id)
        lw.map_infos[m.id] = MapInfo(id=m.id, key=tuple((k.value, fields[k.value])
                                                          for k in m.key), record=rec)
        lw.map_nodes[m.id] = ir.Map(id=m.id, source=m.source.value,
                                    key=tuple(k.value for k in m.key),
                                    values=tuple(v.value for v in m.values),
                                    on_missing=m.on_missing, span=m.span,
                                    status=status.value if status is not None else None)


PART = _Map()
