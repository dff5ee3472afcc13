"""The files an `allocation` node writes, from the whole state after the run (cumulative):
the sources with what they got, the events, the unlinked balance per party and class, what this
run's input rows became, and the summary (CSV and Markdown). CSV: `;`, UTF-8, a header, "\\n"
line ends, cells quoted by the csv module when they hold `;`, a quote or a line break — so no
ledger text can split a line. Money `1234,56` (Markdown: `1.234,56`), dates DD/MM/YYYY."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from runtime.values import format_money

if TYPE_CHECKING:
    from runtime.allocation import Allocation
    from runtime.allocation_state import Event
    from runtime.allocation_state import Payment

ZERO = Decimal("0.00")
# what stays unlinked, by why (Payment.reason) → the summary role of its row
REASONS = (("several", "several"), ("excess", "excess"), ("none", "none"))


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


def money_ptbr(x: Decimal) -> str:
    """`1.234,56`, `-0,50`: pt-BR money for the Markdown summary."""
    text = format_money(x)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, cents = text.split(",")
    return f"{sign}{int(whole):,}".replace(",", ".") + "," + cents


def _date(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def render_outputs(node: Allocation, payments: dict[str, Payment], events: list[Event],
                   imports: list[tuple[str, int, str, str]]) -> dict[str, bytes]:
    col = dict(node.columns)
    files = dict(node.files)
    applied: dict[str, Decimal] = {}
    manual: dict[str, Decimal] = {}
    for e in events:
        applied[e.payment] = applied.get(e.payment, ZERO) + e.amount
        if e.origin != node.origin:
            manual[e.payment] = manual.get(e.payment, ZERO) + e.amount
    pays = sorted(payments.values(), key=lambda p: (p.party, p.date, p.id))
    out: dict[str, bytes] = {}
    id_names = list(node.id_fields)
    out[files["payments"]] = csv_bytes(
        [col["source_id"], *id_names, col["class"], col["rule"], col["targets"],
         col["applied"], col["balance"]],
        [[p.id, *p.fields, p.cls, p.rule, "|".join(p.targets),
          format_money(applied.get(p.id, ZERO)),
          format_money(p.amount - applied.get(p.id, ZERO))] for p in pays])
    out[files["events"]] = csv_bytes(
        [col["event_id"], col["source_id"], col["target"], col["party"], col["date"],
         col["amount"], col["origin"]],
        [[e.id, e.payment, e.target, e.party, _date(e.date), format_money(e.amount), e.origin]
         for e in sorted(events, key=lambda e: (e.date, e.id))])
    classes = [c for c, _ in node.classes]
    bal: dict[tuple[str, str], Decimal] = {}
    for p in pays:
        key = (p.party, p.cls)
        bal[key] = bal.get(key, ZERO) + p.amount - applied.get(p.id, ZERO)
    rows = []
    for party in sorted({p.party for p in pays}):
        total = ZERO
        for c in classes:
            if (party, c) in bal:
                rows.append([party, c, format_money(bal[(party, c)])])
                total += bal[(party, c)]
        rows.append([party, "TOTAL", format_money(total)])
    out[files["balances"]] = csv_bytes([col["party"], col["class"], col["unlinked"]], rows)
    out[files["imports"]] = csv_bytes(["arquivo", "linha", col["source_id"], "situacao"],
                                      [[f, str(line), pid, what]
                                       for f, line, pid, what in imports])
    summary = _summary(node, pays, applied, manual, events, payments)
    out[files["summary"]] = csv_bytes(
        ["linha", *[name for _, name in node.classes], "total"],
        [[label, *cells] for label, cells, _ in summary])
    out[files["summary_md"]] = _markdown(node, summary)
    return out


def _summary(node: Allocation, pays: list[Payment], applied: dict[str, Decimal],
             manual: dict[str, Decimal], events: list[Event], payments: dict[str, Payment]
             ) -> list[tuple[str, list[str], list[Decimal | int]]]:
    """The rows partition the imported money by outcome; every total is a sum of its cells,
    and the two-row view (rule = applied, unlinked = the three unlinked rows) is derived."""
    classes = [c for c, _ in node.classes]
    label = dict(node.summary)
    at = {c: i for i, c in enumerate(classes)}
    # one pass over the discounts: per class, applied automatically / by hand, what stays
    # unlinked by why, the total and the count (a class outside the node's classes counts
    # nowhere, as before)
    width = len(classes)
    auto, hand, total = [ZERO] * width, [ZERO] * width, [ZERO] * width
    unlinked = {role: [ZERO] * width for _, role in REASONS}
    role_of = dict(REASONS)
    records = [0] * width
    for p in pays:
        i = at.get(p.cls)
        if i is None:
            continue
        got = applied.get(p.id, ZERO)
        by_hand = manual.get(p.id, ZERO)
        auto[i] += got - by_hand
        hand[i] += by_hand
        total[i] += p.amount
        records[i] += 1
        role = role_of.get(p.reason)
        if role is not None:
            unlinked[role][i] += p.amount - got
    by_pay = {p.id: at.get(p.cls) for p in pays}
    n_events = [0] * width
    for e in events:
        i = by_pay.get(e.payment)
        if i is not None:
            n_events[i] += 1
    rule = [a + b for a, b in zip(auto, hand, strict=True)]
    rest = [sum(x, ZERO) for x in zip(*unlinked.values(), strict=True)]
    money_rows: list[tuple[str, list[Decimal]]] = [
        (label["applied"], auto), (label["manual"], hand),
        (label["several"], unlinked["several"]), (label["excess"], unlinked["excess"]),
        (label["none"], unlinked["none"]), (label["total"], total)]
    out: list[tuple[str, list[str], list[Decimal | int]]] = []
    for name, cells in money_rows:
        vals: list[Decimal | int] = [*cells, sum(cells, ZERO)]
        out.append((name, [format_money(v) for v in vals], vals))
    for name, counts in ((label["records"], records), (label["events"], n_events)):
        ivals: list[Decimal | int] = [*counts, sum(counts)]
        out.append((name, [str(v) for v in ivals], ivals))
    for name, cells in ((label["rule"], rule), (label["unlinked"], rest)):
        vals = [*cells, sum(cells, ZERO)]
        out.append((name, [format_money(v) for v in vals], vals))
    return out


def _markdown(node: Allocation, summary: list[tuple[str, list[str], list[Decimal | int]]]
              ) -> bytes:
    names = [name for _, name in node.classes]
    lines = ["| linha | " + " | ".join([*names, "total"]) + " |",
             "|---|" + "---:|" * (len(names) + 1)]
    for name, _, vals in summary:
        cells = [money_ptbr(v) if isinstance(v, Decimal) else f"{v:,}".replace(",", ".")
                 for v in vals]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return ("\n".join(lines) + "\n").encode("utf-8")
