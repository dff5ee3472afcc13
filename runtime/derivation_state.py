"""The loads of an incremental derivation (compiler/kinds/derivation/incremental.py): the
picture its ledger gives across runs, kept in the run's state file (`--state PATH`, the
journal's SQLite file; tables of migration 8 in runtime/journal.py).

A run given an extract merges it into the picture of the last load: the extract is the full
current picture of the scopes it holds (Transparência MG: the convênios), so its records
replace those scopes' records whole — a record of such a scope the extract lacks is removed,
the scopes it lacks keep their records. Records are identified by the key (named expressions
over the record), the same key twice in one extract is D1801 naming both lines. When anything
changed (a record added, removed, or with another value in a ledger field) the run is load
N+1: its changed versions are stored when the run commits, with the run id and the time;
nothing changed, no load (a re-run of one extract stores nothing and reports no change).

The state belongs to the ledger (`<package>/<ledger>`), not to one derivation: every
incremental derivation of the ledger (both rule versions of the valor repassado, the payment
orders) computes from the same picture, so each one answers every load. `--as-of N` (or a
date) computes from the picture of load N and compares it with load N−1, storing nothing.

What each load's derivations wrote is stored too (`derivation_values`, per derivation and
output key): the figures as published, for audit and for kinds whose later runs read earlier
derived values (the electronic-signature status that, once frozen, never changes again).

Every picture is in record-key order (each key value ascending, nulls first; texts by code
point): the records' position (`_line` of the evaluators) is their place in it, the same
whatever the order of the extract's lines and however many loads built it, so the outputs
are too; messages name the file and line each record came from. Values are stored as
canonical JSON (money `1234.56`, dates ISO) and read back by the ledger's field types."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
import sqlite3
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime import state_json
from runtime.errors import DataError

Fn = tuple[Callable[..., Any], tuple[str, ...]]
Key = tuple[Any, ...]
MOVES = ("incluído", "removido", "alterado")  # the `mudanca` column, in sort order


@dataclass(frozen=True, slots=True)
class Incremental:
    """The runtime declaration of a derivation's `incremental:` section."""

    key: tuple[tuple[str, Fn], ...]
    scope: tuple[str, ...]
    changes: str = ""
    records: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n, _ in self.key)

    def key_of(self, rec: dict[str, Any]) -> Key:
        return tuple(fn[0](*[rec[f] for f in fn[1]]) for _, fn in self.key)

    def scope_of(self, key: Key) -> Key:
        at = self.names
        return tuple(key[at.index(s)] for s in self.scope)

    def scope_getter(self) -> Callable[[Key], Key]:
        """`scope_of` with the positions found once (a merge takes two scopes per record)."""
        at = tuple(self.names.index(s) for s in self.scope)
        if len(at) == 1:
            (i,) = at
            return lambda key: (key[i],)
        return lambda key: tuple(key[i] for i in at)


def canon(value: Any) -> Any:
    """A value as JSON keeps it: money as exact text, dates ISO."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# one encoder for every value: json.dumps with options builds a new one per call (a third of
# the state's cost at a million records: benchmarks/transparencia.py)
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def dumps(value: Any) -> str:
    return _ENCODE(value)


def _typed(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "decimal":
        return Decimal(value)
    if kind == "date":
        return datetime.date.fromisoformat(value)
    return value


def sort_key(key: Key) -> tuple[tuple[bool, Any], ...]:
    """Ascending, nulls first."""
    return tuple((v is not None, v) for v in key)


class _Low:
    """Below every value, equal only to itself: a null in `order_key`."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return other is self

    def __lt__(self, other: object) -> bool:
        return other is not self

    def __le__(self, other: object) -> bool:
        return True

    def __gt__(self, other: object) -> bool:
        return False

    def __ge__(self, other: object) -> bool:
        return other is self

    def __hash__(self) -> int:
        return 0


_LOW = _Low()


