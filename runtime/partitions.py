"""Partition values become folder names under --out: the one check of a value (D0501), the
check that two values do not name one folder (D0502), and where their first records are.

Every back end collects the partition values of each ledger in `ReadStats.partitions`; the
Python reader also notes the line of the first record of each value (`note_partitions`), the
SQL back ends ask their engine for it (only for a value that fails a check). Then
`partition_errors` judges the values, the same way for all of them.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable
from collections.abc import Sequence
from typing import Any
from typing import Protocol

from runtime import catalog
from runtime.errors import DataError

MAX_PARTITION = 64  # characters of a partition value (a folder name)
MAX_PARTITION_BYTES = 255  # its UTF-8 bytes: NAME_MAX of ext4, xfs, APFS (NFD on HFS+)


class PartitionStats(Protocol):  # runtime.ledgers.ReadStats
    name: str
    path: str
    partitions: set[Any]
    partition_lines: dict[Any, int]


def partition_problem(value: Any) -> str | None:
    """Why `value` cannot be a folder name under --out (pt-BR), or None when it can.

    Refused: no value or an empty one, a name starting with '.' ('.', '..', hidden folders,
    apura's own '.apura-staging'), a path separator ('/' or '\\'), NUL or any control
    character (Unicode category C*) or line break (U+2028, U+2029), more than MAX_PARTITION
    characters or more than MAX_PARTITION_BYTES bytes in UTF-8 (as given or decomposed, NFD,
    the form macOS's HFS+ stores), only spaces and dots (Windows drops trailing spaces and
    dots, so it would be no name there)."""
    if value is None:
        return "está vazio"
    text = str(value)
    if text == "":
        return "está vazio"
    if text in (".", ".."):
        return f"é '{text}', que não é nome de pasta"
    for ch in text:
        if ch in "/\\":
            return f"contém o separador de caminho '{ch}'"
        cat = unicodedata.category(ch)
        if cat.startswith("C") or cat in ("Zl", "Zp"):
            return f"contém o caractere de controle U+{ord(ch):04X}"
    if len(text) > MAX_PARTITION:
        return f"tem {len(text)} caracteres (máximo {MAX_PARTITION})"
    size = len(text.encode("utf-8"))
    nfd = len(unicodedata.normalize("NFD", text).encode("utf-8"))
    if max(size, nfd) > MAX_PARTITION_BYTES:
        how = f"{size} bytes em UTF-8" if size >= nfd else \
            f"{nfd} bytes em UTF-8 na forma decomposta (NFD, a do macOS)"
        return f"tem {how} (máximo {MAX_PARTITION_BYTES})"
    if text.startswith("."):
        return "começa com '.' (seria uma pasta oculta)"
    if text.rstrip(" .") == "":
        return "tem só espaços e pontos, que o Windows apaga do fim de um nome de pasta"
    return windows_problem(text)


WINDOWS_CHARS = '<>:"|?*'
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                             *(f"LPT{i}" for i in range(1, 10))})


def windows_problem(name: str) -> str | None:
    """Why Windows cannot hold `name` as a file or folder name (pt-BR), or None: its reserved
    characters, or a device name (CON, NUL, COM1, ... with any extension). The files apura
    writes are copied to Windows machines, so every system refuses what Windows refuses."""
    for ch in name:
        if ch in WINDOWS_CHARS:
            return f"contém '{ch}', que o Windows não aceita em nomes de arquivo"
    stem = name.split(".", 1)[0].rstrip(" ").upper()
    if stem in WINDOWS_DEVICES:
        return f"'{stem}' é um nome reservado do Windows (um dispositivo)"
    return None


def folder_key(value: Any) -> str:
    """Two values with one key name one folder somewhere: case-insensitive file systems
    (Windows, macOS), the Unicode normalization macOS applies, the trailing spaces and dots
    Windows drops ('abc', 'abc.', 'abc ' and 'abc. .' are one folder there); 3170206 and
    '3170206'."""
    return unicodedata.normalize("NFC", str(value)).casefold().rstrip(" .")


def note_partitions(stats: PartitionStats, rows: Sequence[tuple[Any, ...]], index: int) -> None:
    """Add the partition values of a batch of rows `(values..., line)`, noting the line of the
    first record of each new value."""
    new = set(map(operator.itemgetter(index), rows))
    fresh = new - stats.partitions
    if not fresh:
        return
    lines = stats.partition_lines
    left = len(fresh)
    for r in rows:
        v = r[index]
        if v in fresh and v not in lines:
            lines[v] = r[-1]
            left -= 1
            if not left:
                break
    stats.partitions |= fresh


def _shown(value: Any) -> str:
    return repr(value) if value is None else repr(str(value))


def partition_errors(stats: Sequence[PartitionStats], field: str,
                     first_line: Callable[[PartitionStats, Any], int]) -> list[DataError]:
    """D0501 for each value of each ledger that is no folder name, at the first record that
    has it; D0502 for a value that names the folder of another value seen before (in ledger
    order, then line order). `first_line(stats, value)` is the line of the first record.

    `first_line` is asked only for the values in an error (and the values they collide
    with): on the SQL back ends it can cost a pass over the ledger, which a run whose
    partitions are all good folder names must not pay.
    """
    errors: list[DataError] = []
    # folder key → (value, its ledger, its first line once someone needed it)
    folders: dict[str, list[Any]] = {}

    def line_of(entry: list[Any]) -> int:
        if entry[2] is None:
            entry[2] = first_line(entry[1], entry[0])
        return int(entry[2])

    for st in stats:
        mine: list[DataError] = []
        by_key: dict[str, list[Any]] = {}
        for v in sorted(st.partitions, key=lambda x: (x is None, str(x))):
            problem = partition_problem(v)
            if problem is None:
                by_key.setdefault(folder_key(v), []).append(v)
                continue
            mine.append(catalog.partition_folder(_shown(v), field, problem, file=st.path,
                                                 line=first_line(st, v)))
        for key, values in by_key.items():
            seen = folders.get(key)
            if seen is None:
                if len(values) == 1:
                    folders[key] = [values[0], st, None]
                    continue
                ordered = sorted(([first_line(st, v), v] for v in values), key=lambda g: g[0])
                seen = folders[key] = [ordered[0][1], st, ordered[0][0]]
                twins = ordered[1:]
            else:  # the same value in another ledger is the same partition: no line needed
                twins = sorted(([first_line(st, v), v] for v in values
                                if not (seen[0] == v and type(seen[0]) is type(v))),
                               key=lambda g: g[0])
            for line, v in twins:
                mine.append(catalog.partition_clash(_shown(v), _shown(seen[0]), field,
                                                    f"{seen[1].path}:{line_of(seen)}",
                                                    file=st.path, line=line))
        errors.extend(sorted(mine, key=lambda e: (e.line, e.code)))
    return errors
