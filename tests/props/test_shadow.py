"""Rows no record can reach (compiler/shadow.py), on random small layouts over int fields a, b
(may be null) and r (required), with equalities, lists, ranges, within and null tests combined
by and/or/not, constants 0..7. Every record of the window a, b ∈ {null, -1..8}, r ∈ {-1..8}
is tried: for such conditions the window holds a record of every region, so the analysis must
be exact — SOUND (a row reported as never matching gets no record; the rows it names take them
all) and COMPLETE (a row not reported gets one)."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from compiler import ir
from compiler import shadow
from compiler.source import Span
from tests.regionkit import cond
from tests.regionkit import evaluate

SPAN = Span(file="x.yaml", line=1, col=1, end_line=1, end_col=2, start=0, end=1)
FIELDS = ("a", "b", "r")
WINDOW: dict[str, list[Any]] = {"a": [None, *range(-1, 9)], "b": [None, *range(-1, 9)],
                                "r": list(range(-1, 9))}


@st.composite
def atoms(draw: st.DrawFn, fields: tuple[str, ...]) -> str:
    f = draw(st.sampled_from(fields))
    c = draw(st.integers(0, 5))
    items = ", ".join(str(v) for v in sorted(draw(st.sets(st.integers(0, 5), min_size=1,
                                                          max_size=3))))
    return draw(st.sampled_from([
        f"{f} == {c}", f"{f} != {c}", f"{f} < {c}", f"{f} <= {c}", f"{f} > {c}", f"{f} >= {c}",
        f"{c} <= {f}", f"{f} in [{items}]", f"{f} not in [{items}]", f"not ({f} in [{items}])",
        f"within({f}, {c}, {draw(st.integers(0, 5))})", f"within({f}, null, {c})",
        f"{f} is null", f"{f} is not null", f"({f} >= {c} and {f} <= {c + 2})"]))


def conditions(fields: tuple[str, ...]) -> st.SearchStrategy[str]:
    return st.recursive(atoms(fields), lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} and {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} or {t[1]})"),
        inner.map(lambda t: f"not ({t})")), max_leaves=3)


def _row(i: int, kind: ir.RowKind, c: ir.Expr | None) -> ir.Row:
    return ir.Row(id=f"p/l/row/{i}", index=i, ref=str(i), record_id=str(i), label="", kind=kind,
                  cond=c, cond_text="", values=(), total_of=(), span=SPAN)


def layout(rules: list[str], filt: str | None, otherwise: bool, first: bool) -> ir.Layout:
    rows = [_row(i, ir.RowKind.RULE, cond(t)) for i, t in enumerate(rules)]
    if otherwise:
        rows.insert(len(rows) // 2, _row(len(rows), ir.RowKind.OTHERWISE, None))
        rows = [r if r.index == k else _renumber(r, k) for k, r in enumerate(rows)]
    return ir.Layout(id="l", planilha=1, source="t", filter=cond(filt) if filt else None,
                     filter_text=filt or "",
                     hit_policy=ir.HitPolicy.FIRST if first else ir.HitPolicy.UNIQUE,
                     columns=(), rows=tuple(rows), output_format="impt", output_file="l.IMPT",
                     span=SPAN)


def _renumber(r: ir.Row, k: int) -> ir.Row:
    return ir.Row(id=r.id, index=k, ref=r.ref, record_id=r.record_id, label="", kind=r.kind,
                  cond=r.cond, cond_text="", values=(), total_of=(), span=SPAN)


def records(fields: tuple[str, ...]) -> list[dict[str, Any]]:
    return [dict(zip(fields, vs, strict=True))
            for vs in itertools.product(*(WINDOW[f] for f in fields))]


@settings(max_examples=300, deadline=None)
@given(data=st.data(), fields=st.sampled_from([("a",), ("a", "r"), ("a", "b"), ("a", "b", "r")]),
       first=st.booleans(), otherwise=st.booleans())
def test_the_rows_reported_never_match_and_the_others_do(data: st.DataObject,
                                                         fields: tuple[str, ...], first: bool,
                                                         otherwise: bool) -> None:
    rules = data.draw(st.lists(conditions(fields), min_size=1, max_size=5))
    filt = data.draw(st.none() | conditions(fields))
    lay = layout(rules, filt, otherwise, first)
    res = shadow.analyse(lay)
    recs = [rec for rec in records(fields)
            if lay.filter is None or evaluate(lay.filter, rec) is True]
    if res.empty_filter:
        event("empty filter")
        assert recs == []  # S1104: no record passes the filter
        return
    assert recs, "the filter admits no record of the window, and S1104 missed it"
    rule_rows = [r for r in lay.rows if r.kind is ir.RowKind.RULE]
    matches = {id(rec): [r.index for r in rule_rows if evaluate(r.cond, rec) is True]
               for rec in recs}  # type: ignore[arg-type]
    other = next((r.index for r in lay.rows if r.kind is ir.RowKind.OTHERWISE), None)
    for index, v in res.rows.items():
        event(v.status)
        assert v.status != "unknown", (rules, filt)  # small layouts: never given up
        row = lay.rows[index]
        if row.kind is ir.RowKind.OTHERWISE:
            left = [rec for rec in recs if not matches[id(rec)]]
            assert (v.status == "unreachable") == (not left), (rules, filt, left[:1])
            if v.status == "unreachable":  # the rows named are those that take the records
                assert set(v.by) == {matches[id(rec)][0] for rec in recs}
            continue
        mine = [rec for rec in recs if index in matches[id(rec)]]
        if v.status == "unmatchable":
            assert mine == [], (rules, filt, mine[:1])
            if v.alone:
                assert all(evaluate(row.cond, rec) is not True for rec in records(fields))  # type: ignore[arg-type]
            continue
        assert mine, (rules, filt, index, "a rule no record satisfies was not reported")
        if not first:
            assert v.status == "reachable"
            continue
        taken = [rec for rec in mine if matches[id(rec)][0] == index]
        assert (v.status == "shadowed") == (not taken), (rules, filt, index, taken[:1])
        if v.status == "shadowed":  # the rows named are those that take its records
            assert set(v.by) == {matches[id(rec)][0] for rec in mine}
    assert set(res.rows) == {r.index for r in rule_rows} | ({other} if other is not None
                                                             else set())


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.sets(st.integers(0, 6), min_size=1, max_size=4), min_size=1,
                     max_size=8))
def test_equalities_and_lists_on_one_field_are_always_found(rows: list[set[int]]) -> None:
    """Under `first`, a row of `a == c` or `a in [..]` is reported exactly when its values are
    all in earlier rows (a plain set computation)."""
    rules = [f"a == {min(vs)}" if len(vs) == 1 else f"a in [{', '.join(map(str, sorted(vs)))}]"
             for vs in rows]
    res = shadow.analyse(layout(rules, None, False, True))
    seen: set[int] = set()
    for i, vs in enumerate(rows):
        v = res.rows[i]
        assert (v.status == "shadowed") == (vs <= seen), (rules, i)
        if v.status == "shadowed":
            assert set(v.by) == {next(j for j in range(i) if x in rows[j]) for x in vs}
        seen |= vs
