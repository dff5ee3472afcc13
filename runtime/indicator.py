"""An `indicator` node at run time (compiler/kinds/indicator): what the scans accumulated per
partition and key — the aggregates of its measures, by `key_text` of the key tuple —, turned
at the end of the run into the records the Portal do Gestor receives
(runtime/portal_record.IndicatorRecord): measures, ratio against the legal limit, ranking.

This finish step is Python on every back end: the scans (Python, or the SQL `aggregate`, whose
first value is the key text) fill the same accumulator, so every back end gives the same
records by construction. What is done here is small (one row per key, not per record): the
average (sum / count), the percentage and its limit, the sort and top/bottom N."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN
from decimal import Decimal
from typing import Any

from runtime import catalog
from runtime.coverage import key_text
from runtime.locations import Loc
from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from runtime.portal_record import Value
from runtime.sheets import KeyedRows
from runtime.values import DIVIDE
from runtime.values import QUANTIZE

# the fields apura adds to a record (a key or measure cannot take these names: S1809)
ADDED = ("exercicio", "posicao", "percentual", "limiteMinimo", "limiteMaximo", "cumpre")
PAINEL = "painel.html"  # the preview page, at the root of OUT
ID_LENGTH = 32  # hex digits of sha256 kept in an idIntegracao (≤ 64, [A-Za-z0-9])


def decode_key(text: str, types: tuple[str, ...]) -> tuple[Any, ...]:
    """The key tuple of a `key_text` (`<length>:<text>` per value, `~` for null), each value
    of its key's type ("int" or "str")."""
    out: list[Any] = []
    i = 0
    for typ in types:
        if text[i] == "~":
            out.append(None)
            i += 1
            continue
        colon = text.index(":", i)
        n = int(text[i:colon])
        value = text[colon + 1:colon + 1 + n]
        out.append(int(value) if typ == "int" else value)
        i = colon + 1 + n
    assert i == len(text), text
    return tuple(out)


def id_integracao(indicator: str, entity: str, exercicio: int, identity: str) -> str:
    """sha256 of `indicator|entity|exercicio|identity`, its first 32 hex digits: the record's
    identity is its key tuple (key_text) or, ranked, `#<posição>` — the Portal's record "3rd
    largest" stays one record whichever school holds it."""
    text = "|".join((indicator, entity, str(exercicio), identity))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:ID_LENGTH]


