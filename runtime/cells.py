"""The CSV cell rules, defined once: per field type and CsvFormat, the text a cell may hold.

Every reader derives its checks from these definitions:

* the Python converters (runtime/convert.py), which have the last word on every cell;
* the SQL `convert` statement (compiler/codegen/convert.py), whose `_ok` is true only for
  cells the Python converters accept with the same value (any other row is judged again by
  them);
* DuckDB's line check (runtime/backends/duckdb.py `line_pattern`): a whole line matches only
  if Python accepts the record and DuckDB's typed reader reads the same values;
* Spark reads the cells as text and applies the `convert` statement.

The rules (Python's, the reference). An empty cell is no value (null) for every type, and
rejects the record (D0105) when the field is required. Otherwise:

* str: anything;
* int: `-?[0-9]+` (ASCII digits) within INT_MIN..INT_MAX (else D0101, D0113);
* decimal: `-?INT(SEP[0-9]{1,scale})?`, INT `[0-9]+` or grouped by the format's `thousands`,
  at most LEDGER_PRECISION - scale integer digits, leading zeros aside (else D0102, D0113);
* date: the format's DD/MM/YYYY or YYYY-MM-DD, a real calendar day 0001..9999 (else D0103);
* bool: the format's `true` or `false` text, exactly (else D0104).

A pattern here uses only what Python's `re`, RE2 (DuckDB) and Java's regex (Spark) read alike:
character classes, `{m,n}`, `(?:...)`, `?`, `*`, `+`, `|`; a separator is a one-character
class (`[,]`), never a backslash escape.
"""

from __future__ import annotations

import re

from runtime.contract import INT_MAX
from runtime.contract import LEDGER_PRECISION

DATE_FORMATS = ("DD/MM/YYYY", "YYYY-MM-DD")


def char(ch: str) -> str:
    """One character as a regex character class (no backslashes to escape per dialect)."""
    return "[\\\\]" if ch == "\\" else ("[\\^]" if ch == "^" else f"[{ch}]")


# ---------------------------------------------------------------- int
INT_SYNTAX = "-?[0-9]+"
# The digits every BIGINT holds: a longer integer may still fit (Python's check decides), but
# a pattern that allows no more than these can never let a value past BIGINT.
INT_SAFE_DIGITS = len(str(INT_MAX)) - 1  # 18
INT_BOUNDED = f"-?[0-9]{{1,{INT_SAFE_DIGITS}}}"


# ---------------------------------------------------------------- decimal
def integer_digits(scale: int) -> int:
    """The integer digits a ledger decimal of `scale` holds: DECIMAL(18, scale)."""
    return LEDGER_PRECISION - scale


def _int_part(thousands: str) -> str:
    if thousands:
        return f"(?:[0-9]{{1,3}}(?:{char(thousands)}[0-9]{{3}})+|[0-9]+)"
    return "[0-9]+"


def decimal_syntax(decimal: str, thousands: str, scale: int) -> str:
    """A decimal cell's syntax: sign, integer part, at most `scale` places (no range limit)."""
    frac = f"(?:{char(decimal)}[0-9]{{1,{scale}}})?" if scale > 0 else ""
    return f"-?{_int_part(thousands)}{frac}"


def decimal_any_places(decimal: str, thousands: str) -> str:
    """A decimal written right but for too many places (to say so in the message)."""
    return f"-?{_int_part(thousands)}(?:{char(decimal)}[0-9]+)?"


def decimal_bounded(decimal: str, scale: int, *, leading_zeros: bool = True) -> str:
    """A decimal cell with no thousands separator within DECIMAL(18, scale): at most
    integer_digits(scale) digits, after any leading zeros (`leading_zeros`; without them the
    pattern is stricter still, as DuckDB's typed reader needs)."""
    frac = f"(?:{char(decimal)}[0-9]{{1,{scale}}})?" if scale else ""
    zeros = "0*" if leading_zeros else ""
    return f"-?{zeros}[0-9]{{1,{integer_digits(scale)}}}{frac}"


def decimal_zero(decimal: str, scale: int) -> str:
    """Zero as it is usually written, `0,00` at scale 2 (the most frequent amount)."""
    return "0" + (decimal + "0" * scale if scale else "")


# ---------------------------------------------------------------- date
# (day, month, year) positions (1-based start, length) of each format's text
DATE_PARTS = {"DD/MM/YYYY": ((1, 2), (4, 2), (7, 4)), "YYYY-MM-DD": ((9, 2), (6, 2), (1, 4))}
DATE_SYNTAX = {"DD/MM/YYYY": "[0-9]{2}/[0-9]{2}/[0-9]{4}",
               "YYYY-MM-DD": "[0-9]{4}-[0-9]{2}-[0-9]{2}"}
_YEAR = "(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0001-9999, as Python's date
_LEAP = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DM = ("(?:(?:0[1-9]|1[0-9]|2[0-8])/(?:0[1-9]|1[0-2])|(?:29|30)/(?:0[13-9]|1[0-2])"
       "|31/(?:0[13578]|1[02]))")
_MD = ("(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
       "|(?:0[13578]|1[02])-31)")
# Calendar dates only (what Python's datetime.date accepts).
DATE_CALENDAR = {"DD/MM/YYYY": f"(?:{_DM}/{_YEAR}|29/02/{_LEAP})",
                 "YYYY-MM-DD": f"(?:{_YEAR}-{_MD}|{_LEAP}-02-29)"}
# The strftime format of each (DuckDB's dateformat)
DATE_STRFTIME = {"DD/MM/YYYY": "%d/%m/%Y", "YYYY-MM-DD": "%Y-%m-%d"}


# ---------------------------------------------------------------- bool
def bool_pattern(true: str, false: str) -> str:
    """The format's true or false text, exactly (escaped the way Python's re and RE2 read)."""
    return f"(?:{re.escape(true)}|{re.escape(false)})"
