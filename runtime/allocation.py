"""An `allocation` node at run time (compiler/kinds/allocation): sources (payroll discounts)
matched to targets (imputations) by party and class, applied by a policy up to each target's
cap, with stable content ids and a state carried between runs.

What runs where: reading, matching and eligibility are the normal scan plan on every back end
— the scans (the generated Python ones, or the SQL `aggregate` rows on duckdb and spark) hand
this node every record of its three ledgers with the values its loop needs, already
evaluated: a discount's fields and its class (the plan's lookup in the class map; a record
without one is refused there, D1401, and still handed over so importacao.csv marks it), an
imputation's key, class, date, cap, open condition and order keys, a responsável's pair
(`ctx.acc[node][part][ledger]`, tuples in plan order, the line last; compiler/kinds/allocation/
plan.py). The values come typed; the texts of ids and outputs (money `1234,56`, dates
DD/MM/YYYY) are written here, once, for every back end alike.

Why the loop is Python on every back end: applying a discount changes what remains of its
target for the next one, so the result depends on the order — a fold over the discounts in
date order, which no set-based SQL statement expresses. So `finish` keeps the content ids
(sha256 of the fields' texts and the occurrence number among identical rows), the state, the
loop and the outputs. The state (what was imported, every event) lives in the run's state
file (runtime/allocation_state.py); this run only reads it and hands the new rows to the
lifecycle, which stores them when the run commits.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from runtime import catalog
from runtime.allocation_report import render_outputs
from runtime.allocation_state import AllocationStore
from runtime.allocation_state import Event
from runtime.allocation_state import Payment
from runtime.allocation_state import Snapshot
from runtime.allocation_state import state_key
from runtime.coverage import quoted
from runtime.ledgers import ReadStats
from runtime.locations import Loc
from runtime.model import Field
from runtime.values import format_money

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
_LINE = itemgetter(-1)  # a carried record's line


def text_of(value: Any) -> str:
    """A value as the outputs and the ids write it: money `1234,56`, dates DD/MM/YYYY."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_money(value)
    if hasattr(value, "strftime"):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return str(value)


def content_id(parts: list[str]) -> str:
    """The first 16 hex digits of the sha256 of the parts joined by '|' (UTF-8)."""
    return hashlib.sha256("|".join(parts).encode("utf-8")).hexdigest()[:16]


def _date_text(value: Any) -> str:
    return "" if value is None else f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def _str_text(value: Any) -> str:
    return "" if value is None else str(value)


def _money_text(value: Any) -> str:
    return "" if value is None else format_money(value)


# an id field's text by its type (text_of for the others): the same texts text_of gives
_FORMAT: dict[str, Callable[[Any], str]] = {"date": _date_text, "str": _str_text,
                                            "decimal": _money_text}


class _DateTexts(dict[Any, str]):
    """DD/MM/YYYY of each date met, written once (a payroll file has few distinct dates)."""

    def __missing__(self, value: Any) -> str:
        text = self[value] = _date_text(value)
        return text


def _formatter(f: Field, dates: _DateTexts) -> Callable[[Any], str] | None:
    """How an id field's value becomes its text (as text_of writes it); None for a required
    text field, whose value is its text already (never null, on every back end)."""
    never_null = f.required and not f.optional
    if never_null and f.type == "str":
        return None
    if f.type == "date":
        return dates.__getitem__
    if never_null and f.type == "decimal":
        return format_money
    got: Callable[[Any], str] = _FORMAT.get(f.type, text_of)
    return got


# The roles a ledger plays for an allocation, in the order a record carries their values
# (compiler/kinds/allocation/plan.py ROLES).
ROLES = ("source", "target", "parties")


