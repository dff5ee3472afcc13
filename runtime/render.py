"""The one renderer of diagnostics, compile-time (compiler/diagnostics.py) and run-time
(runtime/errors.py) alike:

    file:line:col: erro[CODE]: message
      |
    12 | the line as written
      |      ^^^^ a note
      = ajuda: what to do

Both sides build their text from these pieces, so a caret, a gutter or a clipped long line
looks the same whichever stage found the problem."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TypeVar

from runtime.contract import MAX_SHOWN
from runtime.contract import SHOWN_WIDTH

T = TypeVar("T")


def clip(text: str, col: int, width: int, limit: int = SHOWN_WIDTH) -> tuple[str, int, int]:
    """A window of at most ~`limit` characters of a long line around columns col..col+width
    (1-based), with '…' where it was cut; returns (text, col, width) for the caret in it.

    Example: a 125,000-character expression line shows the 120 characters around the error.
    """
    if len(text) <= limit:
        return text, col, width
    width = max(1, min(width, limit - 2))
    start = max(0, min(col - 1 - limit // 3, len(text) - limit))
    end = min(len(text), start + limit)
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    col = col - start + len(head)
    width = max(1, min(width, end - start - (col - 1 - len(head))))
    return head + text[start:end] + tail, col, width


def header(where: str, severity: str, code: str, message: str) -> str:
    """`where: severity[CODE]: message` and a line end."""
    return f"{where}: {severity}[{code}]: {message}\n"


def snippet(line: int, text: str, col: int, width: int, *, gutter: int = 0, marker: str = "^",
            note: str | None = None) -> str:
    """Line `line` (its `text`) under a gutter `gutter` digits wide (at least the line
    number's), marked from column `col` for `width` characters (at least one) with `marker`
    ('^' the place of the problem, '-' a related place) and an optional note after it."""
    digits = max(gutter, len(str(line)))
    text, col, width = clip(text, col, max(1, width))
    mark = " " * (col - 1) + marker * width
    if note:
        mark += " " + note
    g = " " * digits
    return f"{g} |\n{line:>{digits}} | {text}\n{g} | {mark}\n"


def note(kind: str, text: str) -> str:
    """A trailing `  = kind: text` line (ajuda, nota)."""
    return f"  = {kind}: {text}\n"


def render_many(items: Sequence[T], render: Callable[[T], str]) -> str:
    """The first MAX_SHOWN items rendered, then how many more were left out."""
    parts = [render(d) for d in items[:MAX_SHOWN]]
    if len(items) > MAX_SHOWN:
        parts.append(f"… e mais {len(items) - MAX_SHOWN}\n")
    return "".join(parts)
