"""Spec YAML → YNode tree with spans and raw scalar text (yaml.compose; no PyYAML typing).

Refuses anchors, aliases, merge keys, duplicate keys and tabs in indentation.
"""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.source import Span


@dataclass(frozen=True, slots=True, kw_only=True)
class YScalar:
    """A scalar exactly as written: raw text, quoting style (None, "'", '"', '|', '>')."""

    value: str
    style: str | None
    span: Span
    tag_implicit: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class YSeq:
    """A YAML sequence."""

    items: tuple[YNode, ...]
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class YMap:
    """A YAML mapping in document order; keys are scalars."""

    items: tuple[tuple[YScalar, YNode], ...]
    span: Span

    def get(self, key: str) -> YNode | None:
        for k, v in self.items:
            if k.value == key:
                return v
        return None

    def key_node(self, key: str) -> YScalar | None:
        for k, _ in self.items:
            if k.value == key:
                return k
        return None


YNode = YScalar | YSeq | YMap


def _span(src: SourceFile, node: yaml.Node) -> Span:
    return src.span(node.start_mark.index, node.end_mark.index)


def _mark_span(src: SourceFile, mark: yaml.Mark | None) -> Span:
    if mark is None:
        return src.span(0, 0)
    return src.span(mark.index, mark.index + 1)


def load(src: SourceFile) -> tuple[YNode | None, list[Diagnostic]]:
    """Compose one YAML document into YNodes, or return diagnostics."""
    diags: list[Diagnostic] = []
    for lineno in range(1, src.text.count("\n") + 2):
        text = src.line_text(lineno)
        stripped = text.lstrip(" ")
        if stripped.startswith("\t"):
            off = src.offset(lineno, len(text) - len(stripped) + 1)
            diags.append(catalog.yaml_tab(src.span(off, off + 1)))
    if diags:
        return None, diags
    try:
        docs = list(yaml.compose_all(src.text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "erro de sintaxe"
        # "while scanning a quoted scalar" etc.: where the unfinished construct began.
        context = exc.context_mark if exc.problem_mark and exc.context_mark and \
            exc.context_mark.index != exc.problem_mark.index else None
        if context is not None and mark is not None and not src.text[mark.index:].strip():
            # The problem is "the file ended": point at what was left open instead.
            return None, [catalog.yaml_syntax(_mark_span(src, context), problem=problem,
                                              unfinished=True)]
        return None, [catalog.yaml_syntax(_mark_span(src, mark), problem=problem,
                                          context=_mark_span(src, context) if context else None)]
    if not docs or docs[0] is None:
        return None, [catalog.yaml_empty(src.span(0, 0))]
    if len(docs) > 1:
        second = docs[1]
        return None, [catalog.yaml_many_documents(_span(src, second) if second else src.span(0, 0))]
    anchors = _anchor_positions(src)
    if anchors:
        return None, [catalog.yaml_alias(src.span(a, a + 1)) for a in anchors]
    node = _convert(src, docs[0], diags)
    return (None if diags else node), diags


def _anchor_positions(src: SourceFile) -> list[int]:
    """Offsets of anchors (&a), aliases (*a) and merge keys (<<), found by scanning tokens."""
    out = []
    try:
        for tok in yaml.scan(src.text, Loader=yaml.SafeLoader):
            if isinstance(tok, yaml.AnchorToken | yaml.AliasToken):
                out.append(tok.start_mark.index)
            elif isinstance(tok, yaml.ScalarToken) and tok.plain and tok.value == "<<":
                out.append(tok.start_mark.index)
    except yaml.YAMLError:
        return []
    return out


def _convert(src: SourceFile, node: yaml.Node, diags: list[Diagnostic]) -> YNode:
    if isinstance(node, yaml.ScalarNode):
        return YScalar(value=node.value, style=node.style, span=_span(src, node),
                       tag_implicit=node.tag.startswith("tag:yaml.org,2002:"))
    if isinstance(node, yaml.SequenceNode):
        return YSeq(items=tuple(_convert(src, n, diags) for n in node.value), span=_span(src, node))
    assert isinstance(node, yaml.MappingNode)
    items: list[tuple[YScalar, YNode]] = []
    seen: dict[str, YScalar] = {}
    for knode, vnode in node.value:
        key = _convert(src, knode, diags)
        if not isinstance(key, YScalar):
            diags.append(catalog.yaml_complex_key(key.span))
            continue
        if key.value in seen:
            diags.append(catalog.yaml_duplicate_key(key.span, key=key.value,
                                                    first=seen[key.value].span))
            continue
        seen[key.value] = key
        items.append((key, _convert(src, vnode, diags)))
    return YMap(items=tuple(items), span=_span(src, node))


def to_plain(node: YNode) -> object:
    """YNode → JSON-like data for schema validation.

    Plain scalars get YAML 1.2 core typing (null/bool/int/float-as-number); quoted scalars stay
    strings. Numbers are kept as int or as the raw text wrapped in a float only for the schema
    (specs.py always reads the raw text, so `ref: 0301` is never 193).
    """
    if isinstance(node, YScalar):
        if node.style is None:
            v = node.value
            if v in ("", "~", "null", "Null", "NULL"):
                return None
            if v in ("true", "True", "TRUE"):
                return True
            if v in ("false", "False", "FALSE"):
                return False
            if _is_int(v):
                return int(v, 10)
            if _is_number(v):
                return float(v)
        return node.value
    if isinstance(node, YSeq):
        return [to_plain(n) for n in node.items]
    return {k.value: to_plain(v) for k, v in node.items}


def _is_int(v: str) -> bool:
    s = v[1:] if v[:1] in "+-" else v
    return s.isdigit() and s.isascii()


def _is_number(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return v.lower() not in ("nan", "inf", "-inf", "+inf", "infinity")
