"""runtime/indicator_csv.py: `parse(render(records))` gives back exactly the records —
every value type (text with any character a line cannot carry, int, bool, null, Decimal of any
places and sign) — and every line of the file has its five fields."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from runtime.indicator_csv import parse
from runtime.indicator_csv import render
from runtime.indicator_csv import unsafe_char
from runtime.portal_record import IndicatorRecord

values = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-10**15,
                max_value=10**15),
    st.decimals(allow_nan=False, allow_infinity=False, places=0, min_value=-10**6,
                max_value=10**6),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    st.sampled_from(['"', '""', "\\", "\\u0041", ";", "\n", "\r\n", "\u2028", "\x00", ""]))
names = st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True)


@st.composite
def records(draw: st.DrawFn) -> list[IndicatorRecord]:
    out = []
    for n in range(draw(st.integers(min_value=0, max_value=4))):
        fields = draw(st.lists(names, unique=True, max_size=4).filter(
            lambda f: "exercicio" not in f))
        content = (("exercicio", 2019), *((f, draw(values)) for f in fields))
        out.append(IndicatorRecord(indicator=draw(st.sampled_from(["a", "b.c"])),
                                   entity="4205407", exercicio=2019,
                                   id_integracao=f"{n:032x}", content=content))
    return out


@given(records())
def test_render_then_parse_gives_the_records_back(recs: list[IndicatorRecord]) -> None:
    data = render(recs)
    text = data.decode("utf-8")
    assert text.endswith("\n")
    assert not any(unsafe_char(ch) for line in text.split("\n") for ch in line)
    assert all(len(row) == 5 for row in csv.reader(io.StringIO(text, newline=""),
                                                   delimiter=";"))
    back = parse(data, "4205407")
    assert back == recs
    for a, b in zip(back, recs, strict=True):  # Decimal places and int/bool kinds kept
        for (_, x), (_, y) in zip(a.content, b.content, strict=True):
            assert type(x) is type(y)
            if isinstance(x, Decimal):
                assert x.as_tuple() == y.as_tuple()


def test_a_decimal_is_written_with_a_comma_and_its_own_places() -> None:
    rec = IndicatorRecord(indicator="x", entity="e", exercicio=2019, id_integracao="0" * 32,
                          content=(("exercicio", 2019), ("v", Decimal("-1234.50")),
                                   ("t", 'a"b\nc'), ("ok", True), ("n", None)))
    assert render([rec]).decode("utf-8").splitlines()[1:] == [
        f"x;{'0' * 32};exercicio;inteiro;2019", f"x;{'0' * 32};v;decimal;-1234,50",
        f'x;{"0" * 32};t;texto;"a""b\\u000ac"', f"x;{'0' * 32};ok;logico;S",
        f"x;{'0' * 32};n;nulo;"]
