"""Surface AST of the expression language: exactly what was written, with node ids and spans."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from compiler.source import Span


class BinOp(enum.Enum):
    """Arithmetic operators."""

    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"


class CmpOp(enum.Enum):
    """Comparison operators."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


@dataclass(frozen=True, slots=True, kw_only=True)
class Number:
    """A numeric literal; `value` is int when written without a decimal point."""

    id: int
    text: str
    value: int | Decimal
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class String:
    """A double-quoted text literal (no escapes)."""

    id: int
    value: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Bool:
    """`true` or `false`."""

    id: int
    value: bool
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Null:
    """`null`."""

    id: int
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Param:
    """`$name`: a run parameter."""

    id: int
    name: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Name:
    """A bare name: a field of the current record, a derived field, or a map id (in lookup)."""

    id: int
    name: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Attr:
    """`obj.name`: a field of a looked-up record."""

    id: int
    obj: Expr
    name: str
    name_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """`f(a, b)`; `name_span` covers the function name."""

    id: int
    func: str
    args: tuple[Expr, ...]
    name_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Where:
    """`value where cond` inside an aggregate call."""

    id: int
    value: Expr
    cond: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Neg:
    """`-x`."""

    id: int
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary:
    """`left op right` for + - * /."""

    id: int
    op: BinOp
    left: Expr
    right: Expr
    op_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare:
    """`left op right` for == != < <= > >=."""

    id: int
    op: CmpOp
    left: Expr
    right: Expr
    op_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class InList:
    """`x in [..]` / `x not in [..]`."""

    id: int
    operand: Expr
    items: tuple[Expr, ...]
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Matches:
    """`x matches "3.3.90.*"`: glob match, `*` any run of characters, `?` one character."""

    id: int
    operand: Expr
    pattern: str
    pattern_span: Span
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class IsNull:
    """`x is null` / `x is not null`."""

    id: int
    operand: Expr
    negated: bool
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class And:
    """`a and b and ...`: a chain of `and`s is one node (no deep trees for long chains)."""

    id: int
    operands: tuple[Expr, ...]  # two or more, none of them an And
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Or:
    """`a or b or ...`: a chain of `or`s is one node (no deep trees for long chains)."""

    id: int
    operands: tuple[Expr, ...]  # two or more, none of them an Or
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Not:
    """`not a`."""

    id: int
    operand: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class If:
    """`if c then a else b`."""

    id: int
    cond: Expr
    then: Expr
    other: Expr
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class ListLit:
    """`[a, b, c]` (only as the right side of `in`)."""

    id: int
    items: tuple[Expr, ...]
    span: Span


Expr = (Number | String | Bool | Null | Param | Name | Attr | Call | Where | Neg | Binary
        | Compare | InList | Matches | IsNull | And | Or | Not | If | ListLit)
