"""Diagnostics: the error object every stage produces and the renderer."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from compiler.source import SourceFile
from compiler.source import Span
from runtime.errors import clip


class Severity(enum.Enum):
    """How serious a diagnostic is; only errors fail a command."""

    ERROR = "erro"
    WARNING = "aviso"
    NOTE = "nota"


@dataclass(frozen=True, slots=True, kw_only=True)
class Label:
    """A secondary span with a short note ("first defined here")."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One problem in the analyst's terms: stable code, message, primary span, optional help."""

    code: str
    message: str
    span: Span
    severity: Severity = Severity.ERROR
    labels: tuple[Label, ...] = ()
    help: str | None = None
    caret_note: str | None = None
    # For expressions whose position inside the file is not exact (escaped or folded scalars):
    # the expression text and the caret column inside it (1-based).
    expr_text: str | None = None
    expr_col: int | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.span.file, self.span.line, self.span.col, self.code)


MAX_SHOWN = 50


def render(diags: list[Diagnostic], sources: Callable[[str], SourceFile | None]) -> str:
    """Render diagnostics as `file:line:col: erro[CODE]: message`, the line and a caret."""
    parts = [render_one(d, sources(d.span.file)) for d in diags[:MAX_SHOWN]]
    if len(diags) > MAX_SHOWN:
        parts.append(f"… e mais {len(diags) - MAX_SHOWN}\n")
    return "".join(parts)


def render_one(d: Diagnostic, src: SourceFile | None) -> str:
    s = d.span
    out = [f"{s.file}:{s.line}:{s.col}: {d.severity.value}[{d.code}]: {d.message}\n"]
    if src is not None:
        text = src.line_text(s.line)
        # one gutter width for the primary line and every label shown with it
        width_n = max([len(str(s.line))] + [len(str(lb.span.line)) for lb in d.labels
                                            if lb.span.file == s.file])
        gutter = " " * width_n
        if s.end_line == s.line and s.end_col > s.col:
            width = s.end_col - s.col
        else:
            width = 1
        text, col, width = clip(text, s.col, width)  # a very long line: the part at the caret
        caret = " " * (col - 1) + "^" * max(1, width)
        if d.caret_note:
            caret += " " + d.caret_note
        out.append(f"{gutter} |\n{s.line:>{width_n}} | {text}\n{gutter} | {caret}\n")
        for label in d.labels:
            ls = label.span
            ltext = src.line_text(ls.line) if ls.file == s.file else None
            if ltext is not None:
                lw = ls.end_col - ls.col if ls.end_line == ls.line and ls.end_col > ls.col else 1
                ltext, lcol, lw = clip(ltext, ls.col, lw)
                out.append(f"{gutter} |\n{ls.line:>{width_n}} | {ltext}\n{gutter} | "
                           f"{' ' * (lcol - 1)}{'-' * lw} {label.message}\n")
            else:
                out.append(f"  = nota: {label.message} ({ls})\n")
        if d.expr_text is not None and d.expr_col is not None:
            etext, ecol, _ = clip(d.expr_text, d.expr_col, 1)
            out.append(f"  = expressão: {etext}\n")
            out.append(f"  =            {' ' * (ecol - 1)}^\n")
    else:
        for label in d.labels:
            out.append(f"  = nota: {label.message} ({label.span})\n")
    if d.help:
        out.append(f"  = ajuda: {d.help}\n")
    return "".join(out)
