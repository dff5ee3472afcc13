"""`apura explain` of a row of an `each:` union (assinatura's recipients): what the row's own
expression cannot show alone (runtime/explain_derivation.py asks here).

* The value is the file's: a `dedupe: join` field lists every merged row's value, and the
  `next` mark is true only at the least order of the record's candidates
  (runtime/derivation_union.post) — both made of several rows. When it differs from the
  expression on this member, a note says which step made it, and for `next` the decision
  names the record's candidates (their positions and orders) and the least order.
* Each `with:` lookup is a read: the record it reached (file:line) by which key, or none (its
  fields null)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runtime.coverage import quoted
from runtime.derivation import cell_text
from runtime.derivation_related import OUTER
from runtime.derivation_union import EACH
from runtime.derivation_union import NEXT
from runtime.derivation_union import ROW
from runtime.explain_lineage import exact
from runtime.explain_lineage import tree


def written(der: Any, rec: dict[str, Any], field: str, value: Any
            ) -> tuple[Any, str | None, list[str]]:
    """(the value as written, a decision or None, notes) of `field` on this union row."""
    u = der.union
    row = rec.get(ROW)
    if u is None or row is None or field not in row:
        return value, None, []
    got = row[field]
    notes = []
    if field == u.join and got != value:
        notes.append(f"dedupe ({', '.join(u.dedupe)}): as linhas do registro com o mesmo "
                     f"valor são esta; '{field}' lista o de cada uma, na ordem: "
                     f"{cell_text(got)} (a expressão nesta linha: {cell_text(value)})")
    if field != u.next_mark or NEXT not in rec:
        return got, None, notes
    before, candidates = rec[NEXT]
    if not candidates:
        return got, (f"next: nenhuma linha do registro tem '{field}' verdadeiro antes do "
                     "passo: nenhuma é a próxima"), notes
    least = min((o is None, o) for _, o in candidates)[1]
    shown = ", ".join(f"{pos} (ordem {cell_text(o) or 'nula'})" for pos, o in candidates)
    mine = row.get(u.next_order)
    why = ("esta linha é uma delas" if got is True else
           "esta linha não era candidata" if before is not True else
           f"esta linha (ordem {cell_text(mine) or 'nula'}) vem depois")
    return got, (f"next (ordem: {u.next_order}): as linhas candidatas do registro — "
                 f"'{field}' verdadeiro pela expressão — são {shown}; ficam as de menor "
                 f"ordem ({cell_text(least) or 'nula'}): {why}"), notes


def with_reads(der: Any, rec: dict[str, Any], read: Callable[[str], Any], pkg: Any,
               part: Any) -> list[dict[str, Any]]:
    """One read per `with:` lookup: its ledger's first record (by line) for this member's
    key, or none. `read(ledger)` gives (rows, names, display) (runtime/derivation._read)."""
    u = der.union
    if u is None or ROW not in rec:
        return []
    out = []
    for led, on, fields in u.withs:
        key = [(theirs, rec[mine[len(OUTER):]] if mine.startswith(OUTER)
                else rec.get(f"{EACH}{mine}")) for theirs, mine in on]
        rows, names, display = read(led)
        hit = None
        if all(v is not None for _, v in key):
            for r in rows:
                got = dict(zip(names, r, strict=False))
                if all(got[theirs] == v for theirs, v in key):
                    hit = (got, r[-1])
                    break
        shown = ", ".join(f"{theirs} = {quoted(v)}" for theirs, v in key)
        records = [] if hit is None else [{
            "source": {"file": display, "line": hit[1]}, "contributed": None,
            "fields": {f: exact(hit[0][f]) for f in fields}}]
        t = tree("derivation", pkg, der.id, part, f"with {led} ({shown})",
                 None if hit is None else f"{display}:{hit[1]}", records=records)
        if hit is None:
            t["decision"] = f"nenhum registro de {led} com essa chave: os campos dele são nulos"
        else:
            t["decision"] = "o primeiro registro com essa chave (pela linha)"
        out.append(t)
    return out
