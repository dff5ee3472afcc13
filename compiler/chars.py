"""Characters spec text may never carry raw into generated code or output lines."""

from __future__ import annotations

import unicodedata

# Everything str.splitlines() splits on (every line break Python, a SQL file reader or an
# output reader may see).
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def unsafe_char(ch: str) -> bool:
    """A control character (category Cc: NUL, TAB, CR, LF, VT, NEL, ...), a line/paragraph
    separator, or a lone surrogate (a YAML "\\ud800" escape; no UTF-8 file can hold it): never
    written raw into generated code, a comment or an output line."""
    return ch in LINE_BREAKS or unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs")


def first_unsafe(text: str, extra: str = "") -> int | None:
    """Index of the first unsafe character of `text` (or of a character in `extra`), else None."""
    for i, ch in enumerate(text):
        if ch in extra or unsafe_char(ch):
            return i
    return None
