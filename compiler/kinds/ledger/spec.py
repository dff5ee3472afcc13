"""A ledger spec → LedgerSpec: reading format, stored fields, derived fields."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler import catalog
from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YNode
from compiler.yamlnodes import YScalar


def format_spec(f: YMap) -> S.FormatSpec:
    """A reading format (`format:` of a ledger, and of a table: compiler/kinds/table)."""
    return S.FormatSpec(type=S.string(f, "type", "csv"), delimiter=S.string(f, "delimiter", ";"),
                        encoding=S.string(f, "encoding", "utf-8"),
                        decimal=S.string(f, "decimal", ","),
                        thousands=S.string(f, "thousands", ""),
                        date=S.string(f, "date", "DD/MM/YYYY"), true=S.string(f, "true", "S"),
                        false=S.string(f, "false", "N"), header=S.boolean(f, "header", True))


def field_specs(node: YNode | None) -> tuple[S.FieldSpec, ...]:
    """Typed fields (a ledger's `fields:`, a table's `columns:`): type, required, scale."""
    return tuple(_field(k, S.mapping(v)) for k, v in S.mapping(node).items)


class _Ledger:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> S.LedgerSpec:
        derived = tuple(S.DerivedSpec(name=k.value, expr=v, span=k.span)
                        for k, v in S.mapping(root.get("derived")).items
                        if isinstance(v, YScalar))
        return S.LedgerSpec(**base, format=format_spec(S.mapping(root.get("format"))),
                            fields=field_specs(root.get("fields")), derived=derived,
                            optional=S.boolean(root, "optional", False))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        out = []
        for spec in specs:
            if not isinstance(spec, S.LedgerSpec):
                continue
            for f in spec.fields:
                if f.optional and f.required_span is not None:
                    out.append(catalog.optional_column_required(f.required_span, name=f.name))
        return out


def _field(k: YScalar, v: YMap) -> S.FieldSpec:
    """A field; `optional: true` (the column may be missing) makes it `required: false`."""
    optional = S.boolean(v, "optional", False)
    required = S.boolean(v, "required", not optional)
    said = S.scalar(v, "required")
    return S.FieldSpec(name=k.value, type=S.string(v, "type"), required=required and not optional,
                       scale=S.integer(v, "scale") or 2, span=k.span, optional=optional,
                       required_span=said.span if said is not None and required else None)


PART = _Ledger()
