"""The `allocation` kind's explainer for `apura explain ADDRESS` (runtime/explain_registry.py):
`NODE:pagamento:ID` (a discount) or `NODE:evento:ID` (a payment event), from the state file
alone, as `--pagamento/--evento` always were (runtime/allocation_explain.py; its text is
`_text`, byte for byte). An allocation has no partition and needs no inputs: the state
(`--state`) records its whole history.

The tree: a discount's value is its amount; its records are its input line (what it
contributed: the amount) and its events are `reads`, each with what it applied; an event's
value is what it applied, its record the discount's input line."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.allocation_events import allocation_of
from runtime.allocation_explain import NotFound
from runtime.allocation_explain import explain as explain_text
from runtime.allocation_state import AllocationStore
from runtime.allocation_state import Event
from runtime.allocation_state import Payment
from runtime.allocation_state import state_key
from runtime.explain_address import address
from runtime.explain_tree import complete
from runtime.explain_tree import rule
from runtime.trace import ExplainError
from runtime.trace import json_value

WHAT = ("pagamento", "evento")


def explain(program: Any, ledgers: Mapping[str, Any], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            state: Path | None = None) -> dict[str, Any]:
    """The tree of one discount or event of allocation `node` (NotFound: not in the state)."""
    if len(locator) != 2 or locator[0] not in WHAT or state is None:
        raise ExplainError("o endereço de uma alocação é NÓ:pagamento:ID ou NÓ:evento:ID, "
                           "lido do estado (--state)", option="ENDEREÇO",
                           help=f"ex.: {node}:evento:EV-1")
    what, ident = locator
    alloc = allocation_of(program, node)
    snap = AllocationStore.read(Path(state), state_key(program.package.id, alloc.id))
    text = explain_text(program, state, payment=ident if what == "pagamento" else None,
                        event=ident if what == "evento" else None, rule=alloc.id)
    if what == "evento":
        e = next((x for x in snap.events if x.id == ident), None)
        if e is None:
            raise NotFound(f"o evento {ident} não está no estado da regra '{alloc.id}'")
        out = _event(program, alloc, snap.payments[e.payment], e)
    else:
        p = snap.payments.get(ident)
        if p is None:
            raise NotFound(f"o pagamento {ident} não está no estado da regra '{alloc.id}'")
        events = [e for e in snap.events if e.payment == p.id]
        out = complete({
            "address": address(alloc.id, None, "pagamento", p.id), "kind": "allocation",
            "package": program.package.id, "node": alloc.id, "partition": None,
            "title": f"pagamento {p.id} ({p.cls}): valor do desconto",
            "value": json_value(p.amount), "rule": _rule(alloc),
            "decision": f"política {alloc.policy}" if p.rule == alloc.rule else p.reason,
            "records": [_line(p, p.amount)], "records_sum": json_value(p.amount),
            "reads": [_event(program, alloc, p, e) for e in events]})
    # the memória's own lines (open targets, what stays unlinked and why) say the decision
    out["notes"] = [line.strip() for line in text.splitlines()[1:]]
    out["_text"] = text
    return out


def reads_state(node: Any) -> bool:
    """An allocation's discounts and events are read from `--state` (its whole history)."""
    return True


def addresses(program: Any, result: Any, ctx: Any, node: Any) -> list[str]:
    """`apura explain --list`: every discount of the allocation's state (the run's
    `--state`; none without one), in the order they were imported, each followed by its
    events in the order they happened — what `apura descontos` and the event files name."""
    snap = AllocationStore.read(ctx.state_file, state_key(program.package.id, node.id))
    events: dict[str, list[Event]] = {}
    for e in snap.events:
        events.setdefault(e.payment, []).append(e)
    out = []
    for p in snap.payments.values():
        out.append(address(node.id, None, "pagamento", p.id))
        out.extend(address(node.id, None, "evento", e.id) for e in events.pop(p.id, []))
    for rest in events.values():  # an event whose discount is not in the state (none expected)
        out.extend(address(node.id, None, "evento", e.id) for e in rest)
    return out


def _rule(alloc: Any) -> dict[str, Any]:
    return rule(f"alocação {alloc.id}: regra {alloc.rule}, política {alloc.policy}", alloc.at)


def _line(p: Payment, amount: Any) -> dict[str, Any]:
    return {"source": {"file": p.file, "line": p.line} if p.file else None,
            "contributed": json_value(amount), "fields": {"id": p.id, "classe": p.cls}}


def _event(program: Any, alloc: Any, p: Payment, e: Event) -> dict[str, Any]:
    return complete({
        "address": address(alloc.id, None, "evento", e.id), "kind": "allocation",
        "package": program.package.id, "node": alloc.id, "partition": None,
        "title": f"evento {e.id} ({e.origin}): do pagamento {e.payment} na imputação "
                 f"{e.target}", "value": json_value(e.amount), "rule": _rule(alloc),
        "decision": f"restava {e.before}, ficou {e.after}",
        "records": [_line(p, e.amount)], "records_sum": json_value(e.amount),
        "event": {"id": e.id, "origin": e.origin, "date": e.date.isoformat(),
                  "target": e.target, "before": json_value(e.before),
                  "after": json_value(e.after)}})


def render_text(tree: dict[str, Any]) -> str:
    """The text `--pagamento/--evento` prints."""
    return str(tree.get("_text") or f"{tree['title']} = {tree['value']}\n")
