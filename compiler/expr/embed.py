"""Map offsets inside an expression to positions in the YAML file, by the scalar's style."""

from __future__ import annotations

from dataclasses import dataclass

from compiler.source import SourceFile
from compiler.source import Span
from compiler.yamlnodes import YScalar


@dataclass(frozen=True, slots=True)
class Embedding:
    """Where an expression lives; `exact` is False when offsets cannot be mapped precisely."""

    src: SourceFile
    scalar: YScalar
    exact: bool
    # For exact single-line styles: file offset of expression offset 0.
    base: int
    # For literal blocks: file offsets of the start of each expression line.
    line_starts: tuple[int, ...] = ()
    # For plain scalars folded over several lines: the file offset of every expression offset.
    offsets: tuple[int, ...] = ()

    def span(self, start: int, end: int) -> Span:
        if not self.exact:
            s = self.scalar.span
            return self.src.span(s.start, s.start + 1)
        if self.offsets:
            first = self._folded(start)
            return self.src.span(first, self._folded(end - 1) + 1 if end > start else first)
        return self.src.span(self._file_offset(start), self._file_offset(end))

    def _folded(self, off: int) -> int:
        if off < len(self.offsets):
            return self.offsets[off]
        return self.offsets[-1] + 1 + off - len(self.offsets)  # past the end (E0101)

    def _file_offset(self, off: int) -> int:
        if not self.line_starts:
            return self.base + off
        text = self.scalar.value
        line = text.count("\n", 0, off)
        col = off - (text.rfind("\n", 0, off) + 1)
        return self.line_starts[min(line, len(self.line_starts) - 1)] + col

    def expr_col(self, off: int) -> int:
        """1-based column inside the expression text (for the inexact case)."""
        text = self.scalar.value
        return off - (text.rfind("\n", 0, off) + 1) + 1


def embed(src: SourceFile, scalar: YScalar) -> Embedding:
    text = scalar.value
    s = scalar.span
    if scalar.style is None and s.line == s.end_line:
        return Embedding(src, scalar, True, s.start)
    if scalar.style is None:
        offsets = _folded_plain_offsets(src, scalar)
        if offsets is not None:
            return Embedding(src, scalar, True, s.start, offsets=offsets)
    if scalar.style in ("'", '"') and "\n" not in text:
        raw = src.text[s.start:s.end]
        if raw == scalar.style + text + scalar.style:
            return Embedding(src, scalar, True, s.start + 1)
    if scalar.style == "|":
        starts = _literal_line_starts(src, scalar)
        if starts is not None:
            return Embedding(src, scalar, True, 0, starts)
    return Embedding(src, scalar, False, s.start)


def _literal_line_starts(src: SourceFile, scalar: YScalar) -> tuple[int, ...] | None:
    lines = scalar.value.split("\n")
    header_line = scalar.span.line
    first = header_line + 1
    # find indentation of the first non-empty content line
    indent = None
    for k, text in enumerate(lines):
        if text.strip():
            file_text = src.line_text(first + k)
            indent = len(file_text) - len(file_text.lstrip(" "))
            if file_text[indent:] != text:
                return None
            break
    if indent is None:
        return None
    return tuple(src.offset(first + k, indent + 1) for k in range(len(lines)))


def _folded_plain_offsets(src: SourceFile, scalar: YScalar) -> tuple[int, ...] | None:
    """A plain scalar written over several lines: YAML folds each line break (and the
    indentation around it) into one space. Walk the value and the file text side by side."""
    text, raw, pos = scalar.value, src.text, scalar.span.start
    out = []
    for ch in text:
        while pos < scalar.span.end and raw[pos] != ch:
            if raw[pos] not in " \t\r\n":
                return None
            pos += 1
        if pos >= scalar.span.end:
            return None
        out.append(pos)
        pos += 1
    return tuple(out) if out else None


def positioned(src: SourceFile, scalar: YScalar) -> Embedding:
    """`embed`, but exact for a folded block (`>`, `>-`) too, which `embed` leaves inexact
    (every span the scalar's start — diagnostics keep that, tests/cases/diagnostics/E0101_*):
    for explain's positions of each branch of an if-chain (compiler/kinds/derivation/
    branches.py) the value is walked beside the file text from the line after the header, as
    a folded plain scalar is."""
    got = embed(src, scalar)
    if got.exact or scalar.style != ">":
        return got
    text, raw = scalar.value, src.text
    pos, out = src.offset(scalar.span.line + 1, 1), []
    for ch in text:
        while pos < scalar.span.end and raw[pos] != ch:
            if raw[pos] not in " \t\r\n":
                return got
            pos += 1
        if pos >= scalar.span.end:
            return got
        out.append(pos)
        pos += 1
    return Embedding(src, scalar, True, scalar.span.start, offsets=tuple(out)) if out else got
