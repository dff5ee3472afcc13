"""The IR: backend-neutral plan nodes and typed expressions. A closed set; nothing here knows YAML.

Every node carries a span (for LOC tables, explain and diagnostics) and plan nodes a stable id
built from spec ids (`siops/covid/77/row/9999999013`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias
from typing import assert_never

from compiler.irexpr import Aggregate as Aggregate
from compiler.irexpr import And as And
from compiler.irexpr import Binary as Binary

# ---------------------------------------------------------------- expressions (compiler/irexpr.py)
from compiler.irexpr import BinOp as BinOp
from compiler.irexpr import Call as Call
from compiler.irexpr import CellRef as CellRef
from compiler.irexpr import CmpOp as CmpOp
from compiler.irexpr import Compare as Compare
from compiler.irexpr import Const as Const
from compiler.irexpr import DerivedRef as DerivedRef
from compiler.irexpr import Expr as Expr
from compiler.irexpr import FieldRef as FieldRef
from compiler.irexpr import GetField as GetField
from compiler.irexpr import If as If
from compiler.irexpr import InList as InList
from compiler.irexpr import IsNull as IsNull
from compiler.irexpr import MapLookup as MapLookup
from compiler.irexpr import Matches as Matches
from compiler.irexpr import Neg as Neg
from compiler.irexpr import Not as Not
from compiler.irexpr import Or as Or
from compiler.irexpr import ParamRef as ParamRef
from compiler.irkinds import Arm as Arm
from compiler.irkinds import Classify as Classify
from compiler.irkinds import Collect as Collect
from compiler.irkinds import Derivation as Derivation
from compiler.irkinds import DerivedValue as DerivedValue
from compiler.irkinds import Dictionary as Dictionary
from compiler.irkinds import Entry as Entry
from compiler.irkinds import Indicator as Indicator
from compiler.irkinds import JsonOut as JsonOut
from compiler.irkinds import Measure as Measure
from compiler.irkinds import Part as Part
from compiler.irkinds import Rank as Rank
from compiler.irkinds import Ratio as Ratio
from compiler.irkinds import Related as Related
from compiler.irkinds import Union as Union
from compiler.irkinds import Warn as Warn
from compiler.irkinds import With as With
from compiler.source import Span
from compiler.types import Type


# ---------------------------------------------------------------- plan nodes
@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """A run parameter: name, type, optional integer bounds, and the default a run that does
    not give it takes (its text as written in package.yaml, already checked; None: required)."""

    name: str
    type: Type
    min: int | None
    max: int | None
    span: Span
    default: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A stored ledger field."""

    name: str
    type: Type
    required: bool
    scale: int
    span: Span
    optional: bool = False  # the column may be missing: every record then reads null


@dataclass(frozen=True, slots=True, kw_only=True)
class Derived:
    """A derived field, computed per record in the listed order."""

    id: str
    name: str
    expr: Expr
    text: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class CsvFormat:
    """How a ledger file is read."""

    delimiter: str
    encoding: str
    decimal: str
    thousands: str
    date: str
    true: str
    false: str
    header: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Ledger:
    """An input table: fields, reading format and derived fields (in dependency order)."""

    id: str
    fields: tuple[Field, ...]
    format: CsvFormat
    derived: tuple[Derived, ...]
    span: Span
    optional: bool = False  # a run may omit it: what reads it then sees no records


@dataclass(frozen=True, slots=True, kw_only=True)
class Table(Ledger):
    """Reference data shipped with the specs (compiler/kinds/table): a ledger that is not an
    input of the run. The compiler checked the CSV `files` (rows typed, `key` unique) and
    writes the normalized `copy` (CSV text in `format`, the ledger dialect) as
    generated/<pkg>/`path`, whose sha256 the runtime checks before reading it. `rows` (typed
    values, copy order) and `lines` (each row's file and line) are for `apura diff` and the
    compile-time checks; no row reaches generated code."""

    files: tuple[str, ...]
    in_package: tuple[str, ...]  # the files relative to the package folder (what diff compares)
    source: str
    key: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    lines: tuple[tuple[str, int], ...]
    path: str
    copy: str
    sha256: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Map:
    """A lookup table built from a ledger (or a table): key fields → value fields."""

    id: str
    source: str
    key: tuple[str, ...]
    values: tuple[str, ...]
    on_missing: str
    span: Span
    status: str | None = None  # the source field with each entry's status (CONFIRMADA...)


