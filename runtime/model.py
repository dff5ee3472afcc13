"""Descriptions of a compiled package, as generated code declares them (PACKAGE = Package(...))."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Protocol

from runtime.locations import Loc
from runtime.params import convert_param

# What a run reads for one ledger: a file path, or rows in memory (mappings field → value).
LedgerInput = str | Path | Iterable[Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class Param:
    """A run parameter: name, type (int/decimal/str/bool/date), optional bounds, and the text
    of its default (package.yaml `default:`, parsed as a CLI value; None: the run must give it)."""

    name: str
    type: str
    min: int | None = None
    max: int | None = None
    default: str | None = None


@dataclass(frozen=True, slots=True)
class Field:
    """A ledger field."""

    name: str
    type: str
    required: bool = True
    scale: int = 2
    # the column may be missing from the file (or an in-memory record): it then reads null
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Derived:
    """A ledger's derived field (`derived:`) as written, with its YAML position: the scans
    compute it inline; this is what apura explain shows of its definition."""

    name: str
    text: str
    at: Loc | None = None


@dataclass(frozen=True, slots=True)
class CsvFormat:
    """How a ledger file is read."""

    delimiter: str = ";"
    encoding: str = "utf-8"
    decimal: str = ","
    thousands: str = ""
    date: str = "DD/MM/YYYY"
    true: str = "S"
    false: str = "N"
    header: bool = True


@dataclass(frozen=True, slots=True)
class TableFile:
    """A table shipped with the package (compiler/kinds/table): its normalized copy (a path
    relative to the package folder, read like a ledger file), the copy's sha256 (checked before
    it is read, D1001) and its number of rows."""

    path: str
    sha256: str
    rows: int = 0


@dataclass(frozen=True, slots=True)
class Ledger:
    """An input table and the generated function that scans it (None when no node reads it)."""

    id: str
    fields: tuple[Field, ...]
    format: CsvFormat
    scan: Callable[..., None] | None = None
    # the nodes whose records count as reaching a report (D0601 names them): its layouts
    layouts: tuple[str, ...] = ()
    # The scan accepts decimal values as their checked cell text and converts them itself
    # (ScanContext.amount) where a record uses them.
    text_amounts: bool = False
    # A table shipped with the package: not an input of the run (--input refuses it, D1002);
    # the runtime reads its copy (D1001 when the copy is not the one compiled).
    table: TableFile | None = None
    # a run may omit this input: what reads it then sees no records (aviso D0801)
    optional: bool = False
    # the maps its scan looks up (a run reading it reads their sources too); None in a
    # package compiled before issue 9: then every map's source is read
    maps: tuple[str, ...] | None = None
    # (map, reports) for the maps of `maps` looked up only inside those reports' parts of the
    # scan: needed only when the run computes one of them (--select, when:)
    gated_maps: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # its derived fields in dependency order (apura explain shows those a value reads)
    derived: tuple[Derived, ...] = ()


@dataclass(frozen=True, slots=True)
class Map:
    """A lookup table built from a ledger."""

    id: str
    source: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    on_missing: str
    at: Loc | None = None
    # the source field holding each entry's status: an entry whose status is set and is not
    # CONFIRMED is unconfirmed, and a run that uses it fails (D0802) unless allowed (D0803)
    status: str | None = None


CONFIRMED = "CONFIRMADA"  # the one status value (besides none) that confirms an entry


def report_flag(index: int) -> str:
    """The SQL parameter telling whether a run computes the index-th report of the package
    (Package.reports order): the scans skip the parts of the others (compiler/scanplan.py)."""
    return f"_on_{index}"


@dataclass(frozen=True, slots=True)
class Column:
    """A value column: id (V0), SIOPS code, label, and the initial accumulator (0 or None)."""

    id: str
    code: int
    label: str
    init: Any = 0
    value: str = ""
    func: str = "sum"
    at: Loc | None = None  # where its value is written in the YAML (apura explain)


@dataclass(frozen=True, slots=True)
class Value:
    """A value row's expression for one column: its text, and the cells it reads with
    `cell(...)` (layout id, row index, column index), in the order written; `single` when
    the expression is exactly one cell."""

    column: int
    text: str
    cells: tuple[tuple[str, int, int], ...] = ()
    single: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """A row: ref, record id, #L marker, whether it is a totalizer (computed, not written);
    a value row's `values` say what each column computes."""

    ref: str
    record_id: str
    label: str
    marker: int
    totalizer: bool
    at: Loc | None = None
    kind: str = "rule"
    rule: str = ""
    total_of: tuple[int, ...] = ()
    values: tuple[Value, ...] = ()


