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
class FrozenSpec:
    """`frozen: {field: {when: condition, since: column}}` (compiler/kinds/derivation/
    frozen.py)."""

    field: S.Text
    when: YScalar
    since: S.Text | None


@dataclass(frozen=True, slots=True, kw_only=True)
class IncrementalSpec:
    key: tuple[tuple[S.Text, YScalar], ...]
    scope: tuple[S.Text, ...]
    changes: S.Text | None
    records: tuple[S.Text, ...]
    fields: tuple[S.Text, ...]
    span: Span
    frozen: tuple[FrozenSpec, ...] = ()


def parse(node: YNode | None) -> IncrementalSpec | None:
    """The section as written (the schema already checked its shape)."""
    if not isinstance(node, YMap):
        return None
    key = tuple((S.Text(value=k.value, span=k.span), v)
                for k, v in S.mapping(node.get("key")).items if isinstance(v, YScalar))
    changes = S.mapping(node.get("changes"))
    frozen = []
    for k, v in S.mapping(node.get("frozen")).items:
        m = S.mapping(v)
        when = S.scalar(m, "when")
        assert when is not None  # the schema requires it
        frozen.append(FrozenSpec(field=S.Text(value=k.value, span=k.span), when=when,
                                 since=S.text(m, "since")))
    return IncrementalSpec(frozen=tuple(frozen), key=key, scope=S.texts(node.get("scope")),
                           changes=S.text(changes, "file"),
                           records=S.texts(changes.get("records")),
                           fields=S.texts(changes.get("fields")), span=node.span)
