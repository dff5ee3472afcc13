"""Parse expressions embedded in spec YAML: parse_expression(src, scalar) -> (AST | None, diags)."""

from __future__ import annotations

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.expr import ast
from compiler.expr.build import Builder
from compiler.expr.embed import embed
from compiler.expr.errors import to_diagnostic
from compiler.expr.grammar import UnexpectedInput
from compiler.expr.grammar import parser
from compiler.source import SourceFile
from compiler.yamlnodes import YScalar

__all__ = ["ast", "parse_expression"]


def parse_expression(src: SourceFile, scalar: YScalar) -> tuple[ast.Expr | None, list[Diagnostic]]:
    """Parse the expression in a YAML scalar; spans point into the spec file."""
    emb = embed(src, scalar)
    if not scalar.value.strip():
        return None, [catalog.expr_empty(scalar.span)]
    try:
        tree = parser().parse(scalar.value)
    except UnexpectedInput as exc:
        return None, [to_diagnostic(exc, emb)]
    return Builder(emb).build(tree), []
