"""Exact decimal values: the Decimal context, rounding modes and money formatting."""

from __future__ import annotations

import decimal
from decimal import ROUND_HALF_EVEN
from decimal import ROUND_HALF_UP
from decimal import Decimal as D

from runtime.contract import SUM_PRECISION

__all__ = ["D", "ZERO", "format_money", "round_half_even", "round_half_up"]

# (The limits every back end applies, LEDGER_PRECISION, SUM_PRECISION, INT_MIN/INT_MAX, are
# in runtime/contract.py.)

# 38 significant digits, like DECIMAL(38, s) in SQL. Runs evaluate inside
# decimal.localcontext(CONTEXT), so an embedding host's own context never changes our sums.
# `Rounded` is trapped: a sum, product or difference that needs more than 38 digits raises
# (the run reports D0111, as the SQL back ends do) instead of losing digits. Division and
# rounding, which drop digits on purpose, use their own contexts (QUANTIZE, DIVIDE).
CONTEXT = decimal.Context(prec=SUM_PRECISION, rounding=ROUND_HALF_EVEN,
                          traps=[decimal.InvalidOperation, decimal.Overflow,
                                 decimal.DivisionByZero, decimal.Rounded])
# quantize: drops digits (no trap on Rounded); a result longer than 38 digits is
# InvalidOperation, the SQL back ends' overflow
QUANTIZE = decimal.Context(prec=SUM_PRECISION, rounding=ROUND_HALF_EVEN,
                           traps=[decimal.InvalidOperation, decimal.Overflow])
# division: the quotient to far more digits than kept, then quantized (runtime/ops.div)
DIVIDE = decimal.Context(prec=100, rounding=ROUND_HALF_EVEN,
                         traps=[decimal.InvalidOperation, decimal.Overflow])

ZERO = D("0")
_CENT = D("0.01")
_QUANTS = {n: D(1).scaleb(-n) for n in range(0, 11)}


def round_half_even(x: D | int | None, places: int = 2) -> D | None:
    """Round to `places` decimals, half to even (ABNT NBR 5891); null stays null."""
    if x is None:
        return None
    return D(x).quantize(_QUANTS[places], rounding=ROUND_HALF_EVEN, context=QUANTIZE)


def round_half_up(x: D | int | None, places: int = 2) -> D | None:
    """Round to `places` decimals, half away from zero; null stays null."""
    if x is None:
        return None
    return D(x).quantize(_QUANTS[places], rounding=ROUND_HALF_UP, context=QUANTIZE)


def format_money(x: D | int | None) -> str:
    """`1234,56`, `-0,50`, `0,00`: two decimals, comma, no thousands separator."""
    if x is None:
        x = ZERO
    if type(x) is D:
        s = str(x)  # the fast path: already two places (no exponent form has a '.' 2 from the end)
        if len(s) > 3 and s[-3] == "." and "E" not in s:
            return s.replace(".", ",") if x else "0,00"
    q = D(x).quantize(_CENT, rounding=ROUND_HALF_EVEN, context=QUANTIZE)
    if q == 0:
        return "0,00"
    return f"{q:f}".replace(".", ",")
