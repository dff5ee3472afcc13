"""The state file's hand-written JSON (runtime/state_json.py) and the cheap key order
(runtime/derivation_state.order_key) against what they replace: the text of the state's
encoder over `canon` of each value (what every stored key and record was before, so an old
state file's keys still match), and the order of `sort_key` (ascending, nulls first). The
values are the kinds the ledgers hold, with the texts that need escaping (quotes, a
backslash, control characters, non-ASCII, a surrogate), negative and exponent decimals,
dates and datetimes; a float and a str subclass take the fallback."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from runtime import state_json
from runtime.derivation_state import canon
from runtime.derivation_state import dumps
from runtime.derivation_state import order_key
from runtime.derivation_state import sort_key


class _Text(str):
    pass


VALUES = [None, True, False, 0, -7, 10**20, "", "paga", 'a"b', "a\\b", "\n\t\x00\x1f", "ção – ✓",
          "\ud800", Decimal("1234.56"), Decimal("-0.00"), Decimal("1E+3"), Decimal("NaN"),
          datetime.date(2021, 1, 3), datetime.datetime(2021, 1, 3, 4, 5, 6), 1.5, _Text("x")]


def test_each_value_is_the_encoders_text() -> None:
    for v in VALUES:
        assert state_json.text(v) == dumps(canon(v)), v


def test_lists_and_objects_are_the_encoders_text() -> None:
    rnd = random.Random(1)
    names = ("contrato", "ano", "numero", 'com "aspas"', "situação")
    encode = state_json.object_text(names)
    for _ in range(300):
        values = [rnd.choice(VALUES) for _ in names]
        assert state_json.list_text(values) == dumps([canon(v) for v in values])
        assert encode(values) == dumps({n: canon(v) for n, v in zip(names, values, strict=True)})
    assert encode([1, 2, 3, 4, 5, "ignored"]) == \
        '{"contrato":1,"ano":2,"numero":3,"com \\"aspas\\"":4,"situação":5}'  # by hand
    assert state_json.list_text([]) == "[]" and state_json.object_text(())([]) == "{}"


keys = st.tuples(st.none() | st.integers(-3, 3), st.none() | st.integers(2019, 2021),
                 st.none() | st.text("0123", max_size=2))


@given(st.lists(keys, unique=True))
def test_order_key_sorts_as_sort_key(got: list[tuple[object, ...]]) -> None:
    assert sorted(got, key=order_key) == sorted(got, key=sort_key)


def test_order_key_by_hand() -> None:
    # nulls first in each column, then the values ascending
    shuffled = [(2, None), (1, "b"), (None, "a"), (1, None), (1, "a"), (None, None)]
    assert sorted(shuffled, key=order_key) == [(None, None), (None, "a"), (1, None), (1, "a"),
                                               (1, "b"), (2, None)]
