"""A table's CSV text split into records of cells, each cell with its offsets in the text, so
that every compile-time diagnostic points inside the CSV file (file:line:col, with a caret).

The dialect is the one Python's csv module writes and reads (strict): `quoting: minimal` — a
cell may be quoted with `"`, a `""` inside it is one quote, and a quoted cell may hold the
delimiter and line breaks; `quoting: none` — a quote is an ordinary character. Records end
with LF or CRLF. Refused (CsvSyntax, at its offset): a quote that does not close, a character
other than the delimiter or a line end after a closing quote, a quote inside an unquoted cell
(minimal) and a CR that is not followed by LF outside quotes (the lines would not be the lines
an editor shows)."""

from __future__ import annotations

import re
from dataclasses import dataclass


class CsvSyntax(Exception):
    """The text is not CSV of the dialect: `offset` is where it goes wrong."""

    def __init__(self, offset: int, problem: str) -> None:
        super().__init__(problem)
        self.offset = offset
        self.problem = problem


@dataclass(frozen=True, slots=True)
class Cell:
    """A cell's value (quotes removed) and its [start, end) offsets as written."""

    value: str
    start: int
    end: int


@dataclass(slots=True)
class Record:
    """One record: the line it starts on, its cell values and, for a record with quoted
    cells, where each cell is; a plain record (no quote: the common case) finds its cells'
    offsets from the values when a diagnostic needs them."""

    line: int
    start: int
    values: list[str]
    bounds: list[tuple[int, int]] | None = None

    def cell(self, i: int) -> Cell:
        if self.bounds is not None:
            b, e = self.bounds[i]
        else:
            b = self.start + sum(len(v) + 1 for v in self.values[:i])
            e = b + len(self.values[i])
        return Cell(self.values[i], b, e)


def records(text: str, delimiter: str, quoting: str) -> list[Record]:
    """Every record of `text`. Lines without a quote (or a CR) are split with str.split; a
    line with one is read cell by cell from there (a quoted cell may span lines)."""
    quoted = quoting == "minimal"
    out: list[Record] = []
    i, n, line = 0, len(text), 1
    while i < n:
        j = text.find("\n", i)
        end = n if j < 0 else j
        raw = text[i:end]
        if (not quoted or '"' not in raw) and "\r" not in raw[:-1] and \
                (raw[-1:] != "\r" or j >= 0):
            body = raw[:-1] if raw[-1:] == "\r" else raw
            out.append(Record(line, i, body.split(delimiter)))
            i, line = end + 1, line + 1
            continue
        rec, i, line = _slow(text, i, line, delimiter, quoted)
        out.append(rec)
    return out


def _slow(text: str, i: int, line: int, delimiter: str, quoted: bool
          ) -> tuple[Record, int, int]:
    """The record starting at offset `i`, cell by cell: (record, next offset, next line)."""
    stop = re.escape(delimiter) + ('"' if quoted else "") + "\r\n"
    plain = re.compile(f"[^{stop}]*")
    n, first, begin = len(text), line, i
    values: list[str] = []
    bounds: list[tuple[int, int]] = []
    while True:
        if quoted and i < n and text[i] == '"':
            j, parts = i + 1, []
            while True:
                k = text.find('"', j)
                if k < 0:
                    raise CsvSyntax(i, "as aspas abertas aqui não fecham")
                if text.startswith('""', k):
                    parts.append(text[j:k + 1])
                    j = k + 2
                    continue
                parts.append(text[j:k])
                break
            end = k + 1
            line += text.count("\n", i, end)
            values.append("".join(parts))
        else:
            m = plain.match(text, i)
            assert m is not None  # `*`: it always matches
            end = m.end()
            values.append(text[i:end])
        bounds.append((i, end))
        i = end
        if i >= n:
            break
        c = text[i]
        if c == delimiter:
            i += 1
            continue
        if c == "\n":
            i, line = i + 1, line + 1
            break
        if c == "\r" and text.startswith("\r\n", i):
            i, line = i + 2, line + 1
            break
        if c == "\r":
            raise CsvSyntax(i, "um CR sem LF depois dele fora de aspas")
        if c == '"':
            raise CsvSyntax(i, "aspas no meio de um campo sem aspas (ponha o campo todo "
                               "entre aspas e dobre as aspas de dentro)")
        raise CsvSyntax(i, f"esperava '{delimiter}' ou o fim da linha depois das aspas "
                           "que fecham o campo")
    return Record(first, begin, values, bounds), i, line


def quote(value: str, delimiter: str) -> str:
    """A cell of the normalized copy (the ledger dialect, read by runtime/ledgers.py with the
    csv module): quoted when it holds the delimiter, a quote or a line break."""
    if delimiter in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value