def order_key(key: Key) -> Key:
    """The order of `sort_key` at a fraction of its cost: a key with no null is its own sort
    key (two values compare as their (True, value) pairs do); a null becomes `_LOW`. Sorting a
    first load's keys by `sort_key` was a tenth of its merge (benchmarks/transparencia.py)."""
    return key if None not in key else tuple(_LOW if v is None else v for v in key)


@dataclass(slots=True)
class LoadWrite:
    """A new load: its changed versions and what its derivations wrote, stored at commit
    (runtime/lifecycle.save_state)."""

    package: str
    ledger: str
    load: int
    file: str
    records: int
    versions: list[tuple[str, str, str | None, str, int]]  # key, scope, fields|None, file, line
    values: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # node → key, fields

    def save(self, db: sqlite3.Connection, run_id: int | None) -> None:
        now = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        with db:
            db.execute("INSERT INTO derivation_loads VALUES (?,?,?,?,?,?,?,?)",
                       (self.package, self.ledger, self.load, run_id, now, self.file,
                        self.records, len(self.versions)))
            db.executemany("INSERT INTO derivation_records VALUES (?,?,?,?,?,?,?,?)",
                           [(self.package, self.ledger, k, self.load, s, f, file, line)
                            for k, s, f, file, line in self.versions])
            db.executemany("INSERT INTO derivation_values VALUES (?,?,?,?,?)",
                           [(self.package, node, self.load, k, f)
                            for node, rows in self.values.items() for k, f in rows])


@dataclass(slots=True)
class Picture:
    """What an incremental derivation computes from: the records of load `load` (`current`,
    each a dict of the ledger's fields and its position `_line`) and of the load before
    (`previous`), where each current record came from (`origin`: position → file, line) and
    each record's key (`keys`, `previous_keys`: position → key); `write`: the new load to
    store (None: nothing changed, --as-of, or a run that fails)."""

    load: int
    current: list[dict[str, Any]]
    previous: list[dict[str, Any]]
    origin: dict[int, tuple[str, int]]
    keys: dict[int, Key]
    previous_keys: dict[int, Key]
    write: LoadWrite | None = None
    # position → its key's JSON as the state stores it: encoded once for the load's versions
    # and again for what each derivation wrote (`remember`), so kept
    texts: dict[int, str] = field(default_factory=dict)

    def where(self, line: int) -> tuple[str, int]:
        return self.origin[line]

    def key_text(self, line: int) -> str:
        """The stored JSON of the key of the current record at position `line`."""
        got = self.texts.get(line)
        if got is None:
            got = self.texts[line] = state_json.list_text(self.keys[line])
        return got


@dataclass(slots=True)
class _Version:
    fields: dict[str, Any]
    file: str
    line: int


class State:
    """The loads and record versions of one ledger in a state file (read-only)."""

    def __init__(self, path: str | Path | None, package: str, ledger: str,
                 types: dict[str, str]) -> None:
        self.path, self.package, self.ledger, self.types = path, package, ledger, types
        self.loads: list[tuple[int, str]] = []   # (load, loaded_at), in order
        self._rows: list[tuple[str, int, str | None, str, int]] = []
        if path is None or not Path(path).is_file():
            return
        db = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
        try:
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_master "
                                             "WHERE type='table'")}
            if "derivation_loads" not in have:
                return
            where = "WHERE package = ? AND ledger = ?"
            self.loads = [(int(r[0]), r[1]) for r in db.execute(
                f"SELECT load, loaded_at FROM derivation_loads {where} ORDER BY load",  # noqa: S608
                (package, ledger))]
            self._rows = [(r[0], int(r[1]), r[2], r[3], int(r[4])) for r in db.execute(
                "SELECT key, load, fields, file, line FROM derivation_records "
                f"{where} ORDER BY load", (package, ledger))]  # noqa: S608
        finally:
            db.close()

    @property
    def last(self) -> int:
        return self.loads[-1][0] if self.loads else 0

    def at(self, load: int) -> dict[str, _Version]:
        """The records of load `load` (0: none), by their key's JSON."""
        got: dict[str, _Version | None] = {}
        for key, n, fields, file, line in self._rows:
            if n > load:
                break
            got[key] = None if fields is None else _Version(
                {k: _typed(self.types[k], v) for k, v in json.loads(fields).items()}, file, line)
        return {k: v for k, v in got.items() if v is not None}


