"""What a spec may put into output files (S05xx): checked at compile time, with positions.

* S0501: text an IMPT line carries (row `ref`, `record_id`, column `label`) has no ';' and no
  control character or line break (anything `str.splitlines` splits on), so an IMPT line is
  always one line with the expected number of fields;
* S0502: an output file name is a plain file name: not empty, not starting with '.', no '/' or
  '\\', no control character, at most 255 bytes;
* S0503: two layouts that can run together do not write the same file name (compared as the
  file systems of Windows and macOS do: case-insensitive); layouts declaring the same
  `alternative_of: <group>` never run together (a run selects at most one of a group).

S0504 (a control character in an expression's text literal) is checked by compiler/check.py.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from compiler import catalog
from compiler.chars import first_unsafe
from compiler.diagnostics import Diagnostic
from compiler.source import Span
from compiler.specs import LayoutSpec
from runtime.file_names import MAX_FILE_NAME_BYTES as MAX_FILE_NAME_BYTES
from runtime.file_names import file_name_problem as file_name_problem

_WRITTEN = {"ref": "o 'ref' de uma linha (coluna 2 do IMPT)",
            "record_id": "o 'record_id' de uma linha (coluna 3 do IMPT)",
            "label": "o 'label' de uma coluna (escrito em cada linha do IMPT)"}


def check_layouts(layouts: Iterable[LayoutSpec]) -> list[Diagnostic]:
    """Every S05xx check on a package's layouts (in file order)."""
    layouts = list(layouts)
    diags: list[Diagnostic] = []
    for lay in layouts:
        for row in lay.rows:
            _written(row.ref.value, row.ref.span, "ref", diags)
            _written(row.record_id.value, row.record_id.span, "record_id", diags)
        for column in lay.columns:
            _written(column.label, column.label_span or column.span, "label", diags)
        reason = file_name_problem(lay.output_file.value)
        if reason is not None:
            diags.append(catalog.bad_output_file(lay.output_file.span,
                                                 name=lay.output_file.value, reason=reason))
    return diags + check_outputs(layouts)


def _written(text: str, span: Span, key: str, diags: list[Diagnostic]) -> None:
    at = first_unsafe(text, extra=";")
    if at is not None:
        diags.append(catalog.unsafe_output_text(span, where=_WRITTEN[key], char=text[at],
                                                index=at))


def same_name(name: str) -> str:
    """The key under which two names are one file on Windows or macOS (S0503, S1401)."""
    return unicodedata.normalize("NFC", name).casefold()


def check_outputs(layouts: Iterable[LayoutSpec]) -> list[Diagnostic]:
    """S0503: the second of two layouts that can run together and write one file name."""
    diags: list[Diagnostic] = []
    seen: dict[str, list[LayoutSpec]] = {}
    for lay in layouts:
        key = same_name(lay.output_file.value)
        group = lay.alternative_of.value if lay.alternative_of is not None else None
        for other in seen.get(key, []):
            other_group = other.alternative_of.value if other.alternative_of else None
            if group is not None and group == other_group:
                continue
            diags.append(catalog.same_output_file(lay.output_file.span,
                                                  file=lay.output_file.value,
                                                  first_file=other.output_file.value,
                                                  layout=lay.id,
                                                  other=other.id, first=other.output_file.span))
            break
        seen.setdefault(key, []).append(lay)
    return diags
