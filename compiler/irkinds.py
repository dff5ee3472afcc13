"""The IR nodes of the Portal do Gestor and Transparência MG kinds — `indicator`
(compiler/kinds/indicator: Measure, Rank, Ratio, Indicator) and `derivation`
(compiler/kinds/derivation: DerivedValue, Classify, Related, Collect, Warn, Derivation) — split
from compiler/ir.py, which re-exports them by name, so every `ir.X` stays."""

from __future__ import annotations

from dataclasses import dataclass

from compiler.irexpr import Aggregate
from compiler.irexpr import Expr
from compiler.source import Span
from compiler.types import Type


@dataclass(frozen=True, slots=True, kw_only=True)
class Measure:
    """One measure of an indicator: `aggs` indexes the node's accumulated aggregates (a
    sum/count/min/max: one; an average: its sum and its count); `places` the decimal places
    the value is written with (None: an int or count, as it is); `requires` (not empty): the
    measure is a precondition — zero or null in a partition is D1501, saying what to provide."""

    name: str
    func: str  # sum | count | min | max | avg
    aggs: tuple[int, ...]
    type: Type
    places: int | None
    text: str
    span: Span
    requires: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivedValue:
    """A field a derivation computes: per record, an expression over the record (earlier fields
    already substituted); per key, an expression over the key fields and `aggregates`
    (each `Aggregate` in it reads the key's records)."""

    name: str
    expr: Expr
    text: str
    span: Span
    # explain's if-branches (compiler/kinds/derivation/branches.py): the arms of the if-chain
    # the expression is, or the if-arguments of the call it is (`join_texts(..., if ...)`)
    arms: tuple[Arm, ...] = ()
    call: str = ""                     # that call's function ("" when none)
    parts: tuple[Part, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Arm:
    """One arm of an if-chain as written: its condition (None: the final `else`) and value
    texts, where the condition (the else: its value) is, and the if-chain its `then` is."""

    cond: str | None
    value: str
    span: Span
    inner: tuple[Arm, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Part:
    """An argument of a call that is an if-chain: its 0-based position, text and arms."""

    index: int
    text: str
    span: Span
    arms: tuple[Arm, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rank:
    """Top/bottom `n` of the records by measure `by` (`desc`: largest first); ties broken by
    the key fields `ties` in ascending order (then every key): the position is 1..n."""

    by: int
    desc: bool
    n: int
    ties: tuple[int, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Classify:
    """A field of a per-record derivation looked up in a map (`key` a ledger field): a text
    the map does not have is reported (D1802), never guessed; a null key gives null."""

    name: str
    map: str
    key: str
    value: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Ratio:
    """`numerator / denominator × 100` (percent, `places`), against the legal `limit` (an
    expression over the parameters): `minimum` (at least: health, education) or not (at most:
    personnel); `basis` is the legal basis the spec states."""

    numerator: int
    denominator: int
    places: int
    limit: Expr
    limit_text: str
    minimum: bool
    basis: str
    requires: str  # what to provide when the denominator is missing (D1501)
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Related:
    """A collection of a per-record derivation: the records of `ledger` whose `on` fields equal
    this record's (related field, this field), for which `where` holds (it reads this record's
    fields as FieldRefs named OUTER + name), in `order` (field, descending; nulls last), ties in
    input order."""

    name: str
    ledger: str
    on: tuple[tuple[str, str], ...]
    where: Expr | None
    where_text: str
    order: tuple[tuple[str, bool], ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Indicator:
    """An indicator spec (compiler/kinds/indicator): per partition, the records of `source`
    that pass `filter` (the period's test included), grouped by `keys`, the `aggregates`
    accumulated per key (keyed accumulator), then at finish — Python on every back end —
    the measures, the ratio against its limit and the ranking. `info` are the catalog facts
    (runtime/portal_record.IndicatorInfo's fields, in order)."""

    id: str
    indicator: str
    info: tuple[tuple[str, str], ...]
    provisional_facts: tuple[str, ...]
    source: str
    filter: Expr | None
    filter_text: str
    keys: tuple[tuple[str, Expr, str], ...]
    aggregates: tuple[Aggregate, ...]
    agg_texts: tuple[str, ...]
    measures: tuple[Measure, ...]
    rank: Rank | None
    ratio: Ratio | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Collect:
    """One use of a collection in a derivation's expressions, read there as FieldRef `_c<index>`:
    count (value: a condition or None), any/all (a condition), sum (a number), first/last (the
    collection's first/last record), max_by/min_by (value: the key; ties: the collection's
    order) — of those four, `field` is the related record's field read."""

    index: int
    related: str
    func: str
    value: Expr | None
    field: str | None
    text: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Warn:
    """A per-record condition that, when true, is a warning naming the record (D1803, or
    `code`, a spec-warning code of the catalog), by `show` fields when given."""

    id: str
    cond: Expr
    text: str
    message: str
    span: Span
    code: str = ""
    show: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Incremental:
    """A derivation's state across loads (compiler/kinds/derivation/incremental.py): the
    record key (named expressions over the ledger record), the scope (key names: an extract is
    the full picture of the scopes it holds) and the optional change report."""

    key: tuple[tuple[str, Expr], ...]
    texts: tuple[str, ...]          # "name: expression" as written (diff, S2104)
    scope: tuple[str, ...]
    changes: str = ""               # the change report's file ('' = none)
    records: tuple[str, ...] = ()   # record fields whose old → new it lists, per record key
    fields: tuple[str, ...] = ()    # this derivation's fields whose old → new it lists
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Frozen:
    """A field whose value, once it meets `when` for a key, every later load writes again
    (compiler/kinds/derivation/frozen.py); `since`: the output column giving that load."""

    field: str
    type: Type                      # the field's type (stored values are read back by it)
    when: Expr                      # over the output record's fields, as written
    text: str
    reads: tuple[tuple[str, str], ...] = ()  # the fields `when` reads, with their types
    since: str = ""
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Derivation:
    """Computed fields per record of `ledger`, or per key (`per`) over its records
    (compiler/kinds/derivation); written as a CSV file of `columns`."""

    id: str
    ledger: str
    per: tuple[str, ...]            # () = one output record per input record
    classify: tuple[Classify, ...]
    fields: tuple[DerivedValue, ...]
    unique: tuple[str, ...]         # field names no two records may share (D1801)
    warnings: tuple[Warn, ...]
    columns: tuple[str, ...]        # output columns: key and field names, in order
    file: str
    span: Span
    alternative_of: str = ""
    file_span: Span | None = None
    related: tuple[Related, ...] = ()
    collects: tuple[Collect, ...] = ()
    incremental: Incremental | None = None
    file_names: tuple[str, ...] = ()  # fields holding file names (D1804 when unfit)
    each: str = ""                    # a collection: one output record per member
    frozen: tuple[Frozen, ...] = ()   # incremental.frozen: values kept across loads
    union: Union | None = None        # `each:` over several collections (its `as:` is `each`)
    json: JsonOut | None = None       # output.json: one JSON file per output record


@dataclass(frozen=True, slots=True, kw_only=True)
class With:
    """One lookup of `each.with:`: per member, the `fields` of the first record (by line) of
    `ledger` whose `on` fields (theirs, then the member's — a field of the union, of an
    earlier lookup, or this record's as OUTER + name) match."""

    ledger: str
    on: tuple[tuple[str, str], ...]
    fields: tuple[str, ...]                  # the member fields read from ledger


@dataclass(frozen=True, slots=True, kw_only=True)
class Union:
    """`each:` over several collections, in order (compiler/kinds/derivation/union.py): the
    members carry the fields every one of them has (same type) and `colecao`, the
    collection's name; each of `withs` adds, per member, the fields of a ledger's first
    record (by line) whose keys match; `keep` names a boolean field (rows where it is not
    true are dropped); `dedupe` names fields whose equal non-null values make one row per
    record (the first), `join` a text field listing every row's value; `next_mark` a
    boolean field left true, per record, only on the rows of least `next_order` among those
    where it is true."""

    collections: tuple[str, ...]
    member: tuple[tuple[str, str], ...]      # (field, type base) of the union's members
    withs: tuple[With, ...] = ()
    keep: str = ""
    dedupe: tuple[str, ...] = ()
    join: str = ""
    next_mark: str = ""
    next_order: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonOut:
    """`output.json:` (compiler/kinds/derivation/jsonout.py): per output record where `when`
    holds, the file `<dir>/<name>.json` with `fields` and, as the list `items_as`, the
    `items_fields` of the rows of derivation `items` whose `items_on` is the record's `name`
    (in `items_order`, then their order)."""

    dir: str
    name: str
    when: str
    fields: tuple[str, ...]
    items: str = ""
    items_on: str = ""
    items_as: str = ""
    items_fields: tuple[str, ...] = ()
    items_order: tuple[str, ...] = ()
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One field of a data dictionary: its texts exactly as the spec writes them (None: not
    given) and, for `value:`, the output that holds it — per node of the value's group of
    alternatives (the one the run computes is shown): (node, file, column, rule text)."""

    id: str
    where: str
    label: str
    replaces: str | None
    tooltip: str | None
    after: str | None
    note: str | None
    value: tuple[tuple[str, str, str, str], ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Dictionary:
    """The data dictionary of one consulta (compiler/kinds/dictionary), written as `json` and
    `markdown` at the root of --out."""

    id: str
    consulta: str
    description: str
    entries: tuple[Entry, ...]
    json: str
    markdown: str
    span: Span
    file_spans: tuple[Span, ...] = ()  # where `json` and `markdown` are named (S0502, S2162)