_DATE_BR = re.compile(r"(\d{2})/(\d{2})/(\d{4})")
_DATE_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def resolve(text: str, state: State) -> int | DataError:
    """The load `--as-of` names: its number, or a date (DD/MM/YYYY or YYYY-MM-DD): the last
    load made on or before that day (UTC, as the journal dates runs) — of two loads of one day,
    the later."""
    raw = text.strip()
    shown = str(state.path)
    first = state.loads[0][1][:10] if state.loads else ""
    known = (f"as cargas vão de 1 a {state.last}, a primeira em "
             f"{first[8:10]}/{first[5:7]}/{first[:4]} (UTC)" if state.loads else
             "nenhuma carga registrada")
    if raw.isdigit():
        n = int(raw)
        return n if 1 <= n <= state.last else catalog.as_of_no_load(text, shown, known)
    m, iso = _DATE_BR.fullmatch(raw), _DATE_ISO.fullmatch(raw)
    try:
        day = (datetime.date(int(m[3]), int(m[2]), int(m[1])) if m else
               datetime.date(int(iso[1]), int(iso[2]), int(iso[3])) if iso else None)
    except ValueError:
        day = None
    if day is None:
        return catalog.as_of_unreadable(text)
    made = [n for n, at in state.loads if at[:10] <= day.isoformat()]
    return made[-1] if made else catalog.as_of_no_load(text, shown, known)


def records_in_order(inc: Incremental, versions: dict[Key, _Version],
                     order: list[Key] | None = None,
                     ) -> tuple[list[dict[str, Any]], dict[int, tuple[str, int]], dict[int, Key]]:
    """The records in key order, with their positions (`order`: the keys already sorted)."""
    out, origin, keys = [], {}, {}
    for i, key in enumerate(sorted(versions, key=order_key) if order is None else order,
                            start=1):
        v = versions[key]
        out.append({**v.fields, "_line": i})
        origin[i], keys[i] = (v.file, v.line), key
    return out, origin, keys


def picture(node: Any, ctx: Any, rows: list[dict[str, Any]] | None,
            display: str) -> Picture | None:
    """The picture `node` computes from (one per ledger and run, shared by its incremental
    derivations); None after reporting why there is none (D1801, D190x). `rows`: the
    extract's records (dicts with `_line`); None with --as-of."""
    cache = ctx.derivation_loads
    if node.ledger in cache:
        got: Picture | None = cache[node.ledger]
        return got
    inc: Incremental = node.incremental
    led = ctx.package.ledger(node.ledger)
    names = [f.name for f in led.fields]
    state = State(ctx.state_file, ctx.package.id, node.ledger,
                   {f.name: f.type for f in led.fields})
    pic = _as_of(ctx, inc, state) if ctx.as_of is not None else \
        _merge(ctx, node, inc, state, rows or [], names, display)
    cache[node.ledger] = pic
    return pic


def _keyed(inc: Incremental, versions: dict[str, _Version]) -> dict[Key, _Version]:
    return {inc.key_of(v.fields): v for v in versions.values()}


def _as_of(ctx: Any, inc: Incremental, state: State) -> Picture | None:
    if ctx.state_file is None:
        ctx.report(catalog.as_of_without_state())
        return None
    n = resolve(ctx.as_of, state)
    if isinstance(n, DataError):
        ctx.report(n)
        return None
    cur, origin, keys = records_in_order(inc, _keyed(inc, state.at(n)))
    prev, _, prev_keys = records_in_order(inc, _keyed(inc, state.at(n - 1)))
    return Picture(load=n, current=cur, previous=prev, origin=origin, keys=keys,
                   previous_keys=prev_keys)


