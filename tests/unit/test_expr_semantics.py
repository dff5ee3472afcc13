"""Expression semantics, written once and run on every back end (tests/exprkit.BACKENDS)."""

from __future__ import annotations

import datetime

import pytest

from tests.exprkit import BACKENDS
from tests.exprkit import D
from tests.exprkit import count_where

ROW_NULL: dict = {}
ROW = {"a": 10, "b": D("2.50"), "s": "3.3.90.39", "d": datetime.date(2020, 4, 30), "f": True}

# (condition, rows, expected count of rows where the condition is TRUE)
CASES = [
    ("a == 10", [ROW, ROW_NULL], 1),
    ("a != 10", [ROW, ROW_NULL], 0),               # null != 10 is null, not true
    ("not (a == 10)", [ROW, ROW_NULL], 0),         # not null is null
    ("a == 10 or f", [ROW_NULL, {"f": True}], 1),  # null or true is true
    ("a == 10 and f", [{"a": 10}], 0),             # true and null is null
    ("not (a == 1 and f)", [{"a": 10}], 1),        # false and null is false → not → true
    ("a is null", [ROW, ROW_NULL], 1),
    ("b is not null", [ROW, ROW_NULL], 1),
    ("a in [1, 10, 100]", [ROW, ROW_NULL, {"a": 2}], 1),
    ("a not in [1, 100]", [ROW, ROW_NULL, {"a": 1}], 1),
    ('s matches "3.3.90.*"', [ROW, {"s": "3.3.91.00"}, ROW_NULL], 1),
    ('s matches "3.3.90.3?"', [ROW, {"s": "3.3.90.399"}], 1),
    ("b + 1 == 3.5", [ROW, ROW_NULL], 1),
    ("b * 2 == 5", [ROW], 1),
    ("a / 4 == 2.5", [ROW], 1),
    ("a / 0 is null", [ROW], 1),                   # division by zero is null
    ("a / 3 == 3.3333333333", [ROW], 1),           # 10 places, half-even
    ("-a / 3 == -3.3333333333", [ROW], 1),
    ("b / 7 == 0.3571428571", [ROW], 1),
    ("1 / 20000000000 == 0 and 3 / 20000000000 == 0.0000000002", [ROW], 1),  # ties to even
    ("b * b * b == 15.625", [ROW], 1),             # products keep every decimal
    ("-b < 0", [ROW, {"b": D("-1")}], 1),
    ("coalesce(a, 99) == 99", [ROW, ROW_NULL], 1),
    ("coalesce(b, 0) == 0", [{"b": D("0.00")}, ROW_NULL], 2),
    ("within(d, date(2020, 1, 1), fim_bimestre(2020, 2))",
     [ROW, {"d": datetime.date(2020, 5, 1)}, {"d": datetime.date(2019, 12, 31)}, ROW_NULL], 1),
    ("within(d, date(2020, 1, 1), null)", [{"d": datetime.date(2099, 1, 1)}], 1),  # open end
    ("within(a, null, 10)", [ROW, {"a": -5}, {"a": 11}], 2),                       # open start
    ("year(d) == 2020 and month(d) == 4 and day(d) == 30", [ROW], 1),
    ("bimestre(d) == 2", [ROW, {"d": datetime.date(2020, 5, 1)}], 1),
    ("round(b / 3, 2) == 0.83", [ROW], 1),
    ("round(2.345, 2) == 2.34", [ROW], 1),                      # half-even
    ("round_half_up(2.345, 2) == 2.35", [ROW], 1),
    ("abs(b - 3) == 0.5", [ROW], 1),
    ("(if f then a else 0) == 10", [ROW, {"a": 10, "f": False}, {"a": 10}], 1),  # null → else
    ("a == $p + 3", [ROW], 1),
    ("date(2020, 2, 30) is null", [ROW], 1),                    # no such date
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("cond", "rows", "expected"), CASES, ids=[c[0] for c in CASES])
def test_condition(tmp_path, backend: str, cond: str, rows: list, expected: int) -> None:  # type: ignore[no-untyped-def]
    assert count_where(tmp_path, cond, rows, backend) == expected
