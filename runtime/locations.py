"""Loc: a source-map record used by generated LOC tables (spec file, line, column, end)."""

from __future__ import annotations

from typing import NamedTuple


class Loc(NamedTuple):
    """Where a rule lives in the specs (1-based line and column)."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"
