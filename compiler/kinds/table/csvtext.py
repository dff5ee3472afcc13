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
from collections.abc import Iterator
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


def records(text: str, delimiter: str, quoting: str) -> Iterator[tuple[int, list[Cell]]]:
    """(line where the record starts, its cells) for every record of `text`."""
    quoted = quoting == "minimal"
    stop = re.escape(delimiter) + ('"' if quoted else "") + "\r\n"
    plain = re.compile(f"[^{stop}]*")
    i, n, line = 0, len(text), 1
    while i < n:
        first, cells = line, []
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
                cells.append(Cell("".join(parts), i, end))
            else:
                m = plain.match(text, i)
                assert m is not None  # `*`: it always matches
                end = m.end()
                cells.append(Cell(text[i:end], i, end))
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
        yield first, cells


def quote(value: str, delimiter: str) -> str:
    """A cell of the normalized copy (the ledger dialect, read by runtime/ledgers.py with the
    csv module): quoted when it holds the delimiter, a quote or a line break."""
    if delimiter in value or '"' in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value
