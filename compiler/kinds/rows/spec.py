"""A rows spec → RowsSpec: per table, its rows as YAML mappings (column → scalar), with their
positions; the table they belong to checks and converts them (compiler/kinds/table)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.yamlnodes import YMap


@dataclass(frozen=True, slots=True, kw_only=True)
class RowsSpec(S.SpecBase):
    """Rows for tables of the package: (table id, its rows in order)."""

    rows: tuple[tuple[S.Text, tuple[YMap, ...]], ...]
    source_file: SourceFile


class _Rows:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> RowsSpec:
        rows = tuple((S.Text(value=k.value, span=k.span),
                      tuple(S.mapping(item) for item in S.sequence(v)))
                     for k, v in S.mapping(root.get("rows")).items)
        return RowsSpec(**base, rows=rows, source_file=src)

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Rows()
