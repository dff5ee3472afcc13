"""lark parse tree → surface AST (positions mapped into the spec file by an Embedding)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from compiler.expr import ast
from compiler.expr.embed import Embedding
from compiler.expr.grammar import Token
from compiler.expr.grammar import Tree
from compiler.source import Span

_ids = itertools.count()

# `a and b and c` parses as and_(and_(a, b), c): the chains become one n-ary node.
_CHAINS = ("and_", "or_")
# Rules that only group a call's arguments or a list's items: no level of their own.
_GROUPS = ("arguments", "list")


def _kind(node: Tree[Token]) -> str:
    return node.data if isinstance(node.data, str) else node.data.value


def _chain(node: Tree[Token]) -> list[Tree[Token] | Token]:
    """The operands of an and/or chain, left to right, without recursion."""
    kind = _kind(node)
    out: list[Tree[Token] | Token] = []
    stack: list[Tree[Token] | Token] = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, Tree) and _kind(n) == kind:
            stack.extend(reversed(n.children))
        else:
            out.append(n)
    return out


def too_deep(tree: Tree[Token], limit: int) -> Tree[Token] | None:
    """The first node (in reading order) nested more than `limit` levels deep, if any.

    Every rule counts one level, except the links of an and/or chain (one n-ary node).
    Iterative: the tree may be far deeper than Python's recursion limit.
    """
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return node
        kind = _kind(node)
        for child in reversed(node.children):
            if isinstance(child, Tree):
                flat = kind in _CHAINS and _kind(child) == kind or _kind(child) in _GROUPS
                stack.append((child, depth if flat else depth + 1))
    return None


class Builder:
    """Builds AST nodes from one expression's parse tree."""

    def __init__(self, emb: Embedding) -> None:
        self.emb = emb

    def _span(self, node: Tree[Token] | Token) -> Span:
        if isinstance(node, Token):
            return self.emb.span(node.start_pos or 0, node.end_pos or 0)
        return self.emb.span(node.meta.start_pos, node.meta.end_pos)

    def build(self, node: Tree[Token] | Token) -> ast.Expr:
        nid = next(_ids)
        span = self._span(node)
        if isinstance(node, Token):  # pragma: no cover - every token is wrapped by a rule
            raise AssertionError(node)
        kind = _kind(node)
        ch = node.children
        match kind:
            case "number":
                text = str(ch[0])
                value: int | Decimal = Decimal(text) if "." in text else int(text)
                return ast.Number(id=nid, text=text, value=value, span=span)
            case "string":
                return ast.String(id=nid, value=str(ch[0])[1:-1], span=span)
            case "true" | "false":
                return ast.Bool(id=nid, value=kind == "true", span=span)
            case "null":
                return ast.Null(id=nid, span=span)
            case "param":
                return ast.Param(id=nid, name=str(ch[0])[1:], span=span)
            case "name":
                return ast.Name(id=nid, name=str(ch[0]), span=span)
            case "attr":
                return ast.Attr(id=nid, obj=self.build(ch[0]), name=str(ch[1]),
                                name_span=self._span(ch[1]), span=span)
            case "call":
                arglist = ch[1]
                args = tuple(self.build(a) for a in arglist.children) \
                    if isinstance(arglist, Tree) else ()
                return ast.Call(id=nid, func=str(ch[0]), args=args, name_span=self._span(ch[0]),
                                span=span)
            case "where":
                return ast.Where(id=nid, value=self.build(ch[0]), cond=self.build(ch[1]),
                                 span=span)
            case "neg":
                return ast.Neg(id=nid, operand=self.build(ch[0]), span=span)
            case "binary":
                return ast.Binary(id=nid, op=ast.BinOp(str(ch[1])), left=self.build(ch[0]),
                                  right=self.build(ch[2]), op_span=self._span(ch[1]), span=span)
            case "compare":
                return ast.Compare(id=nid, op=ast.CmpOp(str(ch[1])), left=self.build(ch[0]),
                                   right=self.build(ch[2]), op_span=self._span(ch[1]), span=span)
            case "in_" | "not_in":
                lst = ch[1]
                assert isinstance(lst, Tree)
                items = tuple(self.build(i) for i in lst.children if i is not None)
                return ast.InList(id=nid, operand=self.build(ch[0]), items=items,
                                  negated=kind == "not_in", span=span)
            case "matches":
                return ast.Matches(id=nid, operand=self.build(ch[0]), pattern=str(ch[1])[1:-1],
                                   pattern_span=self._span(ch[1]), span=span)
            case "is_null" | "is_not_null":
                return ast.IsNull(id=nid, operand=self.build(ch[0]),
                                  negated=kind == "is_not_null", span=span)
            case "and_":
                return ast.And(id=nid, operands=tuple(self.build(c) for c in _chain(node)),
                               span=span)
            case "or_":
                return ast.Or(id=nid, operands=tuple(self.build(c) for c in _chain(node)),
                              span=span)
            case "not_":
                return ast.Not(id=nid, operand=self.build(ch[0]), span=span)
            case "if_":
                return ast.If(id=nid, cond=self.build(ch[0]), then=self.build(ch[1]),
                              other=self.build(ch[2]), span=span)
            case "list":
                items = tuple(self.build(i) for i in ch if i is not None)
                return ast.ListLit(id=nid, items=items, span=span)
        raise AssertionError(f"regra da gramática sem construtor: {kind}")
