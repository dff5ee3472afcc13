"""The IR's typed expressions (compiler/ir.py re-exports them): literals, fields, lookups,
operators, calls, aggregates and cell references. A closed set; nothing here knows YAML."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeAlias

from compiler.source import Span
from compiler.types import BOOL
from compiler.types import Type


class BinOp(enum.Enum):
    """Arithmetic operators; null if either side is null; division by zero is null."""

    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"


class CmpOp(enum.Enum):
    """Comparisons; null if either side is null (SQL semantics)."""

    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


# ---------------------------------------------------------------- expressions
@dataclass(frozen=True, slots=True, kw_only=True)
class Const:
    """A literal: int, Decimal, str, bool, or None (null)."""

    value: int | Decimal | str | bool | None
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldRef:
    """A stored field of the current record of `ledger`."""

    ledger: str
    name: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class DerivedRef:
    """A derived (computed) field of the current record, computed once per record."""

    ledger: str
    name: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamRef:
    """`$name`, a run parameter (never null)."""

    name: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class MapLookup:
    """The entry of `map` for `keys`; missing keys follow the map's on_missing (error or null)."""

    map: str
    keys: tuple[Expr, ...]
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class GetField:
    """A field of a record value (from a lookup); null if the record is null."""

    record: Expr
    name: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Neg:
    """`-x`; null if x is null."""

    operand: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Binary:
    """`left op right`; null if either side is null."""

    op: BinOp
    left: Expr
    right: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Compare:
    """`left op right`; null if either side is null (SQL semantics)."""

    op: CmpOp
    left: Expr
    right: Expr
    type: Type = BOOL
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class InList:
    """`x in (constants)`; null if x is null."""

    operand: Expr
    items: tuple[Const, ...]
    negated: bool
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Matches:
    """Glob match (`*` any run, `?` one char) of a text; null if the text is null."""

    operand: Expr
    pattern: str
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class IsNull:
    """`x is [not] null`; never null."""

    operand: Expr
    negated: bool
    type: Type = BOOL
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class And:
    """Three-valued `and`: false wins over null; n-ary (a chain is one node)."""

    operands: tuple[Expr, ...]  # two or more
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Or:
    """Three-valued `or`: true wins over null; n-ary (a chain is one node)."""

    operands: tuple[Expr, ...]  # two or more
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Not:
    """Three-valued `not`; null stays null."""

    operand: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class If:
    """`if c then a else b`; a null condition takes the else branch."""

    cond: Expr
    then: Expr
    other: Expr
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """A scalar builtin (see compiler/builtins.py) applied to arguments."""

    func: str
    args: tuple[Expr, ...]
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Aggregate:
    """`func(arg where cond)` over the records of a row; sum of nothing is 0, nulls skipped."""

    func: str
    arg: Expr | None
    where: Expr | None
    type: Type
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class CellRef:
    """The value of another row's column in the same partition (`cell("covid/79", ...)`)."""

    layout: str
    row: int
    column: int
    type: Type
    span: Span


Expr: TypeAlias = (Const | FieldRef | DerivedRef | ParamRef | MapLookup | GetField | Neg | Binary
                   | Compare | InList | Matches | IsNull | And | Or | Not | If | Call | Aggregate
                   | CellRef)
