"""`apura explain` of a value of an incremental derivation (Transparência MG's `convenios`), by
replaying the loads the state file records (runtime/derivation_state.py) instead of reading
the last extract again: the figure load N wrote is computed from that load's stored record
versions — each record with the file and line of the load it came from (an OP kept since
load 1 names 1.csv) — and checked against what the load stored (`derivation_values`); the
history of the value lists, load by load, old → new and the records that moved it (added,
removed, changed: which fields, what each contributed before and after).

The explanation of load N itself is runtime/explain_derivation.py's, run on the Python back
end with `as_of=N` (nothing is stored). An extract given with `--input` is not what is
explained: it is compared with the state's last load and a note says whether it differs."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime import derivation_state as ds
from runtime.coverage import quoted
from runtime.derivation import cell_text
from runtime.errors import DataError
from runtime.errors import RunFailed
from runtime.explain_lineage import exact

# what one load's records of the key give: (value, contribution per record or None)
Evaluate = Callable[[list[dict[str, Any]]], tuple[Any, list[Any] | None]]


def state_of(program: Any, der: Any, state: str | Path) -> Any:
    """The loads and record versions of the derivation's ledger in the state file."""
    led = program.package.ledger(der.ledger)
    return ds.State(state, program.package.id, der.ledger,
                    {f.name: f.type for f in led.fields})


def load_asked(st: Any, as_of: str | None) -> int:
    """The load explained: `--as-of` (a number or a date, as `apura run --as-of`), default the
    last. RunFailed D1901/D1902 (no such load, a state without loads)."""
    got = ds.resolve(as_of if as_of is not None else str(st.last), st)
    if isinstance(got, DataError):
        raise RunFailed([got])
    return got


def loads_of(state: str | Path, package: str, ledger: str) -> dict[int, tuple[str, str, Any]]:
    """load → (loaded_at, the extract's file as the load was given it, its run id)."""
    db = sqlite3.connect(f"file:{Path(state).resolve().as_posix()}?mode=ro", uri=True)
    try:
        return {int(n): (at, file, run) for n, at, file, run in db.execute(
            "SELECT load, loaded_at, file, run_id FROM derivation_loads WHERE package = ? "
            "AND ledger = ? ORDER BY load", (package, ledger))}
    finally:
        db.close()


def stored(state: str | Path, package: str, node: str, load: int,
           key: tuple[Any, ...]) -> tuple[dict[str, Any] | None, list[str]]:
    """(what load `load` stored for `node` at `key` — its fields, or None —, the derivations
    that load stored values of)."""
    db = sqlite3.connect(f"file:{Path(state).resolve().as_posix()}?mode=ro", uri=True)
    try:
        row = db.execute("SELECT fields FROM derivation_values WHERE package = ? AND "
                         "derivation = ? AND load = ? AND key = ?",
                         (package, node, load, ds.dumps([ds.canon(v) for v in key]))
                         ).fetchone()
        ran = [r[0] for r in db.execute("SELECT DISTINCT derivation FROM derivation_values "
                                        "WHERE package = ? AND load = ? ORDER BY derivation",
                                        (package, load))]
    finally:
        db.close()
    return (None if row is None else json.loads(row[0])), ran


def key_records(der: Any, ctx: Any, st: Any, load: int,
                key: tuple[Any, ...]) -> dict[ds.Key, dict[str, Any]]:
    """The records of `key` (the `per:` values) in load `load`, by their record key, each
    classified as the run classifies it, with `_file`/`_line` of the load it came from."""
    inc = der.incremental
    rows, origin, keys = ds.records_in_order(inc, {inc.key_of(v.fields): v
                                                   for v in st.at(load).values()})
    mine = [r for r in rows if tuple(r[k] for k in der.per) == key]
    got = der._classify(ctx, mine, lambda n: origin[n], "", report=False)  # noqa: SLF001
    out = {}
    for rec in got or []:
        n = rec["_line"]
        rec["_file"], rec["_line"] = origin[n]
        out[keys[n]] = rec
    return out


def history(der: Any, ctx: Any, st: Any, state: str | Path, key: tuple[Any, ...], field: str,
            evaluate: Evaluate) -> list[dict[str, Any]]:
    """The value at `key` after every load: old → new and the records each load moved."""
    loads = loads_of(state, ctx.package.id, der.ledger)
    names = [f.name for f in ctx.package.ledger(der.ledger).fields]
    out: list[dict[str, Any]] = []
    before: dict[ds.Key, dict[str, Any]] = {}
    was: Any = None
    for n, _ in st.loads:
        now = key_records(der, ctx, st, n, key)
        value, parts = evaluate(list(now.values())) if now else (None, None)
        share = {} if parts is None else dict(zip(now, parts, strict=True))
        _, old_parts = evaluate(list(before.values())) if before else (None, None)
        old_share = {} if old_parts is None else dict(zip(before, old_parts, strict=True))
        moved = []
        for k in sorted(set(before) | set(now), key=ds.sort_key):
            a, b = before.get(k), now.get(k)
            if a is not None and b is not None and all(a[f] == b[f] for f in names):
                continue
            diff = {f: [exact(None if a is None else a[f]), exact(None if b is None else b[f])]
                    for f in names if (a is None) != (b is None) or a[f] != b[f]}  # type: ignore[index]
            rec = b if b is not None else a
            assert rec is not None
            moved.append({
                "record": ", ".join(f"{k_}={cell_text(v)}" for k_, v in
                                    zip(der.incremental.names, k, strict=True)),
                "change": "incluído" if a is None else "removido" if b is None else "alterado",
                "source": {"file": rec["_file"], "line": rec["_line"]},
                "fields": diff if a is not None and b is not None else {},
                "contributed": [exact(old_share.get(k)) if a is not None else None,
                                exact(share.get(k)) if b is not None else None]})
        at, file, run = loads.get(n, ("", "", None))
        out.append({"load": n, "loaded_at": at, "file": file, "run": run,
                    "previous": exact(was), "value": exact(value), "changes": moved})
        before, was = now, value
    return out


