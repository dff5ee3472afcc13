"""Read ledgers (CSV files or in-memory rows) by their schema; every rejected row is kept with
its reason and position, so accepted + rejected = read."""

from __future__ import annotations

import csv
import dataclasses
import datetime
import decimal
import errno
import io
import itertools
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

from runtime import catalog
from runtime.contract import INT_MAX
from runtime.contract import INT_MIN
from runtime.contract import LEDGER_PRECISION
from runtime.errors import BadCell
from runtime.errors import DataError
from runtime.model import CsvFormat
from runtime.model import Field
from runtime.model import Ledger
from runtime.partitions import note_partitions


@dataclass(slots=True)
class ReadStats:
    """What reading one input did: rows read, accepted, rejected, partition values seen, and
    how many records reached a layout."""

    name: str
    path: str
    read: int = 0
    accepted: int = 0
    rejected: list[DataError] = field(default_factory=list)
    partitions: set[Any] = field(default_factory=set)
    partition_lines: dict[Any, int] = field(default_factory=dict)  # value → its first line
    fatal: list[DataError] = field(default_factory=list)
    # records that reached a layout (passed its filter and got a row), and their partitions;
    # None for an input no layout reads (a map's source)
    reached: int | None = None
    reached_partitions: set[Any] = field(default_factory=set)


def converter(f: Field, fmt: CsvFormat) -> Callable[[str], Any]:
    """A function str → typed value for one field (raises BadCell)."""
    if f.type == "str":
        return str
    if f.type == "int":
        def to_int(s: str) -> int:
            t = s[1:] if s[:1] == "-" else s
            if not (t.isascii() and t.isdigit()):
                raise catalog.not_int(f"'{s}'")
            v = int(s)
            if not INT_MIN <= v <= INT_MAX:
                raise catalog.out_of_range(s)
            return v
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
        digits = LEDGER_PRECISION - scale

        def to_decimal(s: str) -> Decimal:
            if fullmatch(s) is None:
                if loose(s) is not None:
                    raise catalog.not_decimal(f"'{s}'", places=scale)
                raise catalog.not_decimal(f"'{s}'", sep=decimal_sep)
            t = s.replace(thousands, "") if thousands else s
            if decimal_sep != ".":
                t = t.replace(decimal_sep, ".")
            v = Decimal(t)
            if v and v.adjusted() >= digits:
                raise catalog.out_of_range(s, scale)
            return v
        return to_decimal
    if f.type == "date":
        if fmt.date == "DD/MM/YYYY":
            def to_date(s: str) -> datetime.date:
                if len(s) != 10 or s[2] != "/" or s[5] != "/" or not (
                        s[:2] + s[3:5] + s[6:]).isdigit() or not s.isascii():
                    raise catalog.not_date(s, fmt="DD/MM/YYYY")
                try:
                    return datetime.date(int(s[6:]), int(s[3:5]), int(s[:2]))
                except ValueError:
                    raise catalog.not_date(s, fmt="DD/MM/YYYY", exists=False) from None
            return to_date

        def to_iso(s: str) -> datetime.date:
            try:
                if len(s) != 10:
                    raise ValueError
                return datetime.date.fromisoformat(s)
            except ValueError:
                raise catalog.not_date(s, fmt="YYYY-MM-DD") from None
        return to_iso
    if f.type == "bool":
        yes, no = fmt.true, fmt.false

        def to_bool(s: str) -> bool:
            if s == yes:
                return True
            if s == no:
                return False
            raise catalog.not_bool(s, yes, no)
        return to_bool
    raise AssertionError(f.type)


