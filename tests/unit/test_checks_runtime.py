"""runtime/checks.py on its own: the comparison with a tolerance, the pt-BR values, the D0701/
D0702 it reports and the row the journal keeps (the runs are in tests/golden/test_checks.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from runtime.checks import Assertion
from runtime.checks import Check
from runtime.checks import brl
from runtime.locations import Loc

AT = Loc("specs/p/conferencia.yaml", 7, 9, 10, 1)


def _check(severity: str = "error", tolerance: str = "0.01") -> Check:
    return Check(id="conferencia", source="despesa", sums=(Decimal(0),),
                 assertions=(Assertion("total", "o total bate", severity, Decimal(tolerance),
                                       'cell("quadro", "9", "V0")', "sum(valor)", AT,
                                       "  - id: total", 5),))


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("4444.44"), "4.444,44"), (Decimal("-1234567.5"), "-1.234.567,50"),
    (Decimal("0"), "0,00"), (Decimal("0.00"), "0,00"), (Decimal("0.125"), "0,125"),
    (12, "12"), (-1000, "-1.000"),
    (None, "nulo")])
def test_brl_shows_every_digit_and_no_more(value: Decimal | int | None, shown: str) -> None:
    assert brl(value) == shown


@given(st.integers(min_value=-10**6, max_value=10**6), st.integers(min_value=-3, max_value=3))
def test_a_difference_within_the_tolerance_holds(cents: int, off: int) -> None:
    left = Decimal(cents).scaleb(-2)
    got = _check().outcome(0, "3170206", left, left + Decimal(off).scaleb(-2))
    assert got.ok is (abs(off) <= 1)
    assert (got.error("municipio") is None) is got.ok
    assert got.difference == Decimal(-off).scaleb(-2)


def test_a_failed_error_check_is_d0701_naming_both_sides_and_its_position() -> None:
    got = _check().outcome(0, "3170206", Decimal("396302.00"), Decimal("396301.00"))
    e = got.error("municipio")
    assert e is not None
    assert (e.code, e.severity, e.file, e.line, e.col) == ("D0701", "erro",
                                                           "specs/p/conferencia.yaml", 7, 9)
    assert e.render() == (
        "specs/p/conferencia.yaml:7:9: erro[D0701]: a conferência 'conferencia/total' não fecha "
        'no municipio 3170206: cell("quadro", "9", "V0") = 396.302,00, mas sum(valor) = '
        "396.301,00; diferença de 1,00 (tolerância 0,01)\n"
        "  |\n7 |   - id: total\n  |         ^^^^^\n"
        "  = ajuda: o total bate\n")
    assert got.journal_row() == ("conferencia/total", "3170206", "error", "failed",
                                 "396302.00", "396301.00", "1.00", "0.01",
                                 "specs/p/conferencia.yaml:7:9")


def test_a_failed_warning_check_is_d0702_an_aviso() -> None:
    got = _check("warning").outcome(0, None, Decimal("1"), Decimal("2"))
    e = got.error(None)
    assert e is not None
    assert (e.code, e.severity, e.file, e.line, e.col) == ("D0702", "aviso",
                                                           "specs/p/conferencia.yaml", 7, 9)
    assert "não fecha: " in e.message and got.journal_row()[1] == ""


def test_a_null_side_fails_unless_both_are_null() -> None:
    c = _check()
    assert not c.outcome(0, None, None, Decimal(0)).ok
    assert "um dos lados é nulo" in (c.outcome(0, None, Decimal(0), None).error(None)
                                     or pytest.fail()).message
    assert c.outcome(0, None, None, None).ok
    assert c.new_acc() == [[Decimal(0)]] and c.new_acc() is not c.new_acc()
