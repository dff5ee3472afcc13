"""Characters spec text may never carry raw into generated code or output lines, and the
identifier a spec id becomes there."""

from __future__ import annotations

import keyword
import re
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


def ident(text: str) -> str:
    """`covid/77` → `covid_77`; anything outside [A-Za-z0-9_] becomes `_`: the name a spec id
    gets in generated code (compiler/codegen/names.py). Not one-to-one ('a/b', 'a_b'), so the
    package loader refuses two ids with one ident (compiler/package.py, S0201)."""
    out = re.sub(r"[^A-Za-z0-9_]", "_", text)
    if not out or out[0].isdigit() or keyword.iskeyword(out):
        out = "_" + out
    return out
