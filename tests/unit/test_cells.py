"""The cell rules (runtime/cells.py) agree with the Python converters, which have the last
word: a cell the syntax patterns reject, Python rejects; a cell the bounded (strictest)
patterns accept — DuckDB's line check and the fast path — Python accepts. And the calendar
pattern is exactly Python's calendar."""

from __future__ import annotations

import datetime
import re

from hypothesis import given
from hypothesis import strategies as st

from runtime.cells import DATE_CALENDAR
from runtime.cells import DATE_SYNTAX
from runtime.cells import INT_BOUNDED
from runtime.cells import INT_SYNTAX
from runtime.cells import bool_pattern
from runtime.cells import decimal_bounded
from runtime.cells import decimal_syntax
from runtime.convert import converter
from runtime.errors import BadCell
from runtime.model import CsvFormat
from runtime.model import Field

DIGITS = st.text(alphabet="0123456789", min_size=1, max_size=22)
CELL = st.one_of(
    st.text(alphabet="0123456789-,./ SN", max_size=24),
    st.builds(lambda a, b, neg: ("-" if neg else "") + a + ("," + b if b else ""), DIGITS,
              st.text(alphabet="0123456789", max_size=4), st.booleans()))


def _accepts(f: Field, fmt: CsvFormat, text: str) -> bool:
    try:
        converter(f, fmt)(text)
    except BadCell:
        return False
    return True


@given(CELL, st.sampled_from([0, 2, 4]), st.sampled_from(["", "."]))
def test_decimal_patterns_bracket_the_converter(text: str, scale: int, thousands: str) -> None:
    fmt = CsvFormat(thousands=thousands)
    ok = _accepts(Field("v", "decimal", scale=scale), fmt, text)
    if re.fullmatch(decimal_syntax(",", thousands, scale), text) is None:
        assert not ok
    if not thousands:
        for zeros in (True, False):
            if re.fullmatch(decimal_bounded(",", scale, leading_zeros=zeros), text):
                assert ok


@given(st.one_of(CELL, DIGITS, DIGITS.map(lambda d: "-" + d)))
def test_int_patterns_bracket_the_converter(text: str) -> None:
    ok = _accepts(Field("v", "int"), CsvFormat(), text)
    if re.fullmatch(INT_SYNTAX, text) is None:
        assert not ok
    if re.fullmatch(INT_BOUNDED, text):
        assert ok


@given(st.dates(), st.integers(1, 31), st.integers(1, 12), st.integers(1, 9999),
       st.sampled_from(["DD/MM/YYYY", "YYYY-MM-DD"]))
def test_the_calendar_pattern_is_pythons(real: datetime.date, d: int, m: int, y: int,
                                         fmt: str) -> None:
    f = Field("v", "date")
    for day, month, year in ((real.day, real.month, real.year), (d, m, y)):
        text = f"{day:02}/{month:02}/{year:04}" if fmt == "DD/MM/YYYY" else \
            f"{year:04}-{month:02}-{day:02}"
        assert re.fullmatch(DATE_SYNTAX[fmt], text)
        calendar = re.fullmatch(DATE_CALENDAR[fmt], text) is not None
        assert calendar == _accepts(f, CsvFormat(date=fmt), text), text


def test_bool_and_examples() -> None:
    yes_no = bool_pattern("S", "N")
    assert re.fullmatch(yes_no, "S") and not re.fullmatch(yes_no, "s")
    assert decimal_syntax(",", ".", 2) == \
        "-?(?:[0-9]{1,3}(?:[.][0-9]{3})+|[0-9]+)(?:[,][0-9]{1,2})?"
    assert decimal_bounded(",", 2) == "-?0*[0-9]{1,16}(?:[,][0-9]{1,2})?"
    assert re.fullmatch(decimal_bounded(",", 2), "9999999999999999,99")
    assert not re.fullmatch(decimal_bounded(",", 2), "99999999999999999,99")
    assert INT_BOUNDED == "-?[0-9]{1,18}"


def test_an_iso_week_date_is_not_a_yyyy_mm_dd_cell() -> None:
    """date.fromisoformat reads `2020-W01-1` (a week date, 2019-12-30) and `2020-001`-like forms
    on some Pythons: a YYYY-MM-DD ledger refuses them (D0103), as the SQL back ends' pattern
    does, and keeps reading real dates."""
    f, fmt = Field("d", "date"), CsvFormat(date="YYYY-MM-DD")
    for text in ("2020-W01-1", "2020W01-1x", "20200101  "):
        assert not _accepts(f, fmt, text), text
        assert re.fullmatch(DATE_SYNTAX["YYYY-MM-DD"], text) is None
    assert converter(f, fmt)("2019-12-30") == datetime.date(2019, 12, 30)
    try:
        converter(f, fmt)("2020-W01-1")
    except BadCell as bad:
        assert bad.code == "D0103"
