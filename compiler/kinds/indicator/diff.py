"""How two indicator nodes differ (`apura diff`): the catalog facts, the source and filter, the
keys and measures (as written), the ranking and the ratio (limit, legal basis)."""

from __future__ import annotations

from compiler import ir
from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Value
from compiler.diff.model import attrs

Found = tuple[tuple[Attr, ...], tuple[Item, ...]]


def _facts(n: ir.Indicator) -> list[tuple[str, Value]]:
    out: list[tuple[str, Value]] = [(k, v) for k, v in n.info]
    out += [("provisional", n.provisional_facts), ("source", n.source),
            ("filter", n.filter_text),
            ("keys", tuple(f"{k}={t}" for k, _, t in n.keys)),
            ("measures", tuple(f"{m.name}={m.text}" + (f" (requer {m.requires})" if m.requires
                                                        else "") for m in n.measures))]
    r = n.rank
    names = [m.name for m in n.measures]
    keys = [k for k, _, _ in n.keys]
    out.append(("rank", None if r is None else
                f"{'desc' if r.desc else 'asc'} {r.n} por {names[r.by]}, desempate "
                + ", ".join(keys[i] for i in r.ties)))
    q = n.ratio
    out.append(("ratio", None if q is None else
                f"{names[q.numerator]} / {names[q.denominator]} "
                f"{'>=' if q.minimum else '<='} {q.limit_text} ({q.basis})"))
    return out


def diff_indicator(old: ir.Indicator, new: ir.Indicator) -> Found:
    a, b = dict(_facts(old)), dict(_facts(new))
    return (attrs([(k, a[k], b[k]) for k in a]), ())


class _Differ:
    diff = staticmethod(diff_indicator)


PART = _Differ()
