"""runtime/derivation_union.post — `keep` and `dedupe` of an `each:` union, on rows
(line, *values, *warning tests) made by hand: the names are (fonte, email, incluir, fontes)."""

from __future__ import annotations

from types import SimpleNamespace

from runtime.derivation_union import Union
from runtime.derivation_union import post

NAMES = ("fonte", "email", "incluir", "fontes")


def _node(**kw: object) -> SimpleNamespace:
    return SimpleNamespace(names=NAMES, union=Union(("a", "b"), ("pessoa",), **kw))  # type: ignore[arg-type]


def test_keep_drops_rows_whose_field_is_not_true() -> None:
    rows = [(1, "a", "x@e", True, "a"), (1, "b", "y@e", None, "b"), (2, "a", "z@e", False, "a")]
    assert post(_node(keep="incluir"), rows) == [(1, "a", "x@e", True, "a")]


def test_dedupe_keeps_the_first_per_record_and_lists_every_source() -> None:
    """Record 1: x@e by a then b → one row, 'a, b'; y@e once; record 2's x@e is its own (the
    key is per record); two rows without e-mail never merge."""
    rows = [(1, "a", "x@e", True, "a"), (1, "a", None, True, "a"), (1, "b", "x@e", True, "b"),
            (1, "b", "y@e", True, "b"), (1, "b", None, True, "b"), (2, "b", "x@e", True, "b")]
    got = post(_node(dedupe=("email",), join="fontes"), rows)
    assert got == [(1, "a", "x@e", True, "a, b"), (1, "a", None, True, "a"),
                   (1, "b", "y@e", True, "b"), (1, "b", None, True, "b"),
                   (2, "b", "x@e", True, "b")]


def test_a_source_listed_twice_is_named_once() -> None:
    rows = [(1, "a", "x@e", True, "a"), (1, "a", "x@e", True, "a")]
    assert post(_node(dedupe=("email",), join="fontes"), rows) == [(1, "a", "x@e", True, "a")]


def test_next_leaves_the_mark_on_the_least_order_of_the_marked() -> None:
    """`next: {mark: incluir, order: fonte}` (fonte as the order here, a text): record 1's
    marked rows have orders 'b', 'a', 'a' → the two 'a's stay true, 'b' false; an unmarked
    'a' (None, False) stays false — never promoted; record 2 has one marked row with a null
    order and one with 'c' → 'c' (nulls last); record 3's only marked order is null → it."""
    rows = [(1, "b", "p", True, ""), (1, "a", "q", True, ""), (1, "a", "r", None, ""),
            (1, "a", "s", True, ""), (1, "0", "t", False, ""),
            (2, None, "u", True, ""), (2, "c", "v", True, ""), (3, None, "w", True, "")]
    got = post(_node(next_mark="incluir", next_order="fonte"), rows)
    assert [r[3] for r in got] == [False, True, False, True, False, False, True, True]
    assert [r[:3] for r in got] == [r[:3] for r in rows]  # nothing else changes
