"""Read ledgers (CSV files or in-memory rows) by their schema; every rejected row is kept with
its reason and position, so accepted + rejected = read.

The cells are converted by runtime/convert.py (the rules: runtime/cells.py), the file is
split by runtime/csvfile.py; the rejects report is runtime/rejects.py."""

from __future__ import annotations

import csv
import dataclasses
import itertools
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
from runtime.convert import LinesConverter
from runtime.convert import check_typed
from runtime.convert import compile_lines
from runtime.convert import compile_row
from runtime.convert import converter
from runtime.csvfile import cell_bounds
from runtime.csvfile import csv_reason
from runtime.csvfile import decode_error_at
from runtime.csvfile import os_reason
from runtime.csvfile import plain_batches
from runtime.csvfile import text_encoding
from runtime.errors import BadCell
from runtime.errors import DataError
from runtime.model import Ledger
from runtime.partitions import note_partitions
from runtime.rejects import rejects_csv
from runtime.rejects import write_rejects

# rejects_csv and write_rejects are read from here too (the CLI, embedding hosts)
__all__ = ["ReadStats", "Reader", "rejects_csv", "write_rejects"]


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


# The header position of a field whose optional column the file lacks: its cell reads empty.
ABSENT = -1


def pick(cells: list[str], order: list[int]) -> list[str]:
    """The cell of each field, in field order (an absent optional column: '')."""
    return [cells[i] if i != ABSENT else "" for i in order]


# Characters read at a time on the plain path: below csv's default field size limit, so a
# block longer than the limit (that needs the per-line check) is rare.
_CHUNK = 1 << 16


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
            fh = open(path, encoding=text_encoding(fmt), newline="")  # noqa: SIM115
        except OSError as exc:
            stats.fatal.append(catalog.unreadable(os_reason(exc), file=display))
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
                for batch in (plain_batches(fh, _CHUNK) if fast else iter([fh])):
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
                bad_line, col, text = decode_error_at(path, text_encoding(fmt), at)
                stats.fatal.append(catalog.bad_encoding(fmt.encoding, exc.object[exc.start],
                                                        file=display, line=bad_line, col=col,
                                                        text=text))
            except csv.Error as exc:
                stats.fatal.append(catalog.malformed_csv(csv_reason(exc, delim), file=display,
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
            src = cells if identity else pick(cells, order)
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
                        rows.append(convert(cells if identity else pick(cells, order), line))
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
            fh = open(path, encoding=text_encoding(self.fmt), newline="")  # noqa: SIM115
        except OSError:
            return
        with fh:
            for lineno, raw in enumerate(fh, start=1):
                k = want.get(lineno)
                if k is None or '"' not in raw:
                    continue
                raw = raw.rstrip("\r\n")
                e = rejected[k]
                bounds = cell_bounds(raw, delim)
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
        missing (D0107, fatal) — an optional column may be (ABSENT: every record reads null).
        Other columns are ignored; every record then has the header's width (D0106
        otherwise)."""
        names = [f.name for f in self.fields]
        if header is None:
            stats.fatal.append(catalog.missing_columns(display))
            return None
        header = [h.strip() for h in header]
        missing = [f.name for f in self.fields if f.name not in header and not f.optional]
        if missing:
            stats.fatal.append(catalog.missing_columns(
                display, missing, header=self.fmt.delimiter.join(header),
                expected=self.fmt.delimiter.join(names)))
            return None
        return [header.index(n) if n in header else ABSENT for n in names], len(header)

    def one_row(self, cells: list[str], order: list[int], width: int, display: str,
                line: int) -> tuple[Any, ...] | DataError:
        """Accept or reject one CSV record, exactly as `_rows` does (the SQL back ends re-check
        with it the rows their own SQL rules did not accept)."""
        identity = order == list(range(width))
        if len(cells) != width:
            return self._reject_width(cells, width, display, line)
        src = cells if identity else pick(cells, order)
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
        """Rows as mappings field → value; strings are converted like CSV cells. A record
        without an optional field's key reads null there."""
        names = [f.name for f in self.fields]
        for n, row in enumerate(rows, start=1):
            stats.read += 1
            missing = [f.name for f in self.fields if f.name not in row and not f.optional]
            if missing:
                stats.rejected.append(catalog.missing_columns(display, missing, record=n))
                continue
            cells = [row.get(k) for k in names]
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
