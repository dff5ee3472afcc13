"""The only module that imports lark: builds the LALR parser from grammar/apura.lark (strict)."""

from __future__ import annotations

import functools
from pathlib import Path

import lark


def _grammar_path() -> Path:
    """grammar/apura.lark of the source tree (and of an editable install), else the copy an
    installed wheel carries as compiler/grammar/apura.lark (pyproject.toml maps the folder)."""
    here = Path(__file__).resolve()
    source = here.parents[2] / "grammar" / "apura.lark"
    return source if source.is_file() else here.parents[1] / "grammar" / "apura.lark"


GRAMMAR_PATH = _grammar_path()

Tree = lark.Tree
Token = lark.Token
UnexpectedInput = lark.exceptions.UnexpectedInput
UnexpectedToken = lark.exceptions.UnexpectedToken
UnexpectedCharacters = lark.exceptions.UnexpectedCharacters
UnexpectedEOF = lark.exceptions.UnexpectedEOF


@functools.cache
def parser() -> lark.Lark:
    """The expression parser; strict=True refuses shift/reduce conflicts and regex collisions."""
    return lark.Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), parser="lalr", strict=True,
                     propagate_positions=True, maybe_placeholders=True)


def terminal_display(name: str) -> str:
    """A terminal's name as an analyst reads it: "')'", "um número", ..."""
    special = {"NAME": "um nome", "NUMBER": "um número", "STRING": 'um texto entre aspas ("...")',
               "PARAM": "um parâmetro ($nome)", "CMP_OP": "um comparador (==, !=, <, <=, >, >=)",
               "ADD_OP": "'+' ou '-'", "MUL_OP": "'*' ou '/'", "$END": "o fim da expressão"}
    if name in special:
        return special[name]
    try:
        term = parser().get_terminal(name)
    except KeyError:
        return name
    pattern = term.pattern
    if isinstance(pattern, lark.lexer.PatternStr):
        return f"'{pattern.value}'"
    return name.lower()
