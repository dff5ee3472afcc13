"""`each:` over several collections at run time (compiler/kinds/derivation/union.py).

`expand` is the python back end's members: per record, each collection of the union in turn,
its members in the collection's order (derivation_related.index), with the union's shared
fields, `colecao` and the `with:` ledger's first record (by line) — the rows the SQL back end
orders by the record's line, the union's position, the member's place. `post` acts on the
computed rows of every back end alike: drops those whose `keep` field is not true, then keeps,
per record and non-null `dedupe` key, the first row, its `join` field listing every merged
row's value (in row order, each once, joined by ", ")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.derivation_each import expand as each_expand
from runtime.derivation_related import OUTER
from runtime.derivation_related import add_uses
from runtime.derivation_related import index

EACH = "_each__"     # compiler/kinds/derivation/each.EACH
SOURCE = "colecao"   # compiler/kinds/derivation/union.SOURCE


@dataclass(frozen=True, slots=True)
class Union:
    """The runtime declaration of an `each:` union (ir.Union)."""

    collections: tuple[str, ...]
    member: tuple[str, ...]                  # the member fields read from the collections
    with_ledger: str = ""
    with_on: tuple[tuple[str, str], ...] = ()
    with_fields: tuple[str, ...] = ()
    keep: str = ""
    dedupe: tuple[str, ...] = ()
    join: str = ""


def expand(node: Any, records: list[dict[str, Any]],
           related: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The records of `node` with one copy per member of its union."""
    u: Union = node.union
    decl = {r[0]: r for r in node.related}
    idx = {}
    for name in u.collections:
        _, led, on, _, order = decl[name]
        idx[name] = index(related[led], on, order)
    people: dict[tuple[Any, ...], dict[str, Any]] = {}
    for r in related.get(u.with_ledger, []) if u.with_ledger else []:
        people.setdefault(tuple(r[theirs] for theirs, _ in u.with_on), r)
    out: list[dict[str, Any]] = []
    for rec in records:
        outer = {f"{OUTER}{k}": v for k, v in rec.items()}
        for name in u.collections:
            _, _, on, where, _ = decl[name]
            key = tuple(rec[mine] for _, mine in on)
            got = idx[name].get(key, []) if None not in key else []
            if where is not None:
                got = [m for m in got
                       if where[0](*[{**m, **outer}[f] for f in where[1]]) is True]
            for m in got:
                row = {f: m.get(f) for f in u.member if f != SOURCE} | {SOURCE: name}
                if u.with_ledger:
                    k = tuple(row[mine] for _, mine in u.with_on)
                    hit = people.get(k) if None not in k else None
                    row |= {f: (hit or {}).get(f) for f in u.with_fields}
                out.append(rec | {f"{EACH}{k}": v for k, v in row.items()})
    return out


def post(node: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """`rows` ((line, *values, *warning tests)) after `keep` and `dedupe`."""
    u: Union | None = node.union
    if u is None:
        return rows
    at = {name: i + 1 for i, name in enumerate(node.names)}
    if u.keep:
        rows = [r for r in rows if r[at[u.keep]] is True]
    if not u.dedupe:
        return rows
    first: dict[tuple[Any, ...], int] = {}
    joined: dict[int, list[Any]] = {}
    out: list[tuple[Any, ...]] = []
    for r in rows:
        key = (r[0], *(r[at[k]] for k in u.dedupe))
        if None in key:
            out.append(r)
            continue
        if key in first:
            if u.join:
                joined[first[key]].append(r[at[u.join]])
            continue
        first[key] = len(out)
        joined[len(out)] = [r[at[u.join]]] if u.join else []
        out.append(r)
    if u.join:
        j = at[u.join]
        for i, values in joined.items():
            text = ", ".join(dict.fromkeys(str(v) for v in values if v is not None))
            out[i] = (*out[i][:j], text or None, *out[i][j + 1:])
    return out


def output_members(node: Any, records: list[dict[str, Any]],
                   related: dict[str, list[dict[str, Any]]], compute: Any
                   ) -> list[dict[str, Any]]:
    """For explain (runtime/explain_derivation.py): the records of an `each:` node as its
    output rows — one per member, those `keep` and `dedupe` left — so a position in the
    output file is a position here. `compute` gives a row per record (the python back end)."""
    if node.collects:
        add_uses(node, records, related)
    expanded = expand(node, records, related) if node.union is not None else \
        each_expand(node, records, related)
    rows = [(*row, n) for n, row in enumerate(compute(expanded))]  # the member's index last
    return [expanded[r[-1]] for r in post(node, rows)]
