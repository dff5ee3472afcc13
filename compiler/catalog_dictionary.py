"""Compile-time diagnostics of the `dictionary` kind (compiler/kinds/dictionary): S2160–S2169.
Re-exported by compiler/catalog.py, where every caller finds them."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span


def dictionary_repeated(span: Span, *, entry: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S2160", message=f"o campo '{entry}' já está neste dicionário",
                      span=span, labels=(Label(span=first, message="primeira ocorrência"),),
                      help="cada campo (id) aparece uma vez por dicionário")


def dictionary_value(span: Span, *, problem: str, hint: str) -> Diagnostic:
    return Diagnostic(code="S2161", message=f"value: {problem}", span=span, help=hint)


def dictionary_same_file(span: Span, *, file: str, other: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S2162", message=f"o arquivo '{file}' já é gravado por '{other}'",
                      span=span, labels=(Label(span=first, message=f"o nome em '{other}'"),),
                      help="cada arquivo da raiz de --out tem um nome só seu (comparados sem "
                      "maiúsculas, como no Windows e no macOS)")


def dictionary_text(span: Span, *, what: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S2163", message=f"{what} {problem}", span=span,
                      help="copie o texto do documento numa linha só, sem espaços no começo ou "
                      "no fim: ele vai byte a byte para o JSON e o Markdown")
