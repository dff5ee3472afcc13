"""A layout spec → LayoutSpec (columns, rows, output); the S05xx checks of what it writes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.outputs_check import check_layouts
from compiler.source import SourceFile
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar
from compiler.yamlnodes import YSeq


class _Layout:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> S.LayoutSpec:
        columns = tuple(
            S.ColumnSpec(id=S.string(S.mapping(c), "id"),
                         code=S.integer(S.mapping(c), "code") or 0,
                         label=S.string(S.mapping(c), "label"),
                         value=S.scalar(S.mapping(c), "value"), span=c.span,
                         label_span=S.span_of(S.mapping(c), "label"))
            for c in S.sequence(root.get("columns")))
        rows = tuple(_row(S.mapping(r)) for r in S.sequence(root.get("rows")))
        out = S.mapping(root.get("output"))
        output_file = S.text(out, "file")
        assert output_file is not None
        return S.LayoutSpec(**base, planilha=S.integer(root, "planilha") or 0,
                            source=S.text(root, "source"), filter=S.scalar(root, "filter"),
                            hit_policy=S.string(root, "hit_policy", "unique"),
                            output_format=S.string(out, "format", "impt"),
                            output_file=output_file, columns=columns, rows=rows,
                            alternative_of=S.text(root, "alternative_of"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return check_layouts(s for s in specs if isinstance(s, S.LayoutSpec))


def _row(m: YMap) -> S.RowSpec:
    ref = S.text(m, "ref")
    rid = S.text(m, "record_id")
    assert ref is not None and rid is not None
    total_node = m.get("total_of")
    total: str | tuple[S.Text, ...] | None
    if isinstance(total_node, YScalar):
        total = total_node.value
    elif isinstance(total_node, YSeq):
        total = S.texts(total_node)
    else:
        total = None
    values = tuple((S.Text(value=k.value, span=k.span), v)
                   for k, v in S.mapping(m.get("values")).items if isinstance(v, YScalar))
    ow = m.key_node("otherwise")
    total_key = m.key_node("total_of")
    return S.RowSpec(ref=ref, record_id=rid, label=S.string(m, "label"), rule=S.scalar(m, "rule"),
                     otherwise=S.boolean(m, "otherwise", False),
                     otherwise_span=ow.span if ow else None, values=values, total_of=total,
                     total_span=total_key.span if total_key is not None else None,
                     span=m.span)


PART = _Layout()