@dataclass(frozen=True, slots=True)
class Allocation:
    """The runtime declaration of an allocation node (PACKAGE.nodes), written by
    compiler/kinds/allocation/python.py from the spec."""

    id: str
    source: str                      # the ledger of the sources (desconto)
    id_fields: tuple[str, ...]       # what a source's id is made of, in order
    party: str                       # the source's party field (cpf)
    amount: str                      # the source's amount (valor)
    date: str                        # the source's date (data_folha)
    order: tuple[str, ...]           # the sources' processing order (then the id)
    class_map: str                   # map (class keys) → class
    class_keys: tuple[str, ...]
    class_value: str
    target: str                      # the ledger of the targets (imputacao)
    target_key: str
    target_class: str
    target_date: str
    # the source fields a record carries, in order, each once (then its class)
    source_fields: tuple[str, ...]
    # the cap over `cap_fields`, money: evaluated by the scans in a run; this callable is for
    # the Desconto em Folha command, which reads the targets outside a run
    cap: Callable[..., Any]
    cap_fields: tuple[str, ...]
    parties: str                     # the ledger target → party (responsavel)
    parties_target: str
    parties_party: str
    eligible: str                    # "after" (source date > target date) | "any"
    policy: str                      # "single" | "priority" | "pro_rata"
    descending: tuple[bool, ...]     # per order key of the targets (evaluated by the scans)
    rule: str                        # the rule name of what the policy decides (regra_01)
    unlinked_rule: str               # ... of what it leaves to the party (regra_02)
    origin: str                      # the events' origin (regra_01)
    classes: tuple[tuple[str, str], ...]   # class → its summary column, in order
    summary: tuple[tuple[str, str], ...]   # summary role → row label
    columns: tuple[tuple[str, str], ...]   # column role → name (source_id, event_id, ...)
    files: tuple[tuple[str, str], ...]     # output role → file name
    alternative_of: str = ""
    depends_on: tuple[str, ...] = ()
    at: Loc | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source, self.target, self.parties)

    @property
    def maps(self) -> tuple[str, ...]:
        return (self.class_map,)

    def new_acc(self) -> defaultdict[str, list[tuple[Any, ...]]]:
        """Per ledger read, its records as the scans carry them (`slices`), the line last."""
        return defaultdict(list)

    def slices(self) -> dict[str, tuple[str, int]]:
        """role → (its ledger, where its values start in that ledger's records): a source
        carries its fields and class, a target its key, class, date, cap, open condition and
        order keys, a party its target and party; a ledger playing two roles carries both."""
        widths = {"source": len(self.source_fields) + 1, "target": 5 + len(self.descending),
                  "parties": 2}
        used: dict[str, int] = {}
        out = {}
        for role, ledger in zip(ROLES, self.sources, strict=True):
            out[role] = (ledger, used.get(ledger, 0))
            used[ledger] = out[role][1] + widths[role]
        return out

    def refuse(self, ctx: Any, key: tuple[Any, ...], line: int) -> None:
        """D1401: a source record (at `line` of the input being scanned) whose class keys
        `key` are not in the class map: a rejected row (`--rejects`), never imported."""
        shown = ", ".join(f"{c}={quoted(v)}" for c, v in zip(self.class_keys, key, strict=True))
        ctx.rejected.append(catalog.allocation_unknown_class(
            self.id, shown, self.class_map, file=ctx.file, line=line, col=1, text=None))

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        """The files `finish` rendered (a run that does not compute the node has none)."""
        return dict(ctx.acc[self.id].get(("outputs", part), {}))

    # ------------------------------------------------------------------ the run
    def finish(self, ctx: Any, part: Any) -> None:
        if not ctx.computes(self.id):
            return
        key = state_key(ctx.package.id, self.id)
        snap = AllocationStore.read(ctx.state_file, key)
        loop = _Loop(self, ctx, snap, ctx.rows(self.id, part))
        loop.run()
        ctx.acc[self.id][("outputs", part)] = render_outputs(self, loop.payments, loop.events,
                                                             loop.imports)
        ctx.state_writes.append((key, loop.new_payments, loop.new_events))


def count_rejected(ctx: Any, stats: list[ReadStats]) -> None:
    """The source rows the allocations refused (D1401) are rejects of their input, as bad
    cells are: counted in its stats (accepted + rejected = read)."""
    by_path = {st.path: st for st in stats}
    for e in ctx.rejected:
        st = by_path[e.file]
        st.rejected.append(e)
        st.accepted -= 1


@dataclass(slots=True)
class _Target:
    key: str
    cls: Any
    date: Any
    cap: Decimal
    is_open: bool
    parties: set[str]
    rank: tuple[Any, ...]
    line: int
    left: Decimal = ZERO  # what remains: cap − every event on it so far (open targets only)


