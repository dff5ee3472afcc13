"""How two dictionary nodes differ (`apura diff`): the consulta, the output names and each
entry's texts by entry id (added, removed, changed) — a new year's document that rewords a
tooltip shows as that one text, old → new."""

from __future__ import annotations

from compiler import ir
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]

TEXTS = ("where", "label", "replaces", "tooltip", "after", "note")


def _value(e: ir.Entry) -> str | None:
    return f"{e.value[0][0]}.{e.value[0][2]}" if e.value else None


def diff_dictionary(old: ir.Dictionary, new: ir.Dictionary) -> Found:
    pairs: list[tuple[str, object, object]] = [
        ("consulta", old.consulta, new.consulta), ("output.json", old.json, new.json),
        ("output.markdown", old.markdown, new.markdown)]
    was = {e.id: e for e in old.entries}
    now = {e.id: e for e in new.entries}
    pairs.append(("entries", tuple(was), tuple(now)))  # shown when added, removed, moved
    for eid in dict.fromkeys([*was, *now]):
        a, b = was.get(eid), now.get(eid)
        for t in TEXTS:
            pairs.append((f"entries.{eid}.{t}", None if a is None else getattr(a, t),
                          None if b is None else getattr(b, t)))
        pairs.append((f"entries.{eid}.value", None if a is None else _value(a),
                      None if b is None else _value(b)))
    return (attrs(pairs), ())  # type: ignore[arg-type]


class _Differ:
    diff = staticmethod(diff_dictionary)


PART = _Differ()
