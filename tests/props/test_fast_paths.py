"""The hand-made fast paths of the big Debita runs give what the general code gives, on any
input: `format_money` on a Decimal already at two places (its `str` with the point turned into
a comma) equals the quantize-and-format path; the state's JSON lists written by hand
(`_texts`, `_pairs`) read back with json.loads as the texts they were made of — quotes,
backslashes, control characters and non-ASCII text included."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from runtime.allocation_state import _pairs
from runtime.allocation_state import _texts
from runtime.values import format_money

decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=-10**15,
                       max_value=10**15, places=None)


def _slow(x: Decimal) -> str:
    q = x.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return "0,00" if q == 0 else f"{q:f}".replace(".", ",")


@given(decimals)
def test_format_money_is_the_quantized_text(x: Decimal) -> None:
    assert format_money(x) == _slow(x)
    two = x.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    assert format_money(two) == _slow(two)  # the fast path's case


@given(st.lists(st.text(max_size=12), max_size=7))
def test_texts_round_trip(items: list[str]) -> None:
    assert json.loads(_texts(tuple(items))) == items


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=8)), max_size=4))
def test_pairs_round_trip(items: list[tuple[str, str]]) -> None:
    assert json.loads(_pairs(tuple(items))) == [list(x) for x in items]
