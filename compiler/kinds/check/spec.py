"""A check spec → CheckSpec (ledger, default tolerance and severity, assertions); the S09xx
checks that need no names: tolerances (S0901), repeated assertion names (S0902)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from compiler import catalog
from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar

# A tolerance in reais, as the ledgers write amounts: 0,01 or 0.01 (no sign, no exponent).
_TOLERANCE = re.compile(r"[0-9]+(?:[.,][0-9]+)?")


@dataclass(frozen=True, slots=True, kw_only=True)
class AssertionSpec:
    """One assertion: `left` must equal `right` within the tolerance."""

    name: S.Text
    label: str
    left: YScalar
    right: YScalar
    tolerance: S.Text | None
    severity: str | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckSpec(S.SpecBase):
    """A `check` spec: the ledger its sums read, the defaults, the assertions."""

    ledger: S.Text | None
    tolerance: S.Text | None
    severity: str
    assertions: tuple[AssertionSpec, ...]


def tolerance(t: S.Text | None) -> Decimal | None:
    """The tolerance as a Decimal (0 when not given); None when it is not one (S0901)."""
    if t is None:
        return Decimal(0)
    if _TOLERANCE.fullmatch(t.value) is None:
        return None
    return Decimal(t.value.replace(",", "."))


class _Check:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> CheckSpec:
        assertions = []
        for node in S.sequence(root.get("assertions")):
            m = S.mapping(node)
            name, left, right = S.text(m, "id"), S.scalar(m, "left"), S.scalar(m, "right")
            assert name is not None and left is not None and right is not None  # the schema
            severity = S.scalar(m, "severity")
            assertions.append(AssertionSpec(
                name=name, label=S.string(m, "label"), left=left, right=right,
                tolerance=S.text(m, "tolerance"),
                severity=severity.value if severity is not None else None, span=m.span))
        return CheckSpec(**base, ledger=S.text(root, "ledger"),
                         tolerance=S.text(root, "tolerance"),
                         severity=S.string(root, "severity", "error"),
                         assertions=tuple(assertions))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for spec in specs:
            assert isinstance(spec, CheckSpec)
            given = [spec.tolerance, *(a.tolerance for a in spec.assertions)]
            for t in given:
                if t is not None and tolerance(t) is None:
                    out.append(catalog.check_bad_tolerance(t.span, text=t.value))
            seen: dict[str, AssertionSpec] = {}
            for a in spec.assertions:
                first = seen.setdefault(a.name.value, a)
                if first is not a:
                    out.append(catalog.check_duplicate_assertion(
                        a.name.span, name=a.name.value, check=spec.id, first=first.name.span))
        return out


PART = _Check()
