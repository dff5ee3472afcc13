"""An allocation spec → AllocationSpec: every field name with its position (the lowering checks
them against the ledgers), the expressions as YAML scalars (parsed and typed when lowered), the
names of rules, classes, summary rows, columns and files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.yamlnodes import YMap
from compiler.yamlnodes import YScalar


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationSpec(S.SpecBase):
    source: S.Text
    id_fields: tuple[S.Text, ...]
    party: S.Text
    amount: S.Text
    date: S.Text
    order: tuple[S.Text, ...]
    class_map: S.Text
    class_keys: tuple[S.Text, ...]
    class_value: S.Text
    target: S.Text
    target_key: S.Text
    target_class: S.Text
    target_date: S.Text
    is_open: YScalar
    cap: YScalar
    parties: S.Text
    parties_target: S.Text
    parties_party: S.Text
    eligible: str
    policy: S.Text
    rank: tuple[tuple[YScalar, bool], ...]
    rank_span: Any
    rules: tuple[str, str, str]
    classes: tuple[tuple[str, str], ...]
    summary: tuple[tuple[str, str], ...]
    columns: tuple[tuple[str, str], ...]
    files: tuple[tuple[str, str], ...]
    file_spans: tuple[Any, ...]           # where each output file name is written
    alternative_of: S.Text | None


def _t(m: YMap, key: str) -> S.Text:
    got = S.text(m, key)
    assert got is not None, key  # the schema requires it
    return got


def _pairs(m: YMap) -> tuple[tuple[str, str], ...]:
    return tuple((k.value, v.value) for k, v in m.items if isinstance(v, YScalar))


class _Allocation:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> AllocationSpec:
        s, t = S.mapping(root.get("source")), S.mapping(root.get("targets"))
        c, p = S.mapping(s.get("class")), S.mapping(t.get("parties"))
        rules = S.mapping(root.get("rules"))
        rank: list[tuple[YScalar, bool]] = []
        for item in S.sequence(root.get("order")):
            if isinstance(item, YScalar):
                rank.append((item, False))
            else:
                m = S.mapping(item)
                key = S.scalar(m, "key")
                assert key is not None
                rank.append((key, S.boolean(m, "desc", False)))
        is_open, cap = S.scalar(t, "open"), S.scalar(t, "cap")
        order = root.get("order")
        assert is_open is not None and cap is not None
        return AllocationSpec(
            **base, source=_t(s, "ledger"), id_fields=S.texts(s.get("id")),
            party=_t(s, "party"), amount=_t(s, "amount"), date=_t(s, "date"),
            order=S.texts(s.get("order")), class_map=_t(c, "map"),
            class_keys=S.texts(c.get("keys")), class_value=_t(c, "value"),
            target=_t(t, "ledger"), target_key=_t(t, "key"), target_class=_t(t, "class"),
            target_date=_t(t, "date"), is_open=is_open, cap=cap,
            parties=_t(p, "ledger"), parties_target=_t(p, "target"),
            parties_party=_t(p, "party"), eligible=S.string(root, "eligible"),
            policy=_t(root, "policy"), rank=tuple(rank),
            rank_span=order.span if order is not None else None,
            rules=(S.string(rules, "decided"), S.string(rules, "unlinked"),
                   S.string(rules, "origin")),
            classes=_pairs(S.mapping(root.get("classes"))),
            summary=_pairs(S.mapping(root.get("summary"))),
            columns=_pairs(S.mapping(root.get("columns"))),
            files=_pairs(S.mapping(root.get("outputs"))),
            file_spans=tuple(v.span for _, v in S.mapping(root.get("outputs")).items
                             if isinstance(v, YScalar)),
            alternative_of=S.text(root, "alternative_of"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Allocation()
