"""Expression semantics, written once and run on every back end (tests/exprkit.BACKENDS)."""

from __future__ import annotations

import datetime

import pytest

from compiler import check
from tests.exprkit import BACKENDS
from tests.exprkit import LEDGER
from tests.exprkit import PACKAGE
from tests.exprkit import D
from tests.exprkit import count_layout
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
    ('concat(s, "-", a) == "3.3.90.39-10"', [ROW], 1),   # an int as its decimal digits
    ('concat(s, "-", -a) == "3.3.90.39--10"', [ROW], 1),
    ('concat(s, "x") is null', [ROW_NULL, ROW], 1),      # null when a part is null
    # join_texts: nulls skipped, the separator only between the texts that are there
    ('join_texts("; ", s, "x") == "3.3.90.39; x"', [ROW], 1),
    ('join_texts("; ", s, "x") == "x"', [ROW_NULL], 1),
    ('join_texts("; ", s, s) is null', [ROW_NULL, ROW], 1),   # null when every part is
    ('join_texts("", s, "") == "3.3.90.39"', [ROW], 1),       # an empty text is a text
    ('date_text(d, "AAAAMMDD") == "20200430"', [ROW], 1),
    ('date_text(d, "DD/MM/AAAA") == "30/04/2020"', [ROW], 1),
    ('date_text(d, "DD-MM-AAAA") == "30-04-2020"', [ROW], 1),
    ('date_text(date(999, 1, 2), "AAAA-MM-DD") == "0999-01-02"', [ROW], 1),  # zero-padded
    ('date_text(d, "DDMMAAAA") is null', [ROW_NULL], 1),
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
    # left: expectations by counting characters by hand; "e\u0301" is e + a combining accent
    # (2 code points, 1 grapheme: code points are what is counted), "\U0001d11e" is one code
    # point outside the BMP (2 UTF-16 units in Spark's JVM)
    ('left(s, 4) == "3.3."', [ROW, {"s": "3.3"}, ROW_NULL], 1),
    ('left(s, 0) == ""', [ROW, ROW_NULL], 1),                 # (an empty cell reads as null)
    ("left(s, 100) == s", [ROW, {"s": "Ação"}, ROW_NULL], 2),  # longer than the text: all of it
    ("left(s, 3) is null", [ROW, ROW_NULL], 1),                # null text → null
    ('left(s, 2) == "Aç"', [{"s": "Ação"}, {"s": "Acao"}], 1),
    ('left(s, 1) == "e"', [{"s": "e\u0301x"}, {"s": "\u00e9x"}], 1),
    ('left(s, 1) == "\U0001d11e" and left(s, 2) == s',
     [{"s": "\U0001d11ea"}, {"s": "\U0001d11eab"}], 1),
    ("(if f then a else 0) == 10", [ROW, {"a": 10, "f": False}, {"a": 10}], 1),  # null → else
    ("a == $p + 3", [ROW], 1),
    ("date(2020, 2, 30) is null", [ROW], 1),                    # no such date
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(("cond", "rows", "expected"), CASES, ids=[c[0] for c in CASES])
def test_condition(tmp_path, backend: str, cond: str, rows: list, expected: int) -> None:  # type: ignore[no-untyped-def]
    assert count_where(tmp_path, cond, rows, backend) == expected


# left's width must be an int literal >= 0: a field, a negative number (a negation, not a
# literal), a decimal or a bool is T0207 on the width; a non-text first argument is T0202.
# Columns counted by hand: the filter is line 5, its text starts at column 10 (`filter: '`).
@pytest.mark.parametrize(("cond", "code", "col"), [
    ('left(s, a) == "x"', "T0207", 18),
    ('left(s, -1) == "x"', "T0207", 18),
    ('left(s, 2.0) == "x"', "T0207", 18),
    ('left(s, true) == "x"', "T0207", 18),
    ('left(a, 2) == "1"', "T0202", 15),
])
def test_left_refuses_a_width_that_is_not_an_int_literal(tmp_path, cond: str, code: str,
                                                         col: int) -> None:  # type: ignore[no-untyped-def]
    specs = tmp_path / "specs"
    specs.mkdir()
    for name, text in (("package.yaml", PACKAGE), ("t.yaml", LEDGER),
                       ("c.yaml", count_layout(cond))):
        (specs / name).write_text(text, encoding="utf-8")
    [d] = check(specs, base=tmp_path).errors
    assert (d.code, d.span.file, d.span.line, d.span.col) == (code, "specs/c.yaml", 5, col)
