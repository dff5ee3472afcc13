"""The `incremental:` section of a derivation spec as written (names with their positions,
the key's expressions as YAML scalars): lowered and checked by incremental.py."""

from __future__ import annotations

from dataclasses import dataclass

from compiler import specs as S
from compiler.source import Span
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YNode
from compiler.yamlnodes import YScalar


@dataclass(frozen=True, slots=True, kw_only=True)
class IncrementalSpec:
    key: tuple[tuple[S.Text, YScalar], ...]
    scope: tuple[S.Text, ...]
    changes: S.Text | None
    records: tuple[S.Text, ...]
    fields: tuple[S.Text, ...]
    span: Span


def parse(node: YNode | None) -> IncrementalSpec | None:
    """The section as written (the schema already checked its shape)."""
    if not isinstance(node, YMap):
        return None
    key = tuple((S.Text(value=k.value, span=k.span), v)
                for k, v in S.mapping(node.get("key")).items if isinstance(v, YScalar))
    changes = S.mapping(node.get("changes"))
    return IncrementalSpec(key=key, scope=S.texts(node.get("scope")),
                           changes=S.text(changes, "file"),
                           records=S.texts(changes.get("records")),
                           fields=S.texts(changes.get("fields")), span=node.span)