def check_typed(f: Field, value: Any) -> BadCell | None:
    """Why an in-memory value (already typed) does not fit its field, or None."""
    if f.type == "int":
        if value.__class__ is not int:
            return catalog.not_int(repr(value))
        if not INT_MIN <= value <= INT_MAX:
            return catalog.out_of_range(str(value))
    elif f.type == "decimal":
        if value.__class__ is int:
            value = Decimal(value)
        if not isinstance(value, Decimal) or not value.is_finite():
            return catalog.not_decimal(repr(value))
        expo = value.as_tuple().exponent
        assert isinstance(expo, int)
        if expo < -f.scale and value != value.quantize(Decimal(1).scaleb(-f.scale),
                                                       context=_WIDE):
            return catalog.not_decimal(f"'{value}'", places=f.scale)
        if value and value.adjusted() >= LEDGER_PRECISION - f.scale:
            return catalog.out_of_range(f"{value:f}", f.scale)
    return None


_WIDE = decimal.Context(prec=1000)  # quantize any in-memory value exactly

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


def _cell_exprs(fields: tuple[Field, ...], fmt: CsvFormat, env: dict[str, Any],
                cells: list[str], text_amounts: bool = False) -> list[str]:
    """One Python expression per field converting its cell, the expression `cells[i]`
    (raising on a bad cell); the names they use are put in `env`. With `text_amounts` (and no
    thousands separator), a decimal cell is checked but kept as its text: the scan converts
    it with `Reader.amount` where a record uses it."""
    env.setdefault("_bad", _bad)
    env.setdefault("D", Decimal)
    items = []
    earlier: list[tuple[int, str, int]] = []  # decimal cells before this one: (field, cell, scale)
    for i, f in enumerate(fields):
        cell = cells[i]
        if f.type == "str":
            items.append(f"{cell} or _bad()" if f.required else f"{cell} or None")
            continue
        if f.type == "decimal" and text_amounts and not fmt.thousands:
            zero = "0" + (fmt.decimal + "0" * f.scale if f.scale else "")
            env[f"_re{i}"] = re.compile(_decimal_pattern(f, fmt)).fullmatch
            # zero, or the same text as an earlier amount of the record: no regex
            same = [f"{cell} == {other}" for _, other, scale in earlier[-_SAME_AS:]
                    if scale == f.scale and other != cell]
            ok = " or ".join([f"{cell} == {zero!r}", *same, f"_re{i}({cell})"])
            expr = f"({cell} if {ok} else _bad())"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            else:
                earlier.append((i, cell, f.scale))
            items.append(expr)
            continue
        if f.type == "decimal":
            if fmt.thousands:  # rare: go through the full converter
                env[f"_v{i}"] = converter(f, fmt)
                expr = f"_v{i}({cell})"
            else:
                env[f"_re{i}"] = re.compile(_decimal_pattern(f, fmt)).fullmatch
                text = cell if fmt.decimal == "." else f"{cell}.replace({fmt.decimal!r}, '.')"
                expr = f"(D({text}) if _re{i}({cell}) else _bad())"
            # The same text as an earlier amount of the record (liquidado = empenhado, ...) is
            # not converted twice: a string compare.
            for j, other, scale in earlier[-_SAME_AS:]:
                if scale == f.scale and other != cell:
                    expr = f"(_d{j} if {cell} == {other} else {expr})"
            # Zero is by far the most frequent amount (anulações): one string compare.
            env[f"_z{i}"] = Decimal("0").scaleb(-f.scale)
            zero = "0" + (fmt.decimal + "0" * f.scale if f.scale else "")
            expr = f"(_z{i} if {cell} == {zero!r} else {expr})"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            if f.required:
                earlier.append((i, cell, f.scale))
            items.append(f"(_d{i} := {expr})")
            continue
        if f.type == "bool":
            expr = f"(True if {cell} == {fmt.true!r} else False if {cell} == {fmt.false!r} " \
                   "else _bad())"
            if not f.required:
                expr = f"(None if not {cell} else {expr})"
            items.append(expr)
            continue
        memo = _Memo(converter(f, fmt))
        if not f.required:
            memo[""] = None
        env[f"_m{i}"] = memo
        items.append(f"_m{i}[{cell}]")
    return items


