"""The manual "Desconto em Folha" event of an allocation (seed 002) and its reversal, as the
runtime API (the CLI commands `apura descontos`, `apura desconto-em-folha` and `apura estorno`
call these): list a responsible's unlinked discounts, turn the unlinked value of the selected
ones into payment events on one of the responsible's imputations, and reverse such an event.

Every change is an event added to the allocation's state (runtime/allocation_state.py), under
the state file's lock; nothing is deleted. The event's date is given, never the clock. An
identical event again is a no-op (its id is the hash of its fields); a reversal is an event of
origin `estorno` with the negative value, its id the hash of its fields plus the reversed id.
The next `apura run` shows them in every output (cumulative). Refusals are D1403–D1406."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.allocation import Allocation
from runtime.allocation import content_id
from runtime.allocation import text_of
from runtime.allocation_state import AllocationStore
from runtime.allocation_state import Event
from runtime.allocation_state import Snapshot
from runtime.allocation_state import state_key
from runtime.errors import RunFailed
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.values import format_money

MANUAL = "desconto_em_folha"
REVERSAL = "estorno"
ZERO = Decimal("0.00")


@dataclass(frozen=True, slots=True)
class Unlinked:
    """A discount as the event lists it (the seed's Natureza, Rubrica, Sistema, Valor do
    Desconto, Folha de Pagamento) with what of it is still unlinked."""

    id: str
    natureza: str
    rubrica: str
    sistema: str
    valor: Decimal
    folha: str
    saldo: Decimal


def allocation_of(program: Any, rule: str | None = None) -> Allocation:
    """The package's allocation `rule`, or its only one / the one its `select:` names."""
    nodes = [n for n in program.package.nodes if isinstance(n, Allocation)]
    if rule is not None:
        got = [n for n in nodes if n.id == rule]
    elif len(nodes) == 1:
        got = nodes
    else:
        got = [n for n in nodes if n.id == program.package.default_select]
    if len(got) != 1:
        raise ValueError("escolha a regra (alocação): " + ", ".join(n.id for n in nodes))
    return got[0]


def _field(node: Allocation, fields: tuple[str, ...], name: str) -> str:
    return fields[node.id_fields.index(name)] if name in node.id_fields else ""


def unlinked(program: Any, state: str | Path, cpf: str, *,
             rule: str | None = None) -> list[Unlinked]:
    """The cpf's discounts with something unlinked, in data_folha then id order."""
    node = allocation_of(program, rule)
    snap = AllocationStore.read(Path(state), state_key(program.package.id, node.id))
    applied = _applied(snap)
    out = []
    for p in sorted(snap.payments.values(), key=lambda p: (p.date, p.id)):
        left = p.amount - applied.get(p.id, ZERO)
        if p.party == cpf and left > 0:
            out.append(Unlinked(id=p.id, natureza=p.cls,
                                rubrica=_field(node, p.fields, "rubrica"),
                                sistema=_field(node, p.fields, "base"), valor=p.amount,
                                folha=_field(node, p.fields, "competencia"), saldo=left))
    return out


def _applied(snap: Snapshot) -> dict[str, Decimal]:
    out: dict[str, Decimal] = {}
    for e in snap.events:
        out[e.payment] = out.get(e.payment, ZERO) + e.amount
    return out


def _targets(program: Any, node: Allocation, ledgers: dict[str, Any]
             ) -> tuple[dict[str, Decimal], dict[str, set[str]]]:
    """Each target's cap (this call's input) and its responsáveis."""
    caps: dict[str, Decimal] = {}
    parties: dict[str, set[str]] = {}
    for name in (node.target, node.parties):
        led = program.package.ledger(name)
        st = ReadStats(name=name, path=str(ledgers[name]))
        src = ledgers[name]
        rows = (Reader(led, name, None).read_csv(Path(src), str(src), st)
                if isinstance(src, str | Path) else
                Reader(led, name, None).read_rows(src, f"<memória:{name}>", st))
        names = [f.name for f in led.fields]
        for r in rows:
            rec = dict(zip(names, r, strict=False))
            if name == node.target:
                cap = node.cap(*[rec[f] for f in node.cap_fields])
                caps[str(rec[node.target_key])] = ZERO if cap is None else Decimal(cap)
            else:
                parties.setdefault(str(rec[node.parties_target]), set()).add(
                    str(rec[node.parties_party]))
        if st.rejected or st.fatal:
            raise RunFailed([*st.fatal, *st.rejected])
    return caps, parties


