"""Null-aware operators used by generated code (SQL semantics: null propagates).

Generated code uses plain Python operators where the compiler proved both sides non-null and
these helpers elsewhere.
"""

from __future__ import annotations

import datetime
import fnmatch
import functools
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from runtime import dates
from runtime.contract import DIV_SCALE
from runtime.sheets import KEY_SEP
from runtime.values import DIVIDE
from runtime.values import QUANTIZE
from runtime.values import round_half_even
from runtime.values import round_half_up

_DIV_PLACES = Decimal(1).scaleb(-DIV_SCALE)  # 1E-10


def eq(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a == b


def ne(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a != b


def lt(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a < b


def le(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a <= b


def gt(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a > b


def ge(a: Any, b: Any) -> bool | None:
    return None if a is None or b is None else a >= b


def and3(a: bool | None, b: bool | None, *more: bool | None) -> bool | None:
    """Kleene and of a chain: false wins, then null."""
    if more:
        xs = (a, b, *more)
        if any(x is False for x in xs):
            return False
        return None if any(x is None for x in xs) else True
    if a is False or b is False:
        return False
    if a is None or b is None:
        return None
    return True


def or3(a: bool | None, b: bool | None, *more: bool | None) -> bool | None:
    """Kleene or of a chain: true wins, then null."""
    if more:
        xs = (a, b, *more)
        if any(x is True for x in xs):
            return True
        return None if any(x is None for x in xs) else False
    if a is True or b is True:
        return True
    if a is None or b is None:
        return None
    return False


def not3(a: bool | None) -> bool | None:
    return None if a is None else not a


def in_(a: Any, items: tuple[Any, ...]) -> bool | None:
    return None if a is None else a in items


def not_in(a: Any, items: tuple[Any, ...]) -> bool | None:
    return None if a is None else a not in items


@functools.cache
def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(pattern), re.DOTALL)


def matches(a: str | None, pattern: str) -> bool | None:
    """Glob match: `*` any run of characters, `?` one character; case-sensitive."""
    return None if a is None else _glob(pattern).match(a) is not None


def add(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a + b


def sub(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a - b


def mul(a: Any, b: Any) -> Any:
    return None if a is None or b is None else a * b


def div(a: Any, b: Any) -> Decimal | None:
    """Decimal division rounded half-even to 10 places; division by zero is null."""
    if a is None or b is None or b == 0:
        return None
    return DIVIDE.divide(Decimal(a), Decimal(b)).quantize(_DIV_PLACES, context=QUANTIZE)


def neg(a: Any) -> Any:
    return None if a is None else -a


def coalesce(*args: Any) -> Any:
    for a in args:
        if a is not None:
            return a
    return None


def field(rec: tuple[Any, ...] | None, index: int) -> Any:
    return None if rec is None else rec[index]


def within(x: Any, start: Any, end: Any) -> bool | None:
    """start <= x <= end; a null start or end leaves that side open; null x is null."""
    if x is None:
        return None
    return (start is None or start <= x) and (end is None or x <= end)


def round_(x: Any, places: int) -> Decimal | None:
    return round_half_even(x, places)


def round_up(x: Any, places: int) -> Decimal | None:
    return round_half_up(x, places)


def abs_(x: Any) -> Any:
    return None if x is None else abs(x)


def left(x: str | None, n: int) -> str | None:
    """The first n code points of x (all of x when shorter), as DuckDB's and Spark's LEFT."""
    return None if x is None else x[:n]


def concat(*parts: str | int | None) -> str | None:
    """Texts and integers joined (an int as its decimal digits), null when one is null."""
    if any(p is None for p in parts):
        return None
    return "".join(str(p) for p in parts)


def join_texts(sep: str, *parts: str | None) -> str | None:
    """The parts that are not null joined by `sep`; null when none is (SQL's concat_ws)."""
    got = [p for p in parts if p is not None]
    return sep.join(got) if got else None


def date_text(d: datetime.date | None, pattern: str) -> str | None:
    """The date as digits in the pattern's order (compiler/builtins.DATE_TEXT), zero-padded."""
    if d is None:
        return None
    sep = "" if len(pattern) == 8 else pattern[2] if pattern[2] in "-/" else pattern[4]
    y, m, day_ = f"{d.year:04d}", f"{d.month:02d}", f"{d.day:02d}"
    return sep.join((y, m, day_) if pattern.startswith("A") else (day_, m, y))


def date(y: int | None, m: int | None, d: int | None) -> datetime.date | None:
    return dates.make_date(y, m, d)


def fim_bimestre(y: int | None, b: int | None) -> datetime.date | None:
    return dates.fim_bimestre(y, b)


def year(d: datetime.date | None) -> int | None:
    return None if d is None else d.year


def month(d: datetime.date | None) -> int | None:
    return None if d is None else d.month


def day(d: datetime.date | None) -> int | None:
    return None if d is None else d.day


def bimestre(d: datetime.date | None) -> int | None:
    return dates.bimestre(d)


def total(*values: Any) -> Any:
    """Sum for totalizer rows: nulls count as nothing; the sum of nothing is 0."""
    acc: Any = 0
    for v in values:
        if v is not None:
            acc = acc + v
    return acc


def sheet_total(node: Any, rows: Mapping[str, list[Any]], column: int,
                pattern: str) -> Decimal:
    """The sum of `column` over the lines of sheets node `node` in one partition (its keyed
    rows, runtime/sheets.py; a formula column computed on each line) whose planilha code
    matches the glob `pattern` (`*`: every one)."""
    test = _glob(pattern)
    total = Decimal(0)
    for key, acc in rows.items():
        v = node.line_values(acc)[column]
        if v is not None and test.fullmatch(key.split(KEY_SEP, 1)[0]):
            total += v
    return total
