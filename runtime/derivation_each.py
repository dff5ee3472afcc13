"""`each:` on the python back end (compiler/kinds/derivation/each.py): one copy of a record
per member of the named collection, in the collection's order (derivation_related.index:
nulls last, ties in the related file's order), the member's fields set as `_each__f`; a record
whose collection is empty has none. The copies keep the record's line, so the output is in the
records' order, then the collection's — the order the SQL back end sorts by."""

from __future__ import annotations

from typing import Any

from runtime.derivation_related import OUTER
from runtime.derivation_related import index

EACH = "_each__"  # compiler/kinds/derivation/each.EACH


def expand(node: Any, records: list[dict[str, Any]],
           related: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The records of `node` with one copy per member of its `each:` collection."""
    _, led, on, where, order = next(r for r in node.related if r[0] == node.each)
    members = index(related[led], on, order)
    out: list[dict[str, Any]] = []
    for rec in records:
        key = tuple(rec[mine] for _, mine in on)
        got = members.get(key, []) if None not in key else []
        if where is not None:
            outer = {f"{OUTER}{k}": v for k, v in rec.items()}
            got = [m for m in got if where[0](*[{**m, **outer}[f] for f in where[1]]) is True]
        out.extend(rec | {f"{EACH}{k}": v for k, v in m.items()} for m in got)
    return out
