"""Read ledgers (CSV files or in-memory rows) by their schema; every rejected row is kept with
its reason and position, so accepted + rejected = read."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import errno
import io
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime.errors import DataError
from runtime.model import CsvFormat
from runtime.model import Field
from runtime.model import Ledger


class BadCell(Exception):
    """A cell that does not convert to its field's type."""

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help


@dataclass(slots=True)
class ReadStats:
    """What reading one input did: rows read, accepted, rejected, partition values seen."""

    name: str
    path: str
    read: int = 0
    accepted: int = 0
    rejected: list[DataError] = field(default_factory=list)
    partitions: set[Any] = field(default_factory=set)
    fatal: list[DataError] = field(default_factory=list)


_TYPE_PT = {"int": "inteiro", "decimal": "decimal", "str": "texto", "bool": "lógico",
            "date": "data"}


def converter(f: Field, fmt: CsvFormat) -> Callable[[str], Any]:
    """A function str → typed value for one field (raises BadCell)."""
    if f.type == "str":
        return str
    if f.type == "int":
        def to_int(s: str) -> int:
            t = s[1:] if s[:1] == "-" else s
            if not (t.isascii() and t.isdigit()):
                raise BadCell("D0101", f"'{s}' não é um número inteiro")
            return int(s)
        return to_int
    if f.type == "decimal":
        sep = re.escape(fmt.decimal)
        if fmt.thousands:
            th = re.escape(fmt.thousands)
            body = rf"(?:[0-9]{{1,3}}(?:{th}[0-9]{{3}})+|[0-9]+)"
        else:
            body = r"[0-9]+"
        loose = re.compile(rf"-?{body}(?:{sep}[0-9]+)?").fullmatch
        fullmatch = re.compile(rf"-?{body}(?:{sep}[0-9]{{1,{f.scale}}})?").fullmatch \
            if f.scale > 0 else re.compile(rf"-?{body}").fullmatch
        thousands, decimal_sep, scale = fmt.thousands, fmt.decimal, f.scale

        def to_decimal(s: str) -> Decimal:
            if fullmatch(s) is None:
                if loose(s) is not None:
                    raise BadCell("D0102", f"'{s}' tem mais de {scale} casas decimais")
                raise BadCell("D0102", f"'{s}' não é um valor decimal",
                              f"use o formato 1234{decimal_sep}56")
            t = s.replace(thousands, "") if thousands else s
            if decimal_sep != ".":
                t = t.replace(decimal_sep, ".")
            return Decimal(t)
        return to_decimal
    if f.type == "date":
        if fmt.date == "DD/MM/YYYY":
            def to_date(s: str) -> datetime.date:
                if len(s) != 10 or s[2] != "/" or s[5] != "/" or not (
                        s[:2] + s[3:5] + s[6:]).isdigit() or not s.isascii():
                    raise BadCell("D0103", f"'{s}' não é uma data DD/MM/AAAA")
                try:
                    return datetime.date(int(s[6:]), int(s[3:5]), int(s[:2]))
                except ValueError:
                    raise BadCell("D0103", f"a data '{s}' não existe") from None
            return to_date

        def to_iso(s: str) -> datetime.date:
            try:
                if len(s) != 10:
                    raise ValueError
                return datetime.date.fromisoformat(s)
            except ValueError:
                raise BadCell("D0103", f"'{s}' não é uma data AAAA-MM-DD") from None
        return to_iso
    if f.type == "bool":
        yes, no = fmt.true, fmt.false

        def to_bool(s: str) -> bool:
            if s == yes:
                return True
            if s == no:
                return False
            raise BadCell("D0104", f"'{s}' não é um valor lógico", f"use {yes} ou {no}")
        return to_bool
    raise AssertionError(f.type)


_OS_REASONS = {errno.ENOENT: "o arquivo não existe", errno.EACCES: "sem permissão de leitura",
               errno.EISDIR: "o caminho é uma pasta, não um arquivo"}


def _os_reason(exc: OSError) -> str:
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def _csv_reason(exc: csv.Error, delimiter: str) -> str:
    text = str(exc)
    if re.fullmatch(r"'.' expected after '\"'", text):
        return f"esperava '{delimiter}' logo depois das aspas que fecham o campo"
    if text == "unexpected end of data":
        return "o arquivo termina com aspas abertas"
    if text.startswith("new-line character seen in unquoted field"):
        return "quebra de linha dentro de um campo sem aspas"
    if text.startswith("field larger than field limit"):
        return "um campo é grande demais"
    return text


