"""The collections of a derivation on the python back end (compiler/kinds/derivation/
related.py): each related ledger indexed by its `on` key, each key's records in the declared
order (nulls last, ties in input order), and per record the value of every collection use
(`_c<n>`), with the semantics the SQL back end has (compiler/kinds/derivation/sqltext.py):
count and sum of nothing 0, any of nothing false, all of nothing true, a condition counts only
when true, first/last/max_by/min_by of nothing null, max_by/min_by ties in collection order."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

OUTER = "_outer__"  # compiler/kinds/derivation/related.OUTER


def _cmp(order: tuple[tuple[str, bool], ...]) -> Any:
    def cmp(a: dict[str, Any], b: dict[str, Any]) -> int:
        for key, desc in order:
            x, y = a[key], b[key]
            if x == y:
                continue
            if x is None or y is None:  # nulls last, either way
                return 1 if x is None else -1
            less = x < y
            return (1 if less else -1) if desc else (-1 if less else 1)
        return int(a["_line"] > b["_line"]) - int(a["_line"] < b["_line"])
    return functools.cmp_to_key(cmp)


def index(records: list[dict[str, Any]], on: tuple[tuple[str, str], ...],
          order: tuple[tuple[str, bool], ...]) -> dict[tuple[Any, ...], list[dict[str, Any]]]:
    """The related records by their `on` key (a key with a null never matches), in order."""
    out: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for r in records:
        key = tuple(r[theirs] for theirs, _ in on)
        if None not in key:
            out.setdefault(key, []).append(r)
    for recs in out.values():
        recs.sort(key=_cmp(order))
    return out


def _call(fn: Any, env: dict[str, Any]) -> Any:
    return fn[0](*[env[f] for f in fn[1]])


def use_value(func: str, value: Any, field: str | None, coll: list[dict[str, Any]],
              outer: dict[str, Any], type_: str) -> Any:
    """The value of one collection use over `coll` (already filtered and ordered)."""
    def of(r: dict[str, Any]) -> Any:
        return _call(value, {**r, **outer})
    if func == "count":
        return len(coll) if value is None else sum(1 for r in coll if of(r) is True)
    if func == "any":
        return any(of(r) is True for r in coll)
    if func == "all":
        return all(of(r) is True for r in coll)
    if func == "sum":
        got = [v for v in (of(r) for r in coll) if v is not None]
        return sum(got, start=Decimal(0) if type_ == "decimal" else 0)
    assert field is not None
    if func in ("first", "last"):
        return coll[0 if func == "first" else -1][field] if coll else None
    best, best_key = None, None
    for r in coll:
        k = of(r)
        if k is None:
            continue
        if best is None or (k > best_key if func == "max_by" else k < best_key):
            best, best_key = r, k
    return best[field] if best is not None else None


def add_uses(node: Any, records: list[dict[str, Any]],
             related: dict[str, list[dict[str, Any]]]) -> None:
    """Set `_c<n>` on every record: the value of each collection use of `node`."""
    by_name = {r[0]: r for r in node.related}
    indexes = {name: index(related[led], on, order)
               for name, led, on, _, order in node.related}
    for rec in records:
        outer = {f"{OUTER}{k}": v for k, v in rec.items()}
        colls: dict[str, list[dict[str, Any]]] = {}
        for name, _, on, where, _ in node.related:
            key = tuple(rec[mine] for _, mine in on)
            got = indexes[name].get(key, []) if None not in key else []
            if where is not None:
                got = [r for r in got if _call(where, {**r, **outer}) is True]
            colls[name] = got
        for i, rel, func, value, field, type_ in node.collects:
            assert rel in by_name
            rec[f"_c{i}"] = use_value(func, value, field, colls[rel], outer, type_)
