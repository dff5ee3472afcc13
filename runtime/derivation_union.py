"""`each:` over several collections at run time (compiler/kinds/derivation/union.py).

`expand` is the python back end's members: per record, each collection of the union in turn,
its members in the collection's order (derivation_related.index), with the union's shared
fields, `colecao` and the `with:` ledger's first record (by line) — the rows the SQL back end
orders by the record's line, the union's position, the member's place. `post` acts on the
computed rows of every back end alike: drops those whose `keep` field is not true, then keeps,
per record and non-null `dedupe` key, the first row, its `join` field listing every merged
row's value (in row order, each once, joined by ", "), then leaves the `next` mark only on the
rows of least order. Each `with:` lookup gives the member its ledger's first record whose keys
— the member's fields, an earlier lookup's, or this record's (OUTER + name) — match."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.derivation_each import expand as each_expand
from runtime.derivation_related import OUTER
from runtime.derivation_related import add_uses
from runtime.derivation_related import index

EACH = "_each__"     # compiler/kinds/derivation/each.EACH
SOURCE = "colecao"   # compiler/kinds/derivation/union.SOURCE
ROW = "_row__"       # output_members: the member's row as written
NEXT = "_next__"     # output_members: (the mark before `next`, the record's candidates)


# a `with:` lookup: (ledger, on: ((its field, the member's or OUTER + this record's), ...),
# the member fields it gives)
With = tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Union:
    """The runtime declaration of an `each:` union (ir.Union)."""

    collections: tuple[str, ...]
    member: tuple[str, ...]                  # the member fields read from the collections
    withs: tuple[With, ...] = ()
    keep: str = ""
    dedupe: tuple[str, ...] = ()
    join: str = ""
    next_mark: str = ""                      # next: the rows of least next_order keep it
    next_order: str = ""


def expand(node: Any, records: list[dict[str, Any]],
           related: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The records of `node` with one copy per member of its union."""
    u: Union = node.union
    decl = {r[0]: r for r in node.related}
    idx = {}
    for name in u.collections:
        _, led, on, _, order = decl[name]
        idx[name] = index(related[led], on, order)
    firsts: list[dict[tuple[Any, ...], dict[str, Any]]] = []
    for led, on, _ in u.withs:
        first: dict[tuple[Any, ...], dict[str, Any]] = {}
        for r in related.get(led, []):
            first.setdefault(tuple(r[theirs] for theirs, _ in on), r)
        firsts.append(first)
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
                for (_, on_w, fields), first in zip(u.withs, firsts, strict=True):
                    k = tuple(outer[mine] if mine.startswith(OUTER) else row[mine]
                              for _, mine in on_w)
                    hit = first.get(k) if None not in k else None
                    row |= {f: (hit or {}).get(f) for f in fields}
                out.append(rec | {f"{EACH}{k}": v for k, v in row.items()})
    return out


def post(node: Any, rows: list[tuple[Any, ...]], step_next: bool = True
         ) -> list[tuple[Any, ...]]:
    """`rows` ((line, *values, *warning tests)) after `keep`, `dedupe` and (with
    `step_next`) `next`."""
    u: Union | None = node.union
    if u is None:
        return rows
    at = {name: i + 1 for i, name in enumerate(node.names)}
    if u.keep:
        rows = [r for r in rows if r[at[u.keep]] is True]
    if u.dedupe:
        rows = _dedupe(u, rows, at)
    return _next(u, rows, at) if u.next_mark and step_next else rows


def _next(u: Union, rows: list[tuple[Any, ...]], at: dict[str, int]
          ) -> list[tuple[Any, ...]]:
    """`next`: per record, `next_mark` stays true only on the rows of least `next_order`
    (nulls last) among those where it is true — the next to sign (seed 001: "o próximo
    destinatário ... após o destinatário atual realizar a assinatura"; all in one position:
    all at once)."""
    m, o = at[u.next_mark], at[u.next_order]
    least: dict[Any, tuple[bool, Any]] = {}
    for r in rows:
        k = (r[o] is None, r[o])  # nulls last; two nulls are equal, never compared
        if r[m] is True and (r[0] not in least or k < least[r[0]]):
            least[r[0]] = k
    out = []
    for r in rows:
        keep = r[m] is True and least.get(r[0]) == (r[o] is None, r[o])
        out.append((*r[:m], keep, *r[m + 1:]))
    return out


def _dedupe(u: Union, rows: list[tuple[Any, ...]], at: dict[str, int]
            ) -> list[tuple[Any, ...]]:
    """Per record and non-null `dedupe` key, the first row, its `join` field listing every
    merged row's value."""
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
    output file is a position here. `compute` gives a row per record (the python back end).
    A union's member also carries ROW, its row as written (a `join` and the `next` mark are
    made of several rows), and, with `next`, NEXT: the mark before the step and the record's
    candidates (position, order)."""
    if node.collects:
        add_uses(node, records, related)
    expanded = expand(node, records, related) if node.union is not None else \
        each_expand(node, records, related)
    rows = [(*row, n) for n, row in enumerate(compute(expanded))]  # the member's index last
    if node.union is None:
        return [expanded[r[-1]] for r in post(node, rows)]
    u: Union = node.union
    kept = post(node, rows, step_next=False)
    at = {name: i + 1 for i, name in enumerate(node.names)}
    final = _next(u, kept, at) if u.next_mark else kept
    candidates: dict[Any, list[tuple[int, Any]]] = {}
    if u.next_mark:
        for pos, r in enumerate(kept, start=1):
            if r[at[u.next_mark]] is True:
                candidates.setdefault(r[0], []).append((pos, r[at[u.next_order]]))
    out = []
    for before, r in zip(kept, final, strict=True):
        rec = dict(expanded[r[-1]])
        rec[ROW] = dict(zip(node.names, r[1:], strict=False))
        if u.next_mark:
            rec[NEXT] = (before[at[u.next_mark]], candidates.get(r[0], []))
        out.append(rec)
    return out
