"""A table's CSV file, read and checked at compile time: where it is (inside the package
folder), its header against the declared columns, every cell against its column's type (the
converters of the ledger reader, runtime/convert.py), and its key (a repeated key is an error
unless `resolve:` says which row stays). Every diagnostic points inside the CSV file.

The result is the rows that stay, typed, in file order, and their normalized copy: CSV in the
ledger dialect (`;`, UTF-8, decimal comma, DD/MM/YYYY, S/N, quotes only where needed, LF),
which the runtime reads with the ledger reader on every back end."""

from __future__ import annotations

import datetime
import difflib
import hashlib
import operator
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from compiler import catalog
from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.kinds.table import yamlrows
from compiler.kinds.table.csvtext import Cell
from compiler.kinds.table.csvtext import CsvSyntax
from compiler.kinds.table.csvtext import Record
from compiler.kinds.table.csvtext import quote
from compiler.kinds.table.csvtext import records
from compiler.kinds.table.spec import TableSpec
from compiler.package import LoadedPackage
from compiler.source import SourceFile
from compiler.source import Span
from runtime.convert import converter
from runtime.csvfile import decode_error_at
from runtime.errors import BadCell
from runtime.model import CsvFormat
from runtime.model import Field

# The dialect of the copy the runtime reads (the ledger defaults).
COPY_FORMAT = CsvFormat(";", "utf-8", ",", "", "DD/MM/YYYY", "S", "N", True)
# Bad cells reported per file (the rest are counted in the last one's help).
MAX_BAD_CELLS = 20


@dataclass(frozen=True, slots=True)
class Checked:
    """The rows that stay (typed, in file order, the files in the order listed), each row's
    (file, line), and the copy."""

    files: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    lines: tuple[tuple[str, int], ...]
    copy: str
    sha256: str


def source_of(path: str, text: str) -> SourceFile:
    """The CSV as a SourceFile (for positions and the caret), its text as decoded: not
    normalized, so positions and values are the file's own."""
    starts = (0, *(m.end() for m in re.finditer("\n", text)))
    return SourceFile(path, text, starts)


def locate(pkg: LoadedPackage, spec: TableSpec, file: S.Text,
           diags: list[Diagnostic]) -> str | None:
    """The display path of one of the table's files, or None after S1001 (outside the package:
    `..` past its folder, a symbolic link leading out)."""
    # relative to the spec file that states it (a parent's, for a `file:` inherited by extends:)
    here = posixpath.dirname(file.span.file)
    shown = posixpath.normpath(posixpath.join(here, file.value))
    if not shown.startswith(pkg.folder.rstrip("/") + "/"):
        diags.append(catalog.table_file_outside(file.span, file=file.value,
                                                why=f"fica fora da pasta do pacote "
                                                f"({pkg.folder})"))
        return None
    disk, top = pkg.base / shown, (pkg.base / pkg.folder).resolve()
    real = disk.resolve()
    if real != top and top not in real.parents:
        diags.append(catalog.table_file_outside(file.span, file=file.value,
                                                why="é (ou passa por) um link simbólico para "
                                                "fora da pasta do pacote"))
        return None
    return shown


def _text_of(pkg: LoadedPackage, spec: TableSpec, file: S.Text,
             diags: list[Diagnostic]) -> SourceFile | None:
    """One file's text, registered in the package's sources (its bytes in `pkg.data`)."""
    shown = locate(pkg, spec, file, diags)
    if shown is None:
        return None
    disk = pkg.base / shown
    try:
        raw = disk.read_bytes()
    except OSError as exc:
        why = "o arquivo não existe" if not disk.exists() else (exc.strerror or str(exc))
        diags.append(catalog.table_file_unreadable(file.span, file=file.value, why=why))
        return None
    codec = "utf-8-sig" if spec.format.encoding == "utf-8" else "latin-1"
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError:
        pkg.sources[shown] = src = source_of(shown, raw.decode(codec, errors="replace"))
        line, col, _ = decode_error_at(Path(disk), codec, 1)
        at = src.offset(line, col)
        diags.append(catalog.table_file_unreadable(
            src.span(at, at + 1), file=file.value,
            why=f"um byte que não é {spec.format.encoding}"))
        return None
    pkg.sources[shown] = src = source_of(shown, text)
    pkg.data[shown] = raw
    return src


