"""`apura explain` of an allocation's discount or event (memória da alocação): from the state
alone — the rule that decided it (the allocation spec's file:line:col), the open targets of
its class and what remained of each when it was allocated, each event with what remained of
the imputation before and after, what stays unlinked and why, and the input line it came
from. Ledger text reaches the lines through `quoted`, one line per item."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime.allocation import Allocation
from runtime.allocation_events import REVERSAL
from runtime.allocation_events import allocation_of
from runtime.allocation_state import AllocationStore
from runtime.allocation_state import Event
from runtime.allocation_state import Payment
from runtime.allocation_state import Snapshot
from runtime.allocation_state import state_key
from runtime.coverage import quoted
from runtime.values import format_money

ZERO = Decimal("0.00")
WHY = {"several": "mais de uma imputação aberta da natureza",
       "excess": "excedente do limite, ou data igual ou anterior à da imputação",
       "none": "nenhuma imputação aberta da natureza"}


class NotFound(LookupError):
    """The id is not in the allocation's state."""


def _date(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def _payment_lines(node: Allocation, p: Payment, events: list[Event]) -> list[str]:
    shown = ", ".join(f"{name}={quoted(v)}" for name, v in zip(node.id_fields, p.fields,
                                                               strict=True))
    out = [f"pagamento {p.id} ({p.cls}): {shown}",
           f"  entrada: {p.file}:{p.line}" if p.file else "  entrada: (não registrada)"]
    where = f" ({node.at})" if node.at is not None else ""
    opened = ", ".join(f"{quoted(t)} (restava {format_money(Decimal(v))})" for t, v in p.open)
    if p.rule == node.rule:
        out.append(f"  regra {p.rule}{where}: política {node.policy}; imputações abertas de "
                   f"{p.cls} do cpf: {opened}")
    else:
        out.append(f"  regra {p.rule}{where}: {WHY.get(p.reason, p.reason)}"
                   + (f": {opened}" if opened else ""))
    applied = ZERO
    for e in events:
        if e.payment != p.id:
            continue
        applied += e.amount
        out.append(f"  evento {e.id} ({e.origin}, {_date(e.date)}) → imputação "
                   f"{quoted(e.target)}: {format_money(e.amount)}; " + _remained(e))
    left = p.amount - applied
    if left:
        why = (_excess(node, p, events) if p.reason == "excess"
               else WHY.get(p.reason, p.reason))
        out.append(f"  não vinculado: {format_money(left)} ({why})")
    out.append(f"  aplicado {format_money(applied)} + saldo {format_money(left)} = valor "
               f"{format_money(p.amount)}")
    return out


def _excess(node: Allocation, p: Payment, events: list[Event]) -> str:
    """Why what the rule decided left unlinked: the cap of the targets that got its events
    (each took what remained: filled), and/or the date of the open targets that got none.

    Derived from the state alone, which keeps no target dates: the open targets (each with
    something remaining) were offered the discount in turn while some of it was left; as some
    is still left, each one without an event of the rule refused it, which only the
    eligibility by date does, and each one with an event took all it had. (A discount of no
    positive value, which the reader does not refuse, gets no event anywhere.)"""
    if p.amount <= 0:  # a target refuses nothing of it: the reasoning below does not hold
        return WHY["excess"]
    got = {e.target for e in events if e.payment == p.id and e.origin == node.origin}
    filled = [t for t, _ in p.open if t in got]
    dated = [t for t, _ in p.open if t not in got]
    parts = []
    if filled:
        parts.append("excedente do limite de " + ", ".join(quoted(t) for t in filled)
                     + ": todo o que restava foi aplicado")
    if dated:
        parts.append("data igual ou anterior à " + ("da imputação " if len(dated) == 1 else
                                                    "das imputações ")
                     + ", ".join(quoted(t) for t in dated))
    return "; ".join(parts) if parts else WHY["excess"]


def _remained(e: Event) -> str:
    if e.origin == REVERSAL:
        return f"aplicado na imputação: {format_money(e.before)} → {format_money(e.after)}"
    return f"restava {format_money(e.before)}, ficou {format_money(e.after)}"


def explain(program: Any, state: str | Path, *, payment: str | None = None,
            event: str | None = None, rule: str | None = None) -> str:
    """The text of one discount's (`payment`) or one event's memória; NotFound otherwise."""
    node = allocation_of(program, rule)
    snap: Snapshot = AllocationStore.read(Path(state), state_key(program.package.id, node.id))
    head = f"Memória da alocação: pacote {program.package.id} · {node.id}"
    if event is not None:
        e = next((x for x in snap.events if x.id == event), None)
        if e is None:
            raise NotFound(f"o evento {event} não está no estado da regra '{node.id}'")
        lines = [head, f"evento {e.id} ({e.origin}, {_date(e.date)}): {format_money(e.amount)} "
                 f"do pagamento {e.payment} na imputação {quoted(e.target)} (cpf "
                 f"{quoted(e.party)}); " + _remained(e)]
        lines += _payment_lines(node, snap.payments[e.payment], snap.events)
        return "\n".join(lines) + "\n"
    p = snap.payments.get(payment or "")
    if p is None:
        raise NotFound(f"o pagamento {payment} não está no estado da regra '{node.id}'")
    return "\n".join([head, *_payment_lines(node, p, snap.events)]) + "\n"