def _decimal_pattern(f: Field, fmt: CsvFormat) -> str:
    """What a decimal cell must match when the format has no thousands separator."""
    frac = rf"(?:{re.escape(fmt.decimal)}[0-9]{{1,{f.scale}}})?" if f.scale else ""
    # at most LEDGER_PRECISION - scale integer digits (leading zeros aside): DECIMAL(18, s)
    return rf"-?0*[0-9]{{1,{LEDGER_PRECISION - f.scale}}}{frac}"


# An amount is compared with at most this many earlier amounts of its record.
_SAME_AS = 5


def compile_row(fields: tuple[Field, ...],
                fmt: CsvFormat) -> Callable[[list[str], int], tuple[Any, ...]]:
    """Specialise one function `(cells, line) -> (typed values..., line)` for a ledger schema.

    Each cell is converted inline (memoised dict lookups for ints and dates; string compares
    for booleans, zero amounts and amounts repeated in the record; a compiled regex then
    Decimal() for other amounts), with no per-cell Python call on the usual path.
    Any bad cell raises; the caller then re-checks the row cell by cell (Reader._reject) to
    report the exact column and reason. Equivalent to `converter()` cell by cell.
    """
    env: dict[str, Any] = {}
    items = _cell_exprs(fields, fmt, env, [f"c[{i}]" for i in range(len(fields))])
    body = ",\n        ".join(items)
    src = f"def convert(c, line):\n    return (\n        {body},\n        line,\n    )\n"
    exec(compile(src, f"<apura: conversor de linha ({len(fields)} campos)>", "exec"), env)  # noqa: S102
    return env["convert"]  # type: ignore[no-any-return]


LinesConverter = Callable[[list[str], int, list[tuple[Any, ...]],
                           Callable[[list[str], int], None]], int]


def compile_lines(fields: tuple[Field, ...], fmt: CsvFormat, order: list[int], width: int,
                  text_amounts: bool = False) -> LinesConverter:
    """Specialise `(lines, line, out, reject) -> line` for a schema and a header order: split
    each plain line (no quotes) on the delimiter, convert its cells as `compile_row` does and
    append `(values..., line number)` to `out`; a record of another width than the header's
    (`width` cells; `order`: the cell of each field) or with a bad cell
    goes to `reject(cells, line)` instead. `line` is the number of the line before `lines[0]`;
    the number of the last line is returned. Only for lines Python's csv module would split
    exactly like str.split (see _plain_batches)."""
    env: dict[str, Any] = {}
    delim = fmt.delimiter
    if order == list(range(width)) and width > 1:
        # Unpacking the split line checks its width and names the cells in one step.
        names = [f"x{i}" for i in range(width)]
        items = _cell_exprs(fields, fmt, env, names, text_amounts)
        split = (f"        try:\n"
                 f"            {', '.join(names)}, = s.split({delim!r})\n"
                 f"        except ValueError:\n"
                 f"            reject(s.split({delim!r}) if s else [], line)\n"
                 f"            continue\n")
    else:
        items = _cell_exprs(fields, fmt, env, [f"c[{i}]" for i in order], text_amounts)
        check = f"len(c) != {width}"
        if width == 1:
            check += " or not s"  # csv reads an empty line as a record of no cells, not ['']
        split = (f"        c = s.split({delim!r})\n"
                 f"        if {check}:\n"
                 f"            reject(c if s else [], line)\n"
                 f"            continue\n")
    body = ",\n                ".join(items)
    src = (f"def convert_lines(lines, line, out, reject):\n"
           f"    append = out.append\n"
           f"    for s in lines:\n"
           f"        line += 1\n"
           f"{split}"
           f"        try:\n"
           f"            append((\n                {body},\n                line,\n            ))\n"
           f"        except Exception:\n"
           f"            reject(s.split({delim!r}), line)\n"
           f"    return line\n")
    exec(compile(src, f"<apura: conversor de linhas ({len(fields)} campos)>", "exec"), env)  # noqa: S102
    return env["convert_lines"]  # type: ignore[no-any-return]


