"""A derivation spec → DerivationSpec: names with their positions (the lowering checks them
against the ledger and the maps), the expressions as YAML scalars (parsed and typed when
lowered), in the order written."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.kinds.derivation.incremental_spec import IncrementalSpec
from compiler.kinds.derivation.incremental_spec import parse as parse_incremental
from compiler.kinds.derivation.jsonout_spec import JsonSpec
from compiler.kinds.derivation.jsonout_spec import parse as parse_json
from compiler.source import SourceFile
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar
from compiler.yamlnodes import YSeq


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassifySpec:
    name: S.Text
    map: S.Text
    key: S.Text
    value: S.Text


@dataclass(frozen=True, slots=True, kw_only=True)
class RelatedSpec:
    name: S.Text
    ledger: S.Text
    on: tuple[tuple[S.Text, S.Text], ...]          # (related field, this record's field)
    where: YScalar | None
    order: tuple[tuple[S.Text, bool], ...]         # (related field, descending)


@dataclass(frozen=True, slots=True, kw_only=True)
class WarnSpec:
    id: S.Text
    when: YScalar
    message: S.Text
    code: S.Text | None = None         # a spec-warning code of the catalog (else D1803)
    show: tuple[S.Text, ...] = ()      # the fields naming the record in the message


@dataclass(frozen=True, slots=True, kw_only=True)
class WithSpec:
    """One lookup of `each.with:`: a ledger's first record whose `on:` fields (its, the
    member's or `<ledger>.field` of this record) match."""

    ledger: S.Text
    on: tuple[tuple[S.Text, S.Text], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class UnionSpec:
    """`each: {as:, union: [...], with:, keep:, dedupe:, next:}`
    (compiler/kinds/derivation/union)."""

    name: S.Text
    collections: tuple[S.Text, ...]
    withs: tuple[WithSpec, ...]
    keep: S.Text | None
    dedupe: tuple[S.Text, ...]
    join: S.Text | None
    next_mark: S.Text | None = None    # next: {mark:, order:} (union.py)
    next_order: S.Text | None = None


def _with(w: Any) -> WithSpec:
    m = S.mapping(w)
    return WithSpec(
        ledger=_t(m, "ledger"),
        on=tuple((S.Text(value=a.value, span=a.span), S.Text(value=b.value, span=b.span))
                 for a, b in S.mapping(m.get("on")).items if isinstance(b, YScalar)))


def _union(node: Any) -> UnionSpec | None:
    if not isinstance(node, YMap):
        return None
    w, d, n = node.get("with"), S.mapping(node.get("dedupe")), node.get("next")
    withs = () if w is None else tuple(_with(x) for x in (w.items if isinstance(w, YSeq)
                                                          else [w]))
    return UnionSpec(
        name=_t(node, "as"), collections=S.texts(node.get("union")), withs=withs,
        keep=S.text(node, "keep"), dedupe=S.texts(d.get("key")), join=S.text(d, "join"),
        next_mark=S.text(S.mapping(n), "mark") if n is not None else None,
        next_order=S.text(S.mapping(n), "order") if n is not None else None)


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivationSpec(S.SpecBase):
    ledger: S.Text
    per: tuple[S.Text, ...]
    related: tuple[RelatedSpec, ...]
    classify: tuple[ClassifySpec, ...]
    fields: tuple[tuple[S.Text, YScalar], ...]
    unique: tuple[S.Text, ...]
    file_names: tuple[S.Text, ...]
    each: S.Text | None
    warnings: tuple[WarnSpec, ...]
    file: S.Text
    columns: tuple[S.Text, ...] | None
    alternative_of: S.Text | None
    incremental: IncrementalSpec | None = None
    union: UnionSpec | None = None
    json: JsonSpec | None = None


def _t(m: YMap, key: str) -> S.Text:
    got = S.text(m, key)
    assert got is not None, key  # the schema requires it
    return got


class _Derivation:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> DerivationSpec:
        classify = tuple(
            ClassifySpec(name=S.Text(value=k.value, span=k.span), map=_t(m, "map"),
                         key=_t(m, "key"), value=_t(m, "value"))
            for k, v in S.mapping(root.get("classify")).items for m in (S.mapping(v),))
        related = []
        for k, v in S.mapping(root.get("related")).items:
            m = S.mapping(v)
            order = []
            for item in S.sequence(m.get("order")):
                if isinstance(item, YScalar):
                    order.append((S.Text(value=item.value, span=item.span), False))
                else:
                    om = S.mapping(item)
                    order.append((_t(om, "key"), S.boolean(om, "desc", False)))
            related.append(RelatedSpec(
                name=S.Text(value=k.value, span=k.span), ledger=_t(m, "ledger"),
                on=tuple((S.Text(value=a.value, span=a.span), S.Text(value=b.value, span=b.span))
                         for a, b in S.mapping(m.get("on")).items if isinstance(b, YScalar)),
                where=S.scalar(m, "where"), order=tuple(order)))
        fields = tuple((S.Text(value=k.value, span=k.span), v)
                       for k, v in S.mapping(root.get("fields")).items
                       if isinstance(v, YScalar))
        warnings = []
        for item in S.sequence(root.get("warnings")):
            m = S.mapping(item)
            when = S.scalar(m, "when")
            assert when is not None
            warnings.append(WarnSpec(id=_t(m, "id"), when=when, message=_t(m, "message"),
                                     code=S.text(m, "code"), show=S.texts(m.get("show"))))
        out = S.mapping(root.get("output"))
        cols = out.get("columns")
        return DerivationSpec(
            **base, ledger=_t(root, "ledger"), per=S.texts(root.get("per")),
            related=tuple(related),
            classify=classify, fields=fields, unique=S.texts(root.get("unique")),
            file_names=S.texts(root.get("file_names")),
            each=S.text(root, "each") if isinstance(root.get("each"), YScalar) else None,
            union=_union(root.get("each")), json=parse_json(out.get("json")),
            warnings=tuple(warnings), file=_t(out, "file"),
            columns=S.texts(cols) if cols is not None else None,
            alternative_of=S.text(root, "alternative_of"),
            incremental=parse_incremental(root.get("incremental")))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Derivation()
