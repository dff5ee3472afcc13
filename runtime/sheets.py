"""A `sheets` node at run time (compiler/kinds/sheets): one file per planilha code that got a
value, its lines the entries of the rows map (a table shipped with the specs) that got one, in
table order.

The accumulator is keyed, not a fixed table: `<code>;<row key>` → the column values, made on
first use (`KeyedRows`); the SQL back ends load it from `aggregate`, whose first value is the
key (runtime/backends/sqlrun.py). The lines are written here, at the end of the run, from the
maps the run read (the table copies the compiler checked): the rows' record ids and `#L`
markers and the files' names are data, not generated code."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from runtime.locations import Loc
from runtime.model import Column
from runtime.values import format_money

KEY_SEP = ";"   # between the planilha code and the row key (neither holds one: S0501)
CODE_SEP = "_"  # between the parts of a planilha code (3_11: fonte group 3, subfunção group 11)


def join_code(parts: Iterable[object]) -> str:
    """The planilha code of its parts: `3_11`. An int part prints as Python and SQL print it
    (CAST(x AS VARCHAR))."""
    return CODE_SEP.join(str(p) for p in parts)


def slug(stem: str) -> str:
    """A file stem as written: accents stripped (NFKD without its combining marks), spaces as
    `_`. `Desp_Rec_Ordinários Administ` → `Desp_Rec_Ordinarios_Administ`."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", stem)
                   if not unicodedata.combining(ch))
    return bare.replace(" ", "_")


NAME = "{code}_{stem}.IMPT"


def file_name(code: str, stem: str, template: str = NAME) -> str:
    """A planilha's file name from the spec's template (`output.name`, checked at compile
    time: only `{code}` and `{stem}`); by default `<code>_<stem>.IMPT` — prefixed by the
    planilha code, so a file keeps its name whatever other planilhas have data (e-cidade
    prefixes a running counter instead). The stem: accents stripped, spaces as `_`."""
    return template.format(code=code, stem=slug(stem))


def masked(key: str, mask: str) -> str:
    """`3390300000` under `9.9.99.99.99.99` → `3.3.90.30.00.00`; no mask: the key as it is.
    The compiler checked that every key of the rows table fits the mask (S1508)."""
    if not mask:
        return key
    out, i = [], 0
    for group in mask.split("."):
        out.append(key[i:i + len(group)])
        i += len(group)
    return ".".join(out)


def _text(cell: object) -> str:
    """A table cell as written: an empty optional cell (null) as '', as the compiler checked
    it (compiler/kinds/sheets/lower.py), not 'None'."""
    return "" if cell is None else str(cell)


class KeyedRows(dict):  # type: ignore[type-arg]
    """Accumulator rows by key, each made on first use with the columns' initial values."""

    def __init__(self, inits: tuple[Any, ...]) -> None:
        super().__init__()
        self.inits = inits

    def __missing__(self, key: str) -> list[Any]:
        row = self[key] = list(self.inits)
        return row


@dataclass(frozen=True, slots=True)
class SheetPart:
    """What one part of a sheets node does, as `apura explain` shows it (runtime/sheet_explain):
    its source, filter, planilha code parts and row key (texts and YAML positions), the
    columns it gives — (column index, aggregate text, position, the fields it reads) —, the
    fields a traced record hands over (`fields`, the union of the columns'), and the maps its
    planilha code and its row key look up (to tell a record's lookups apart)."""

    source: str
    filter: str
    filter_at: Loc | None
    sheet: tuple[str, ...]
    sheet_at: tuple[Loc | None, ...]
    row: str
    row_at: Loc | None
    values: tuple[tuple[int, str, Loc | None, tuple[str, ...]], ...]
    fields: tuple[str, ...] = ()
    sheet_maps: tuple[str, ...] = ()
    row_maps: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Sheets:
    """The runtime declaration of a sheets node (PACKAGE.nodes). `line` is the IMPT line
    template: `{sheet};{key};{record_id};V0:[>R${V0}<]:-[13](...);...;{marker};#C7;`."""

    id: str
    sources: tuple[str, ...]
    columns: tuple[Column, ...]
    rows_map: str
    record_id: str
    marker: str
    mask: str
    files_map: str
    stem: str
    line: str
    output_format: str = "impt"
    at: Loc | None = None
    alternative_of: str = ""
    depends_on: tuple[str, ...] = ()
    name: str = NAME
    # columns computed on each line from the accumulated ones: (column, ((sign, column), ...))
    formulas: tuple[tuple[int, tuple[tuple[int, int], ...]], ...] = ()
    # for apura explain: the parts (in spec order) and where each column is declared
    parts: tuple[SheetPart, ...] = ()
    columns_at: tuple[Loc | None, ...] = ()

    def line_values(self, values: list[Any]) -> list[Any]:
        """A line's values: the accumulated ones, and its formula columns computed from them."""
        if not self.formulas:
            return values
        out = list(values)
        for col, terms in self.formulas:
            out[col] = sum((sign * (values[c] or 0) for sign, c in terms), Decimal(0))
        return out

    def format_line(self, code: str, key: str, record_id: object, marker: object,
                    values: list[Any]) -> str:
        """One IMPT line (without its CRLF) of planilha `code`, row `key` (as the
        accumulator holds it), from the line's values (line_values)."""
        cells = {c.id: format_money(v) for c, v in zip(self.columns, values, strict=True)}
        return self.line.format(sheet=code, key=masked(key, self.mask),
                                record_id=_text(record_id), marker=_text(marker), **cells)

    @property
    def maps(self) -> tuple[str, ...]:
        return (self.rows_map, self.files_map)

    def new_acc(self) -> KeyedRows:
        return KeyedRows(tuple(c.init for c in self.columns))

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        """File name → bytes, for the planilhas of partition `part` that got a line: a row
        with some value not zero."""
        acc = ctx.acc[self.id].get(part)
        if not acc:
            return {}
        rows, files = ctx.maps[self.rows_map], ctx.maps[self.files_map]
        ri = rows.spec.values.index(self.record_id)
        mi = rows.spec.values.index(self.marker)
        si = files.spec.values.index(self.stem)
        # a row SUGERIDA (the map's status) is out of `entries`: its use was D0802, or allowed;
        # the key as the table holds it (an int key was joined into the accumulator as text)
        entries = {**rows.suspect, **rows.entries}
        typed = {str(key[0]): key for key in entries}
        # the codes as the compiler checked them, as text (a files table may be keyed by int)
        stems = {str(key[0]): _text(v[si]) for key, v in files.entries.items()}
        sheets: dict[str, list[tuple[int, str]]] = {}
        for k, acc_values in acc.items():
            values = self.line_values(acc_values)
            if not any(v for v in values if v is not None):
                continue
            code, key = k.split(KEY_SEP, 1)
            entry = entries[typed[key]]
            line = self.format_line(code, key, entry[ri], entry[mi], values)
            sheets.setdefault(code, []).append((rows.lines[typed[key]], line))  # table order
        out = {}
        for code in sorted(sheets):
            name = file_name(code, stems[code], self.name)
            lines = [text for _, text in sorted(sheets[code])]
            out[name] = "".join(text + "\r\n" for text in lines).encode("utf-8")
        return out
