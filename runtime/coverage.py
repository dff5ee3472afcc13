"""A `coverage` node at run time (compiler/kinds/coverage): the keys the records of its sources
carry, against the entries of its map — the seed's "Informações de Equivalência" guias, where
every rubrica, natureza, recurso and conta with a movement must have a confirmed de-para.

Two things are found, the same on every back end:

* **gaps** — a record (passing its source's filter) whose keys find no confirmed entry of the
  map (none, or one whose status is not CONFIRMADA), or, in a node without a map, every record
  that gets there (a listing: the guia ASPS, the COVID flag set twice). They are found record
  by record, where the line is known: the Python scan calls `Coverage.see`; the SQL back ends'
  `errors` statement returns the records and runtime/backends/sqlrun.py calls `gap`. One item
  per node, key and input, at its first record, with the count and the first lines (as D0201).
  `severity: error` items are D1301 and fail the run, D1302 warnings with --allow-gaps;
  `severity: warning` items are D1304 warnings.
* **unused entries** (`unused: true`): the map's entries of a partition no record of any
  source used, D1303 warnings at the entry's line. The keys used are the node's accumulator
  (`key_text` → records), filled by the Python scan or by the SQL `aggregate`; the entries are
  the map built in Python — on the SQL back ends too (`python_maps`: the equivalências are a
  município's de-para, small files, read again by the Python reader, as runtime/inputs.py
  `report_maps` reads the tables a report writes from).

Key values reach messages through `quoted` only: a `;`, a line break or a control character
in a ledger cell cannot split or forge a line of the listing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.errors import DataError
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.locations import Loc
from runtime.sheets import KeyedRows

_FIRST_LINES = 3  # as D0201 and D0802: the first lines of the records of an item


def quoted(value: Any) -> str:
    """A key value in a message: an int as its digits, null as `nulo`, a text as a JSON
    string literal whose printable characters stay as they are (accents, `;`) and whose `\\`,
    `"` and non-printable ones (line breaks, U+2028, controls) are escaped — so one item is
    one line whatever the ledger holds, and `json.loads` gives the value back."""
    if value is None:
        return "nulo"
    if not isinstance(value, str):
        return str(value)
    return '"' + "".join(ch if ch.isprintable() and ch not in '\\"' else
                         json.dumps(ch)[1:-1] for ch in value) + '"'


def key_text(key: tuple[Any, ...]) -> str:
    """The accumulator key of a key tuple: each value as `<length>:<text>` (null as `~`), so
    no value can fake a separator. The SQL `aggregate` builds the same text
    (compiler/kinds/coverage/sql.py): LENGTH counts code points on both engines, as len()."""
    return "".join("~" if v is None else f"{len(str(v))}:{v}" for v in key)


def shown(names: tuple[str, ...], key: tuple[Any, ...]) -> str:
    return ", ".join(f"{n}={quoted(v)}" for n, v in zip(names, key, strict=True))


@dataclass(slots=True)
class Gap:
    """The records of one input whose key is one item of a coverage node."""

    node: Any       # its Coverage
    key: tuple[Any, ...]
    file: str
    lines: list[int]
    why: str        # what is missing, in words
    count: int = 1

    def error(self, allowed: bool) -> DataError:
        node = self.node
        n = f"{self.count:,}".replace(",", ".")
        listed = ", ".join(map(str, self.lines))
        where = (f"1 registro de {self.file}: linha {listed}" if self.count == 1 else
                 f"{n} registros de {self.file}: linhas {listed}"
                 if self.count <= len(self.lines) else
                 f"{n} registros de {self.file}; primeiros: linhas {listed}")
        item = " ".join(x for x in (shown(node.key_names, self.key), self.why) if x)
        if node.severity == "warning":
            return catalog.coverage_listed(node.id, item, where, file=self.file,
                                           line=self.lines[0])
        if allowed:
            return catalog.coverage_gap_allowed(node.id, item, where, file=self.file,
                                                line=self.lines[0])
        return catalog.coverage_gap(node.id, item, where, file=self.file, line=self.lines[0])


@dataclass(frozen=True, slots=True)
class Coverage:
    """The runtime declaration of a coverage node (PACKAGE.nodes)."""

    id: str
    map: str | None
    key_names: tuple[str, ...]
    severity: str
    label: str
    unused: bool
    sources: tuple[str, ...]
    partition_key: int | None = None  # the map's key column holding the partition (unused)
    # the reports whose inputs it guards (compiler/kinds/coverage/plan.serves): computed when
    # the run computes one of them
    serves: tuple[str, ...] = ()
    at: Loc | None = None

    def active(self, ctx: Any) -> bool:
        """Whether the run computes this node: it computes a report the node serves (a
        --select or a `when:` can leave them all out)."""
        return any(ctx.computes(r) for r in self.serves)

    def new_acc(self) -> KeyedRows:
        """key → [records that carried it] (only what `unused` needs): the key tuple in the
        Python scan, its key_text from the SQL aggregate."""
        return KeyedRows((0,))

    def see(self, ctx: Any, key: tuple[Any, ...], line: int) -> None:
        """The Python scan: a record of the current input passed a source's filter with
        `key`. A gap when the map has no confirmed entry for it (the SQL `errors` statement
        tests the same on its join, and calls `gap`)."""
        if self.map is None:
            gap(ctx, self, key, line, None)
            return
        m = ctx.maps[self.map]
        if key in m.entries:
            return
        gap(ctx, self, key, line, m.status.get(key))

    def finish(self, ctx: Any, part: Any) -> None:
        """D1303 for the entries of partition `part` no record used, when the run computes the
        node and read every source (an omitted optional source would make every entry look
        unused)."""
        if not self.unused or self.map is None or not set(self.sources) <= ctx.read \
                or not self.active(ctx):
            return
        # the Python scan keys the accumulator by the key tuple, the SQL aggregate by its text
        used = {k if isinstance(k, str) else key_text(k) for k in ctx.acc[self.id].get(part) or {}}
        m = ctx.maps[self.map]
        entries = sorted((line, key) for key, line in m.lines.items())
        for line, key in entries:
            if self.partition_key is not None and str(key[self.partition_key]) != str(part):
                continue
            if key_text(key) not in used:
                ctx.report(catalog.coverage_unused(self.id, self.map,
                                                   "[" + shown(self.key_names, key) + "]",
                                                   file=m.file, line=line))


def gap(ctx: Any, node: Coverage, key: tuple[Any, ...], line: int, status: str | None) -> None:
    """A record (at `line` of the current input) is an item of `node` (status: the entry's,
    when it has one that is not confirmed)."""
    if not node.active(ctx):
        return  # the run computes none of the reports it serves (--select, when:)
    if node.map is not None and ctx.maps[node.map].failed:
        return  # its source failed as a whole: the gaps would be follow-on errors of that one
    k = (node.id, key, ctx.file)
    got = ctx.gaps.get(k)
    if got is None:
        if node.map is None:
            why = f"— {node.label}" if node.label else ""
        elif status is None:
            why = f"não tem equivalência no mapa '{node.map}'"
        else:
            why = (f"tem no mapa '{node.map}' uma equivalência de status {quoted(status)} "
                   "(não confirmada)")
        ctx.gaps[k] = Gap(node=node, key=key, file=ctx.file, lines=[line], why=why)
        return
    got.count += 1
    if len(got.lines) < _FIRST_LINES:
        got.lines.append(line)


def reports(ctx: Any) -> tuple[list[DataError], list[DataError]]:
    """(errors, warnings) of the run's coverage items, in the order first met: D1301 errors
    (D1302 warnings when the run allows gaps), D1304 warnings."""
    errors: list[DataError] = []
    warnings: list[DataError] = []
    for g in ctx.gaps.values():
        e = g.error(ctx.allow_gaps)
        (warnings if e.severity == "aviso" else errors).append(e)
    return errors, warnings


def python_maps(ctx: Any, pkg: Any, ledgers: Mapping[str, Any]) -> None:
    """On the SQL back ends the maps live in the engine; the maps of coverage nodes with
    `unused` are built here too, in Python, from their sources (a município's equivalências:
    paths or in-memory rows, read again by the Python reader; Parquet through pyarrow)."""
    from runtime.inputs import build_maps

    wanted = {n.map for n in pkg.nodes if isinstance(n, Coverage) and n.unused and n.map}
    for source in dict.fromkeys(m.source for m in pkg.maps if m.id in wanted):
        src = ledgers.get(source)
        if src is None:
            continue
        led = pkg.ledger(source)
        display = ctx.maps[next(m.id for m in pkg.maps if m.source == source)].file
        st = ReadStats(name=source, path=display)
        reader = Reader(led, source, pkg.partition)
        if isinstance(src, str | Path) and Path(src).suffix.lower() == ".parquet":
            from runtime.program import _parquet_rows

            rows = list(reader.read_rows(_parquet_rows(Path(src)), display, st))
        elif isinstance(src, str | Path):
            rows = list(reader.read_csv(Path(src), display, st))
        else:
            rows = list(reader.read_rows(src, display, st))
        errors = ctx._errors[:]  # D0202 was reported by the engine's `duplicates`
        build_maps(ctx, pkg, source, rows, display)
        ctx._errors[:] = errors
