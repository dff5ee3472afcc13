"""The region algebra (compiler/regions.py): sets of values per domain, boxes, and the region
of a condition — exact for what it understands, checked point by point against the direct
evaluator (the generated Python's ops) on every record of a window."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from compiler import ir
from compiler import regions
from compiler.regions import Domain
from compiler.regions import Iv
from compiler.regions import VSet
from tests.regionkit import cond
from tests.regionkit import evaluate
from tests.regionkit import member
from tests.regionkit import point

INT = Domain(True)
INT_REQUIRED = Domain(True, nullable=False)
DENSE = Domain(False)


def ivs(*pairs: tuple[object, object]) -> list[Iv]:
    return [Iv(lo, True, hi, True) for lo, hi in pairs]  # type: ignore[arg-type]


# ---------------------------------------------------------------- sets of values
def test_integers_next_to_each_other_merge_decimals_do_not() -> None:
    assert INT.norm(ivs((1, 2), (3, 4)), False).ivs == (Iv(1, True, 4, True),)
    assert DENSE.norm(ivs((1, 2), (3, 4)), False).ivs == tuple(ivs((1, 2), (3, 4)))
    touching = [Iv(1, True, 2, False), Iv(2, True, 3, True)]  # [1, 2) and [2, 3]
    assert DENSE.norm(touching, False).ivs == (Iv(1, True, 3, True),)
    apart = [Iv(1, True, 2, False), Iv(2, False, 3, True)]  # 2 itself is missing
    assert len(DENSE.norm(apart, False).ivs) == 2


def test_open_and_fractional_bounds_on_integers() -> None:
    above = INT.norm([Iv(Decimal("2.5"), False, None, True)], False)  # a > 2.5
    assert above.ivs == (Iv(3, True, None, True),)
    assert INT.norm([Iv(2, False, 5, False)], False).ivs == (Iv(3, True, 4, True),)
    assert INT.norm([Iv(Decimal("2.5"), True, Decimal("2.7"), True)], False).empty
    assert INT.norm([Iv(Decimal("2.0"), True, 2, True)], False).points(4) == (2,)


def test_complement() -> None:
    five = INT.norm(ivs((5, 5)), False)
    rest = regions.complement(five, INT)
    assert rest.null and rest.ivs == (Iv(None, True, 4, True), Iv(6, True, None, True))
    assert regions.complement(rest, INT) == five
    assert regions.complement(five, INT_REQUIRED).null is False
    everything = INT.universe()
    assert regions.complement(everything, INT).empty
    assert regions.complement(VSet(False, ()), INT) == everything
    flag = Domain(True, 0, 1)
    true = flag.norm(ivs((1, 1)), False)
    assert regions.complement(true, flag) == VSet(True, (Iv(0, True, 0, True),))
    text = Domain(False, "")
    a = text.norm([Iv(None, True, "m", False)], False)  # s < "m": from "" on
    assert a.ivs == (Iv("", True, "m", False),)
    assert regions.complement(a, text).ivs == (Iv("m", True, None, True),)


SETS = st.lists(st.tuples(st.integers(-4, 8), st.integers(0, 4), st.booleans(), st.booleans(),
                          st.booleans(), st.booleans()), max_size=4)


def _set(dom: Domain, spec: list[tuple[int, int, bool, bool, bool, bool]], null: bool) -> VSet:
    out = []
    for lo, width, lo_in, hi_in, lo_inf, hi_inf in spec:
        out.append(Iv(None if lo_inf else lo, lo_in, None if hi_inf else lo + width, hi_in))
    return dom.norm(out, null)


@settings(max_examples=200, deadline=None)
@given(a=SETS, b=SETS, na=st.booleans(), nb=st.booleans(), discrete=st.booleans())
def test_meet_join_complement_agree_with_membership(a, b, na, nb, discrete) -> None:  # type: ignore[no-untyped-def]
    dom = Domain(discrete)
    x, y = _set(dom, a, na), _set(dom, b, nb)
    window = [None] + ([v for v in range(-6, 15)] if discrete else
                       [Decimal(v) / 2 for v in range(-12, 30)])
    m, j, c = regions.meet(x, y, dom), regions.join(x, y, dom), regions.complement(x, dom)
    for v in window:
        assert m.contains(v) == (x.contains(v) and y.contains(v))
        assert j.contains(v) == (x.contains(v) or y.contains(v))
        assert c.contains(v) == (not x.contains(v))
    assert regions.subset(m, x, dom) and regions.subset(x, j, dom)
    assert regions.complement(c, dom) == x  # normal forms are unique


def test_box_subtraction_leaves_disjoint_pieces() -> None:
    space = regions.Space()
    ka, kb = ("a",), ("b",)
    space.domains[ka] = space.domains[kb] = INT
    r = {ka: INT.norm(ivs((0, 9)), False)}
    a = {ka: INT.norm(ivs((3, 4)), False), kb: INT.norm(ivs((0, 0)), False)}
    pieces = space.subtract(r, a)
    for va in [None, *range(-1, 11)]:
        for vb in [None, -1, 0, 1]:
            at = {ka: va, kb: vb}
            inside = member([r], at) and not member([a], at)
            assert sum(member([p], at) for p in pieces) == int(inside)


# ---------------------------------------------------------------- conditions
def region(text: str, positive: bool = True) -> tuple[regions.Space, regions.Region | None]:
    an = regions.Analyser()
    return an.space, an.region(cond(text), positive)


def test_a_contradiction_admits_nothing() -> None:
    for text in ("a == 1 and a == 2", "a < 3 and a > 2", "a in [1, 2] and not (a in [1, 2])",
                 "a is null and a == 1", "r is null", "within(a, 5, 1)", "a == null",
                 "g and not g", "not (a is null or a is not null)", "false", "null",
                 "s == \"a\" and s > \"b\"", "x > 1.5 and x < 1.5", "a > 2.5 and a < 3",
                 "d < date(2020, 1, 1) and d > date(2019, 12, 31)"):
        assert region(text)[1] == [], text


def test_not_is_three_valued() -> None:
    space, reg = region("not (a == 1)")
    assert reg is not None and len(reg) == 1
    (vs,) = reg[0].values()
    assert not vs.null and not vs.contains(1) and vs.contains(2)  # a null a is not admitted


def test_subjects_beyond_fields_are_opaque_but_shared() -> None:
    an = regions.Analyser()
    r1 = an.region(cond("lookup(m, a).v == 1 and par > 2 and year(d) == 2020"))
    r2 = an.region(cond("lookup(m, a).v in [1, 2] and par >= 3 and year(d) != 2021"))
    assert r1 is not None and r2 is not None
    assert r1[0].keys() == r2[0].keys()  # the same three subjects, by expression
    for k, vs in r1[0].items():
        assert regions.subset(vs, r2[0][k], an.space.domains[k])


def test_an_opaque_bool_has_a_true_and_a_false_side() -> None:
    an = regions.Analyser()
    yes = an.region(cond("a < b"))
    no = an.region(cond("not (a < b)"))
    assert yes is not None and no is not None and yes[0].keys() == no[0].keys()
    (k,) = yes[0]
    assert regions.meet(yes[0][k], no[0][k], an.space.domains[k]).empty


def test_too_many_boxes_is_unknown() -> None:
    text = " and ".join(f"(a > {k} or b > {k})" for k in range(7))  # 2**7 boxes
    assert region(text)[1] is None
    assert region(" and ".join(f"(a > {k} or b > {k})" for k in range(5)))[1] is not None


# Atoms and shapes on a, b (int?), r (int, required), g (bool, required), f (bool?),
# s (str?), d (date?), x (decimal?), with constants in 0..3: the window below takes every
# case (each side of each constant, and null).
ATOMS = ["a == 1", "a != 2", "a < 2", "a <= 1", "a > 1", "a >= 3", "1 < a", "a in [0, 2]",
         "a not in [1, 3]", "within(a, 1, 2)", "within(a, null, 1)", "a is null",
         "a is not null", "b == 2", "b in [1, 2, 3]", "r == 0", "r > 1", "g", "f",
         "f == false", "s == \"b\"", "s < \"b\"", "d >= date(2020, 1, 2)", "x > 1.5",
         "x <= -1", "a < b", "par == 3", "lookup(m, a).w", "-a > -2", "a == 2.5"]
WINDOW = {"a": [None, -1, 0, 1, 2, 3, 4], "b": [None, 0, 1, 2, 3, 4], "r": [-1, 0, 1, 2],
          "g": [False, True], "f": [None, False, True], "s": [None, "", "a", "b", "c"],
          "d": [None, datetime.date(2020, 1, 1), datetime.date(2020, 1, 2),
                datetime.date(2020, 1, 3)],
          "x": [None, Decimal("-2"), Decimal("-1"), Decimal("0"), Decimal("1.5"), Decimal("2")]}


def conditions(depth: int = 2) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(ATOMS)
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda t: f"({t[0]} and {t[1]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} or {t[1]})"),
        inner.map(lambda t: f"not ({t})")), max_leaves=5)


def _fields(e: object) -> set[str]:
    if isinstance(e, ir.FieldRef):
        return {e.name}
    if isinstance(e, ir.DerivedRef):
        return {"a", "b"}  # par = a + b
    if isinstance(e, tuple):
        return set().union(*(_fields(x) for x in e))
    if isinstance(e, ir.Expr.__args__):  # type: ignore[arg-type]
        return set().union(*(_fields(getattr(e, s)) for s in e.__slots__))  # type: ignore[union-attr]
    return set()


def _records(e: ir.Expr):  # type: ignore[no-untyped-def]
    used = sorted(_fields(e))
    for values in itertools.product(*(WINDOW[f] for f in used)):
        yield dict(zip(used, values, strict=True))


@settings(max_examples=150, deadline=None)
@given(text=conditions())
def test_a_region_is_exactly_where_the_condition_is_true_or_false(text: str) -> None:
    e = cond(text)
    an = regions.Analyser()
    yes, no = an.region(e, True), an.region(e, False)
    if yes is None or no is None:
        return  # past MAX_BOXES: tests/unit/test_regions.py::test_too_many_boxes_is_unknown
    for rec in _records(e):
        at = point(an.space, e, rec)
        got = evaluate(e, rec)
        assert member(yes, at) == (got is True), (text, rec)
        assert member(no, at) == (got is False), (text, rec)


@pytest.mark.parametrize("text", ATOMS)
def test_each_atom_is_exact(text: str) -> None:
    test_a_region_is_exactly_where_the_condition_is_true_or_false.hypothesis.inner_test(text)  # type: ignore[attr-defined]
