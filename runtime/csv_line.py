"""A line of the `;` CSV outputs joined by hand, exactly as `csv.writer(delimiter=";",
lineterminator="\\n")` writes it (QUOTE_MINIMAL): a field is quoted, its quotes doubled, only
when it holds a `;`, a quote or a line feed (tests/unit/test_csv_line.py checks the rule against
the csv module). The change report of a first load is a million such lines at a million OPs,
three per OP sharing the OP's columns: joined here, the shared part once per OP, it costs a
fraction of the writer's per-row call (benchmarks/transparencia.py)."""

from __future__ import annotations

from collections.abc import Sequence


def field(text: str) -> str:
    """One field as the writer writes it."""
    if ";" in text or '"' in text or "\n" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def join(texts: Sequence[str]) -> str:
    """Fields (at least two: the writer quotes a lone empty field) joined into part of a line,
    no terminator: `join(a) + ";" + join(b)` is the line of a + b."""
    line = ";".join(texts)
    if '"' in line or "\n" in line or line.count(";") != len(texts) - 1:
        return ";".join(map(field, texts))
    return line
