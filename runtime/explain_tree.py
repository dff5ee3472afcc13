"""The common explanation tree (the seam between `apura explain` and the kinds' explainers):
small builders the explainers share, and `public`, the tree as JSON prints it.

A tree is a JSON-ready dict: address, kind, package, node, partition, title, value, rule
({text, source}), params, lookups, decision, records ([{source, contributed, fields}]),
records_sum, reads (child trees), notes — and any keys of its kind. Keys starting with `_`
are the explainer's own (e.g. `_text`, the text its kind has always printed) and never reach
an output."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from runtime.locations import Loc
from runtime.trace import Lookup
from runtime.trace import json_value

COMMON = ("address", "kind", "package", "node", "partition", "title", "value", "rule",
          "params", "lookups", "decision", "records", "records_sum", "reads", "notes")


def source(at: Loc | str | None) -> dict[str, Any] | None:
    """{file, line, col} of a spec position (a Loc, or its `file:line[:col]` text)."""
    if at is None or at == "":
        return None
    if isinstance(at, Loc):
        return {"file": at.file, "line": at.line, "col": at.col}
    head, _, last = str(at).rpartition(":")
    if not last.isdigit():
        return {"file": str(at), "line": None}
    file, _, mid = head.rpartition(":")
    if file and mid.isdigit():
        return {"file": file, "line": int(mid), "col": int(last)}
    return {"file": head, "line": int(last)}


def rule(text: str, at: Loc | str | None) -> dict[str, Any]:
    return {"text": text, "source": source(at)}


def lookups(used: Iterable[tuple[Lookup, int]]) -> list[dict[str, Any]]:
    """The map entries the records used, each once, with how many records used it."""
    return [{"map": lk.map, "key": {k: json_value(v) for k, v in lk.key},
             "hit": None if lk.values is None else {k: json_value(v) for k, v in lk.values},
             "source": source(lk.at), "records": n} for lk, n in used]


def distinct(groups: Iterable[Iterable[Lookup]]) -> list[tuple[Lookup, int]]:
    """Each lookup once (first-seen order) with the number of records (groups) using it."""
    seen: dict[Lookup, int] = {}
    for group in groups:
        for lk in dict.fromkeys(group):
            seen[lk] = seen.get(lk, 0) + 1
    return list(seen.items())


def public(tree: Any) -> Any:
    """The tree without its `_` keys, at every depth."""
    if isinstance(tree, dict):
        return {k: public(v) for k, v in tree.items() if not str(k).startswith("_")}
    if isinstance(tree, list):
        return [public(v) for v in tree]
    return tree


def complete(tree: dict[str, Any], **defaults: Any) -> dict[str, Any]:
    """The tree with every common key (those missing: `defaults`, else null or empty)."""
    empty: dict[str, Any] = {"params": {}, "lookups": [], "records": [], "reads": [],
                             "notes": []}
    for key in COMMON:
        if key not in tree:
            tree[key] = defaults.get(key, empty.get(key))
    return tree


_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def derived_used(ledger: Any, texts: Iterable[str]) -> list[dict[str, Any]]:
    """The ledger's derived fields (`derived:`) the expressions read, and those they read in
    turn, in the ledger's (dependency) order: {name, text, source}. A name inside a string
    literal is not a read."""
    defs = {d.name: d for d in getattr(ledger, "derived", ())}
    wanted: set[str] = set()
    todo = [t for t in texts if t]
    while todo:
        for name in _NAME.findall(_QUOTED.sub("", todo.pop())):
            if name in defs and name not in wanted:
                wanted.add(name)
                todo.append(defs[name].text)
    return [{"name": d.name, "text": d.text, "source": source(d.at)}
            for d in defs.values() if d.name in wanted]


def derived_notes(derived: list[dict[str, Any]]) -> list[str]:
    """One note per derived field: its name, YAML position and expression."""
    return [f"campo derivado {d['name']}"
            + (f" ({d['source']['file']}:{d['source']['line']}:{d['source']['col']})"
               if d["source"] else "") + f": {d['text']}" for d in derived]
