"""`output.json:` at run time (compiler/kinds/derivation/jsonout.py): one JSON file per output
record where `when` holds — the signature plan of a document (seed 001), its schema
docs/schemas/assinatura_plano.schema.json — with, as a list, the rows of another derivation
whose `on` field is the record's name, in `order` (nulls last, then their row order). Made
from the computed rows, so alike on every back end. Values: text, integers and booleans as
JSON's, dates ISO (AAAA-MM-DD, what a service parses), decimals as text (exact), null."""

from __future__ import annotations

import datetime
import decimal
import json
from dataclasses import dataclass
from typing import Any

from runtime import catalog
from runtime.file_names import file_name_problem


@dataclass(frozen=True, slots=True)
class JsonOut:
    """The runtime declaration of ir.JsonOut."""

    dir: str
    name: str
    when: str
    fields: tuple[str, ...]
    items: str = ""
    items_on: str = ""
    items_as: str = ""
    items_fields: tuple[str, ...] = ()
    items_order: tuple[str, ...] = ()


def _value(v: Any) -> Any:
    if isinstance(v, datetime.date):
        return v.isoformat()
    if isinstance(v, decimal.Decimal):
        return str(v)
    return v


def _by(f: str) -> Any:
    """The sort key of field `f`, nulls after every value (sorted only among non-nulls)."""
    def key(m: dict[str, Any]) -> tuple[bool, Any]:
        return (m[f] is None, m[f] if m[f] is not None else 0)
    return key


def _chosen(node: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    at = {name: i + 1 for i, name in enumerate(node.names)}
    j: JsonOut = node.json
    return [r for r in rows if (not j.when or r[at[j.when]] is True) and r[at[j.name]] is not None]


def check_names(node: Any, ctx: Any, rows: list[tuple[Any, ...]], where: Any) -> None:
    """D1805 for each chosen record whose `<name>.json` no file system holds."""
    at = {name: i + 1 for i, name in enumerate(node.names)}
    for r in _chosen(node, rows):
        value = str(r[at[node.json.name]])
        why = file_name_problem(f"{value}.json")
        if why is not None:
            file, line = where(r[0])
            ctx.report(catalog.derivation_json_name(node.id, value, why, file=file, line=line))


def files(node: Any, ctx: Any, part: Any) -> dict[str, bytes]:
    """`<dir>/<name>.json` → bytes, for the records `finish` computed (none: none)."""
    j: JsonOut = node.json
    rows = ctx.acc[node.id].get(("rows", part))
    if rows is None:
        return {}
    at = {name: i + 1 for i, name in enumerate(node.names)}
    items: dict[Any, list[dict[str, Any]]] = {}
    if j.items:
        other = next(n for n in ctx.package.nodes if getattr(n, "id", None) == j.items)
        theirs = ctx.acc.get(j.items, {}).get(("rows", part)) or []
        oat = {name: i + 1 for i, name in enumerate(other.names)}
        for r in theirs:
            items.setdefault(r[oat[j.items_on]], []).append(
                {f: r[oat[f]] for f in (*j.items_fields, *j.items_order)})
        for got in items.values():  # stable: ties keep the rows' order; nulls last
            for f in reversed(j.items_order):
                got.sort(key=_by(f))
    out: dict[str, bytes] = {}
    for r in _chosen(node, rows):
        value = str(r[at[j.name]])
        if file_name_problem(f"{value}.json") is not None:
            continue  # D1805, reported by check_names
        doc: dict[str, Any] = {f: _value(r[at[f]]) for f in j.fields}
        if j.items:
            doc[j.items_as] = [{f: _value(m[f]) for f in j.items_fields}
                               for m in items.get(r[at[j.name]], [])]
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        out[f"{j.dir}/{value}.json"] = text.encode("utf-8")
    return out