@dataclass(slots=True)
class _Rows:
    """The accepted rows of the files, with where each one is and its first key cell."""

    values: list[tuple[Any, ...]]
    at: list[tuple[SourceFile, Record, int]]  # file, record, where its first key cell is


def read(pkg: LoadedPackage, spec: TableSpec, diags: list[Diagnostic]) -> Checked | None:
    """Read and check the table's CSV files; None (with diagnostics) when they have errors."""
    srcs = [_text_of(pkg, spec, f, diags) for f in spec.files]
    if any(s is None for s in srcs):
        return None
    names = [c.name for c in spec.columns]
    fmt = CsvFormat(spec.format.delimiter, spec.format.encoding, spec.format.decimal,
                    spec.format.thousands, spec.format.date, spec.format.true,
                    spec.format.false, True)
    convs = [converter(Field(c.name, c.type, c.required, c.scale), fmt) for c in spec.columns]
    kidx = [names.index(k.value) for k in spec.key]
    rows = _Rows([], [])
    before = len(diags)
    for src in srcs:
        assert src is not None
        _check_file(spec, src, convs, kidx, rows, diags)
    bad: list[tuple[Span, str, str, str]] = []
    identity = list(range(len(names)))
    yaml_files = []
    for src, rec in yamlrows.records(pkg, spec, diags):  # rows written in `rows` specs
        row = _slow_row(spec, src, rec, identity, convs, bad)
        if row is not None:
            _vocabulary(spec, src, rec, identity, row, bad)
        yaml_files.append(src.path)
        if row is not None:
            rows.values.append(row)
            rows.at.append((src, rec, kidx[0]))
    for span, column, type_, reason in bad:
        diags.append(catalog.table_bad_cell(span, column=column, type=type_, reason=reason))
    if len(diags) > before:
        return None
    keep = _keys(spec, rows, kidx, convs, diags)
    if keep is None:
        return None
    values = [r for r, k in zip(rows.values, keep, strict=True) if k]
    lines = tuple((src.path, rec.line) for (src, rec, _), k in zip(rows.at, keep, strict=True)
                  if k)
    copy = _copy(spec, values)
    files = tuple(dict.fromkeys([*(s.path for s in srcs if s is not None), *yaml_files]))
    return Checked(files=files, rows=tuple(values),
                   lines=lines, copy=copy, sha256=hashlib.sha256(copy.encode("utf-8")).hexdigest())


def _check_file(spec: TableSpec, src: SourceFile, convs: list[Any], kidx: list[int],
                rows: _Rows, diags: list[Diagnostic]) -> None:
    """One file's header and cells; its accepted rows are added to `rows`."""
    delim = spec.format.delimiter
    try:
        recs = records(src.text, delim, spec.quoting)
    except CsvSyntax as exc:
        diags.append(catalog.table_csv_syntax(src.span(exc.offset, exc.offset + 1),
                                              problem=exc.problem))
        return
    if not recs:
        diags.append(catalog.table_header_missing(src.span(0, 0), header="",
                                                  missing=[c.name for c in spec.columns]))
        return
    header = [recs[0].cell(i) for i in range(len(recs[0].values))]
    order = _header(spec, src, header, diags)
    if order is None:
        return
    bad: list[tuple[Span, str, str, str]] = []
    width, first_key = len(header), order[kidx[0]]
    pick = operator.itemgetter(*order)
    one = len(order) == 1
    # the columns whose cells convert (a str cell is its text)
    typed = [(n, convs[n]) for n, c in enumerate(spec.columns) if c.type != "str"]
    for rec in recs[1:]:
        cells = rec.values
        if len(cells) != width:
            diags.append(catalog.table_record_width(_span(src, rec.cell(0)), cells=len(cells),
                                                    width=width))
            continue
        values = [pick(cells)] if one else list(pick(cells))
        try:
            if "" in values:
                raise _Empty
            for n, conv in typed:
                values[n] = conv(values[n])
        except (BadCell, _Empty):
            row = _slow_row(spec, src, rec, order, convs, bad)
            if row is None:
                continue
            values = list(row)
        _vocabulary(spec, src, rec, order, values, bad)
        rows.values.append(tuple(values))
        rows.at.append((src, rec, first_key))
    shown = bad[:MAX_BAD_CELLS]
    for n, (span, column, type_, reason) in enumerate(shown, start=1):
        more = len(bad) - len(shown) if n == len(shown) else 0
        diags.append(catalog.table_bad_cell(span, column=column, type=type_, reason=reason,
                                            more=more))


