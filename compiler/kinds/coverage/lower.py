"""A CoverageSpec → ir.Coverage: each source's filter (a condition) and keys (int or str, one
per key column of the map, of that column's type: S1601, S1602), the map's probe lookup, and
`unused` only for a map keyed by the partition field (S1603)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler.expr import printer
from compiler.kinds.coverage.spec import CoverageSourceSpec
from compiler.kinds.coverage.spec import CoverageSpec

if TYPE_CHECKING:
    from compiler import types as T
    from compiler.check import MapInfo
    from compiler.lower import Lowerer


def _shown(t: T.Type) -> str:
    return t.display() + (" que pode ser nulo" if t.nullable else "")


class _Coverage:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None  # nothing reads a coverage node's values

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Coverage | None:
        assert isinstance(spec, CoverageSpec)
        before = sum(d.is_error for d in lw.diags)
        info = None
        if spec.map is not None:
            info = lw.map_infos.get(spec.map.value)
            if info is None:
                if not lw.incomplete:
                    lw.diags.append(catalog.unknown_spec(
                        spec.map.span, kind="mapa", name=spec.map.value,
                        candidates=difflib.get_close_matches(spec.map.value,
                                                             list(lw.map_infos), n=1)))
                return None
        unused = spec.unused is not None and spec.unused.value == "list"
        names = tuple(k for k, _ in info.key) if info is not None else ()
        if unused and info is not None and (lw.partition is None or lw.partition not in names):
            assert spec.unused is not None
            lw.diags.append(catalog.coverage_unused_partition(
                spec.unused.span, map_id=info.id, partition=lw.partition or "partição"))
        sources: list[ir.CoverageSource] = []
        for i, src in enumerate(spec.sources):
            got = _source(lw, info, i, src, sources[0].keys_text if sources else None)
            if got is not None:
                sources.append(got)
        if sum(d.is_error for d in lw.diags) > before or len(sources) != len(spec.sources):
            return None
        if not names:  # a listing: its items are named by the first source's key texts
            names = sources[0].keys_text
        return ir.Coverage(id=spec.id, map=info.id if info is not None else None,
                           key_names=names, severity=spec.severity, label=spec.label,
                           unused=unused, sources=tuple(sources), span=spec.span)

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        return None


def _source(lw: Lowerer, info: MapInfo | None, index: int, src: CoverageSourceSpec,
            first: tuple[str, ...] | None) -> ir.CoverageSource | None:
    ledger = src.ledger.value
    if ledger not in lw.pkg.ledgers:
        lw.diags.append(catalog.unknown_spec(
            src.ledger.span, kind="ledger", name=ledger,
            candidates=difflib.get_close_matches(ledger, list(lw.pkg.ledgers), n=1)))
        return None
    if lw.partition and lw.partition not in lw.field_types.get(ledger, {}):
        lw.diags.append(catalog.unknown_ledger_field(src.ledger.span, ledger=ledger,
                                                     name=lw.partition, candidates=[]))
        return None
    path = src.span.file
    filt, filt_text = None, ""
    if src.filter is not None:
        tree = lw.parse(src.filter, path)
        if tree is None:
            return None
        filt = lw.checker.condition(tree, lw.scope("o filtro da fonte", ledger))
        filt_text = printer.show(tree)
    want_keys = ([k for k, _ in info.key] if info is not None else
                 list(first) if first is not None else None)
    if want_keys is not None and len(src.keys) != len(want_keys):
        what = f"o mapa '{info.id}'" if info is not None else "a primeira fonte"
        lw.diags.append(catalog.coverage_key_count(src.keys_span, what=what, want=want_keys,
                                                   got=len(src.keys)))
        return None
    keys: list[ir.Expr] = []
    texts: list[str] = []
    for k, scalar in enumerate(src.keys):
        tree = lw.parse(scalar, path)
        if tree is None:
            return None
        where = f"a chave {k + 1} da fonte '{ledger}'"
        e = lw.checker.scalar(tree, lw.scope(where, ledger))
        if e.type.is_error:
            return None
        want = info.key[k][1] if info is not None else None
        if e.type.base not in ("int", "str") or (want is not None and
                                                  e.type.base != want.base):
            lw.diags.append(catalog.coverage_key_type(
                scalar.span, where=where, got=_shown(e.type),
                want=(f"{want.display()} (a coluna '{info.key[k][0]}' do mapa '{info.id}')"
                      if want is not None and info is not None else "int ou str")))
            return None
        keys.append(e)
        texts.append(printer.show(tree))
    probe = (ir.MapLookup(map=info.id, keys=tuple(keys), type=info.record, span=src.span)
             if info is not None else None)
    return ir.CoverageSource(index=index, ledger=ledger, filter=filt, filter_text=filt_text,
                             keys=tuple(keys), keys_text=tuple(texts), probe=probe,
                             span=src.span)


PART = _Coverage()
