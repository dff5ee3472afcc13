"""Source files and spans: the only module that turns offsets into (line, column)."""

from __future__ import annotations

import bisect
import unicodedata
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """A region of a source file: 1-based line/col for display, 0-based offsets into the text."""

    file: str
    line: int
    col: int
    end_line: int
    end_col: int
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A spec file's text (NFC-normalised) with a line-start index for offset ↔ position."""

    path: str
    text: str
    _starts: tuple[int, ...] = field(default=(), repr=False, compare=False)

    @classmethod
    def from_text(cls, path: str, text: str) -> SourceFile:
        text = unicodedata.normalize("NFC", text)
        starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                starts.append(i + 1)
        return cls(path, text, tuple(starts))

    @classmethod
    def read(cls, path: Path, display: str) -> SourceFile:
        return cls.from_text(display, path.read_text(encoding="utf-8"))

    def position(self, offset: int) -> tuple[int, int]:
        """0-based offset → 1-based (line, col), columns in code points."""
        offset = max(0, min(offset, len(self.text)))
        idx = bisect.bisect_right(self._starts, offset) - 1
        return idx + 1, offset - self._starts[idx] + 1

    def offset(self, line: int, col: int) -> int:
        """1-based (line, col) → 0-based offset."""
        line = max(1, min(line, len(self._starts)))
        return self._starts[line - 1] + col - 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.position(start)
        end_line, end_col = self.position(max(start, end))
        return Span(file=self.path, line=line, col=col, end_line=end_line, end_col=end_col,
                    start=start, end=max(start, end))

    def line_text(self, line: int) -> str:
        if line < 1 or line > len(self._starts):
            return ""
        begin = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        return self.text[begin:end].rstrip("\r")


def file_span(path: str) -> Span:
    """A span for a whole file (when nothing more precise is known)."""
    return Span(file=path, line=1, col=1, end_line=1, end_col=1, start=0, end=0)
