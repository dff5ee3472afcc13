"""Diagnostic messages quote the analyst's text, but never carry an invisible character raw:
a line separator or a control character in a message would break the rendered line."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from compiler.expr import parse_expression
from compiler.source import SourceFile
from compiler.yamlnodes import YScalar

INVISIBLE = st.sampled_from(["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x00", "\x7f"])


@given(st.text(alphabet="ab =1", max_size=8), INVISIBLE, st.text(alphabet="ab 1", max_size=8))
def test_an_unexpected_invisible_character_is_shown_escaped(before: str, char: str,
                                                              after: str) -> None:
    text = f"x{before}{char}{after}"
    src = SourceFile.from_text("x.yaml", f"rule: {text}\n")
    scalar = YScalar(value=text, style=None, span=src.span(6, 6 + len(text)))
    tree, diags = parse_expression(src, scalar)
    assert tree is None and diags
    for d in diags:
        assert d.message.isprintable(), d.message


def test_e0102_names_the_invisible_character() -> None:
    text = "x\u2028 == 1"
    src = SourceFile.from_text("x.yaml", f"rule: {text}\n")
    scalar = YScalar(value=text, style=None, span=src.span(6, 6 + len(text)))
    _, diags = parse_expression(src, scalar)
    assert [(d.code, d.message) for d in diags] == [
        ("E0102", "caractere inesperado '\\u2028' na expressão")]
