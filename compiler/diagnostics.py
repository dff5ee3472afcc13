"""Diagnostics: the error object every stage produces and the renderer."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from compiler.source import SourceFile
from compiler.source import Span
from runtime.render import clip
from runtime.render import header
from runtime.render import note
from runtime.render import render_many
from runtime.render import snippet


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


def render(diags: list[Diagnostic], sources: Callable[[str], SourceFile | None]) -> str:
    """Render diagnostics as `file:line:col: erro[CODE]: message`, the line and a caret
    (with runtime/render.py, which draws run-time data errors too)."""
    return render_many(diags, lambda d: render_one(d, sources(d.span.file)))


def render_one(d: Diagnostic, src: SourceFile | None) -> str:
    s = d.span
    out = [header(f"{s.file}:{s.line}:{s.col}", d.severity.value, d.code, d.message)]
    if src is not None:
        # one gutter width for the primary line and every label shown with it
        gutter = max([len(str(s.line))] + [len(str(lb.span.line)) for lb in d.labels
                                           if lb.span.file == s.file])
        out.append(snippet(s.line, src.line_text(s.line), s.col, _width(s), gutter=gutter,
                           note=d.caret_note))
        for label in d.labels:
            ls = label.span
            if ls.file == s.file:
                out.append(snippet(ls.line, src.line_text(ls.line), ls.col, _width(ls),
                                   gutter=gutter, marker="-", note=label.message))
            else:
                out.append(note("nota", f"{label.message} ({ls})"))
        if d.expr_text is not None and d.expr_col is not None:
            etext, ecol, _ = clip(d.expr_text, d.expr_col, 1)
            out.append(note("expressão", etext))
            out.append(f"  =            {' ' * (ecol - 1)}^\n")
    else:
        for label in d.labels:
            out.append(note("nota", f"{label.message} ({label.span})"))
    if d.help:
        out.append(note("ajuda", d.help))
    return "".join(out)


def _width(s: Span) -> int:
    """The span's width on its line (1 when it ends on another line)."""
    return s.end_col - s.col if s.end_line == s.line and s.end_col > s.col else 1
