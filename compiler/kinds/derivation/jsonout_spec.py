"""`output.json:` of a derivation as written (compiler/kinds/derivation/jsonout.py lowers it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler import specs as S
from compiler.yamlnodes import YMap


@dataclass(frozen=True, slots=True, kw_only=True)
class JsonSpec:
    dir: S.Text
    name: S.Text
    when: S.Text | None
    fields: tuple[S.Text, ...]
    items: S.Text | None           # the other derivation
    items_on: S.Text | None
    items_as: S.Text | None
    items_fields: tuple[S.Text, ...]
    items_order: tuple[S.Text, ...]


def parse(node: Any) -> JsonSpec | None:
    if not isinstance(node, YMap):
        return None
    items = S.mapping(node.get("items"))
    d, n = S.text(node, "dir"), S.text(node, "name")
    assert d is not None and n is not None  # the schema requires them
    return JsonSpec(dir=d, name=n, when=S.text(node, "when"), fields=S.texts(node.get("fields")),
                    items=S.text(items, "derivation"), items_on=S.text(items, "on"),
                    items_as=S.text(items, "as"), items_fields=S.texts(items.get("fields")),
                    items_order=S.texts(items.get("order")))