def _decode_error_at(path: Path, encoding: str, fallback: int) -> tuple[int, int, str | None]:
    """(line, column, line text) of the first byte that does not decode."""
    try:
        with open(path, "rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                try:
                    raw.decode(encoding)
                except UnicodeDecodeError as exc:
                    col = len(raw[:exc.start].decode(encoding, errors="replace")) + 1
                    return lineno, col, raw.decode(encoding, errors="replace").rstrip("\r\n")
    except OSError:
        pass
    return fallback, 1, None


def _cell_bounds(raw: str, delim: str) -> list[tuple[int, int]] | None:
    """(start, end) offsets of each cell of one CSV line as written (quotes included); None
    when a quoted cell does not close on this line."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(raw)
    while True:
        start = i
        if i < n and raw[i] == '"':
            i += 1
            while True:
                j = raw.find('"', i)
                if j < 0:
                    return None
                if raw[j + 1:j + 2] == '"':
                    i = j + 2
                    continue
                i = j + 1
                break
        else:
            j = raw.find(delim, i)
            i = n if j < 0 else j
        out.append((start, i))
        if i >= n:
            return out
        if raw[i] != delim:
            return None
        i += 1


class _Memo(dict):  # type: ignore[type-arg]
    """cell text → value, filled on demand: repeated cells (dates, codes, 0,00) cost one C-level
    dict lookup. Bounded, so memory does not grow with the number of rows."""

    __slots__ = ("slow", "limit")

    def __init__(self, slow: Callable[[str], Any], limit: int = 50_000) -> None:
        super().__init__()
        self.slow = slow
        self.limit = limit

    def __missing__(self, key: str) -> Any:
        value = self.slow(key)
        if len(self) < self.limit:
            self[key] = value
        return value


class _Bad(Exception):
    """Raised by a compiled row converter; the slow path then finds the cell and the reason."""


def _bad() -> Any:
    raise _Bad


def compile_row(fields: tuple[Field, ...], fmt: CsvFormat) -> Callable[[list[str], int], tuple[Any, ...]]:
    """Specialise one function `(cells, line) -> (typed values..., line)` for a ledger schema.

    The hot path of reading: each cell is converted inline (memoised dict lookups for ints,
    dates and booleans; a compiled regex then Decimal() for decimals), with no per-cell Python
    call. Any bad cell raises; the caller then re-checks the row cell by cell (Reader._reject)
    to report the exact column and reason. Equivalent to `converter()` cell by cell.
    """
    env: dict[str, Any] = {"_bad": _bad, "D": Decimal}
    items = []
    for i, f in enumerate(fields):
        cell = f"c[{i}]"
        if f.type == "str":
            items.append(f"{cell} or _bad()" if f.required else f"{cell} or None")
            continue
        if f.type == "decimal":
            conv = converter(f, fmt)
            env[f"_v{i}"] = conv
            frac = rf"(?:{re.escape(fmt.decimal)}[0-9]{{1,{f.scale}}})?" if f.scale else ""
            pattern = re.compile(rf"-?[0-9]+{frac}").fullmatch
            env[f"_re{i}"] = pattern
            # Zero is by far the most frequent amount (anulações): one string compare.
            env[f"_z{i}"] = Decimal("0").scaleb(-f.scale)
            zero = "0" + (fmt.decimal + "0" * f.scale if f.scale else "")
            if fmt.thousands:  # rare: go through the full converter
                expr = f"_v{i}({cell})"
            elif fmt.decimal == ".":
                expr = f"(D({cell}) if _re{i}({cell}) else _bad())"
            else:
                expr = f"(D({cell}.replace({fmt.decimal!r}, '.')) if _re{i}({cell}) else _bad())"
            expr = f"(_z{i} if {cell} == {zero!r} else {expr})"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            items.append(expr)
            continue
        memo = _Memo(converter(f, fmt))
        if not f.required:
            memo[""] = None
        env[f"_m{i}"] = memo
        items.append(f"_m{i}[{cell}]")
    body = ",\n        ".join(items)
    src = f"def convert(c, line):\n    return (\n        {body},\n        line,\n    )\n"
    exec(compile(src, f"<apura: conversor de linha ({len(fields)} campos)>", "exec"), env)  # noqa: S102
    return env["convert"]  # type: ignore[no-any-return]


def _encoding(fmt: CsvFormat) -> str:
    return "utf-8-sig" if fmt.encoding == "utf-8" else "latin-1"


class Reader:
    """Reads one ledger input into typed tuples `(field values..., line)`."""

    def __init__(self, ledger: Ledger, name: str, partition: str | None) -> None:
        self.ledger = ledger
        self.name = name
        self.fmt = ledger.format
        self.fields = ledger.fields
        self.convs = [converter(f, self.fmt) for f in ledger.fields]
        self.convert_row = compile_row(ledger.fields, self.fmt)
        self.required = [f.required for f in ledger.fields]
        self.required_text = tuple(i for i, f in enumerate(ledger.fields)
                                   if f.required and f.type == "str")
        names = [f.name for f in ledger.fields]
        self.pindex = names.index(partition) if partition in names else None

    # -------------------------------------------------------------- CSV files
    def read_csv(self, path: Path, display: str, stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        fmt = self.fmt
        try:
            fh = open(path, encoding=_encoding(fmt), newline="")  # noqa: SIM115
        except OSError as exc:
            stats.fatal.append(DataError(code="D0109", message=f"não foi possível abrir o "
                                         f"arquivo: {_os_reason(exc)}", file=display, line=1,
                                         col=1))
            return
        with fh:
            reader = csv.reader(fh, delimiter=fmt.delimiter, strict=True)
            try:
                if fmt.header:
                    header = next(reader, None)
                    order = self._header(header, display, stats)
                    if order is None:
                        return
                else:
                    order = list(range(len(self.fields)))
                first = len(stats.rejected)
                yield from self._rows(reader, order, display, stats)
                if len(stats.rejected) > first:
                    self._locate_quoted(path, order, stats.rejected, first)
            except UnicodeDecodeError as exc:
                # The text layer decodes ahead in chunks: find the bad byte's line in the file.
                line, col, text = _decode_error_at(path, _encoding(fmt), reader.line_num + 1)
                stats.fatal.append(DataError(
                    code="D0108", message=f"o arquivo não está em {fmt.encoding}: byte "
                    f"0x{exc.object[exc.start]:02x} inválido", file=display,
                    line=line, col=col, text=text,
                    help="confira 'encoding' no format do ledger"))
            except csv.Error as exc:
                stats.fatal.append(DataError(code="D0110", message="CSV malformado: "
                                             + _csv_reason(exc, fmt.delimiter),
                                             file=display, line=reader.line_num, col=1))

    def _locate_quoted(self, path: Path, order: list[int], rejected: list[DataError],
                       first: int) -> None:
        """Rejections point into the record's cells joined by the delimiter; when the file
        quotes cells, that is not the line as written. Re-read the rejected lines (one extra
        pass, only when rows were rejected) and point at the cell as it is in the file."""
        want = {e.line: k for k, e in enumerate(rejected[first:], first)}
        names = [f.name for f in self.fields]
        delim = self.fmt.delimiter
        try:
            fh = open(path, encoding=_encoding(self.fmt), newline="")  # noqa: SIM115
        except OSError:
            return
        with fh:
            for lineno, raw in enumerate(fh, start=1):
                k = want.get(lineno)
                if k is None or '"' not in raw:
                    continue
                raw = raw.rstrip("\r\n")
                e = rejected[k]
                bounds = _cell_bounds(raw, delim)
                try:
                    cells = next(csv.reader([raw], delimiter=delim, strict=True))
                except csv.Error:
                    continue
                if bounds is None or len(bounds) != len(cells) or delim.join(cells) != e.text:
                    continue  # a record spread over several lines: keep the joined cells
                if e.field in names and order[names.index(e.field)] < len(bounds):
                    start, end = bounds[order[names.index(e.field)]]
                    rejected[k] = dataclasses.replace(e, col=start + 1,
                                                      width=max(1, end - start), text=raw)
                else:
                    rejected[k] = dataclasses.replace(e, text=raw)

    def _header(self, header: list[str] | None, display: str,
                stats: ReadStats) -> list[int] | None:
        names = [f.name for f in self.fields]
        if header is None:
            stats.fatal.append(DataError(code="D0107", message="o arquivo está vazio; esperava "
                                         "a linha de cabeçalho", file=display, line=1, col=1))
            return None
        header = [h.strip() for h in header]
        missing = [n for n in names if n not in header]
        if missing:
            stats.fatal.append(DataError(
                code="D0107", message="o cabeçalho não tem a(s) coluna(s) "
                + ", ".join(f"'{m}'" for m in missing), file=display, line=1, col=1,
                text=self.fmt.delimiter.join(header),
                help=f"colunas esperadas: {self.fmt.delimiter.join(names)}"))
            return None
        return [header.index(n) for n in names]

    def _rows(self, reader: Any, order: list[int], display: str,
              stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        convert = self.convert_row
        width = len(order)
        identity = order == list(range(width))
        pindex = self.pindex
        parts = stats.partitions
        rejected = stats.rejected
        read = accepted = 0
        try:
            for cells in reader:
                read += 1
                if len(cells) != width if identity else len(cells) <= max(order):
                    rejected.append(self._reject_width(cells, order, display, reader.line_num))
                    continue
                src = cells if identity else [cells[i] for i in order]
                try:
                    values = convert(src, reader.line_num)
                except Exception:  # noqa: BLE001 - any bad cell; _reject finds which and why
                    rejected.append(self._reject(cells, src, order, display, reader.line_num))
                    continue
                if pindex is not None:
                    parts.add(values[pindex])
                accepted += 1
                yield values
        finally:
            stats.read += read
            stats.accepted += accepted

    def one_row(self, cells: list[str], order: list[int], display: str,
                line: int) -> tuple[Any, ...] | DataError:
        """Accept or reject one CSV record, exactly as `_rows` does (the SQL back ends re-check
        with it the rows their own SQL rules did not accept)."""
        width = len(order)
        identity = order == list(range(width))
        if len(cells) != width if identity else len(cells) <= max(order):
            return self._reject_width(cells, order, display, line)
        src = cells if identity else [cells[i] for i in order]
        try:
            return self.convert_row(src, line)
        except Exception:  # noqa: BLE001 - any bad cell; _reject finds which and why
            return self._reject(cells, src, order, display, line)

    def _col(self, cells: list[str], index: int) -> int:
        return 1 + sum(len(c) + 1 for c in cells[:index])

    def _reject_width(self, cells: list[str], order: list[int], display: str,
                      line: int) -> DataError:
        expected = len(order)
        return DataError(code="D0106", message=f"a linha tem {len(cells)} coluna(s); esperava "
                         f"{expected}", file=display, line=line, col=1,
                         text=self.fmt.delimiter.join(cells))

    def _reject(self, cells: list[str], src: list[str], order: list[int], display: str,
                line: int) -> DataError:
        for i, (f, conv, s) in enumerate(zip(self.fields, self.convs, src, strict=True)):
            if s == "" and not f.required:
                continue
            if s == "":
                return self._empty(cells, order, i, display, line)
            try:
                conv(s)
            except BadCell as exc:
                return DataError(code=exc.code, message=f"campo '{f.name}' "
                                 f"({_TYPE_PT[f.type]}): {exc.message}", file=display,
                                 line=line, col=self._col(cells, order[i]), width=len(s),
                                 text=self.fmt.delimiter.join(cells), help=exc.help,
                                 field=f.name)
        raise AssertionError("linha rejeitada sem célula inválida")

    def _empty(self, cells: list[str], order: list[int], i: int, display: str,
               line: int) -> DataError:
        f = self.fields[i]
        return DataError(code="D0105", message=f"o campo obrigatório '{f.name}' está vazio",
                         file=display, line=line, col=self._col(cells, order[i]),
                         text=self.fmt.delimiter.join(cells), field=f.name)

    # -------------------------------------------------------------- in-memory rows
    def read_rows(self, rows: Iterable[Mapping[str, Any]], display: str,
                  stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        """Rows as mappings field → value; strings are converted like CSV cells."""
        names = [f.name for f in self.fields]
        for n, row in enumerate(rows, start=1):
            stats.read += 1
            missing = [k for k in names if k not in row]
            if missing:
                stats.rejected.append(DataError(code="D0107", message="o registro não tem "
                                                "o(s) campo(s) " + ", ".join(missing),
                                                file=display, line=n, col=1))
                continue
            cells = [row[k] for k in names]
            text = [c if isinstance(c, str) else ("" if c is None else str(c)) for c in cells]
            values: list[Any] = []
            bad = None
            for i, (f, conv, c) in enumerate(zip(self.fields, self.convs, cells, strict=True)):
                if c is None or c == "":
                    if f.required:
                        bad = self._empty(text, list(range(len(names))), i, display, n)
                        break
                    values.append(None)
                elif isinstance(c, str):
                    try:
                        values.append(conv(c))
                    except BadCell:
                        bad = self._reject(text, text, list(range(len(names))), display, n)
                        break
                else:
                    values.append(c)
            if bad is not None:
                stats.rejected.append(bad)
                continue
            if self.pindex is not None:
                stats.partitions.add(values[self.pindex])
            values.append(n)
            stats.accepted += 1
            yield tuple(values)


def write_rejects(path: Path, rejects: list[DataError]) -> None:
    """Rejected rows as CSV: arquivo;linha;coluna;campo;codigo;motivo."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["arquivo", "linha", "coluna", "campo", "codigo", "motivo", "registro"])
    for e in rejects:
        w.writerow([e.file, e.line, e.col, e.field, e.code, e.message, e.text or ""])
    from runtime.outputs import write_atomic
    write_atomic(path, buf.getvalue().encode("utf-8"))
