"""An `allocation` node at run time (compiler/kinds/allocation): sources (payroll discounts)
matched to targets (imputations) by party and class, applied by a policy up to each target's
cap, with stable content ids and a state carried between runs.

Why the loop is Python on every back end: applying a discount changes what remains of its
target for the next one, so the result depends on the order; a few thousand sources per month
are read again here with the ledger reader every back end's Python reader uses
(runtime/ledgers.Reader: the same cell rules), so python, duckdb and spark give the same bytes
by construction. The state (what was imported, every event) lives in the run's state file
(runtime/allocation_state.py); this run only reads it and hands the new rows to the lifecycle,
which stores them when the run commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.allocation_report import render_outputs
from runtime.allocation_state import AllocationStore
from runtime.allocation_state import Event
from runtime.allocation_state import Payment
from runtime.allocation_state import Snapshot
from runtime.allocation_state import state_key
from runtime.coverage import quoted
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.locations import Loc
from runtime.values import format_money

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


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
    is_open: Callable[..., Any]      # over `open_fields`
    open_fields: tuple[str, ...]
    cap: Callable[..., Any]          # over `cap_fields`, money
    cap_fields: tuple[str, ...]
    parties: str                     # the ledger target → party (responsavel)
    parties_target: str
    parties_party: str
    eligible: str                    # "after" (source date > target date) | "any"
    policy: str                      # "single" | "priority" | "pro_rata"
    rank: tuple[tuple[Callable[..., Any], tuple[str, ...], bool], ...]  # (key, fields, desc)
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

    def new_acc(self) -> dict[Any, Any]:
        return {}

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        """The files `finish` rendered (a run that does not compute the node has none)."""
        return dict(ctx.acc[self.id].get(("outputs", part), {}))

    # ------------------------------------------------------------------ the run
    def finish(self, ctx: Any, part: Any) -> None:
        if not ctx.computes(self.id):
            return
        key = state_key(ctx.package.id, self.id)
        snap = AllocationStore.read(ctx.state_file, key)
        loop = _Loop(self, ctx, snap)
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


def _rows(ctx: Any, name: str, as_dicts: bool = True
          ) -> tuple[list[Any], ReadStats, str]:
    """The accepted records of input `name` — as dicts with `_line`, or (`as_dicts=False`) the
    reader's tuples, the line last — its read stats (the rejected rows) and display name."""
    led = ctx.package.ledger(name)
    src = ctx.inputs[name]
    display = ctx.input_names.get(name, name)
    st = ReadStats(name=name, path=display)
    reader = Reader(led, name, None)
    rows = (reader.read_csv(Path(src), display, st) if isinstance(src, str | Path)
            else reader.read_rows(src, display, st))
    if not as_dicts:
        return list(rows), st, display
    names = [f.name for f in led.fields]
    out = []
    for r in rows:
        rec = dict(zip(names, r, strict=False))
        rec["_line"] = r[-1]
        out.append(rec)
    return out, st, display


