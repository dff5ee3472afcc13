"""Types of the expression language and their names in messages."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace

from runtime.contract import TYPE_NAMES

BASES = ("int", "decimal", "str", "bool", "date")

_DISPLAY = {**TYPE_NAMES, "null": "nulo", "error": "erro", "record": "registro",
            "list": "lista", "map": "mapa"}


@dataclass(frozen=True, slots=True)
class Type:
    """A value type; `nullable` tells whether the value may be null at run time.

    `record` types carry their fields (name, type) and the map they came from.
    """

    base: str
    nullable: bool = False
    fields: tuple[tuple[str, Type], ...] = ()
    origin: str = ""

    def null(self, nullable: bool = True) -> Type:
        return replace(self, nullable=nullable) if nullable != self.nullable else self

    @property
    def is_numeric(self) -> bool:
        return self.base in ("int", "decimal")

    @property
    def is_error(self) -> bool:
        return self.base == "error"

    def field(self, name: str) -> Type | None:
        for n, t in self.fields:
            if n == name:
                return t
        return None

    def display(self) -> str:
        if self.base == "record":
            return f"registro do mapa '{self.origin}'"
        return _DISPLAY.get(self.base, self.base)

    def short(self) -> str:
        """Compact form for IR dumps: int, decimal?, str ..."""
        return self.base + ("?" if self.nullable else "")


INT = Type("int")
DECIMAL = Type("decimal")
STR = Type("str")
BOOL = Type("bool")
DATE = Type("date")
NULL = Type("null", nullable=True)
ERROR = Type("error", nullable=True)
MAP = Type("map")


def from_name(name: str, nullable: bool = False) -> Type:
    return Type(name, nullable)


def unify_numeric(a: Type, b: Type) -> Type:
    base = "decimal" if "decimal" in (a.base, b.base) else "int"
    return Type(base, a.nullable or b.nullable)


def comparable(a: Type, b: Type) -> bool:
    if a.is_error or b.is_error or a.base == "null" or b.base == "null":
        return True
    if a.is_numeric and b.is_numeric:
        return True
    return a.base == b.base and a.base in ("str", "bool", "date")


def join(a: Type, b: Type) -> Type | None:
    """The type of `if c then a else b` / coalesce; None when incompatible."""
    if a.base == "null":
        return b.null()
    if b.base == "null":
        return a.null()
    if a.is_numeric and b.is_numeric:
        return unify_numeric(a, b)
    if a.base == b.base and a.base != "record":
        return Type(a.base, a.nullable or b.nullable)
    return None
