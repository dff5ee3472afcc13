"""How two layouts differ (`apura diff`): sheet attributes (planilha, filter, hit_policy,
output), columns by id and rows by ref — added, removed, moved, renumbered (#L), rule, values,
total_of, label and record_id changed. Expressions compare by their canonical printed text."""

from __future__ import annotations

from compiler import ir
from compiler.diff.items import Part
from compiler.diff.items import compare
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


# The row kinds by their YAML key.
ROW_KIND = {ir.RowKind.RULE: "rule", ir.RowKind.OTHERWISE: "otherwise",
            ir.RowKind.VALUES: "values", ir.RowKind.TOTAL: "total_of"}


def _column(c: ir.Column) -> list[tuple[str, Value]]:
    return [("code", c.code), ("label", c.label), ("value", c.text or None)]


COLUMN: Part[ir.Column] = Part(kind="column", key=lambda c: c.id, content=_column,
                         span=lambda c: c.span, ordered=True, title=lambda c: c.label)


def _row_part(lay: ir.Layout) -> Part[ir.Row]:
    refs = {r.index: r.ref for r in lay.rows}
    cols = {c.index: c.id for c in lay.columns}

    def content(r: ir.Row) -> list[tuple[str, Value]]:
        out: list[tuple[str, Value]] = [("kind", ROW_KIND[r.kind])]
        if r.kind is ir.RowKind.RULE:
            out.append(("rule", r.cond_text))
        out.extend((f"values.{cols[i]}", text) for i, _, text in r.values)
        if r.kind is ir.RowKind.TOTAL:  # a sum: the order of its rows says nothing
            out.append(("total_of", tuple(sorted(refs[j] for j in r.total_of))))
        out.extend([("label", r.label), ("record_id", r.record_id)])
        return out

    return Part(kind="row", key=lambda r: r.ref, content=content, span=lambda r: r.span,
                        ordered=True, markers=True, marker=lambda r: r.index,
                        title=lambda r: r.label)


def diff_layout(old: ir.Layout, new: ir.Layout) -> Found:
    top = attrs([("planilha", old.planilha, new.planilha), ("source", old.source, new.source),
                 ("filter", old.filter_text or None, new.filter_text or None),
                 ("hit_policy", old.hit_policy.value, new.hit_policy.value),
                 ("output.format", old.output_format, new.output_format),
                 ("output.file", old.output_file, new.output_file),
                 ("alternative_of", old.alternative_of or None, new.alternative_of or None)])
    rows = compare(_row_part(old), old.rows, new.rows, _row_part(new))
    return top, (*compare(COLUMN, old.columns, new.columns), *rows)


class _Differ:
    diff = staticmethod(diff_layout)


PART = _Differ()
