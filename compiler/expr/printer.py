"""AST → canonical expression text (generated comments, IR dumps, round-trip tests)."""

from __future__ import annotations

from compiler.expr import ast

# Binding strength, loosest first, as in grammar/apura.lark.
_IF, _OR, _AND, _NOT, _CMP, _ADD, _MUL, _NEG, _POST = range(9)


def _prec(e: ast.Expr) -> int:
    match e:
        case ast.If():
            return _IF
        case ast.Or():
            return _OR
        case ast.And():
            return _AND
        case ast.Not():
            return _NOT
        case ast.Compare() | ast.InList() | ast.Matches() | ast.IsNull():
            return _CMP
        case ast.Binary(op=op):
            return _ADD if op in (ast.BinOp.ADD, ast.BinOp.SUB) else _MUL
        case ast.Neg():
            return _NEG
        case _:
            return _POST


def show(e: ast.Expr) -> str:
    """Canonical text of an expression; parsing it again gives the same tree (spans aside)."""
    match e:
        case ast.Number(text=text):
            return text
        case ast.String(value=v):
            return f'"{v}"'
        case ast.Bool(value=v):
            return "true" if v else "false"
        case ast.Null():
            return "null"
        case ast.Param(name=n):
            return f"${n}"
        case ast.Name(name=n):
            return n
        case ast.Attr(obj=o, name=n):
            return f"{_wrap(o, _POST)}.{n}"
        case ast.Call(func=f, args=args):
            return f"{f}({', '.join(show(a) for a in args)})"
        case ast.Where(value=v, cond=c):
            return f"{show(v)} where {show(c)}"
        case ast.Neg(operand=o):
            return f"-{_wrap(o, _NEG)}"
        case ast.Binary(op=op, left=left, right=right):
            p = _prec(e)
            return f"{_wrap(left, p)} {op.value} {_wrap(right, p + 1)}"
        case ast.Compare(op=op, left=left, right=right):
            return f"{_wrap(left, _ADD)} {op.value} {_wrap(right, _ADD)}"
        case ast.InList(operand=o, items=items, negated=neg):
            kw = "not in" if neg else "in"
            return f"{_wrap(o, _ADD)} {kw} [{', '.join(show(i) for i in items)}]"
        case ast.Matches(operand=o, pattern=p):
            return f'{_wrap(o, _ADD)} matches "{p}"'
        case ast.IsNull(operand=o, negated=neg):
            return f"{_wrap(o, _ADD)} is {'not ' if neg else ''}null"
        case ast.And(operands=ops):
            return " and ".join(_wrap(x, _NOT) for x in ops)
        case ast.Or(operands=ops):
            return " or ".join(_wrap(x, _AND) for x in ops)
        case ast.Not(operand=o):
            return f"not {_wrap(o, _NOT)}"
        case ast.If(cond=c, then=t, other=o):
            return f"if {show(c)} then {show(t)} else {show(o)}"
        case ast.ListLit(items=items):
            return f"[{', '.join(show(i) for i in items)}]"
    raise AssertionError(e)


def _wrap(e: ast.Expr, min_prec: int) -> str:
    text = show(e)
    return f"({text})" if _prec(e) < min_prec else text
