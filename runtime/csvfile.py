"""The CSV file itself, below the cells: opening it (encoding, reasons a file cannot be read),
finding the plain stretches str.split reads exactly as Python's csv module would, and the
positions of cells in a line as written (quotes included)."""

from __future__ import annotations

import csv
import errno
import itertools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from runtime.model import CsvFormat

_OS_REASONS = {errno.ENOENT: "o arquivo não existe", errno.EACCES: "sem permissão de leitura",
               errno.EISDIR: "o caminho é uma pasta, não um arquivo"}


def os_reason(exc: OSError) -> str:
    """Why a ledger file cannot be opened, in the analyst's words."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def csv_reason(exc: csv.Error, delimiter: str) -> str:
    """What Python's csv module found wrong, in the analyst's words."""
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


def decode_error_at(path: Path, encoding: str, fallback: int) -> tuple[int, int, str | None]:
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


def cell_bounds(raw: str, delim: str) -> list[tuple[int, int]] | None:
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


# Physical lines as a file opened with newline="" yields them (\r\n, \r or \n ends a line).
_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def plain_batches(fh: Any, size: int) -> Iterator[list[str] | Iterator[str]]:
    """The physical lines of a text file (opened with newline=""), in batches, reading
    `size` characters at a time.

    A batch is a list of lines without their terminators that Python's csv module (default
    dialect, strict) would split exactly like str.split(delimiter): no quote character, no
    carriage return other than in \r\n, no line longer than csv's field size limit. At the
    first stretch of the file that is not plain, the last batch is an iterator over the rest of
    the file's lines, terminators kept, for csv.reader."""
    limit = csv.field_size_limit()
    rest = ""
    while chunk := fh.read(size):
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


def text_encoding(fmt: CsvFormat) -> str:
    """The codec a ledger's file is opened with (a UTF-8 BOM is skipped)."""
    return "utf-8-sig" if fmt.encoding == "utf-8" else "latin-1"
