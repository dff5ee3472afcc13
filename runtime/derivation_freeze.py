"""Frozen fields of an incremental derivation (`incremental.frozen:`,
compiler/kinds/derivation/frozen.py): once a value meeting the field's `when` is written for
a key, every later load writes that value again, whatever its inputs say. Seed 001 (TOTVS
RM): documents "Fora do prazo de assinatura" "não terão mais atualizações relacionadas ao
status das assinaturas".

The memory is what the derivation wrote at each earlier load (`derivation_values` of the
state file, runtime/derivation_state.remember): for each key, the first load whose stored
record meets `when` is the load the field froze at, and the value stored there is the value
written from then on — a key that left the picture and came back is still frozen (the
freeze is the key's, not the record's). A run that freezes a key for the first time is a
load even when no record changed (the same extract run on a later date): its values must be
kept, or the next run would not know; so it adds an empty load (no record versions).

Applied to the computed output records, after the back end and the file-name check, before
`unique:`, the warnings and the file: the same on every back end. Each `since:` column
(the load the value froze at; empty when not frozen) follows the derivation's own values in
the output records: (line, *values, *since, *warning hits). `--as-of N` applies the freezes
of loads 1..N and freezes nothing new: a value its date puts past the condition is written as
the rule says, with no since. A stored value that does not read back (an edited state file)
is D1830: the run cannot know what froze."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.derivation_state import LoadWrite
from runtime.derivation_state import Picture
from runtime.derivation_state import _typed  # what remember() stored, so not copies
from runtime.derivation_state import canon
from runtime.derivation_state import dumps  # the state's own encoding: the keys must match

Fn = tuple[Callable[..., Any], tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class Frozen:
    """The runtime declaration of one frozen field."""

    field: str
    type: str
    when: Fn                                  # over the output record's fields
    since: str = ""                           # the output column of the freeze's load
    reads: tuple[tuple[str, str], ...] = ()   # the fields `when` reads, with their types

    def meets(self, values: dict[str, Any]) -> bool:
        return self.when[0](*[values[f] for f in self.when[1]]) is True


def stored(path: str | Path | None, package: str, node: str, upto: int
           ) -> list[tuple[int, str, str]]:
    """What derivation `node` wrote at loads 1..`upto`: (load, key JSON, fields JSON), by
    load."""
    if path is None or not Path(path).is_file():
        return []
    db = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
    try:
        have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "derivation_values" not in have:
            return []
        return [(int(r[0]), r[1], r[2]) for r in db.execute(
            "SELECT load, key, fields FROM derivation_values WHERE package = ? AND "
            "derivation = ? AND load <= ? ORDER BY load, key", (package, node, upto))]
    finally:
        db.close()


def _read(kind: str, value: Any) -> Any:
    """A stored value back as `kind`; TypeError/ValueError when it is not one (an edited
    state file)."""
    want = {"str": str, "int": int, "bool": bool}.get(kind)
    if value is not None and want is not None and type(value) is not want:
        raise TypeError(f"{value!r} não é {kind}")
    return _typed(kind, value)


def freezes(node: Any, ctx: Any, upto: int) -> dict[str, dict[str, tuple[int, Any]]] | None:
    """field → key JSON → (the load it froze at, the value frozen), from the stored loads
    1..`upto`; None after D1830 (a stored value that does not read back)."""
    rows = stored(ctx.state_file, ctx.package.id, node.id, upto)
    out: dict[str, dict[str, tuple[int, Any]]] = {f.field: {} for f in node.frozen}
    for load, key, text in rows:
        field = node.frozen[0].field if node.frozen else ""
        try:
            fields = json.loads(text)
            for f in node.frozen:
                field, got = f.field, out[f.field]
                if key in got or f.field not in fields:
                    continue
                if f.meets({n: _read(t, fields.get(n)) for n, t in f.reads}):
                    got[key] = (load, _read(f.type, fields[f.field]))
        except (ValueError, TypeError, ArithmeticError, AttributeError) as e:
            ctx.report(catalog.derivation_frozen_unreadable(
                node.id, field, load, key, str(ctx.state_file),
                "não é JSON" if isinstance(e, json.JSONDecodeError) else
                f"um valor não é do tipo do campo ({e})"))
            return None
    return out


def previous(node: Any, ctx: Any, pic: Picture, was: list[tuple[Any, ...]]
             ) -> list[tuple[Any, ...]]:
    """The previous load's records (recomputed for the change report) with the freezes of
    the loads before this one, so a kept value is no change."""
    done = freezes(node, ctx, pic.load - 1)
    return was if done is None else _override(node, done, pic.previous_keys, was, None)[0]


def _override(node: Any, done: dict[str, dict[str, tuple[int, Any]]], keys: dict[int, Any],
              out: list[tuple[Any, ...]], fresh: int | None
              ) -> tuple[list[tuple[Any, ...]], bool]:
    """`out` with the frozen values of `done` and the since columns; with `fresh` (this
    load), a value meeting `when` for the first time is frozen at it. Also: whether one was."""
    names = node.names
    at = {n: i + 1 for i, n in enumerate(names)}
    new = False
    fixed = []
    for r in out:
        row = list(r[:len(names) + 1])
        values = dict(zip(names, r[1:], strict=False))
        key = tuple(values[k] for k in node.per) if node.per else keys[r[0]]
        text = dumps([canon(v) for v in key])
        since: list[Any] = []
        for f in node.frozen:
            hit = done[f.field].get(text)
            if hit is not None:
                row[at[f.field]] = hit[1]
            elif fresh is not None and f.meets(values):
                hit, new = (fresh, values[f.field]), True
            if f.since:
                since.append(hit[0] if hit is not None else None)
        fixed.append((*row, *since, *r[len(names) + 1:]))
    return fixed, new


def apply(node: Any, ctx: Any, pic: Picture, out: list[tuple[Any, ...]]
          ) -> list[tuple[Any, ...]] | None:
    """The output records with every frozen field's value kept from its load and the since
    columns added; a first freeze in a run that changed no record makes that run a load.
    None after D1830."""
    done = freezes(node, ctx, pic.load)
    if done is None:
        return None
    # --as-of N answers load N: its freezes are the stored ones, a run dated later freezes
    # nothing (it stores nothing)
    fresh = None if ctx.as_of is not None else pic.load if pic.write is not None else \
        pic.load + 1
    fixed, new = _override(node, done, pic.keys, out, fresh)
    if new and pic.write is None and fresh is not None:
        pic.write = LoadWrite(package=ctx.package.id, ledger=node.ledger, load=fresh,
                              file=ctx.input_names.get(node.ledger, node.ledger),
                              records=len(pic.current), versions=[])
        pic.load = fresh
        ctx.state_writes.append(pic.write)
    return fixed
