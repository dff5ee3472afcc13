"""A dictionary spec → DictionarySpec: the consulta, its entries (every text with its span, as
written: the labels and tooltips are copied byte for byte) and the two output names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.yamlnodes import YMap

# The optional texts of an entry, in the order the outputs show them.
OPTIONAL = ("replaces", "tooltip", "after", "value", "note")


@dataclass(frozen=True, slots=True, kw_only=True)
class EntrySpec:
    id: S.Text
    where: S.Text
    label: S.Text
    replaces: S.Text | None
    tooltip: S.Text | None
    after: S.Text | None
    value: S.Text | None
    note: S.Text | None
    span: Any


@dataclass(frozen=True, slots=True, kw_only=True)
class DictionarySpec(S.SpecBase):
    consulta: S.Text
    entries: tuple[EntrySpec, ...]
    json: S.Text
    markdown: S.Text


def _t(m: YMap, key: str) -> S.Text:
    got = S.text(m, key)
    assert got is not None, key  # the schema requires it
    return got


class _Dictionary:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> DictionarySpec:
        entries = []
        for item in S.sequence(root.get("entries")):
            m = S.mapping(item)
            entries.append(EntrySpec(id=_t(m, "id"), where=_t(m, "where"), label=_t(m, "label"),
                                     **{k: S.text(m, k) for k in OPTIONAL}, span=m.span))
        out = S.mapping(root.get("output"))
        return DictionarySpec(**base, consulta=_t(root, "consulta"), entries=tuple(entries),
                              json=_t(out, "json"), markdown=_t(out, "markdown"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Dictionary()
