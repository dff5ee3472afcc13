"""A table spec → TableSpec: the CSV file beside it, its dialect, typed columns (the field
types of a ledger), the key, where the data comes from, and the known duplicate keys it
resolves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.kinds.ledger.spec import field_specs
from compiler.kinds.ledger.spec import format_spec
from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolveSpec:
    """A duplicate key of the data and the row that stays (`keep`: column → cell text)."""

    key: tuple[S.Text, ...]
    keep: tuple[tuple[S.Text, S.Text], ...]
    reason: S.Text
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class TableSpec(S.SpecBase):
    """Reference data shipped with the specs: a CSV file read at compile time."""

    files: tuple[S.Text, ...]  # `file:`, one path or a list (their rows in that order)
    format: S.FormatSpec
    quoting: str
    columns: tuple[S.FieldSpec, ...]
    key: tuple[S.Text, ...]
    source: S.Text
    resolve: tuple[ResolveSpec, ...]
    # (column, the texts it admits): a vocabulary an analyst's rows must keep to
    values: tuple[tuple[str, tuple[str, ...]], ...] = ()


class _Table:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> TableSpec:
        f = S.mapping(root.get("format"))
        fmt = format_spec(f)
        file, source = root.get("file"), S.text(root, "source")
        assert source is not None  # required by the schema
        # no file: the table's rows are all in `rows` specs (compiler/kinds/rows)
        files = () if file is None else S.texts(file) if not isinstance(file, YScalar) else \
            (S.Text(value=file.value, span=file.span),)
        resolve = []
        for item in S.sequence(root.get("resolve")):
            m = S.mapping(item)
            keep = tuple((S.Text(value=k.value, span=k.span), S.Text(value=v.value, span=v.span))
                         for k, v in S.mapping(m.get("keep")).items if isinstance(v, YScalar))
            reason = S.text(m, "reason")
            assert reason is not None
            resolve.append(ResolveSpec(key=S.texts(m.get("key")), keep=keep, reason=reason,
                                       span=item.span))
        return TableSpec(**base, files=files, format=fmt,
                         quoting=S.string(f, "quoting", "minimal"),
                         columns=field_specs(root.get("columns")), key=S.texts(root.get("key")),
                         source=source, resolve=tuple(resolve),
                         values=tuple((k.value, tuple(t.value for t in S.texts(vs)))
                                      for k, v in S.mapping(root.get("columns")).items
                                      if (vs := S.mapping(v).get("values")) is not None))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Table()
