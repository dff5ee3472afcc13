"""What a run reads: which ledgers (the sources of its nodes and of the maps they look up),
the optional ones it was not given (read as no records, D0801), and the maps built from the
map sources — each entry with its line, and, in a map with a `status` field, the entries
whose status is not confirmed kept apart (RuntimeMap.suspect: a use is D0802) — and the
checked copies of the tables shipped with the package (D1001)."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.csvfile import os_reason
from runtime.errors import DataError
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.model import CONFIRMED
from runtime.model import LedgerInput
from runtime.model import Package
from runtime.scan import ScanContext


class OmittedInput(list):  # type: ignore[type-arg]
    """An optional input the run was not given: no records; its name in the journal and the
    summary is `<ausente:NAME>` (no file, no sha256)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name


def with_map_sources(pkg: Package, sources: set[str],
                     computed: Collection[str] | None = None) -> list[str]:
    """The ledgers `sources` and the sources of the maps they look up (whose own lookups count
    too), in the package's order — but for a map looked up only by reports the run does not
    compute (`computed`: the report ids; None: all), whose parts of the scan are skipped. A
    package compiled before issue 9 does not say which maps a ledger looks up (Ledger.maps is
    None): then every map's source."""
    source_of = {m.id: m.source for m in pkg.maps}
    sources = set(sources)
    stack = list(sources)
    while stack:
        led = pkg.ledger(stack.pop())
        looked: Iterable[str] = led.maps if led.maps is not None else \
            source_of if led.scan is not None else ()
        if computed is not None:
            skipped = {m for m, by in led.gated_maps if not set(by) & set(computed)}
            looked = [m for m in looked if m not in skipped]
        for m in looked:
            if source_of[m] not in sources:
                sources.add(source_of[m])
                stack.append(source_of[m])
    return [led.id for led in pkg.ledgers if led.id in sources]


def omitted_warnings(pkg: Package, omitted: list[str],
                     off: frozenset[str] = frozenset()) -> list[DataError]:
    """D0801 (a warning) for each optional input the run was not given, naming what reads it
    — not the nodes `off` (a false `when:`), which the run would not compute anyway."""
    out = []
    for name in omitted:
        readers = [r.id for r in pkg.reports if name in r.sources and r.id not in off]
        readers += [n.id for n in pkg.nodes if getattr(n, "source", None) == name
                    and n.id not in readers and n.id not in off]
        shown = [f"'{r}'" for r in readers]
        shown += [f"o mapa '{m.id}'" for m in pkg.maps if m.source == name]
        out.append(catalog.omitted_input(name, ", ".join(shown) or "nenhum nó"))
    return out


def build_maps(ctx: ScanContext, pkg: Package, ledger: str, rows: list[tuple[Any, ...]],
               display: str) -> None:
    """Fill the maps whose source is `ledger` from its rows (read in full): D0202 for a key
    repeated; an entry whose status (the map's `status` field) is set and not CONFIRMADA goes
    to `suspect`, out of the direct-hit `entries` (RuntimeMap.find notes its uses)."""
    led = pkg.ledger(ledger)
    names = [f.name for f in led.fields]
    for m in pkg.maps:
        if m.source != ledger:
            continue
        kidx = [names.index(k) for k in m.key]
        vidx = [names.index(v) for v in m.values]
        sidx = names.index(m.status) if m.status is not None else None
        rt = ctx.maps[m.id]
        first_line: dict[tuple[Any, ...], int] = {}
        for r in rows:
            key = tuple(r[i] for i in kidx)
            if key in first_line:
                ctx._errors.append(duplicate_key(m, key, r[-1], first_line[key], display))
                continue
            first_line[key] = r[-1]
            status = r[sidx] if sidx is not None else None
            if status is not None and status != CONFIRMED:
                rt.suspect[key] = tuple(r[i] for i in vidx)
                rt.status[key] = status
            else:
                rt.entries[key] = tuple(r[i] for i in vidx)
        rt.lines, rt.file = first_line, display


def duplicate_key(m: Any, key: tuple[Any, ...], line: int, first: int,
                  display: str) -> DataError:
    """D0202 for map `m`: `key` again at `line` (first at `first`)."""
    shown = ", ".join(f"{k}={v}" for k, v in zip(m.key, key, strict=True))
    return catalog.duplicate_key(m.id, shown, first, file=display, line=line)


def table_copies(pkg: Package, folder: Path,
                 names: list[str]) -> tuple[dict[str, str], list[DataError]]:
    """The copies of the tables `names` in the compiled package at `folder`
    (generated/<pkg>/tables/<id>.csv, shown relative to the working directory when under it),
    each checked against the sha256 the compiler recorded: a copy edited or missing is D1001."""
    found: dict[str, str] = {}
    errors: list[DataError] = []
    for name in names:
        tf = pkg.ledger(name).table
        assert tf is not None
        path = folder / tf.path
        shown = _shown_path(path)
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            errors.append(catalog.table_copy_changed(name, shown, os_reason(exc)))
            continue
        if digest != tf.sha256:
            errors.append(catalog.table_copy_changed(
                name, shown, f"o sha256 é {digest[:12]}…, o compilado é {tf.sha256[:12]}…"))
            continue
        found[name] = shown
    return found, errors


def _shown_path(path: Path) -> str:
    """A path relative to the working directory when it is under it, else absolute."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def report_maps(ctx: ScanContext, pkg: Package, reports: Iterable[Any],
                tables: dict[str, str]) -> None:
    """On the SQL back ends the maps live in the engine; the maps a report reads when it writes
    its files (runtime/sheets.py: its rows and file names) are built here too, in Python, from
    the checked copies of their tables (`tables`: table id → path)."""
    wanted = {m for r in reports for m in r.maps}
    for source in dict.fromkeys(m.source for m in pkg.maps if m.id in wanted):
        path = tables.get(source)
        if path is None:  # not a table: the report kinds read only tables (S1501)
            continue
        st = ReadStats(name=source, path=path)
        rows = list(Reader(pkg.ledger(source), source, pkg.partition).read_csv(
            Path(path), path, st))
        build_maps(ctx, pkg, source, rows, path)


def input_display(src: LedgerInput, name: str) -> str:
    """How messages and the journal name an input: its path, or what stands for it."""
    if isinstance(src, str | Path):
        return Path(src).as_posix()
    if isinstance(src, OmittedInput):
        return f"<ausente:{name}>"
    return f"<memória:{name}>"
