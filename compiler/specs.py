"""Validated specs as frozen dataclasses, built from YNodes; every value keeps its Span."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YNode
from compiler.yamlnodes import YScalar
from compiler.yamlnodes import YSeq


@dataclass(frozen=True, slots=True, kw_only=True)
class Text:
    """A string value from YAML with its span."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecBase:
    """What every spec has: kind, id, the source file and spans."""

    kind: str
    id: str
    src: SourceFile
    span: Span
    id_span: Span
    description: str
    provisional: Text | None
    # `when:` — a condition on the run's parameters; a node whose condition is false is not
    # computed nor written (the kinds whose schema has the key: layout, check)
    when: YScalar | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamSpec:
    """A run parameter declared in package.yaml."""

    name: str
    type: str
    min: int | None
    max: int | None
    description: str
    span: Span
    # `default:` as written (checked against the type when lowered), or None: required
    default: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BundleSpec:
    """package.yaml `bundle:`: the zip each partition folder gets, its manifest and its
    provenance file (names as written, or the defaults, spanned at the `bundle` key)."""

    file: Text
    manifest: Text
    provenance: Text
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageSpec(SpecBase):
    """package.yaml: the package id, the partition field, the run parameters, the bundle."""

    partition: Text | None
    params: tuple[ParamSpec, ...]
    # the int parameter choosing the layout year (folders AAAA/ of the package), or None
    layout_year: Text | None = None
    bundle: BundleSpec | None = None
    # what a run without --select selects (a glob of report ids), e.g. the rule in force
    select: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """A ledger field: name, type, whether an empty cell rejects the row, decimal scale."""

    name: str
    type: str
    required: bool
    scale: int
    span: Span
    # the column may be missing from the file: every record then reads null (implies
    # required: false); `required_span`: where `required: true` was written, if it was
    optional: bool = False
    required_span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FormatSpec:
    """How to read a ledger file."""

    type: str
    delimiter: str
    encoding: str
    decimal: str
    thousands: str
    date: str
    true: str
    false: str
    header: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivedSpec:
    """A computed field: name and expression scalar."""

    name: str
    expr: YScalar
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerSpec(SpecBase):
    """An input table."""

    format: FormatSpec
    fields: tuple[FieldSpec, ...]
    derived: tuple[DerivedSpec, ...]
    # a run may omit this input: what reads it then sees no records
    optional: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class MapSpec(SpecBase):
    """A key → values table built from a ledger."""

    source: Text
    key: tuple[Text, ...]
    values: tuple[Text, ...]
    on_missing: str
    # the source field holding each entry's status (CONFIRMADA, SUGERIDA...), if any
    status: Text | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnSpec:
    """A value column V0.. of a layout."""

    id: str
    code: int
    label: str
    value: YScalar | None
    span: Span
    label_span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RowSpec:
    """A layout row: a rule, the otherwise row, explicit values, or a totalizer."""

    ref: Text
    record_id: Text
    label: str
    rule: YScalar | None
    otherwise: bool
    otherwise_span: Span | None
    values: tuple[tuple[Text, YScalar], ...]
    total_of: str | tuple[Text, ...] | None
    total_span: Span | None
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class LayoutSpec(SpecBase):
    """A report sheet (SIOPS planilha) written as one file per partition."""

    planilha: int
    source: Text | None
    filter: YScalar | None
    hit_policy: str
    output_format: str
    output_file: Text
    columns: tuple[ColumnSpec, ...]
    rows: tuple[RowSpec, ...]
    # Layouts of one group are alternatives (rule versions): at most one of them runs.
    alternative_of: Text | None = None


# The specs of the kinds in compiler/kinds (a new kind's spec class lives in its own folder,
# compiler/kinds/<name>/spec.py, and derives from SpecBase).
Spec = SpecBase


# ---------------------------------------------------------------- reading YNodes
def scalar(m: YMap, key: str) -> YScalar | None:
    node = m.get(key)
    return node if isinstance(node, YScalar) else None


def text(m: YMap, key: str) -> Text | None:
    node = scalar(m, key)
    return Text(value=node.value, span=node.span) if node is not None else None


def span_of(m: YMap, key: str) -> Span | None:
    node = scalar(m, key)
    return node.span if node is not None else None


def string(m: YMap, key: str, default: str = "") -> str:
    node = scalar(m, key)
    return node.value if node is not None else default


def integer(m: YMap, key: str) -> int | None:
    node = scalar(m, key)
    return int(node.value) if node is not None else None


def boolean(m: YMap, key: str, default: bool) -> bool:
    node = scalar(m, key)
    return node.value == "true" if node is not None else default


def mapping(node: YNode | None) -> YMap:
    return node if isinstance(node, YMap) else YMap(items=(), span=_nospan())


def sequence(node: YNode | None) -> tuple[YNode, ...]:
    return node.items if isinstance(node, YSeq) else ()


def texts(node: YNode | None) -> tuple[Text, ...]:
    """A list of scalars as Texts (non-scalars were refused by the schema)."""
    return tuple(Text(value=n.value, span=n.span) for n in sequence(node)
                 if isinstance(n, YScalar))


def _nospan() -> Span:
    return Span(file="", line=1, col=1, end_line=1, end_col=1, start=0, end=0)


def base_fields(root: YMap, src: SourceFile, kind: str) -> dict[str, Any]:
    """The SpecBase fields of a document: kind, id, src, spans, description, provisional."""
    id_node = scalar(root, "id")
    assert id_node is not None
    return dict(kind=kind, id=id_node.value, src=src, span=root.span, id_span=id_node.span,
                description=string(root, "description"), provisional=text(root, "provisional"),
                when=scalar(root, "when"))
