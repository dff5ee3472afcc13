"""The if-branches of a derivation field, for `apura explain` (runtime/derivation_branches.py):
a field that is an `if ... then ... else if ... else ...` chain, or a call of which some
arguments are (assinatura's `motivos: join_texts("; ", if ..., if ...)`), is declared with each
condition as a function of the record beside the field itself, so the explainer can say which
conditions held and which branch was taken.

`shape` reads the chain from the expression as written (an AST parsed again with exact spans,
so each condition has its own YAML line even inside a `>-` block), kept on the field
(ir.DerivedValue.arms/parts); compiler/kinds/derivation/python.py pairs it with the typed
expression the back ends compute (an `ast.If` is one `ir.If`, with the same arms) and renders
the runtime declaration, each condition a lambda as the fields are. Only the field's own chain
is followed: an earlier field substituted into an arm is that arm's value, not more arms."""

from __future__ import annotations

from compiler import ir
from compiler.expr import ast
from compiler.expr import printer


def shape(tree: ast.Expr) -> tuple[tuple[ir.Arm, ...], str, tuple[ir.Part, ...]]:
    """(the arms when `tree` is an if-chain; else the call and its if-arguments; else none)."""
    if isinstance(tree, ast.If):
        return _arms(tree), "", ()
    if isinstance(tree, ast.Call):
        parts = tuple(ir.Part(index=i, text=printer.show(a), span=a.span, arms=_arms(a))
                      for i, a in enumerate(tree.args) if isinstance(a, ast.If))
        if parts:
            return (), tree.func, parts
    return (), "", ()


def _arms(e: ast.If) -> tuple[ir.Arm, ...]:
    out = []
    node: ast.Expr = e
    while isinstance(node, ast.If):
        inner = _arms(node.then) if isinstance(node.then, ast.If) else ()
        out.append(ir.Arm(cond=printer.show(node.cond), value=printer.show(node.then),
                          span=node.cond.span, inner=inner))
        node = node.other
    out.append(ir.Arm(cond=None, value=printer.show(node), span=node.span))
    return tuple(out)
