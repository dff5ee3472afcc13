"""An indicator spec → IndicatorSpec: the catalog facts (texts with positions), the source,
filter and period, the keys and measures (YAML scalars, parsed and typed when lowered), the
ranking and the ratio."""

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

# the catalog facts, in runtime/portal_record.IndicatorInfo's order (id is `indicator:`)
FACTS = ("indicator", "area", "vertical", "name", "system", "table", "payload_key",
         "description")


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureSpec:
    name: S.Text
    value: YScalar
    places: int | None
    requires: str = ""  # what to provide when the measure is zero or null (D1501)


@dataclass(frozen=True, slots=True, kw_only=True)
class RankSpec:
    by: S.Text
    order: str | None  # desc | asc (None: not said, S1804)
    n: S.Text
    ties: tuple[S.Text, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class RatioSpec:
    numerator: S.Text
    denominator: S.Text
    places: int
    limit: YScalar | None
    minimum: bool
    both: bool  # minimum and maximum both given (S1808)
    basis: str
    requires: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class IndicatorSpec(S.SpecBase):
    """One indicator (compiler/kinds/indicator). `facts` are the catalog texts by name
    (FACTS); `provisional_facts` the ones the spec marks as inferred."""

    facts: tuple[tuple[str, S.Text], ...]
    provisional_facts: tuple[S.Text, ...]
    provisional_span: Span | None
    source: S.Text
    filter: YScalar | None
    period_date: S.Text | None
    period_range: str
    period_span: Span | None
    keys: tuple[tuple[S.Text, YScalar], ...]
    measures: tuple[MeasureSpec, ...]
    rank: RankSpec | None
    ratio: RatioSpec | None


def _t(m: YMap, key: str) -> S.Text:
    got = S.text(m, key)
    assert got is not None, key  # the schema requires it
    return got


def _measures(m: YMap) -> tuple[MeasureSpec, ...]:
    out = []
    for k, v in m.items:
        name = S.Text(value=k.value, span=k.span)
        if isinstance(v, YScalar):
            out.append(MeasureSpec(name=name, value=v, places=None))
        else:
            mm = S.mapping(v)
            value = S.scalar(mm, "value")
            assert value is not None
            out.append(MeasureSpec(name=name, value=value, places=S.integer(mm, "places"),
                                   requires=S.string(mm, "requires")))
    return tuple(out)


class _Indicator:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> IndicatorSpec:
        facts = tuple((f, _t(root, f)) for f in FACTS)
        prov = root.get("provisional")
        period = root.get("period")
        pm = S.mapping(period)
        rank = None
        if (r := root.get("rank")) is not None:
            rm = S.mapping(r)
            rank = RankSpec(by=_t(rm, "by"), order=S.string(rm, "order") or None,
                            n=_t(rm, "n"), ties=S.texts(rm.get("ties")), span=r.span)
        ratio = None
        if (q := root.get("ratio")) is not None:
            qm = S.mapping(q)
            lo, hi = S.scalar(qm, "minimum"), S.scalar(qm, "maximum")
            ratio = RatioSpec(numerator=_t(qm, "numerator"), denominator=_t(qm, "denominator"),
                              places=S.integer(qm, "places") or 2,
                              limit=lo if lo is not None else hi, minimum=lo is not None,
                              both=lo is not None and hi is not None,
                              basis=S.string(qm, "basis"), requires=S.string(qm, "requires"),
                              span=q.span)
        return IndicatorSpec(
            **{**base, "provisional": None}, facts=facts,
            provisional_facts=S.texts(prov), provisional_span=prov.span if prov else None,
            source=_t(root, "source"), filter=S.scalar(root, "filter"),
            period_date=S.text(pm, "date"), period_range=S.string(pm, "range"),
            period_span=period.span if period is not None else None,
            keys=tuple((S.Text(value=k.value, span=k.span), v)
                       for k, v in S.mapping(root.get("keys")).items if isinstance(v, YScalar)),
            measures=_measures(S.mapping(root.get("measures"))), rank=rank, ratio=ratio)

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        """S1801: two specs of one package with the same indicator id (the Portal's id is
        the record's identity: one would overwrite the other's records)."""
        out: list[Diagnostic] = []
        seen: dict[str, IndicatorSpec] = {}
        for s in specs:
            assert isinstance(s, IndicatorSpec)
            ident = dict(s.facts)["indicator"]
            first = seen.setdefault(ident.value, s)
            if first is not s:
                out.append(catalog.indicator_repeated(ident.span, indicator=ident.value,
                                                      first=first.id, at=first.span))
        return out


PART = _Indicator()