# Characters read at a time on the plain path: below csv's default field size limit, so a
# block longer than the limit (that needs the per-line check) is rare.
_CHUNK = 1 << 16
# Physical lines as a file opened with newline="" yields them (\r\n, \r or \n ends a line).
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def _plain_batches(fh: Any) -> Iterator[list[str] | Iterator[str]]:
    """The physical lines of a text file (opened with newline=""), in batches.

    A batch is a list of lines without their terminators that Python's csv module (default
    dialect, strict) would split exactly like str.split(delimiter): no quote character, no
    carriage return other than in \r\n, no line longer than csv's field size limit. At the
    first stretch of the file that is not plain, the last batch is an iterator over the rest of
    the file's lines, terminators kept, for csv.reader."""
    limit = csv.field_size_limit()
    rest = ""
    while chunk := fh.read(_CHUNK):
        k = chunk.rfind("\n")
        if k < 0:
            rest += chunk
            continue
        block = rest + chunk[:k + 1]
        rest = chunk[k + 1:]
        plain = '"' not in block
        text = block
        if plain and "\r" in block:
            plain = block.count("\r") == block.count("\r\n")
            text = block.replace("\r\n", "\n")
        lines = text.split("\n")
        lines.pop()  # the text ends with \n
        if plain and len(text) > limit:
            plain = max(map(len, lines)) <= limit
        if not plain:
            yield itertools.chain(_PHYSICAL_LINE.findall(block + rest + fh.readline()), fh)
            return
        yield lines
    if rest:
        if '"' in rest or "\r" in rest or len(rest) > limit:
            yield iter(_PHYSICAL_LINE.findall(rest))
        else:
            yield [rest]


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
        self._lines_cache: dict[tuple[Any, ...], LinesConverter] = {}
        sep = self.fmt.decimal

        def amount(value: Any) -> Any:
            """A decimal value of a row read with text_amounts (text or already a Decimal)."""
            if value.__class__ is str:
                return Decimal(value.replace(sep, ".") if sep != "." else value)
            return value
        self.amount = amount
        self.required = [f.required for f in ledger.fields]
        self.required_text = tuple(i for i, f in enumerate(ledger.fields)
                                   if f.required and f.type == "str")
        names = [f.name for f in ledger.fields]
        self.pindex = names.index(partition) if partition in names else None

    # -------------------------------------------------------------- CSV files
    def read_csv(self, path: Path, display: str, stats: ReadStats,
                 text_amounts: bool = False) -> Iterator[tuple[Any, ...]]:
        """The accepted rows of a CSV file, in order; rejects and counts go to `stats`.

        `text_amounts`: decimal values may come as their cell text, checked (every cell of
        every record is still checked, and rejected as without it), for a consumer that
        converts them with `self.amount` where it uses them: the generated scans, which use the
        amounts of the few records that count."""
        return itertools.chain.from_iterable(self._csv_batches(path, display, stats,
                                                               text_amounts))

    def _csv_batches(self, path: Path, display: str, stats: ReadStats,
                     text_amounts: bool = False) -> Iterator[list[tuple[Any, ...]]]:
        """Accepted rows in batches. Plain stretches of the file (no quotes, see _plain_batches)
        are split with str.split and converted by one compiled loop per batch; from the first
        stretch that is not plain to the end, the csv module reads. Both give the same records,
        rejects, lines and columns."""
        fmt = self.fmt
        try:
            fh = open(path, encoding=_encoding(fmt), newline="")  # noqa: SIM115
        except OSError as exc:
            stats.fatal.append(catalog.unreadable(_os_reason(exc), file=display))
            return
        delim = fmt.delimiter
        fast = self.plain_fast_path and len(delim) == 1 and delim not in '"\r\n'
        first = len(stats.rejected)
        order: list[int] | None = None if fmt.header else list(range(len(self.fields)))
        width = len(self.fields)
        line = 0  # physical lines read before the current batch (or csv reader)
        reader: Any = None
        with fh:
            try:
                for batch in (_plain_batches(fh) if fast else iter([fh])):
                    if isinstance(batch, list):
                        if order is None:
                            head = batch[0]
                            line += 1
                            cols = self._header(head.split(delim) if head else [], display,
                                                stats)
                            if cols is None:
                                return
                            order, width = cols
                            del batch[0]
                        rows: list[tuple[Any, ...]] = []
                        before = line
                        line = self._lines_converter(order, width, text_amounts)(
                            batch, line, rows, self._rejecter(order, width, display, stats))
                        yield self._count(rows, line - before, stats)
                        continue
                    reader = csv.reader(batch, delimiter=delim, strict=True)
                    if order is None:
                        cols = self._header(next(reader, None), display, stats)
                        if cols is None:
                            return
                        order, width = cols
                    yield from self._csv_rows(reader, line, order, width, display, stats)
                if order is None:  # an empty file, a header expected
                    self._header(None, display, stats)
                    return
                if len(stats.rejected) > first:
                    self._locate_quoted(path, order, stats.rejected, first)
            except UnicodeDecodeError as exc:
                # The text layer decodes ahead in chunks: find the bad byte's line in the file.
                at = line + (reader.line_num if reader is not None else 0) + 1
                bad_line, col, text = _decode_error_at(path, _encoding(fmt), at)
                stats.fatal.append(catalog.bad_encoding(fmt.encoding, exc.object[exc.start],
                                                        file=display, line=bad_line, col=col,
                                                        text=text))
            except csv.Error as exc:
                stats.fatal.append(catalog.malformed_csv(_csv_reason(exc, delim), file=display,
                                                         line=line + reader.line_num))

    # Tests set this to False to compare the plain path with the csv module's.
    plain_fast_path = True

    def _lines_converter(self, order: list[int], width: int,
                         text_amounts: bool) -> LinesConverter:
        key = (*order, width, text_amounts)
        conv = self._lines_cache.get(key)
        if conv is None:
            conv = self._lines_cache[key] = compile_lines(self.fields, self.fmt, order, width,
                                                          text_amounts)
        return conv

    def _rejecter(self, order: list[int], width: int, display: str,
                  stats: ReadStats) -> Callable[[list[str], int], None]:
        """`reject(cells, line)`: record why a record (wrong width or a bad cell) is rejected."""
        identity = order == list(range(width))
        rejected = stats.rejected

        def reject(cells: list[str], line: int) -> None:
            if len(cells) != width:
                rejected.append(self._reject_width(cells, width, display, line))
                return
            src = cells if identity else [cells[i] for i in order]
            rejected.append(self._reject(cells, src, order, display, line))
        return reject

    def _count(self, rows: list[tuple[Any, ...]], read: int,
               stats: ReadStats) -> list[tuple[Any, ...]]:
        stats.read += read
        stats.accepted += len(rows)
        if self.pindex is not None and rows:
            note_partitions(stats, rows, self.pindex)
        return rows

    def _csv_rows(self, reader: Any, offset: int, order: list[int], width: int, display: str,
                  stats: ReadStats, batch: int = 4096) -> Iterator[list[tuple[Any, ...]]]:
        """Records from csv.reader (lines numbered after `offset`), converted, in batches."""
        convert = self.convert_row
        identity = order == list(range(width))
        reject = self._rejecter(order, width, display, stats)
        rows: list[tuple[Any, ...]] = []
        read = 0
        try:
            for cells in reader:
                read += 1
                line = offset + reader.line_num
                if len(cells) != width:
                    reject(cells, line)
                else:
                    try:
                        rows.append(convert(cells if identity else [cells[i] for i in order],
                                            line))
                    except Exception:  # noqa: BLE001 - any bad cell; _reject finds which, why
                        reject(cells, line)
                if read >= batch:
                    yield self._count(rows, read, stats)
                    rows, read = [], 0
        except (csv.Error, UnicodeDecodeError):
            yield self._count(rows, read, stats)  # the records before the error count
            raise
        yield self._count(rows, read, stats)

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
                stats: ReadStats) -> tuple[list[int], int] | None:
        """(the header cell of each field, the header's width); None when a field's column is
        missing (D0107, fatal). Other columns are ignored; every record then has the header's
        width (D0106 otherwise)."""
        names = [f.name for f in self.fields]
        if header is None:
            stats.fatal.append(catalog.missing_columns(display))
            return None
        header = [h.strip() for h in header]
        missing = [n for n in names if n not in header]
        if missing:
            stats.fatal.append(catalog.missing_columns(
                display, missing, header=self.fmt.delimiter.join(header),
                expected=self.fmt.delimiter.join(names)))
            return None
        return [header.index(n) for n in names], len(header)

    def one_row(self, cells: list[str], order: list[int], width: int, display: str,
                line: int) -> tuple[Any, ...] | DataError:
        """Accept or reject one CSV record, exactly as `_rows` does (the SQL back ends re-check
        with it the rows their own SQL rules did not accept)."""
        identity = order == list(range(width))
        if len(cells) != width:
            return self._reject_width(cells, width, display, line)
        src = cells if identity else [cells[i] for i in order]
        try:
            return self.convert_row(src, line)
        except Exception:  # noqa: BLE001 - any bad cell; _reject finds which and why
            return self._reject(cells, src, order, display, line)

    def _col(self, cells: list[str], index: int) -> int:
        return 1 + sum(len(c) + 1 for c in cells[:index])

    def _reject_width(self, cells: list[str], width: int, display: str,
                      line: int) -> DataError:
        return catalog.wrong_width(len(cells), width, file=display, line=line,
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
                return catalog.bad_cell(exc, field=f.name, type=f.type, file=display,
                                        line=line, col=self._col(cells, order[i]),
                                        width=len(s), text=self.fmt.delimiter.join(cells))
        raise AssertionError("linha rejeitada sem célula inválida")

    def _empty(self, cells: list[str], order: list[int], i: int, display: str,
               line: int) -> DataError:
        f = self.fields[i]
        return catalog.empty_required(f.name, file=display, line=line,
                                      col=self._col(cells, order[i]),
                                      text=self.fmt.delimiter.join(cells))

    # -------------------------------------------------------------- in-memory rows
    def read_rows(self, rows: Iterable[Mapping[str, Any]], display: str,
                  stats: ReadStats) -> Iterator[tuple[Any, ...]]:
        """Rows as mappings field → value; strings are converted like CSV cells."""
        names = [f.name for f in self.fields]
        for n, row in enumerate(rows, start=1):
            stats.read += 1
            missing = [k for k in names if k not in row]
            if missing:
                stats.rejected.append(catalog.missing_columns(display, missing, record=n))
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
                    why = check_typed(f, c)
                    if why is not None:
                        bad = catalog.bad_cell(why, field=f.name, type=f.type, file=display,
                                               line=n, col=1)
                        break
                    values.append(c)
            if bad is not None:
                stats.rejected.append(bad)
                continue
            if self.pindex is not None:
                stats.partitions.add(values[self.pindex])
                stats.partition_lines.setdefault(values[self.pindex], n)
            values.append(n)
            stats.accepted += 1
            yield tuple(values)


def rejects_csv(rejects: list[DataError]) -> bytes:
    """Rejected rows as CSV: arquivo;linha;coluna;campo;codigo;motivo;registro."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\n")
    w.writerow(["arquivo", "linha", "coluna", "campo", "codigo", "motivo", "registro"])
    for e in rejects:
        w.writerow([e.file, e.line, e.col, e.field, e.code, e.message, e.text or ""])
    return buf.getvalue().encode("utf-8")


def write_rejects(path: Path, rejects: list[DataError]) -> None:
    """`rejects_csv` into `path`, atomically (a run stages it with its outputs instead)."""
    from runtime.outputs import write_atomic
    write_atomic(path, rejects_csv(rejects))
