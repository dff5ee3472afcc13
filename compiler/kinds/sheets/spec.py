"""A sheets spec → SheetsSpec: the rows map (a table's entries are the lines), the files map
(planilha code → file name), the value columns, and one part per source ledger (filter,
planilha code, row key, the values it gives)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar


@dataclass(frozen=True, slots=True, kw_only=True)
class SheetPartSpec:
    source: S.Text
    filter: YScalar | None
    sheet: tuple[YScalar, ...]
    sheet_span: Span
    row: YScalar
    values: tuple[tuple[S.Text, YScalar], ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class SheetsSpec(S.SpecBase):
    """One file per planilha code, lines from a table (compiler/kinds/sheets). A column
    whose `value` is set is a formula over the others (`formula: V2 - V3 - V5`)."""

    output_format: str
    name: S.Text | None  # the file name template ({code}, {stem}); None: {code}_{stem}.IMPT
    files_map: S.Text
    stem: S.Text
    rows_map: S.Text
    record_id: S.Text
    marker: S.Text
    mask: S.Text | None
    columns: tuple[S.ColumnSpec, ...]
    parts: tuple[SheetPartSpec, ...]
    alternative_of: S.Text | None


def _text(m: YMap, key: str) -> S.Text:
    got = S.text(m, key)
    assert got is not None, key  # required by the schema
    return got


class _Sheets:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> SheetsSpec:
        out, rows = S.mapping(root.get("output")), S.mapping(root.get("rows"))
        columns = tuple(
            S.ColumnSpec(id=S.string(S.mapping(c), "id"),
                         code=S.integer(S.mapping(c), "code") or 0,
                         label=S.string(S.mapping(c), "label"),
                         value=S.scalar(S.mapping(c), "formula"), span=c.span,
                         label_span=S.span_of(S.mapping(c), "label"))
            for c in S.sequence(root.get("columns")))
        parts = []
        for p in S.sequence(root.get("parts")):
            m = S.mapping(p)
            sheet_node = m.get("sheet")
            row = m.get("row")
            assert sheet_node is not None and isinstance(row, YScalar)
            parts.append(SheetPartSpec(
                source=_text(m, "source"), filter=S.scalar(m, "filter"),
                sheet=tuple(x for x in S.sequence(sheet_node) if isinstance(x, YScalar)),
                sheet_span=sheet_node.span, row=row,
                values=tuple((S.Text(value=k.value, span=k.span), v)
                             for k, v in S.mapping(m.get("values")).items
                             if isinstance(v, YScalar)),
                span=p.span))
        return SheetsSpec(**base, output_format=S.string(out, "format", "impt"),
                          name=S.text(out, "name"),
                          files_map=_text(out, "files"), stem=_text(out, "stem"),
                          rows_map=_text(rows, "map"), record_id=_text(rows, "record_id"),
                          marker=_text(rows, "marker"), mask=S.text(rows, "mask"),
                          columns=columns, parts=tuple(parts),
                          alternative_of=S.text(root, "alternative_of"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Sheets()
