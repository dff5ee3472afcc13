"""How spec text is written into generated code: one function per target, used by every emitter.

Spec text (ids, refs, labels, descriptions, expression sources, file paths) never reaches
generated Python or SQL except through these:

* `py_str`: a Python string literal (`repr`: one line, every non-printable character escaped);
* `py_comment`: the text of a `#` comment: one line, no NUL, no encoding declaration;
* `py_docstring`: the body of a `\"\"\"` docstring: no way to close it, nothing unprintable;
* `sql_comment`: the text of a `/* */` or `--` SQL comment: one line, no comment delimiters.

SQL string literals and quoted identifiers are sqlglot's (`exp.Literal.string`,
`exp.to_identifier(..., quoted=True)`), which escape quotes and backslashes per dialect;
expression string literals cannot hold control characters or line breaks (S0504), and
identifiers come from names the schemas restrict to `[a-z0-9_/]`. `sql/plan.json` is written by
`json.dumps` (JSON escaping).
"""

from __future__ import annotations

import re

from compiler.chars import unsafe_char


def _one_line(text: str) -> str:
    """Runs of whitespace and unsafe characters → one space; stripped."""
    return " ".join("".join(" " if unsafe_char(ch) else ch for ch in text).split())


def py_str(text: str) -> str:
    """A Python string literal for `text` (always one line)."""
    return repr(text)


_CODING = re.compile(r"coding([:=])")


def py_comment(text: str, width: int = 0) -> str:
    """`text` as the body of a one-line `#` comment, cut at `width` characters (0: no limit).

    Line breaks and control characters become spaces; `coding:`/`coding=` is broken up so the
    first two lines of a module can never be read as a source encoding declaration."""
    out = _CODING.sub(r"coding \1", _one_line(text))
    if width and len(out) > width:
        out = out[: width - 1] + "…"
    return out


def py_docstring(text: str) -> str:
    """`text` as the inside of a `\"\"\"...\"\"\"` docstring: backslashes and double quotes
    escaped (so the string cannot end early), LF kept, any other unprintable character
    written as its Python escape."""
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n" or ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return "".join(out)


def sql_comment(text: str) -> str:
    """`text` as the body of a SQL comment: one line, no `/*`, `*/` (nested comments are
    comments in DuckDB and Spark), so it ends where the generator ends it."""
    return _one_line(text).replace("/*", "/ *").replace("*/", "* /")
