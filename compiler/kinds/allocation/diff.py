"""How two allocation nodes differ (`apura diff`): the ledgers and fields, the class map, the
open condition, the cap, the policy and its order, the rule names and the output files."""

from __future__ import annotations

from compiler import ir
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]

_NAMES = ("source", "id_fields", "party", "amount", "date", "order", "class_map", "class_keys",
          "class_value", "target", "target_key", "target_class", "target_date", "open_text",
          "cap_text", "parties", "eligible", "policy", "rule", "unlinked_rule", "origin",
          "classes", "summary", "columns", "files", "alternative_of")


def _value(v: object) -> Value:
    if isinstance(v, tuple):
        return tuple(f"{x[0]}={x[1]}" if isinstance(x, tuple) else str(x) for x in v)
    assert v is None or isinstance(v, str | int | bool)
    return v


def diff_allocation(old: ir.Allocation, new: ir.Allocation) -> Found:
    pairs = [(n, _value(getattr(old, n)), _value(getattr(new, n))) for n in _NAMES]
    pairs.append(("order_keys", tuple(t for _, t, _ in old.rank),
                  tuple(t for _, t, _ in new.rank)))
    return (attrs(pairs), ())


class _Differ:
    diff = staticmethod(diff_allocation)


PART = _Differ()