def _vocabulary(spec: TableSpec, src: SourceFile, rec: Record, order: list[int],
                row: Sequence[Any], bad: list[tuple[Span, str, str, str]]) -> None:
    """A cell of a column with `values:` that is none of them: S1008 at it (did-you-mean)."""
    for name, allowed in spec.values:
        n = next(i for i, c in enumerate(spec.columns) if c.name == name)
        v = row[n]
        if v is not None and v not in allowed:
            near = difflib.get_close_matches(str(v), allowed, n=1)
            bad.append((_span(src, rec.cell(order[n])), name, spec.columns[n].type,
                        f"'{v}' não é um dos valores admitidos"
                        + (f" (você quis dizer '{near[0]}'?)" if near else
                           f" ({', '.join(allowed)})")))


class _Empty(Exception):
    """An empty cell in a record (null, or an error in a required column)."""


def _slow_row(spec: TableSpec, src: SourceFile, rec: Record, order: list[int],
              convs: list[Any], bad: list[tuple[Span, str, str, str]]) -> tuple[Any, ...] | None:
    """A record with an empty cell or a cell that does not convert, cell by cell: its row (an
    empty optional cell is null), or None after noting its bad cells (S1008)."""
    values: list[Any] = []
    before = len(bad)
    for col, conv, i in zip(spec.columns, convs, order, strict=True):
        text = rec.values[i]
        if text == "":
            if col.required:
                bad.append((_span(src, rec.cell(i)), col.name, col.type,
                            "célula vazia numa coluna obrigatória (required)"))
            values.append(None)
            continue
        try:
            values.append(conv(text))
        except BadCell as exc:
            bad.append((_span(src, rec.cell(i)), col.name, col.type, exc.message))
    return tuple(values) if len(bad) == before else None


def _span(src: SourceFile, cell: Cell) -> Span:
    return src.span(cell.start, max(cell.end, cell.start + 1))


def _header(spec: TableSpec, src: SourceFile, header: list[Cell],
            diags: list[Diagnostic]) -> list[int] | None:
    """Where each declared column is in the header; None after S1004–S1006."""
    declared = [c.name for c in spec.columns]
    seen: dict[str, Cell] = {}
    before = len(diags)
    for cell in header:
        if cell.value in seen:
            diags.append(catalog.table_header_repeated(_span(src, cell), name=cell.value,
                                                       first=_span(src, seen[cell.value])))
            continue
        seen[cell.value] = cell
        if cell.value not in declared:
            diags.append(catalog.table_header_extra(_span(src, cell), name=cell.value,
                                                    table=spec.id))
    missing = [n for n in declared if n not in seen]
    if missing:
        end = header[-1].end if header else 0
        diags.append(catalog.table_header_missing(src.span(0, max(end, 1)), missing=missing,
                                                  header=spec.format.delimiter.join(
                                                      c.value for c in header)))
    if len(diags) > before:
        return None
    return [[c.value for c in header].index(n) for n in declared]


