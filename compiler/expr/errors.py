"""Turn lark parse errors into Diagnostics positioned in the spec file."""

from __future__ import annotations

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.expr.embed import Embedding
from compiler.expr.grammar import UnexpectedCharacters
from compiler.expr.grammar import UnexpectedInput
from compiler.expr.grammar import UnexpectedToken
from compiler.expr.grammar import terminal_display


def _expected(exc: UnexpectedToken) -> list[str]:
    names = exc.accepts or exc.expected
    return [terminal_display(n) for n in sorted(names)]


def to_diagnostic(exc: UnexpectedInput, emb: Embedding) -> Diagnostic:
    text = emb.scalar.value
    if isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        diag = catalog.expr_unexpected_char(emb.span(pos, pos + 1), char=text[pos])
        return _adorn(diag, emb, pos)
    assert isinstance(exc, UnexpectedToken)
    tok = exc.token
    if tok.type == "$END":
        # Caret just past the last character, not on the last token (lark's default).
        end = len(text.rstrip())
        diag = catalog.expr_unexpected_end(emb.span(end, end + 1), expected=_expected(exc))
        return _adorn(diag, emb, end)
    start, stop = tok.start_pos or 0, tok.end_pos or 0
    diag = catalog.expr_unexpected_token(emb.span(start, stop), token=str(tok),
                                         expected=_expected(exc))
    return _adorn(diag, emb, start)


def _adorn(diag: Diagnostic, emb: Embedding, pos: int) -> Diagnostic:
    if emb.exact:
        return diag
    from dataclasses import replace
    # Show the one line of the expression that holds the error (folded and multi-line scalars
    # keep line breaks, and `>` a final one), with the caret column inside that line.
    text = emb.scalar.value
    begin = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return replace(diag, caret_note="a expressão começa aqui",
                   expr_text=text[begin:end if end >= 0 else len(text)],
                   expr_col=emb.expr_col(pos))