class RowKind(enum.Enum):
    """How a row gets its values."""

    RULE = "rule"            # records matching `cond`, aggregated by the columns
    OTHERWISE = "otherwise"  # records of the layout that matched no other row
    VALUES = "values"        # scalar expressions per column
    TOTAL = "total"          # sum of other rows, column by column


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """A value column; `value` is the aggregate applied to each row's records."""

    id: str
    index: int
    code: int
    label: str
    value: Aggregate | None
    text: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """A layout row; `marker` is its #L number (document order, totalizers included)."""

    id: str
    index: int
    ref: str
    record_id: str
    label: str
    kind: RowKind
    cond: Expr | None
    cond_text: str
    values: tuple[tuple[int, Expr, str], ...]
    total_of: tuple[int, ...]
    span: Span


class HitPolicy(enum.Enum):
    """What happens when a record matches several rows."""

    UNIQUE = "unique"  # an error naming both rows and the record
    FIRST = "first"    # the first matching row (document order) wins


@dataclass(frozen=True, slots=True, kw_only=True)
class Layout:
    """A report sheet computed per partition and written as one file per partition."""

    id: str
    planilha: int
    source: str | None
    filter: Expr | None
    filter_text: str
    hit_policy: HitPolicy
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    output_format: str
    output_file: str
    span: Span
    alternative_of: str = ""  # a group of alternative layouts (at most one of them runs)


@dataclass(frozen=True, slots=True, kw_only=True)
class Assertion:
    """One assertion of a check: per partition, `left` equals `right` within `tolerance`.
    A side combines with + and - (Binary, Neg) cells (CellRef), the check's sums (Aggregate,
    each one of `Check.sums`) and numbers (Const)."""

    id: str
    name: str
    label: str
    severity: str  # "error" | "warning"
    tolerance: Decimal
    left: Expr
    right: Expr
    left_text: str
    right_text: str
    span: Span
    name_span: Span  # where a failure points (its `id:`), and that spec line's text
    line_text: str
    reads: tuple[str, ...]  # the layouts whose cells its sides read


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    """A check spec (compiler/kinds/check): `sums` are accumulated over every record of
    `ledger` (no filter, no row classification: each has its own `where`) by the ledger's scan;
    the assertions are evaluated at finish, after every layout."""

    id: str
    ledger: str | None
    sums: tuple[Aggregate, ...]
    sum_texts: tuple[str, ...]  # each sum as written (printed)
    assertions: tuple[Assertion, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class SheetPart:
    """What one source ledger adds to a `sheets` node: per record that passes `filter`, the
    planilha code (`sheet`: its parts, joined by '_'), the row key (`row`, looked up in the
    rows map by `row_lookup`: a key that is no row is D0201) and the aggregates of the
    columns it gives (`values`: column index → aggregate, with its text)."""

    index: int
    source: str
    filter: Expr | None
    filter_text: str
    sheet: tuple[Expr, ...]
    sheet_text: tuple[str, ...]
    row: Expr
    row_text: str
    row_lookup: MapLookup
    values: tuple[tuple[int, Aggregate, str], ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Sheets:
    """A set of planilhas (compiler/kinds/sheets): one file per planilha code that got a
    value, its lines the entries of the rows map (a table) that got one, in table order. The
    accumulator is keyed by `<code>;<row key>` (kinds.base.Accumulator with keyed=True)."""

    id: str
    columns: tuple[Column, ...]
    parts: tuple[SheetPart, ...]
    rows_map: str
    record_id: str
    marker: str
    mask: str  # "" (the key as it is) or e.g. "9.9.99.99.99.99"
    files_map: str
    stem: str
    output_format: str
    span: Span
    alternative_of: str = ""
    name: str = "{code}_{stem}.IMPT"  # the file name of a planilha
    # columns computed on each line from the others: (column, ((sign, column), ...), text)
    formulas: tuple[tuple[int, tuple[tuple[int, int], ...], str], ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.source for p in self.parts))


@dataclass(frozen=True, slots=True, kw_only=True)
class CoverageSource:
    """One ledger a `coverage` node reads: per record that passes `filter`, the key tuple
    `keys` (its `probe`: the lookup of the keys in the node's map, None without a map)."""

    index: int
    ledger: str
    filter: Expr | None
    filter_text: str
    keys: tuple[Expr, ...]
    keys_text: tuple[str, ...]
    probe: MapLookup | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Coverage:
    """A coverage spec (compiler/kinds/coverage): every key its sources' records carry must
    have a confirmed entry of `map` (a gap otherwise); without a map, every key is an item
    listed. `unused`: the map's entries of a partition no record used are listed too."""

    id: str
    map: str | None
    key_names: tuple[str, ...]  # how the items name their keys (the map's key columns)
    severity: str  # "error" (a gap; --allow-gaps makes it a warning) | "warning"
    label: str
    unused: bool
    sources: tuple[CoverageSource, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Allocation:
    """An allocation spec (compiler/kinds/allocation): sources of one ledger matched to the
    targets of another by party and class, applied by `policy` up to each target's `cap`.
    Field names are checked against the ledgers; `is_open`, `cap` and `rank` are typed
    expressions over the target ledger. The scans carry each record's values to the node
    (`source_fields` and the class `class_of`, `target_fields` with the cap, the open
    condition and the order keys, `party_fields`: compiler/kinds/allocation/plan.py); the
    order-dependent loop runs at finish in Python on every back end (runtime/allocation.py)."""

    id: str
    source: str
    id_fields: tuple[str, ...]
    party: str
    amount: str
    date: str
    order: tuple[str, ...]
    class_map: str
    class_keys: tuple[str, ...]
    class_value: str
    target: str
    target_key: str
    target_class: str
    target_date: str
    is_open: Expr
    open_text: str
    cap: Expr
    cap_text: str
    parties: str
    parties_target: str
    parties_party: str
    eligible: str
    policy: str
    rank: tuple[tuple[Expr, str, bool], ...]  # (key, text, descending)
    rule: str
    unlinked_rule: str
    origin: str
    classes: tuple[tuple[str, str], ...]
    summary: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, str], ...]
    span: Span
    # what the scans carry (FieldRefs, each source field once: the id fields, party, amount,
    # date and order; the class: lookup(class_map, class_keys...).class_value)
    source_fields: tuple[Expr, ...]
    class_of: Expr
    target_fields: tuple[Expr, ...]  # key, class, date
    party_fields: tuple[Expr, ...]   # target, party
    alternative_of: str = ""
    file_spans: tuple[Span, ...] = ()  # where each of `files` is named (S0502, S0503)

    @property
    def sources(self) -> tuple[str, ...]:
        return (self.source, self.target, self.parties)


