"""The state of the `allocation` nodes between runs: what each one imported and every event it
made, in the run's state file (`--state PATH`, the journal's SQLite file), in two tables the
kind owns (`alloc_payments`, `alloc_events`), keyed by the allocation's id — an allocation's
state belongs to the rule that made it, so the earlier rule selected with --select does not
see the events of the rules in force.

Rows are only added, never changed or deleted (the trail stays): a run reads the snapshot
before it (`read`), and the lifecycle stores the new rows when the run commits (`save`), in
one transaction. Values are kept as canonical text: money `1234.56`, dates ISO."""

from __future__ import annotations

import datetime
import json
import re
import sqlite3
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS alloc_payments (
    allocation TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    fields TEXT NOT NULL,
    party TEXT NOT NULL,
    class TEXT NOT NULL,
    amount TEXT NOT NULL,
    date TEXT NOT NULL,
    rule TEXT NOT NULL,
    reason TEXT NOT NULL,
    targets TEXT NOT NULL,
    run_id INTEGER,
    file TEXT NOT NULL,
    line INTEGER NOT NULL,
    open TEXT NOT NULL,
    PRIMARY KEY (allocation, id)
);
CREATE TABLE IF NOT EXISTS alloc_events (
    allocation TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    payment TEXT NOT NULL,
    target TEXT NOT NULL,
    party TEXT NOT NULL,
    date TEXT NOT NULL,
    amount TEXT NOT NULL,
    origin TEXT NOT NULL,
    run_id INTEGER,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    PRIMARY KEY (allocation, id)
);
"""


@dataclass(slots=True)
class Payment:
    """An imported source (a discount): its id, the texts its id is made of (the id fields),
    party, class, amount, date; what the rule decided (`rule`, `reason` of what stays
    unlinked: several | excess | none) and the targets it got events on."""

    id: str
    fields: tuple[str, ...]
    party: str
    cls: str
    amount: Decimal
    date: datetime.date
    order: tuple[Any, ...] = ()
    line: int = 0
    rule: str = ""
    reason: str = ""
    targets: tuple[str, ...] = ()
    file: str = ""
    # the open targets when it was allocated, with what remained of each (apura explain)
    open: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Event:
    """A payment event: `amount` of payment `payment` applied to target `target`."""

    id: str
    payment: str
    target: str
    party: str
    date: datetime.date
    amount: Decimal
    origin: str
    # what remained of the target before and after it (apura explain); for a reversal, which
    # is made without the targets' input, what had been applied to it
    before: Decimal = Decimal("0.00")
    after: Decimal = Decimal("0.00")


@dataclass(slots=True)
class Snapshot:
    payments: dict[str, Payment]
    events: list[Event]


def state_key(package: str, allocation: str) -> str:
    """The key of an allocation's rows: `<package>/<allocation id>`, so two packages sharing
    a state file never read each other's state."""
    return f"{package}/{allocation}"


# a text JSON needs no escape in (no quote, backslash or control character): written by hand
# between quotes, the same JSON value json.loads reads back (what json.dumps writes for the
# others). A million discounts each write three lists; json.dumps was a fifth of the run.
_PLAIN = re.compile(r'[^"\\\x00-\x1f]*')


def _texts(items: tuple[str, ...]) -> str:
    if not items:
        return "[]"
    if _PLAIN.fullmatch("".join(items)):
        return '["' + '","'.join(items) + '"]'
    return json.dumps(list(items))


def _pairs(items: tuple[tuple[str, str], ...]) -> str:
    if not items:
        return "[]"
    if len(items) == 1:
        return "[" + _texts(items[0]) + "]"
    return "[" + ",".join([_texts(x) for x in items]) + "]"


def _by_id(item: tuple[int, Any]) -> str:
    """Rows go in by id (their `seq` keeps the order): the primary key's index is then filled
    in its own order, not at random places (measured: ~40% faster on 300k rows into an empty
    table; less when the table already holds earlier runs)."""
    return str(item[1].id)


class AllocationStore:
    """The two tables in an open state file."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        with db:
            db.executescript(SCHEMA)

    @staticmethod
    def read(path: str | Path | None, allocation: str) -> Snapshot:
        """The state of `allocation` before this run (empty without a state file, or when the
        file has no allocation tables yet)."""
        if path is None or not Path(path).exists():
            return Snapshot({}, [])
        db = sqlite3.connect(f"file:{Path(path).resolve().as_posix()}?mode=ro", uri=True)
        try:
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alloc_payments" not in have:
                return Snapshot({}, [])
            pays: dict[str, Payment] = {}
            for r in db.execute("SELECT id, fields, party, class, amount, date, rule, reason, "
                                "targets, file, line, open FROM alloc_payments "
                                "WHERE allocation = ? ORDER BY seq", (allocation,)):
                pays[r[0]] = Payment(id=r[0], fields=tuple(json.loads(r[1])), party=r[2],
                                     cls=r[3], amount=Decimal(r[4]),
                                     date=datetime.date.fromisoformat(r[5]), rule=r[6],
                                     reason=r[7], targets=tuple(json.loads(r[8])),
                                     file=r[9], line=r[10],
                                     open=tuple((t, v) for t, v in json.loads(r[11])))
            events = [Event(id=r[0], payment=r[1], target=r[2], party=r[3],
                            date=datetime.date.fromisoformat(r[4]), amount=Decimal(r[5]),
                            origin=r[6], before=Decimal(r[7]), after=Decimal(r[8]))
                      for r in db.execute("SELECT id, payment, target, party, date, amount, "
                                          "origin, before, after FROM alloc_events "
                                          "WHERE allocation = ? ORDER BY seq", (allocation,))]
            return Snapshot(pays, events)
        finally:
            db.close()

    def save(self, run_id: int | None,
             writes: list[tuple[str, list[Payment], list[Event]]]) -> None:
        """Add the new rows of each allocation, in one transaction."""
        with self.db:
            for allocation, pays, events in writes:
                base = self._next("alloc_payments", allocation)
                self.db.executemany(
                    "INSERT INTO alloc_payments VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(allocation, p.id, base + i, _texts(p.fields), p.party, p.cls,
                      str(p.amount), p.date.isoformat(), p.rule, p.reason,
                      _texts(p.targets), run_id, p.file, p.line,
                      _pairs(p.open)) for i, p in sorted(enumerate(pays), key=_by_id)])
                base = self._next("alloc_events", allocation)
                self.db.executemany(
                    "INSERT INTO alloc_events VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                    [(allocation, e.id, base + i, e.payment, e.target, e.party,
                      e.date.isoformat(), str(e.amount), e.origin, run_id, str(e.before),
                      str(e.after)) for i, e in sorted(enumerate(events), key=_by_id)])

    def _next(self, table: str, allocation: str) -> int:
        row = self.db.execute(f"SELECT coalesce(max(seq), 0) FROM {table} "  # noqa: S608
                              "WHERE allocation = ?", (allocation,)).fetchone()
        return int(row[0]) + 1
