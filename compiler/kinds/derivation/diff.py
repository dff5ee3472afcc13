"""How two derivation nodes differ (`apura diff`): the ledger, the key, the classify maps, each
field's expression (by name: added, removed, changed), the collections, `each:`, the unique
key, the file-name fields, the warnings, the columns, the file and `incremental:` (key, scope,
changes, each frozen field)."""

from __future__ import annotations

from compiler import ir
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _related(r: ir.Related) -> str:
    on = ", ".join(f"{a}={b}" for a, b in r.on)
    order = ", ".join(f"{k}{' desc' if d else ''}" for k, d in r.order)
    return (f"{r.ledger} on {on}" + (f" where {r.where_text}" if r.where_text else "")
            + (f" order {order}" if order else ""))


def _json(j: ir.JsonOut) -> tuple[object, ...]:
    return (j.dir, j.name, j.when, j.fields, j.items, j.items_on, j.items_as, j.items_fields,
            j.items_order)


def diff_derivation(old: ir.Derivation, new: ir.Derivation) -> Found:
    pairs: list[tuple[str, object, object]] = [
        ("ledger", old.ledger, new.ledger), ("per", old.per, new.per),
        ("classify", tuple(f"{c.name}={c.map}[{c.key}].{c.value}" for c in old.classify),
         tuple(f"{c.name}={c.map}[{c.key}].{c.value}" for c in new.classify)),
        ("unique", old.unique, new.unique), ("columns", old.columns, new.columns),
        ("each", old.each, new.each), ("file_names", old.file_names, new.file_names),
        ("output.file", old.file, new.file), ("alternative_of", old.alternative_of,
                                               new.alternative_of)]
    was = {f.name: f.text for f in old.fields}
    now = {f.name: f.text for f in new.fields}
    for name in dict.fromkeys([*was, *now]):
        pairs.append((f"fields.{name}", was.get(name), now.get(name)))
    rold = {r.name: _related(r) for r in old.related}
    rnew = {r.name: _related(r) for r in new.related}
    for name in dict.fromkeys([*rold, *rnew]):
        pairs.append((f"related.{name}", rold.get(name), rnew.get(name)))
    iold, inew = old.incremental, new.incremental
    pairs += [("incremental.key", iold and iold.texts, inew and inew.texts),
              ("incremental.scope", iold and iold.scope, inew and inew.scope),
              ("incremental.changes", iold and (iold.changes, iold.records, iold.fields),
               inew and (inew.changes, inew.records, inew.fields))]
    fold = {f.field: f"when {f.text}" + (f", since {f.since}" if f.since else "")
            for f in old.frozen}
    fnew = {f.field: f"when {f.text}" + (f", since {f.since}" if f.since else "")
            for f in new.frozen}
    for name in dict.fromkeys([*fold, *fnew]):
        pairs.append((f"incremental.frozen.{name}", fold.get(name), fnew.get(name)))
    uold, unew = old.union, new.union  # each: over several collections
    pairs += [("each.union", uold and uold.collections, unew and unew.collections),
              ("each.with", uold and tuple((w.ledger, w.on) for w in uold.withs),
               unew and tuple((w.ledger, w.on) for w in unew.withs)),
              ("each.next", uold and (uold.next_mark, uold.next_order),
               unew and (unew.next_mark, unew.next_order)),
              ("each.keep", uold and uold.keep, unew and unew.keep),
              ("each.dedupe", uold and (uold.dedupe, uold.join),
               unew and (unew.dedupe, unew.join)),
              ("output.json", old.json and _json(old.json), new.json and _json(new.json))]
    wold = {w.id: f"{w.text} — {w.message}{f' [{w.code}]' if w.code else ''}"
            for w in old.warnings}
    wnew = {w.id: f"{w.text} — {w.message}{f' [{w.code}]' if w.code else ''}"
            for w in new.warnings}
    for wid in dict.fromkeys([*wold, *wnew]):
        pairs.append((f"warnings.{wid}", wold.get(wid), wnew.get(wid)))
    return (attrs(pairs), ())  # type: ignore[arg-type]


class _Differ:
    diff = staticmethod(diff_derivation)


PART = _Differ()
