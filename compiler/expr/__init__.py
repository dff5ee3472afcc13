"""Parse expressions embedded in spec YAML: parse_expression(src, scalar) -> (AST | None, diags)."""

from __future__ import annotations

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.expr import ast
from compiler.expr.build import Builder
from compiler.expr.build import too_deep
from compiler.expr.embed import embed
from compiler.expr.embed import positioned
from compiler.expr.errors import to_diagnostic
from compiler.expr.grammar import UnexpectedInput
from compiler.expr.grammar import parser
from compiler.source import SourceFile
from compiler.yamlnodes import YScalar

__all__ = ["MAX_DEPTH", "MAX_EXPR_CHARS", "ast", "parse_expression", "positioned_expression"]

# Nesting levels of one expression (an and/or chain is one level, whatever its length). Every
# stage after the parser walks expressions recursively, and so do Python's own parser (about
# 200 nested parentheses) and sqlglot; 100 levels keep them all at half their limits.
MAX_DEPTH = 100
# Characters of one expression (a 2,000-term `or` of comparisons is about 30,000).
MAX_EXPR_CHARS = 100_000


def parse_expression(src: SourceFile, scalar: YScalar) -> tuple[ast.Expr | None, list[Diagnostic]]:
    """Parse the expression in a YAML scalar; spans point into the spec file."""
    if not scalar.value.strip():
        return None, [catalog.expr_empty(scalar.span)]
    if len(scalar.value) > MAX_EXPR_CHARS:
        return None, [catalog.expr_too_long(scalar.span, length=len(scalar.value),
                                            limit=MAX_EXPR_CHARS)]
    emb = embed(src, scalar)
    try:
        tree = parser().parse(scalar.value)
    except UnexpectedInput as exc:
        return None, [to_diagnostic(exc, emb)]
    deep = too_deep(tree, MAX_DEPTH)
    if deep is not None:
        start = deep.meta.start_pos
        return None, [catalog.expr_too_deep(emb.span(start, start + 1), limit=MAX_DEPTH)]
    return Builder(emb).build(tree), []


def positioned_expression(src: SourceFile, scalar: YScalar) -> ast.Expr | None:
    """An expression `parse_expression` already accepted, parsed again with spans exact in a
    folded block too (embed.positioned): the positions explain gives each if-branch."""
    try:
        return Builder(positioned(src, scalar)).build(parser().parse(scalar.value))
    except UnexpectedInput:
        return None