class _Loop:
    """One run of the allocation: the state before, this run's records (as the scans carried
    them: `records`, Allocation.new_acc), the new rows."""

    def __init__(self, node: Allocation, ctx: Any, snap: Snapshot,
                 records: dict[str, list[tuple[Any, ...]]]) -> None:
        self.node, self.ctx = node, ctx
        self.payments: dict[str, Payment] = dict(snap.payments)
        self.events: list[Event] = list(snap.events)
        self.new_payments: list[Payment] = []
        self.new_events: list[Event] = []
        self.imports: list[tuple[str, int, str, str]] = []  # file, line, id, situação
        self.applied: dict[str, Decimal] = {}
        for e in self.events:
            self.applied[e.target] = self.applied.get(e.target, ZERO) + e.amount
        self.slices = node.slices()
        self.dates = _DateTexts()  # the texts of the dates met (ids of payments and events)
        # in input order (the SQL rows come in any order): the first of a repeated target
        # wins, identical discounts are numbered in file order
        self.records = records
        for rows in records.values():
            rows.sort(key=_LINE)

    def _rows(self, role: str) -> tuple[list[tuple[Any, ...]], int, str]:
        """The records of the ledger playing `role`, where its values start, the input's
        display name."""
        ledger, start = self.slices[role]
        return self.records.get(ledger, []), start, self.ctx.read_stats[ledger].path

    def _targets(self) -> dict[str, _Target]:
        n = self.node
        parties: dict[str, set[str]] = {}
        rows, o, _ = self._rows("parties")
        for r in rows:
            parties.setdefault(str(r[o]), set()).add(str(r[o + 1]))
        rows, o, display = self._rows("target")
        out: dict[str, _Target] = {}
        for r in rows:
            key = str(r[o])
            if key in out:
                self.ctx.report(catalog.allocation_duplicate_target(
                    n.id, quoted(key), out[key].line, file=display, line=r[-1]))
                continue
            cap = r[o + 3]  # money in cents (the SQL decimal has the shape's places)
            out[key] = _Target(key=key, cls=r[o + 1], date=r[o + 2],
                               cap=ZERO if cap is None else Decimal(cap).quantize(CENT),
                               is_open=bool(r[o + 4]), parties=parties.get(key, set()),
                               rank=r[o + 5:o + 5 + len(n.descending)], line=r[-1])
            done = self.applied.get(key, ZERO)
            if out[key].cap < done:
                self.ctx.report(catalog.allocation_cap_below(
                    n.id, key, format_money(out[key].cap), format_money(done),
                    file=display, line=r[-1]))
        return out

    def _sources(self) -> list[Payment]:
        """This run's new sources, in the node's order then id; every input row is marked.

        The hot loop of a big import (a million payroll rows): it works on the carried tuples,
        with each id field's formatter chosen once from its type (none for a required text;
        each distinct date written once). A record the scan refused
        (no class: D1401, reported there) is marked REJEITADO with its id; a row the reader
        rejected, with none."""
        n, ctx = self.node, self.ctx
        types = {f.name: f for f in ctx.package.ledger(n.source).fields}
        rows, o, display = self._rows("source")
        at = {name: o + i for i, name in enumerate(n.source_fields)}
        fmt = [(_formatter(types[name], self.dates), at[name]) for name in n.id_fields]
        cls_at = o + len(n.source_fields)
        party_at, amount_at, date_at = at[n.party], at[n.amount], at[n.date]
        # the amount at its field's places: the SQL engines' decimals have them, a cell
        # written without them ("350") reads as Decimal("350") in Python
        places = Decimal(1).scaleb(-types[n.amount].scale)
        order_at = tuple(at[f] for f in n.order)
        seen: dict[tuple[str, ...], int] = {}
        fresh: list[Payment] = []
        fresh_ids: set[str] = set()
        known = self.payments
        rejected = ctx.read_stats[n.source].rejected
        marks: dict[int, tuple[str, str]] = {e.line: ("", "REJEITADO") for e in rejected}
        sha = hashlib.sha256
        for r in rows:
            line = r[-1]
            parts = tuple([r[i] if f is None else f(r[i]) for f, i in fmt])
            k = seen[parts] = seen.get(parts, 0) + 1
            pid = sha(("|".join(parts) + "|" + str(k)).encode("utf-8")).hexdigest()[:16]
            cls = r[cls_at]
            if cls is None:
                marks[line] = (pid, "REJEITADO")
                continue
            if pid in known or pid in fresh_ids:
                marks[line] = (pid, "JA_IMPORTADO")
                continue
            marks[line] = (pid, "NOVO")
            fresh_ids.add(pid)
            fresh.append(Payment(id=pid, fields=parts, party=str(r[party_at]), cls=cls,
                                 amount=r[amount_at].quantize(places), date=r[date_at],
                                 order=tuple([r[i] for i in order_at]), line=line,
                                 file=display))
        self.imports = [(display, line, pid, what) for line, (pid, what) in sorted(marks.items())]
        fresh.sort(key=lambda p: (p.order, p.id))
        return fresh

    def run(self) -> None:
        n = self.node
        # the open targets of each (party, class), in input order
        by_party: dict[tuple[str, Any], list[_Target]] = {}
        for t in self._targets().values():
            if t.is_open:
                t.left = t.cap - self.applied.get(t.key, ZERO)
                for party in t.parties:
                    by_party.setdefault((party, t.cls), []).append(t)
        single, after = n.policy == "single", n.eligible == "after"
        none: list[_Target] = []
        fresh = self._sources()
        for rows in self.records.values():  # read: freed before the loop and the outputs
            rows.clear()
        for p in fresh:
            open_ts = [t for t in by_party.get((p.party, p.cls), none) if t.left > 0]
            p.open = tuple([(t.key, str(t.left)) for t in open_ts])
            decided = open_ts if not single or len(open_ts) == 1 else none
            if not decided:
                p.rule, p.reason = n.unlinked_rule, ("several" if open_ts else "none")
            else:
                p.rule, p.reason = n.rule, "excess"
                eligible = ([t for t in decided if p.date > t.date] if after else decided)
                if eligible:
                    self._apply(p, eligible)
            self.payments[p.id] = p
            self.new_payments.append(p)

    def _apply(self, p: Payment, eligible: list[_Target]) -> None:
        n = self.node
        left = p.amount
        if n.policy == "pro_rata":
            ranked = sorted(eligible, key=lambda t: (t.rank, t.key))
            parts = pro_rata(min(left, sum((max(t.left, ZERO) for t in eligible), ZERO)),
                             [(t.key, max(t.left, ZERO)) for t in ranked])
            for t in ranked:
                self._event(p, t, parts[t.key])
            return
        ordered = eligible if len(eligible) == 1 else sorted(eligible, key=self._rank_key)
        for t in ordered:
            if left <= 0:
                break
            amt = min(left, t.left)
            if amt > 0:
                self._event(p, t, amt)
                left -= amt

    def _rank_key(self, t: _Target) -> tuple[Any, ...]:
        keys = []
        for desc, v in zip(self.node.descending, t.rank, strict=True):
            keys.append(_Desc(v) if desc else v)
        return (*keys, t.key)

    def _event(self, p: Payment, t: _Target, amt: Decimal) -> None:
        if amt <= 0:
            return
        origin = self.node.origin
        parts = [origin, p.id, t.key, self.dates[p.date], format_money(amt)]
        before = t.left
        e = Event(id=content_id(parts), payment=p.id, target=t.key, party=p.party,
                  date=p.date, amount=amt, origin=origin, before=before, after=before - amt)
        p.targets = (*p.targets, t.key)
        t.left = before - amt
        self.applied[t.key] = self.applied.get(t.key, ZERO) + amt
        self.events.append(e)
        self.new_events.append(e)


@dataclass(frozen=True, slots=True)
class _Desc:
    """A sort key in descending order."""

    v: Any

    def __lt__(self, other: _Desc) -> bool:
        return bool(other.v < self.v)


def pro_rata(total: Decimal, weights: list[tuple[str, Decimal]]) -> dict[str, Decimal]:
    """`total` split in cents in proportion to the weights by the largest-remainder method:
    each part gets the floor of its share, the cents left go one each to the largest
    remainders (ties: the order given). Integer arithmetic on cents: exact, and the parts sum
    to `total`."""
    cents = int(total * 100)
    ws = [(k, int(w * 100)) for k, w in weights]
    wsum = sum(w for _, w in ws)
    if wsum <= 0 or cents <= 0:
        return {k: ZERO for k, _ in weights}
    floors = {k: cents * w // wsum for k, w in ws}
    rests = [(cents * w % wsum, i) for i, (_, w) in enumerate(ws)]
    left = cents - sum(floors.values())
    for _, i in sorted(rests, key=lambda r: (-r[0], r[1]))[:left]:
        floors[ws[i][0]] += 1
    return {k: (Decimal(c) / 100).quantize(CENT) for k, c in floors.items()}