def _places(value: Decimal, places: int) -> Decimal:
    """Half-even to `places` (ABNT NBR 5891), in the runtime's rounding context."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN,
                          context=QUANTIZE)


def _div(a: Decimal, b: Decimal) -> Decimal:
    return DIVIDE.divide(a, b)


def _sort_key(values: tuple[Any, ...]) -> tuple[tuple[bool, Any], ...]:
    return tuple((v is None, v if v is not None else 0) for v in values)


@dataclass(frozen=True, slots=True)
class Measure:
    """A measure: `func` (sum, count, avg, min, max), the aggregates it reads, its places
    (None: an int, as it is); `requires` (not empty): a precondition, zero or null is D1501
    at `at` (the spec's measure), saying what to provide — checked, not written: it is no
    figure of the indicator, so no record field (nor lote field, nor painel cell) carries it."""

    name: str
    func: str
    aggs: tuple[int, ...]
    places: int | None = None
    requires: str = ""
    at: Loc | None = None

    def value(self, row: list[Any]) -> Value:
        if self.func == "avg":
            total, count = row[self.aggs[0]], row[self.aggs[1]]
            if not count:
                return None
            return _places(_div(Decimal(total), Decimal(count)), self.places or 0)
        v = row[self.aggs[0]]
        if isinstance(v, Decimal) and self.places is not None:
            return _places(v, self.places)
        return v  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Ratio:
    """`numerator / denominator × 100` against `limit(params)` (at least when `minimum`)."""

    numerator: int
    denominator: int
    places: int
    limit: Callable[[dict[str, Any]], Any]
    minimum: bool
    basis: str
    requires: str = ""
    at: Loc | None = None  # the spec's `ratio:` (where D1501 points)


@dataclass(frozen=True, slots=True)
class Rank:
    """Top/bottom `n` by measure `by` (`desc`: largest first), ties by the keys `ties`
    ascending, then every key ascending; records whose measure is null are not ranked."""

    by: int
    desc: bool
    n: int
    ties: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Indicator:
    """The runtime declaration of an indicator node (PACKAGE.nodes): its catalog facts, its
    keys (name, type), the initial values of its aggregates, measures, ratio and rank. A
    report (what --select chooses); the indicators of a package share one file."""

    id: str
    info: IndicatorInfo
    source: str
    keys: tuple[tuple[str, str], ...]
    inits: tuple[Any, ...]
    measures: tuple[Measure, ...]
    rank: Rank | None = None
    ratio: Ratio | None = None
    at: Loc | None = None
    depends_on: tuple[str, ...] = ()
    alternative_of: str = ""
    maps: tuple[str, ...] = ()
    # (what, text as written, where): "filter", "key:<k>", "measure:<m>" (apura explain)
    texts: tuple[tuple[str, str, Loc | None], ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,)

    def new_acc(self) -> KeyedRows:
        return KeyedRows(self.inits)

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        """`indicadores.csv` with the records of every indicator the run computes, and the
        lotes that bring the service from what it confirmed (the run's state file, read
        only: runtime/portal_lotes.confirmed) to them, `lotes/*.json` and `lotes/indice.json`:
        written by the last of them (the others write nothing), so a `--select` of some
        indicators writes theirs, reads only their ledgers and plans only them (no removal of
        an indicator it did not compute)."""
        from runtime import portal_lotes
        from runtime.indicator_csv import FILE
        from runtime.indicator_csv import render

        computed = [n for n in indicators(ctx.package) if ctx.computes(n.id)]
        if computed[-1].id != self.id:
            return {}
        got = records(ctx, part)
        entity = "" if part is None else str(part)
        exercicio = int(ctx.params["exercicio"])
        before, base = portal_lotes.confirmed(ctx.state_file, ctx.package.id, entity,
                                              exercicio)
        lotes = portal_lotes.plan([n.info for n in computed], got, before, entity=entity,
                                  exercicio=exercicio, base=base)
        return {FILE: render(got), **portal_lotes.files(lotes)}

    def root_files(self, ctx: Any, partitions: list[Any]) -> dict[str, bytes]:
        """`painel.html` at the root of OUT: the preview of every record the run computes,
        by entity (runtime/portal_painel), written by the last indicator computed."""
        from runtime.portal_painel import render_run

        computed = [n for n in indicators(ctx.package) if ctx.computes(n.id)]
        if computed[-1].id != self.id:
            return {}
        shown = [n.info for n in computed]
        by_entity = {"" if p is None else str(p): records(ctx, p) for p in partitions}
        return {PAINEL: render_run(shown, by_entity, int(ctx.params["exercicio"]))}

    def rows(self, ctx: Any, part: Any) -> list[tuple[tuple[Any, ...], list[Value]]]:
        """(key tuple, measure values) per key the partition's records reached, by key; an
        indicator without keys has its one row even when no record reached it (sums 0)."""
        acc = ctx.acc[self.id].get(part) or {}
        types = tuple(t for _, t in self.keys)
        got = [(decode_key(k, types), row) for k, row in acc.items()]
        if not self.keys and not got:
            got = [((), list(self.inits))]
        got.sort(key=lambda kr: _sort_key(kr[0]))
        return [(key, [m.value(row) for m in self.measures]) for key, row in got]

    def records(self, ctx: Any, part: Any) -> list[IndicatorRecord]:
        """The records of partition `part`, in the order written (ranked: by position)."""
        exercicio = int(ctx.params["exercicio"])
        entity = "" if part is None else str(part)
        rows = self.rows(ctx, part)
        if self.rank is not None:
            rows = self._ranked(rows)
        out = []
        for pos, (key, values) in enumerate(rows, start=1):
            for m, v in zip(self.measures, values, strict=True):
                if m.requires and not v:
                    ctx.report(catalog.indicator_missing_base(
                        self.info.id, part, m.name, m.requires, m.at or self.at, measure=True))
            content: list[tuple[str, Value]] = [("exercicio", exercicio)]
            if self.rank is not None:
                content.append(("posicao", pos))
            content += [(name, v) for (name, _), v in zip(self.keys, key, strict=True)]
            content += [(m.name, v) for m, v in zip(self.measures, values, strict=True)
                        if not m.requires]
            if self.ratio is not None:
                content += self._ratio(ctx, part, values)
            identity = f"#{pos}" if self.rank is not None else key_text(key)
            out.append(IndicatorRecord(
                indicator=self.info.id, entity=entity, exercicio=exercicio,
                id_integracao=id_integracao(self.info.id, entity, exercicio, identity),
                content=tuple(content)))
        return out

    def _ranked(self, rows: list[tuple[tuple[Any, ...], list[Value]]]
                ) -> list[tuple[tuple[Any, ...], list[Value]]]:
        r = self.rank
        assert r is not None
        ranked = [kv for kv in rows if kv[1][r.by] is not None]

        def order(kv: tuple[tuple[Any, ...], list[Value]]) -> tuple[Any, ...]:
            v = kv[1][r.by]
            assert isinstance(v, int | Decimal)
            ties = _sort_key(tuple(kv[0][i] for i in r.ties))
            return (-v if r.desc else v, ties, _sort_key(kv[0]))
        ranked.sort(key=order)
        return ranked[:r.n]

    def _ratio(self, ctx: Any, part: Any, values: list[Value]) -> list[tuple[str, Value]]:
        q = self.ratio
        assert q is not None
        num, den = values[q.numerator], values[q.denominator]
        limit = _places(Decimal(q.limit(ctx.params)), q.places)
        # the limit's field says its direction: the painel judges the percentage by it
        limit_name = "limiteMinimo" if q.minimum else "limiteMaximo"
        if not den:
            ctx.report(catalog.indicator_missing_base(
                self.info.id, part, self.measures[q.denominator].name, q.requires, q.at or self.at))
            return [("percentual", None), (limit_name, limit), ("cumpre", None)]
        pct = _places(_div(Decimal(num or 0) * 100, Decimal(den)), q.places)
        ok = pct >= limit if q.minimum else pct <= limit
        return [("percentual", pct), (limit_name, limit), ("cumpre", ok)]


def indicators(package: Any) -> list[Indicator]:
    """The indicator nodes of a package, in spec order."""
    return [n for n in package.nodes if isinstance(n, Indicator)]


def records(ctx: Any, part: Any) -> list[IndicatorRecord]:
    """The records of every indicator the run computes, of partition `part`, in spec order (a
    ranked one's by position): what `indicadores.csv` holds, and what the delivery and the
    painel consume (sorted, for them, by runtime/indicator_csv.portal)."""
    cache = ctx.__dict__.setdefault("_indicator_records", {})
    if part not in cache:  # built once per partition: the file and the painel read the same
        out: list[IndicatorRecord] = []  # (and a D1501 is reported once)
        for node in indicators(ctx.package):
            if ctx.computes(node.id):
                out += node.records(ctx, part)
        cache[part] = out
    return list(cache[part])


def infos(package: Any) -> list[IndicatorInfo]:
    """The catalog of a compiled package: each indicator's facts, in spec order."""
    return [n.info for n in package.nodes if isinstance(n, Indicator)]