def _keys(spec: TableSpec, rows: _Rows, kidx: list[int], convs: list[Any],
          diags: list[Diagnostic]) -> list[bool] | None:
    """Which rows stay: a key repeated in the files is S1009, unless `resolve:` names the row
    that stays (S1010: a resolution of a key that does not repeat; S1011: keep: does not pick
    exactly one row; S1014: a key resolved twice). None after an error."""
    names = [c.name for c in spec.columns]
    at: dict[tuple[Any, ...], list[int]] = {}
    keyed = operator.itemgetter(*kidx)
    for n, k in enumerate(map(keyed, rows.values)):
        at.setdefault(k if len(kidx) > 1 else (k,), []).append(n)
    dups = {k: ns for k, ns in at.items() if len(ns) > 1}
    keep = [True] * len(rows.values)
    before = len(diags)
    resolved: dict[tuple[Any, ...], Span] = {}

    def where(n: int) -> Span:
        src, rec, i = rows.at[n]
        return _span(src, rec.cell(i))

    for res in spec.resolve:
        shown = _shown(spec, [t.value for t in res.key])
        span = res.key[0].span if res.key else res.span
        if len(res.key) != len(kidx):
            diags.append(catalog.table_resolve_no_duplicate(
                span, key=shown, why=f"tem {len(res.key)} valor(es); key: tem {len(kidx)} "
                "coluna(s)"))
            continue
        try:
            key = tuple(convs[i](t.value) for i, t in zip(kidx, res.key, strict=True))
        except BadCell as exc:
            diags.append(catalog.table_resolve_no_duplicate(span, key=shown, why=exc.message))
            continue
        if key in resolved:
            diags.append(catalog.table_resolved_twice(span, key=shown, first=resolved[key]))
            continue
        resolved[key] = span
        if key not in dups:
            why = "não se repete nos dados" if key in at else "não está nos dados"
            diags.append(catalog.table_resolve_no_duplicate(span, key=shown, why=why))
            continue
        wanted: list[tuple[int, Any]] = []
        for col, value in res.keep:
            if col.value not in names:
                diags.append(catalog.table_unknown_column(col.span, name=col.value,
                                                          where="resolve: keep",
                                                          candidates=_close(col.value, names)))
                break
            i = names.index(col.value)
            try:
                wanted.append((i, convs[i](value.value) if value.value != "" else None))
            except BadCell:
                wanted.append((i, _NOTHING))
        else:
            hits = [n for n in dups[key] if all(rows.values[n][i] == v for i, v in wanted)]
            if len(hits) != 1:
                diags.append(catalog.table_resolve_keep(
                    res.keep[0][0].span if res.keep else res.span, key=shown, found=len(hits),
                    lines=[where(n) for n in dups[key]]))
                continue
            for n in dups[key]:
                keep[n] = n == hits[0]
    for key, ns in dups.items():
        if key in resolved:
            continue
        first = rows.at[ns[0]]
        for n in ns[1:]:
            diags.append(catalog.table_duplicate_key(
                where(n), key=_shown(spec, [cell_text(v) for v in key]),
                line=f"{first[0].path}:{first[1].line}", first=where(ns[0])))
    return keep if len(diags) == before else None


_NOTHING = object()  # a keep: value that is not of its column's type matches no row


def _shown(spec: TableSpec, values: list[str]) -> str:
    return ", ".join(f"{k.value}={v}" for k, v in zip(spec.key, values, strict=False))


def _close(name: str, names: list[str]) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, names, n=1, cutoff=0.6)


def cell_text(v: Any) -> str:
    """A typed value as a cell of the copy."""
    if v is None:
        return ""
    if v is True:
        return COPY_FORMAT.true
    if v is False:
        return COPY_FORMAT.false
    if isinstance(v, Decimal):
        return format(v, "f").replace(".", COPY_FORMAT.decimal)
    if isinstance(v, datetime.date):
        return f"{v.day:02d}/{v.month:02d}/{v.year:04d}"
    return str(v)


def _copy(spec: TableSpec, rows: list[tuple[Any, ...]]) -> str:
    d = COPY_FORMAT.delimiter
    out = [d.join(quote(c.name, d) for c in spec.columns)]
    for r in rows:
        cells = [v if v.__class__ is str else cell_text(v) for v in r]
        line = d.join(cells)
        if '"' in line or "\n" in line or "\r" in line or line.count(d) != len(cells) - 1:
            line = d.join(quote(c, d) for c in cells)
        out.append(line)
    return "\n".join(out) + "\n"
