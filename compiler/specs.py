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


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamSpec:
    """A run parameter declared in package.yaml."""

    name: str
    type: str
    min: int | None
    max: int | None
    description: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class PackageSpec(SpecBase):
    """package.yaml: the package id, the partition field and the run parameters."""

    partition: Text | None
    params: tuple[ParamSpec, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldSpec:
    """A ledger field: name, type, whether an empty cell rejects the row, decimal scale."""

    name: str
    type: str
    required: bool
    scale: int
    span: Span


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


@dataclass(frozen=True, slots=True, kw_only=True)
class MapSpec(SpecBase):
    """A key → values table built from a ledger."""

    source: Text
    key: tuple[Text, ...]
    values: tuple[Text, ...]
    on_missing: str


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


Spec = PackageSpec | LedgerSpec | MapSpec | LayoutSpec


# ---------------------------------------------------------------- building from YNodes
def _scalar(m: YMap, key: str) -> YScalar | None:
    node = m.get(key)
    return node if isinstance(node, YScalar) else None


def _text(m: YMap, key: str) -> Text | None:
    node = _scalar(m, key)
    return Text(value=node.value, span=node.span) if node is not None else None


def _span_of(m: YMap, key: str) -> Span | None:
    node = _scalar(m, key)
    return node.span if node is not None else None


def _str(m: YMap, key: str, default: str = "") -> str:
    node = _scalar(m, key)
    return node.value if node is not None else default


def _int(m: YMap, key: str) -> int | None:
    node = _scalar(m, key)
    return int(node.value) if node is not None else None


def _bool(m: YMap, key: str, default: bool) -> bool:
    node = _scalar(m, key)
    return node.value == "true" if node is not None else default


def _map(node: YNode | None) -> YMap:
    return node if isinstance(node, YMap) else YMap(items=(), span=_nospan())


def _seq(node: YNode | None) -> tuple[YNode, ...]:
    return node.items if isinstance(node, YSeq) else ()


def _nospan() -> Span:
    return Span(file="", line=1, col=1, end_line=1, end_col=1, start=0, end=0)


def build(root: YMap, src: SourceFile, kind: str) -> Spec:
    """Build the typed spec; `root` has already passed JSON Schema validation."""
    id_node = _scalar(root, "id")
    assert id_node is not None
    base: dict[str, Any] = dict(kind=kind, id=id_node.value, src=src, span=root.span,
                                id_span=id_node.span, description=_str(root, "description"),
                                provisional=_text(root, "provisional"))
    if kind == "package":
        params = tuple(
            ParamSpec(name=k.value, type=_str(_map(v), "type"), min=_int(_map(v), "min"),
                      max=_int(_map(v), "max"), description=_str(_map(v), "description"),
                      span=k.span)
            for k, v in _map(root.get("params")).items)
        return PackageSpec(**base, partition=_text(root, "partition"), params=params)
    if kind == "ledger":
        f = _map(root.get("format"))
        fmt = FormatSpec(type=_str(f, "type", "csv"), delimiter=_str(f, "delimiter", ";"),
                         encoding=_str(f, "encoding", "utf-8"), decimal=_str(f, "decimal", ","),
                         thousands=_str(f, "thousands", ""), date=_str(f, "date", "DD/MM/YYYY"),
                         true=_str(f, "true", "S"), false=_str(f, "false", "N"),
                         header=_bool(f, "header", True))
        fields = tuple(
            FieldSpec(name=k.value, type=_str(_map(v), "type"),
                      required=_bool(_map(v), "required", True),
                      scale=_int(_map(v), "scale") or 2, span=k.span)
            for k, v in _map(root.get("fields")).items)
        derived = tuple(DerivedSpec(name=k.value, expr=v, span=k.span)
                        for k, v in _map(root.get("derived")).items if isinstance(v, YScalar))
        return LedgerSpec(**base, format=fmt, fields=fields, derived=derived)
    if kind == "map":
        def texts(key: str) -> tuple[Text, ...]:
            return tuple(Text(value=n.value, span=n.span) for n in _seq(root.get(key))
                         if isinstance(n, YScalar))
        source = _text(root, "source")
        assert source is not None
        return MapSpec(**base, source=source, key=texts("key"), values=texts("values"),
                       on_missing=_str(root, "on_missing", "error"))
    assert kind == "layout"
    columns = tuple(
        ColumnSpec(id=_str(_map(c), "id"), code=_int(_map(c), "code") or 0,
                   label=_str(_map(c), "label"), value=_scalar(_map(c), "value"), span=c.span,
                   label_span=_span_of(_map(c), "label"))
        for c in _seq(root.get("columns")))
    rows = tuple(_row(_map(r)) for r in _seq(root.get("rows")))
    out = _map(root.get("output"))
    output_file = _text(out, "file")
    assert output_file is not None
    return LayoutSpec(**base, planilha=_int(root, "planilha") or 0, source=_text(root, "source"),
                      filter=_scalar(root, "filter"), hit_policy=_str(root, "hit_policy", "unique"),
                      output_format=_str(out, "format", "impt"), output_file=output_file,
                      columns=columns, rows=rows, alternative_of=_text(root, "alternative_of"))


def _row(m: YMap) -> RowSpec:
    ref = _text(m, "ref")
    rid = _text(m, "record_id")
    assert ref is not None and rid is not None
    total_node = m.get("total_of")
    total: str | tuple[Text, ...] | None
    if isinstance(total_node, YScalar):
        total = total_node.value
    elif isinstance(total_node, YSeq):
        total = tuple(Text(value=n.value, span=n.span) for n in total_node.items
                      if isinstance(n, YScalar))
    else:
        total = None
    values = tuple((Text(value=k.value, span=k.span), v) for k, v in _map(m.get("values")).items
                   if isinstance(v, YScalar))
    ow = m.key_node("otherwise")
    total_key = m.key_node("total_of")
    return RowSpec(ref=ref, record_id=rid, label=_str(m, "label"), rule=_scalar(m, "rule"),
                   otherwise=_bool(m, "otherwise", False),
                   otherwise_span=ow.span if ow else None, values=values, total_of=total,
                   total_span=total_key.span if total_key is not None else None,
                   span=m.span)