def _merge(ctx: Any, node: Any, inc: Incremental, state: State, rows: list[dict[str, Any]],
           names: list[str], display: str) -> Picture | None:
    new: dict[Key, _Version] = {}
    for rec in rows:
        key = inc.key_of(rec)
        if key in new:
            shown = ", ".join(f"{k}={_cell(v)}" for k, v in zip(inc.names, key, strict=True))
            ctx.report(catalog.derivation_duplicate(node.id, shown, new[key].line, file=display,
                                                    line=rec["_line"]))
            continue
        new[key] = _Version({f: rec[f] for f in names}, display, rec["_line"])
    if len(new) < len(rows):
        return None
    before = _keyed(inc, state.at(state.last))
    scope_of = inc.scope_getter()
    scopes = {scope_of(k) for k in new}
    # one sort for the versions and the current picture: the keys of both, in key order
    order = sorted(new.keys() | before.keys(), key=order_key)
    now: dict[Key, _Version] = {}
    texts: dict[int, str] = {}   # the current positions' key JSON, for Picture.texts
    scope_texts: dict[Key, str] = {}
    fields_text = state_json.object_text(names)
    versions: list[tuple[str, str, str | None, str, int]] = []
    for key in order:
        got, had = new.get(key), before.get(key)
        scope = scope_of(key)
        if got is None and scope not in scopes:  # a scope the extract lacks: kept
            now[key] = had  # type: ignore[assignment]  # in `order`, so in one of the two
            continue
        if got is not None:
            now[key] = got
            if had is not None and had.fields == got.fields:
                continue
        text = state_json.list_text(key)
        if got is not None:
            texts[len(now)] = text
        scoped = scope_texts.get(scope)
        if scoped is None:
            scoped = scope_texts[scope] = state_json.list_text(scope)
        versions.append((text, scoped, None, "", 0) if got is None else
                        (text, scoped, fields_text([got.fields[f] for f in names]),
                         got.file, got.line))
    cur, origin, keys = records_in_order(inc, now, list(now))
    if not versions:  # nothing changed: no load, no change to report
        return Picture(load=state.last, current=cur, previous=cur, origin=origin, keys=keys,
                       previous_keys=keys)
    prev, _, prev_keys = records_in_order(inc, before)
    write = LoadWrite(package=ctx.package.id, ledger=node.ledger, load=state.last + 1,
                      file=display, records=len(now), versions=versions)
    ctx.state_writes.append(write)
    return Picture(load=write.load, current=cur, previous=prev, origin=origin, keys=keys,
                   previous_keys=prev_keys, write=write, texts=texts)


def _cell(value: Any) -> str:
    """A value as the CSV outputs write it (runtime/derivation.py, which imports this module)."""
    from runtime.derivation import cell_text

    return cell_text(value)


def remember(node: Any, pic: Picture, out: list[tuple[Any, ...]]) -> None:
    """Keep what `node` wrote at this load (its output records by key) with the load."""
    if pic.write is None:
        return
    names = node.names
    n = len(names) + 1
    fields_text = state_json.object_text(names)
    if node.per:  # keyed by its `per:` values (the names' first ones)
        at = [names.index(k) + 1 for k in node.per]
        rows = [(state_json.list_text([r[i] for i in at]), fields_text(r[1:n])) for r in out]
    else:  # per record: the record's key, encoded once per load
        key_text = pic.key_text
        rows = [(key_text(r[0]), fields_text(r[1:n])) for r in out]
    pic.write.values[node.id] = rows


