"""Exact decimal values: the Decimal context, rounding modes and money formatting."""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_EVEN
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

__all__ = ["D", "ZERO", "format_money", "round_half_even", "round_half_up"]

# 38 significant digits, like DECIMAL(38, s) in SQL. Runs evaluate inside
# decimal.localcontext(CONTEXT), so an embedding host's own context never changes our sums.
CONTEXT = decimal.Context(prec=38, rounding=ROUND_HALF_EVEN,
                          traps=[decimal.InvalidOperation, decimal.Overflow,
                                 decimal.DivisionByZero])

ZERO = D("0")
_CENT = D("0.01")
_QUANTS = {n: D(1).scaleb(-n) for n in range(0, 11)}


def round_half_even(x: D | int | None, places: int = 2) -> D | None:
    """Round to `places` decimals, half to even (ABNT NBR 5891); null stays null."""
    if x is None:
        return None
    return D(x).quantize(_QUANTS[places], rounding=ROUND_HALF_EVEN)


def round_half_up(x: D | int | None, places: int = 2) -> D | None:
    """Round to `places` decimals, half away from zero; null stays null."""
    if x is None:
        return None
    return D(x).quantize(_QUANTS[places], rounding=ROUND_HALF_UP)


def format_money(x: D | int | None) -> str:
    """`1234,56`, `-0,50`, `0,00`: two decimals, comma, no thousands separator."""
    if x is None:
        x = ZERO
    q = D(x).quantize(_CENT, rounding=ROUND_HALF_EVEN)
    if q == 0:
        return "0,00"
    return f"{q:f}".replace(".", ",")
