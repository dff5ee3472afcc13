"""A coverage spec → CoverageSpec: the map (optional), `unused`, the severity and label, one
source per ledger (filter, key expressions). S1604 (`unused` without a map) needs no names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import catalog
from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageSourceSpec:
    ledger: S.Text
    filter: YScalar | None
    keys: tuple[YScalar, ...]
    keys_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageSpec(S.SpecBase):
    map: S.Text | None
    unused: S.Text | None
    severity: str
    label: str
    label_span: Span | None
    sources: tuple[CoverageSourceSpec, ...]


class _Coverage:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> CoverageSpec:
        sources = []
        for node in S.sequence(root.get("sources")):
            m = S.mapping(node)
            ledger, keys = S.text(m, "ledger"), m.get("keys")
            assert ledger is not None and keys is not None  # the schema
            sources.append(CoverageSourceSpec(
                ledger=ledger, filter=S.scalar(m, "filter"),
                keys=tuple(k for k in S.sequence(keys) if isinstance(k, YScalar)),
                keys_span=keys.span, span=m.span))
        return CoverageSpec(**base, map=S.text(root, "map"), unused=S.text(root, "unused"),
                            severity=S.string(root, "severity", "error"),
                            label=S.string(root, "label"),
                            label_span=S.span_of(root, "label"), sources=tuple(sources))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        out: list[Diagnostic] = []
        for spec in specs:
            assert isinstance(spec, CoverageSpec)
            if spec.unused is not None and spec.unused.value == "list" and spec.map is None:
                out.append(catalog.coverage_unused_without_map(spec.unused.span))
            bad = next((ch for ch in spec.label if not ch.isprintable()), None)
            if bad is not None and spec.label_span is not None:
                out.append(catalog.coverage_label_line(spec.label_span, char=bad))
        return out


PART = _Coverage()
