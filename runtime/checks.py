"""The `check` kind at run time: named assertions between values a run computed (cells of
layouts, sums of a ledger under a condition), compared per partition with a tolerance.

Generated `finish` code computes both sides of every assertion for a partition (from
`ctx.rows(layout, part)` and the check's own accumulator, summed by the scan of its ledger on
every back end) and calls `Check.outcome`; this module only compares and words the result, so
every back end gives the same outcome. A failed assertion is a D0701 error (the run fails,
nothing is written) or, with `severity: warning`, a D0702 warning (the run goes on and prints
it); every outcome, passing ones too, is recorded in the journal (`run_checks`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from runtime import catalog
from runtime.errors import DataError
from runtime.locations import Loc

_CENT = Decimal("0.01")


def canonical(value: Decimal | int | None) -> Decimal | int | None:
    """A decimal with at least two places: a ledger cell `0` read as Decimal('0') by the
    Python reader is DECIMAL(18, 2) `0.00` in SQL; the value is the same, its text must be."""
    if isinstance(value, Decimal) and value.is_finite():
        exponent = value.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -2:
            return value.quantize(_CENT)
    return value


def brl(value: Decimal | int | None) -> str:
    """A value as pt-BR shows it: 4.444,44 (a decimal with at least two places, all it has:
    0,00, 0,125); -1.000 for an int (a count); 'nulo' for null."""
    if value is None:
        return "nulo"
    value = canonical(value)
    shown = format(value, ",") if isinstance(value, int) else format(value, ",f")
    return shown.translate(str.maketrans(",.", ".,"))


@dataclass(frozen=True, slots=True)
class Assertion:
    """One named assertion of a check spec: `left` equals `right` within `tolerance`."""

    name: str
    label: str
    severity: str  # "error" | "warning"
    tolerance: Decimal
    left: str  # each side as written in the spec (printed by the compiler)
    right: str
    at: Loc
    text: str = ""  # the spec line at `at` (shown under the message, with a caret)
    width: int = 1
    reads: tuple[str, ...] = ()  # the layouts whose cells its sides read
    sums: bool = False  # its sides read sums of the check's ledger
    # each side's signed terms (side, sign, kind, args), for apura explain
    # (compiler/kinds/check/python.terms; runtime/explain_check.py)
    terms: tuple[tuple[str, int, str, tuple[Any, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """What one assertion gave for one partition."""

    check: str  # "<spec id>/<assertion>"
    part: Any
    assertion: Assertion
    left: Decimal | int | None
    right: Decimal | int | None
    # not evaluated: the run did not compute what it reads (--select left out a layout it
    # reads, or its ledger)
    skipped: bool = False

    @property
    def difference(self) -> Decimal | int | None:
        if self.left is None or self.right is None:
            return None
        return self.left - self.right

    @property
    def ok(self) -> bool:
        if self.skipped:
            return True
        diff = self.difference
        if diff is None:  # a side is null (min/max of nothing): it cannot be confirmed
            return self.left is None and self.right is None
        return -self.assertion.tolerance <= diff <= self.assertion.tolerance

    def error(self, partition: str | None) -> DataError | None:
        """D0701 (severity error) or D0702 (warning) for a failed assertion; None when it
        holds. `partition`: the package's partition field, to name the partition."""
        if self.ok:
            return None
        a = self.assertion
        where = "" if partition is None else f" no {partition} {self.part}"
        diff = self.difference
        gap = "um dos lados é nulo" if diff is None else f"diferença de {brl(diff)}"
        sides = (self.check, where, (a.left, brl(self.left)), (a.right, brl(self.right)), gap,
                 brl(a.tolerance))
        at = (a.at.file, a.at.line, a.at.col, a.width)
        if a.severity == "error":
            return catalog.check_failed(*sides, at=at, text=a.text or None,
                                        label=a.label or None)
        return catalog.check_warned(*sides, at=at, text=a.text or None, label=a.label or None)

    def journal_row(self) -> tuple[str, str, str, str, str | None, str | None, str | None,
                                   str, str]:
        """(check, partition, severity, status, left, right, difference, tolerance, at) as
        `run_checks` keeps them: status ok | failed | skipped, values as exact text
        ('4444.44'), '' without a partition."""
        def text(v: Decimal | int | None) -> str | None:
            return None if v is None else str(canonical(v))
        return (self.check, "" if self.part is None else str(self.part),
                self.assertion.severity,
                "skipped" if self.skipped else "ok" if self.ok else "failed", text(self.left),
                text(self.right), text(self.difference), str(self.assertion.tolerance),
                str(self.assertion.at))


@dataclass(frozen=True, slots=True)
class Check:
    """A check spec as the runtime sees it (a computed node of the package).

    `sums` gives the initial value of each column of its accumulator (0 for an int, D('0')
    for a decimal): one per `sum(...)`/`count(...)` of its sides, summed by the scan of
    `source`."""

    id: str
    source: str | None
    sums: tuple[Any, ...]
    assertions: tuple[Assertion, ...]
    at: Loc | None = None

    def new_acc(self) -> list[list[Any]]:
        """The accumulator of one partition: one row, a column per sum."""
        return [list(self.sums)]

    def computed(self, index: int, layouts: frozenset[str] | None,
                 ledgers: frozenset[str]) -> bool:
        """Whether a run that computed `layouts` (None: every one) from `ledgers` computed what
        assertion `index` reads; else it is `skipped` (a --select that leaves them out), not
        compared with zeros."""
        a = self.assertions[index]
        return (layouts is None or set(a.reads) <= layouts) and \
            (not a.sums or self.source in ledgers)

    def outcome(self, index: int, part: Any, left: Decimal | int | None,
                right: Decimal | int | None) -> Outcome:
        a = self.assertions[index]
        return Outcome(check=f"{self.id}/{a.name}", part=part, assertion=a, left=left,
                       right=right)

    def evaluate(self, ctx: Any, index: int, part: Any, left: Decimal | int | None,
                 right: Decimal | int | None) -> None:
        """Generated `finish`: assertion `index` in partition `part` — its outcome kept for the
        journal, a failure reported (D0701 fails the run, D0702 is a warning)."""
        got = self.outcome(index, part, left, right)
        if not self.computed(index, ctx.computed, ctx.read):
            got = Outcome(check=got.check, part=part, assertion=got.assertion, left=None,
                          right=None, skipped=True)
        ctx.outcomes.append(got)
        error = got.error(ctx.package.partition)
        if error is not None:
            ctx.report(error)