def _call(fn: Callable[..., Any], fields: tuple[str, ...], rec: dict[str, Any]) -> Any:
    return fn(*[rec[f] for f in fields])


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
    """One run of the allocation: the state before, this run's inputs, the new rows."""

    def __init__(self, node: Allocation, ctx: Any, snap: Snapshot) -> None:
        self.node, self.ctx = node, ctx
        self.payments: dict[str, Payment] = dict(snap.payments)
        self.events: list[Event] = list(snap.events)
        self.new_payments: list[Payment] = []
        self.new_events: list[Event] = []
        self.imports: list[tuple[str, int, str, str]] = []  # file, line, id, situação
        self.applied: dict[str, Decimal] = {}
        for e in self.events:
            self.applied[e.target] = self.applied.get(e.target, ZERO) + e.amount

    def _targets(self) -> dict[str, _Target]:
        n = self.node
        parties: dict[str, set[str]] = {}
        for r in _rows(self.ctx, n.parties)[0]:
            parties.setdefault(str(r[n.parties_target]), set()).add(str(r[n.parties_party]))
        rows, _, display = _rows(self.ctx, n.target)
        out: dict[str, _Target] = {}
        for r in rows:
            key = str(r[n.target_key])
            if key in out:
                self.ctx.report(catalog.allocation_duplicate_target(
                    n.id, quoted(key), out[key].line, file=display, line=r["_line"]))
                continue
            cap = _call(n.cap, n.cap_fields, r)
            out[key] = _Target(key=key, cls=r[n.target_class], date=r[n.target_date],
                               cap=ZERO if cap is None else Decimal(cap),
                               is_open=bool(_call(n.is_open, n.open_fields, r)),
                               parties=parties.get(key, set()),
                               rank=tuple(_call(fn, fs, r) for fn, fs, _ in n.rank),
                               line=r["_line"])
            done = self.applied.get(key, ZERO)
            if out[key].cap < done:
                self.ctx.report(catalog.allocation_cap_below(
                    n.id, key, format_money(out[key].cap), format_money(done),
                    file=display, line=r["_line"]))
        return out

    def _sources(self) -> list[Payment]:
        """This run's new sources, in the node's order then id; every input row is marked.

        The hot loop of a big import (a million payroll rows): it works on the reader's tuples,
        with each id field's formatter chosen once from its type, and looks the class up in
        the map's dictionary directly when nothing needs to see the lookup (no trace, no
        unconfirmed entries)."""
        n, ctx = self.node, self.ctx
        led = ctx.package.ledger(n.source)
        rows, st, display = _rows(ctx, n.source, as_dicts=False)
        at = {f.name: i for i, f in enumerate(led.fields)}
        fmt = [(_FORMAT.get(f.type, text_of), at[f.name])
               for name in n.id_fields for f in led.fields if f.name == name]
        m = ctx.maps[n.class_map]
        direct = m.entries if not m.suspect and ctx.trace is None else None
        cls_at = tuple(at[k] for k in n.class_keys)
        party_at, amount_at, date_at = at[n.party], at[n.amount], at[n.date]
        order_at = tuple(at[f] for f in n.order)
        seen: dict[tuple[str, ...], int] = {}
        fresh: list[Payment] = []
        fresh_ids: set[str] = set()
        known = self.payments
        value = self._value_index()
        marks: dict[int, tuple[str, str]] = {e.line: ("", "REJEITADO") for e in st.rejected}
        sha = hashlib.sha256
        for r in rows:
            line = r[-1]
            parts = tuple([f(r[i]) for f, i in fmt])
            k = seen[parts] = seen.get(parts, 0) + 1
            pid = sha(("|".join(parts) + "|" + str(k)).encode("utf-8")).hexdigest()[:16]
            ckey = tuple([r[i] for i in cls_at])
            hit = direct.get(ckey) if direct is not None else m.find(ckey, line)
            if hit is None:
                key = ", ".join(f"{c}={quoted(v)}" for c, v in zip(n.class_keys, ckey,
                                                                   strict=True))
                ctx.rejected.append(catalog.allocation_unknown_class(
                    n.id, key, n.class_map, file=display, line=line, col=1, text=None))
                marks[line] = (pid, "REJEITADO")
                continue
            if pid in known or pid in fresh_ids:
                marks[line] = (pid, "JA_IMPORTADO")
                continue
            marks[line] = (pid, "NOVO")
            fresh_ids.add(pid)
            fresh.append(Payment(id=pid, fields=parts, party=str(r[party_at]), cls=hit[value],
                                 amount=Decimal(r[amount_at]), date=r[date_at],
                                 order=tuple([r[i] for i in order_at]), line=line,
                                 file=display))
        self.imports = [(display, line, pid, what) for line, (pid, what) in sorted(marks.items())]
        fresh.sort(key=lambda p: (p.order, p.id))
        return fresh

    def _value_index(self) -> int:
        spec = next(mm for mm in self.ctx.package.maps if mm.id == self.node.class_map)
        return list(spec.values).index(self.node.class_value)

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
        for p in self._sources():
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
        for (_, _, desc), v in zip(self.node.rank, t.rank, strict=True):
            keys.append(_Desc(v) if desc else v)
        return (*keys, t.key)

    def _event(self, p: Payment, t: _Target, amt: Decimal) -> None:
        if amt <= 0:
            return
        origin = self.node.origin
        parts = [origin, p.id, t.key, _date_text(p.date), format_money(amt)]
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