def input_note(given: Any, pic: Any, last: int) -> str:
    """What the extract given with --input is, next to the state: the last load's picture, or
    the load a run of it would make (not stored)."""
    shown = quoted(str(given))
    if pic is None or pic.write is None:
        return (f"o extrato dado ({shown}) é a imagem da carga {last} do estado (rodá-lo não "
                "mudaria nada); a explicação vem das versões guardadas no estado")
    return (f"o extrato dado ({shown}) difere do estado: rodá-lo faria a carga {last + 1} "
            f"({len(pic.write.versions)} registro(s) mudariam); a explicação é da carga do "
            "estado, não dele")


def annotate(out: dict[str, Any], der: Any, ctx: Any, st: Any, state: str | Path, load: int,
             field: str, evaluate: Evaluate | None) -> None:
    """Add the load to the tree and, of a per-key value (`evaluate` given), its check against
    `derivation_values` and its history (a record's position moves between loads: a
    per-record value has neither)."""
    loads = loads_of(state, ctx.package.id, der.ledger)
    at, file, run = loads.get(load, ("", "", None))
    out["load"] = {"load": load, "loaded_at": at, "file": file, "run": run, "of": st.last}
    if evaluate is None:
        return
    key = tuple(out["_key"])
    out["history"] = history(der, ctx, st, state, key, field, evaluate)
    fields, ran = stored(state, ctx.package.id, der.id, load, key)
    if fields is None or field not in fields:
        who = ", ".join(ran) or "nenhuma"
        out["stored"] = None
        out["notes"].append(f"a carga {load} não gravou '{der.id}' nesta chave (gravou: "
                            f"{who}); o valor é a regra aplicada às versões da carga")
        return
    got = fields[field]
    same = _same(got, out["value"])
    out["stored"] = {"value": got, "same": same}
    if not same:
        out["notes"].append(f"a carga {load} gravou {cell_text(Decimal(got)) if _num(got) else got}"
                            ", DIFERENTE do valor refeito: a regra mudou desde a carga "
                            "('apura diff')")


def _num(v: Any) -> bool:
    try:
        Decimal(str(v))
    except ArithmeticError:
        return False
    return True


def _same(a: Any, b: Any) -> bool:
    if _num(a) and _num(b) and a is not None and b is not None:
        return Decimal(str(a)) == Decimal(str(b))
    return bool(a == b)


def not_incremental(node: str, incremental: bool) -> RunFailed:
    """--as-of without loads to replay: D1923 (the node keeps none), D1905 (no state file)."""
    return RunFailed([catalog.as_of_without_state() if incremental
                      else catalog.explain_as_of_not_incremental(node)])


def render(t: Mapping[str, Any], v: Callable[[Any], str]) -> list[str]:
    """The load and history lines of the text memória (`v`: a tree value as text)."""
    ld = t.get("load")
    if not ld:
        return []
    out = [f"  carga {ld['load']} de {ld['of']} ({ld['loaded_at'][:10]}, extrato "
           f"{ld['file']}), refeita das versões guardadas no estado"]
    s = t.get("stored")
    if s is not None:
        out.append(f"  gravado pela carga {ld['load']}: {v(s['value'])} "
                   f"({'igual ao' if s['same'] else 'DIFERENTE do'} valor refeito)")
    if "history" not in t:
        return out
    out.append("  histórico (carga: anterior → valor; registros que mudaram):")
    for h in t.get("history", []):
        mark = "  ← explicada" if h["load"] == ld["load"] else ""
        head = (f"    carga {h['load']} ({h['file']}): {v(h['previous'])} → {v(h['value'])}"
                if h["changes"] else f"    carga {h['load']} ({h['file']}): {v(h['value'])}"
                " (sem mudança nesta chave)")
        out.append(head + mark)
        for c in h["changes"]:
            fields = "; ".join(f"{f} {v(a)} → {v(b)}" for f, (a, b) in c["fields"].items())
            was, now = c["contributed"]
            part = f"  contribuição {v(was) if was is not None else '—'} → " \
                   f"{v(now) if now is not None else '—'}"
            out.append(f"      {c['change']} {c['record']} ({c['source']['file']}:"
                       f"{c['source']['line']}){part}" + (f"  {fields}" if fields else ""))
    return out