@dataclass(frozen=True, slots=True)
class Layout:
    """A report sheet; `line` is the output line template of its file."""

    id: str
    planilha: int
    source: str | None
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    output_format: str
    output_file: str
    line: str
    depends_on: tuple[str, ...] = ()
    at: Loc | None = None
    filter: str = ""
    filter_at: Loc | None = None
    hit_policy: str = "unique"
    # Layouts of one group are alternatives of each other: a run selects at most one of them.
    alternative_of: str = ""

    def new_acc(self) -> list[list[Any]]:
        """A fresh accumulator table for one partition: one list of column values per row."""
        return [[c.init for c in self.columns] for _ in self.rows]

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source,) if self.source else ()

    @property
    def maps(self) -> tuple[str, ...]:
        return ()  # it reads maps only through its source's scan

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        """Its one file in partition `part`, rendered from its rows."""
        from runtime.outputs import render  # outputs imports this module

        return {self.output_file: render(self, ctx.rows(self.id, part))}


class Node(Protocol):
    """A computed node of a package (a layout; the kinds of compiler/kinds that compute
    something): what the runtime needs of every one. `new_acc()` builds what a scan
    accumulates into per partition (`ScanContext.acc[node.id][part]`): a table of rows (a
    list of lists, indexed by row) or rows by key (runtime/sheets.KeyedRows)."""

    @property
    def id(self) -> str: ...

    def new_acc(self) -> Any: ...


class Report(Node, Protocol):
    """A node that writes output files (a layout, a sheets node): what a run selects
    (`--select`), reads (`sources`, and the nodes it `depends_on`) and writes per partition
    (`output_files`, names relative to the partition's folder)."""

    @property
    def sources(self) -> tuple[str, ...]: ...

    @property
    def depends_on(self) -> tuple[str, ...]: ...

    @property
    def alternative_of(self) -> str: ...

    @property
    def maps(self) -> tuple[str, ...]:
        """The maps it reads when it writes its files (their sources are read by the run)."""

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]: ...


@dataclass(frozen=True, slots=True)
class Bundle:
    """package.yaml `bundle:`: the names, in every partition folder, of the zip of the files a
    complete run wrote there, of its manifest and of its provenance file (runtime/bundle.py)."""

    file: str
    manifest: str = "manifesto.csv"
    provenance: str = "proveniencia.csv"

    @property
    def names(self) -> tuple[str, str, str]:
        return (self.file, self.manifest, self.provenance)


@dataclass(frozen=True, slots=True)
class Package:
    """A compiled package as the runtime sees it: inputs (ledgers, maps) and the computed nodes
    in the compiler's registry order (a kind's nodes may read those of the kinds before)."""

    id: str
    partition: str | None
    params: tuple[Param, ...]
    ledgers: tuple[Ledger, ...]
    maps: tuple[Map, ...]
    nodes: tuple[Node, ...]
    finish: Callable[..., None]
    spec_hash: str
    compiler_version: str
    # `active(params)` → {node id: computed?} for the nodes with a `when:` (None: none has)
    active: Callable[[dict[str, Any]], dict[str, bool]] | None = None

    def inactive(self, params: dict[str, Any]) -> frozenset[str]:
        """The nodes a run of these (checked) parameters does not compute (their `when:`)."""
        if self.active is None:
            return frozenset()
        # a parameter the run does not give takes its default (Program.check_params)
        full = {p.name: convert_param(p.type, p.default) for p in self.params
                if p.default is not None and p.name not in params}
        return frozenset(n for n, on in self.active({**params, **full}).items() if not on)
    bundle: Bundle | None = None
    # the layout year of this view (runtime/views.py), None for a package without years; the
    # views share one spec hash, so the journal and the provenance stamp record it
    layout_year: int | None = None
    # package.yaml `select:`: what a run without --select selects (the rule in force)
    default_select: str | None = None

    @property
    def layouts(self) -> tuple[Layout, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Layout))

    @property
    def reports(self) -> tuple[Report, ...]:
        """The nodes that write files, in registry then file order (layouts, sheets)."""
        return tuple(n for n in self.nodes if hasattr(n, "output_files"))  # type: ignore[misc]

    def report(self, node_id: str) -> Report:
        for r in self.reports:
            if r.id == node_id:
                return r
        raise KeyError(node_id)

    def layout(self, layout_id: str) -> Layout:
        for lay in self.layouts:
            if lay.id == layout_id:
                return lay
        raise KeyError(layout_id)

    def node(self, node_id: str) -> Node:
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def ledger(self, ledger_id: str) -> Ledger:
        for led in self.ledgers:
            if led.id == ledger_id:
                return led
        raise KeyError(ledger_id)