def changes(node: Any, pic: Picture, records: tuple[list[dict[str, Any]], list[dict[str, Any]]],
            outs: tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]) -> bytes:
    """The change report (`incremental.changes`): `carga;origem;<key names>;mudanca;campo;
    anterior;atual`, one row per field that changed from the previous load to this one — for
    the derivation's own records (`origem` its id; keyed by `per:`, or per record by the
    record key) its `fields`, for the ledger's records (`origem` the ledger) its `records`;
    a record or key only in this load is `incluído` (one row per field, anterior empty),
    only in the previous one `removido` (atual empty). Sorted by the key columns (ascending,
    empty first), the derivation's rows before the records', then the fields' order."""
    from runtime.derivation import _CELL  # derivation imports this module
    from runtime.derivation import cell_text

    def cell(v: Any) -> str:  # cell_text by the value's exact type, as the outputs do
        return (_CELL.get(type(v)) or cell_text)(v)

    inc: Incremental = node.incremental
    cols = [*inc.names, *(p for p in node.per if p not in inc.names)]
    found: list[tuple[Any, ...]] = []
    included, removed, altered = MOVES

    def project(names: tuple[str, ...]) -> Callable[[Key], Key]:
        """A key over `names` → its values in the key columns (None where it has none)."""
        at = [names.index(c) if c in names else -1 for c in cols]
        if at == list(range(len(names))) + [-1] * (len(cols) - len(names)):
            pad = (None,) * (len(cols) - len(names))
            return lambda key: key + pad
        return lambda key: tuple(None if i < 0 else key[i] for i in at)

    def emit(level: int, origin: str, values: Key, old: dict[str, Any] | None,
             new: dict[str, Any] | None, tracked: tuple[str, ...]) -> None:
        # in the fields' order: a key's rows are sorted as they come
        if old is None:
            rows = [(included, f, "", cell(new.get(f))) for f in tracked]  # type: ignore[union-attr]
        elif new is None:
            rows = [(removed, f, cell(old.get(f)), "") for f in tracked]
        else:
            rows = []
            for f in tracked:
                a, b = old.get(f), new.get(f)
                if a != b:
                    rows.append((altered, f, cell(a), cell(b)))
        if rows:
            found.append((order_key(values), level, values, origin, rows))

    def by_key(out: list[tuple[Any, ...]], keys: dict[int, Key]) -> dict[Key, dict[str, Any]]:
        got = {}
        for r in out:
            values = dict(zip(node.names, r[1:], strict=False))
            key = tuple(values[k] for k in node.per) if node.per else keys[r[0]]
            got[key] = values
        return got

    if inc.fields:
        was, now = by_key(outs[0], pic.previous_keys), by_key(outs[1], pic.keys)
        shown = project(node.per or inc.names)
        for key in was.keys() | now.keys():
            emit(0, node.id, shown(key), was.get(key), now.get(key), inc.fields)
    if inc.records:
        was = {pic.previous_keys[r["_line"]]: r for r in records[0]}
        now = {pic.keys[r["_line"]]: r for r in records[1]}
        shown = project(inc.names)
        for key in was.keys() | now.keys():
            emit(1, node.ledger, shown(key), was.get(key), now.get(key), inc.records)
    found.sort(key=lambda r: r[:2])  # one sort per key; no two share (values, level)

    def lines() -> Any:
        for _, _, values, origin, rows in found:
            head = (pic.load, origin, *map(cell, values))
            for row in rows:
                yield head + row

    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["carga", "origem", *cols, "mudanca", "campo", "anterior", "atual"])
    w.writerows(lines())
    return buf.getvalue().encode("utf-8")


def as_of_inputs(package: Any, ledgers: Mapping[str, Any], computed: Mapping[str, Any],
                 ) -> tuple[dict[str, Any], list[DataError]]:
    """With --as-of the ledgers of the incremental derivations the run computes come from the
    state file: given no records here (OmittedInput), an extract given for one is D1904; a run
    computing none of them is D1903."""
    from runtime.inputs import OmittedInput

    read = {n.ledger for n in computed.values() if getattr(n, "incremental", None) is not None}
    errors = [catalog.as_of_with_input(name) for name in sorted(read & set(ledgers))]
    if not read:
        errors.append(catalog.as_of_not_incremental(package.id))
    return {**ledgers, **{n: OmittedInput(n) for n in sorted(read - set(ledgers))}}, errors
