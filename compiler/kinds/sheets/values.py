"""The values a planilha code's part can take, read from the specs and the tables — so the
compiler can prove every planilha a sheets spec can produce has a file name (S1503).

What is analysed (anything else is "not listable", S1504, with the reason):
* a literal: itself;
* `lookup(map, ...).field` of a map built from a table: the field's values in the table, and
  null when the map's `on_missing` is null (a key the table lacks);
* `coalesce(a, b, ...)`: the values of each argument until one that cannot be null;
* `if c then a else b`: the values of both branches (the condition is not analysed).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from collections.abc import Mapping

from compiler import ir
from runtime.sheets import file_name as file_name  # re-exported for the compiler's checks
from runtime.sheets import join_code


def values_of(e: ir.Expr, maps: Mapping[str, ir.Map],
              nodes: Mapping[str, ir.PlanNode]) -> set[object] | str:
    """The values `e` can take (None among them when it can be null), or why they cannot be
    listed."""
    if isinstance(e, ir.Const):
        return {e.value}
    if isinstance(e, ir.GetField) and isinstance(e.record, ir.MapLookup):
        m = maps.get(e.record.map)
        t = nodes.get(m.source) if m is not None else None
        if m is None or not isinstance(t, ir.Table):
            return f"o mapa '{e.record.map}' não é de uma tabela (seus valores vêm da execução)"
        i = [f.name for f in t.fields].index(e.name)
        column: set[object] = {r[i] for r in t.rows}
        if m.on_missing == "null":
            column.add(None)
        return column
    if isinstance(e, ir.Call) and e.func == "coalesce":
        out: set[object] = set()
        for arg in e.args:
            one = values_of(arg, maps, nodes)
            if isinstance(one, str):
                return one
            out |= one - {None}
            if None not in one:
                return out
        return out | {None}
    if isinstance(e, ir.If):
        then, other = values_of(e.then, maps, nodes), values_of(e.other, maps, nodes)
        if isinstance(then, str):
            return then
        if isinstance(other, str):
            return other
        return then | other
    return "só literais, lookup(...).campo de mapas de tabelas, coalesce e if são analisados"


def codes(sets: Iterable[set[object]]) -> set[str]:
    """Every planilha code the parts' value sets combine into (a null part makes none: the
    kind's type check refuses a part that can be null)."""
    return {join_code(combo) for combo in itertools.product(*sets) if None not in combo}
