"""Date helpers: construction without exceptions, bimesters."""

from __future__ import annotations

import calendar
import datetime


def make_date(year: int | None, month: int | None, day: int | None) -> datetime.date | None:
    """date(y, m, d); null when any part is null or the date does not exist."""
    if year is None or month is None or day is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def fim_bimestre(year: int | None, bim: int | None) -> datetime.date | None:
    """Last day of bimester `bim` (1–6) of `year`; null outside 1–6."""
    if year is None or bim is None or not 1 <= bim <= 6 or not 1 <= year <= 9999:
        return None
    month = bim * 2
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def bimestre(d: datetime.date | None) -> int | None:
    """Bimester (1–6) of a date."""
    return None if d is None else (d.month + 1) // 2