def desconto_em_folha(program: Any, state: str | Path, *, cpf: str, payments: list[str],
                      target: str, date: datetime.date, ledgers: dict[str, Any],
                      rule: str | None = None) -> list[tuple[Event, bool]]:
    """Record one event per selected discount: its unlinked value on imputation `target`.
    `ledgers`: the target and parties inputs (imputacao, responsavel) as of this call.
    Returns (event, new?) per discount; raises RunFailed (D1403–D1405) and records nothing
    when any discount or the imputation refuses."""
    from runtime.lifecycle import _locked

    node = allocation_of(program, rule)
    state_p = Path(state)
    caps, parties = _targets(program, node, ledgers)
    with _locked(None, state_p, False):
        snap = AllocationStore.read(state_p, state_key(program.package.id, node.id))
        known = {e.id for e in snap.events}
        applied = _applied(snap)
        errors = []
        if target not in caps:
            errors.append(catalog.event_target(target, "não existe nesta entrada"))
        elif cpf not in parties.get(target, set()):
            errors.append(catalog.event_target(target, f"não tem o cpf {cpf} entre os "
                                               "responsáveis"))
        made: list[tuple[Event, bool]] = []
        for pid in dict.fromkeys(payments):
            p = snap.payments.get(pid)
            if p is None:
                errors.append(catalog.event_payment(pid, "não foi importado por esta regra"))
                continue
            if p.party != cpf:
                errors.append(catalog.event_payment(pid, f"não é do cpf {cpf}"))
                continue
            left = p.amount - applied.get(pid, ZERO)
            same = [e for e in snap.events if e.origin == MANUAL and e.payment == pid
                    and e.target == target and e.date == date]
            if same and left == 0:  # the same event again: a no-op
                made.append((same[0], False))
                continue
            if left <= 0:
                errors.append(catalog.event_payment(pid, "não tem saldo não vinculado"))
                continue
            parts = [MANUAL, pid, target, text_of(date), format_money(left)]
            e = Event(id=content_id(parts), payment=pid, target=target, party=cpf,
                      date=date, amount=left, origin=MANUAL)  # before/after: below
            if e.id in known:
                errors.append(catalog.event_payment(pid, "já teve este evento, estornado: "
                                                    "registre-o com outra data"))
                continue
            made.append((e, True))
        new = [e for e, fresh in made if fresh]
        if not errors and target in caps:
            remaining = caps[target] - sum((e.amount for e in snap.events
                                            if e.target == target), ZERO)
            total = sum((e.amount for e in new), ZERO)
            if total > remaining:
                errors.append(catalog.event_over(target, format_money(total),
                                                 format_money(remaining)))
        if errors:
            raise RunFailed(errors)
        left_now = caps[target] - sum((e.amount for e in snap.events if e.target == target),
                                      ZERO)
        for k, e in enumerate(new):
            new[k] = replace(e, before=left_now, after=left_now - e.amount)
            left_now -= e.amount
        made = [(next(x for x in new if x.id == e.id) if fresh else e, fresh)
                for e, fresh in made]
        if new:
            _save(state_p, state_key(program.package.id, node.id), new)
        return made


def estorno(program: Any, state: str | Path, *, event: str, date: datetime.date,
            rule: str | None = None) -> tuple[Event, bool]:
    """Reverse a Desconto em Folha event: an `estorno` event of the negative value on the
    same discount and imputation. Returns (reversal, new?); the same reversal again (same
    date) is a no-op; reversing an event already reversed on another date is refused (D1406)
    rather than answered with the earlier reversal, whose date is not the one asked for."""
    from runtime.lifecycle import _locked

    node = allocation_of(program, rule)
    state_p = Path(state)
    with _locked(None, state_p, False):
        snap = AllocationStore.read(state_p, state_key(program.package.id, node.id))
        found = next((e for e in snap.events if e.id == event), None)
        if found is None:
            raise RunFailed([catalog.event_reversal(event, "não existe nesta regra")])
        if found.origin != MANUAL:
            raise RunFailed([catalog.event_reversal(
                event, f"é de origem {found.origin}: só um evento de Desconto em Folha é "
                "estornado")])
        done = next((e for e in snap.events if e.origin == REVERSAL
                     and _reverses(e, found)), None)
        if done is not None and done.date == date:  # the same reversal again: a no-op
            return done, False
        if done is not None:  # another one of the same event would not be "the same again"
            raise RunFailed([catalog.event_reversal(
                event, f"já foi estornado em {text_of(done.date)} (evento {done.id})")])
        amount = -found.amount
        parts = [REVERSAL, found.payment, found.target, text_of(date), format_money(amount),
                 found.id]
        done_on = sum((e.amount for e in snap.events if e.target == found.target), ZERO)
        rev = Event(id=content_id(parts), payment=found.payment, target=found.target,
                    party=found.party, date=date, amount=amount, origin=REVERSAL,
                    before=done_on, after=done_on + amount)  # for a reversal: applied to it
        _save(state_p, state_key(program.package.id, node.id), [rev])
        return rev, True


def _save(state: Path, key: str, events: list[Event]) -> None:
    """Add the events to the state file (the journal's: migrated as every run's)."""
    from runtime.journal import Journal

    journal = Journal(state)
    try:
        AllocationStore(journal.db).save(None, [(key, [], events)])
    finally:
        journal.close()


def _reverses(rev: Event, found: Event) -> bool:
    """Whether `rev` is the reversal of `found` (its id carries the reversed id)."""
    parts = [REVERSAL, found.payment, found.target, text_of(rev.date),
             format_money(-found.amount), found.id]
    return rev.id == content_id(parts)