# The plan nodes: one class per kind of compiler/kinds (a closed union; consumers dispatch with
# `match` + `assert_never`, so mypy names every consumer a new kind must reach).
PlanNode: TypeAlias = (Ledger | Table | Map | Layout | Sheets | Check | Coverage | Allocation
                       | Indicator | Derivation | Dictionary)


def kind_of(node: PlanNode) -> str:
    """The kind (registry name, compiler/kinds) a plan node belongs to."""
    match node:
        case Table():  # before Ledger: a table is a ledger shipped with the specs
            return "table"
        case Ledger():
            return "ledger"
        case Map():
            return "map"
        case Layout():
            return "layout"
        case Sheets():
            return "sheets"
        case Check():
            return "check"
        case Coverage():
            return "coverage"
        case Allocation():
            return "allocation"
        case Indicator():
            return "indicator"
        case Derivation():
            return "derivation"
        case Dictionary():
            return "dictionary"
        case _:
            assert_never(node)


@dataclass(frozen=True, slots=True, kw_only=True)
class Bundle:
    """package.yaml `bundle:`: per partition folder, a zip of every file the run wrote there,
    its manifest and its provenance file (runtime/bundle.py builds them)."""

    file: str
    manifest: str
    provenance: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Package:
    """A compiled package: everything a back end needs, in deterministic order.

    `nodes` holds the plan nodes in registry order (compiler/kinds), file order within a kind.
    `finish_order` lists (layout, row) pairs of VALUES/TOTAL rows in dependency order.
    """

    id: str
    description: str
    partition: str | None
    params: tuple[Param, ...]
    nodes: tuple[PlanNode, ...]
    finish_order: tuple[tuple[str, int], ...]
    spec_files: tuple[str, ...]
    spec_hash: str
    span: Span
    # `when:` of the nodes that have one: (node id, condition on the parameters, its text)
    when: tuple[tuple[str, Expr, str], ...] = ()
    bundle: Bundle | None = None
    # the layout year of this view (compiler/years.py); None for a package without years
    layout_year: int | None = None
    # package.yaml `select:`: what a run without --select selects (None: every report)
    default_select: str | None = None

    def of_kind(self, kind: str) -> tuple[PlanNode, ...]:
        return tuple(n for n in self.nodes if kind_of(n) == kind)

    @property
    def ledgers(self) -> tuple[Ledger, ...]:
        """The input ledgers (not the tables shipped with the specs: `tables`)."""
        return tuple(n for n in self.nodes if isinstance(n, Ledger) and not isinstance(n, Table))

    @property
    def readable(self) -> tuple[Ledger, ...]:
        """What the runtime reads like a ledger file: the ledgers and the tables (map sources)."""
        return tuple(n for n in self.nodes if isinstance(n, Ledger))

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Table))

    @property
    def maps(self) -> tuple[Map, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Map))

    @property
    def layouts(self) -> tuple[Layout, ...]:
        return tuple(n for n in self.nodes if isinstance(n, Layout))
