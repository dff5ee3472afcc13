"""Long source and record lines are shown as a window around the caret, never whole: a
125,000-character expression or a 300-character partition value gives a readable message."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from runtime.contract import SHOWN_WIDTH
from runtime.errors import DataError
from runtime.render import clip


@st.composite
def lines_and_spans(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(st.text(alphabet="abcdefghij =;()", min_size=1, max_size=600))
    col = draw(st.integers(1, len(text) + 1))  # len + 1: a caret past the end ($END)
    width = draw(st.integers(1, max(1, len(text) + 2 - col)))
    return text, col, width


@given(lines_and_spans())
def test_the_window_keeps_what_the_caret_points_at(case: tuple[str, int, int]) -> None:
    text, col, width = case
    shown, c, w = clip(text, col, width)
    if len(text) <= SHOWN_WIDTH:
        assert (shown, c, w) == (text, col, width)
        return
    assert len(shown) <= SHOWN_WIDTH + 2  # the window and its two '…'
    assert 1 <= c <= len(shown) + 1 and w >= 1
    # under the caret: the characters the original caret pointed at (the start of them)
    assert shown[c - 1:c - 1 + w] == text[col - 1:col - 1 + w]


def test_a_long_record_line_is_shown_around_the_cell() -> None:
    line = "3106200;" * 60 + "X;" + "1;" * 200
    col = line.index("X") + 1
    e = DataError(code="D0104", message="valor inválido", file="d.csv", line=7, col=col,
                  text=line)
    rendered = e.render().splitlines()
    assert rendered[0] == "d.csv:7:" + str(col) + ": erro[D0104]: valor inválido"
    shown, caret = rendered[2], rendered[3]
    assert len(shown) <= len("7 | ") + SHOWN_WIDTH + 2
    assert shown.startswith("7 | …") and shown.endswith("…")
    assert shown[caret.index("^")] == "X"
