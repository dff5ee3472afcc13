"""What `apura diff` finds, as plain data: a report of spec changes, each a list of attribute
changes and of changed items (rows, columns, fields...), with their positions; to and from JSON.

Values are JSON values (str, int, bool, None, lists of str), never IR objects, so a report
compares, sorts and round-trips through JSON exactly.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any
from typing import TypeAlias

from compiler.source import Span

Value: TypeAlias = str | int | bool | None | tuple[str, ...]


class Status(enum.Enum):
    """What happened to a spec or an item between the old and the new side."""

    ADDED = "added"            # only in the new side
    REMOVED = "removed"        # only in the old side
    CHANGED = "changed"        # in both, something differs
    MOVED = "moved"            # a row whose order among the others changed (#L moved)
    RENUMBERED = "renumbered"  # a row whose #L changed only because rows came or went before it


@dataclass(frozen=True, slots=True, kw_only=True)
class Pos:
    """Where a change is: file and line, on the new side (the old side for a removal)."""

    file: str
    line: int
    side: str = "new"  # "new" | "old"

    @classmethod
    def of(cls, span: Span, side: str = "new") -> Pos:
        return cls(file=span.file, line=span.line, side=side)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Attr:
    """One attribute that differs; `name` is the spec's own key (`rule`, `output.file`...)."""

    name: str
    old: Value
    new: Value


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """A part of a spec identified by its key: a row (ref), a column (id), a field (name)...

    `old_marker`/`new_marker` are a row's #L on each side (None for other items or when absent).
    """

    kind: str  # "row" | "column" | "field" | "derived" | "param"
    key: str
    status: Status
    pos: Pos
    title: str = ""  # a row's or column's label (new side), to tell a ref by its name
    attrs: tuple[Attr, ...] = ()
    summary: tuple[Attr, ...] = ()  # what an added/removed item is (its rule, label...)
    old_marker: int | None = None
    new_marker: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SpecDiff:
    """The changes of one spec (by kind and id), attributes first, then items in document
    order; `old_id` differs from `id` only when two specs were compared by name."""

    package: str
    kind: str  # "package" | "ledger" | "map" | "layout"
    id: str
    old_id: str
    status: Status
    pos: Pos
    attrs: tuple[Attr, ...] = ()
    items: tuple[Item, ...] = ()

    @property
    def count(self) -> int:
        """Differences an analyst reviews: one per attribute and item; an added or removed
        spec is one; a renumbered row is none (the insertion or removal that shifted it is)."""
        if self.status in (Status.ADDED, Status.REMOVED):
            return 1
        return len(self.attrs) + sum(1 for i in self.items if i.status is not Status.RENUMBERED)


@dataclass(frozen=True, slots=True, kw_only=True)
class Report:
    """Every spec that differs between `old` and `new` (how the sides were named)."""

    old: str
    new: str
    specs: tuple[SpecDiff, ...]

    @property
    def empty(self) -> bool:
        return not self.specs

    @property
    def count(self) -> int:
        return sum(s.count for s in self.specs)

    # ------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "differences": self.count,
                "specs": [_spec_dict(s) for s in self.specs]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        return cls(old=data["old"], new=data["new"],
                   specs=tuple(_spec_from(s) for s in data["specs"]))


def _pos_dict(p: Pos) -> dict[str, Any]:
    return {"file": p.file, "line": p.line, "side": p.side}


def _attr_dict(a: Attr) -> dict[str, Any]:
    def val(v: Value) -> Any:
        return list(v) if isinstance(v, tuple) else v
    return {"attr": a.name, "old": val(a.old), "new": val(a.new)}


def _item_dict(i: Item) -> dict[str, Any]:
    return {"kind": i.kind, "key": i.key, "title": i.title, "status": i.status.value,
            "at": _pos_dict(i.pos),
            "changes": [_attr_dict(a) for a in i.attrs],
            "summary": [_attr_dict(a) for a in i.summary],
            "old_marker": i.old_marker, "new_marker": i.new_marker}


def _spec_dict(s: SpecDiff) -> dict[str, Any]:
    return {"package": s.package, "kind": s.kind, "id": s.id, "old_id": s.old_id,
            "status": s.status.value, "at": _pos_dict(s.pos),
            "changes": [_attr_dict(a) for a in s.attrs],
            "items": [_item_dict(i) for i in s.items]}


def _pos_from(d: dict[str, Any]) -> Pos:
    return Pos(file=d["file"], line=d["line"], side=d["side"])


def _attr_from(d: dict[str, Any]) -> Attr:
    def val(v: Any) -> Value:
        return tuple(v) if isinstance(v, list) else v
    return Attr(name=d["attr"], old=val(d["old"]), new=val(d["new"]))


def _item_from(d: dict[str, Any]) -> Item:
    return Item(kind=d["kind"], key=d["key"], title=d["title"], status=Status(d["status"]),
                pos=_pos_from(d["at"]),
                attrs=tuple(_attr_from(a) for a in d["changes"]),
                summary=tuple(_attr_from(a) for a in d["summary"]),
                old_marker=d["old_marker"], new_marker=d["new_marker"])


def _spec_from(d: dict[str, Any]) -> SpecDiff:
    return SpecDiff(package=d["package"], kind=d["kind"], id=d["id"], old_id=d["old_id"],
                    status=Status(d["status"]), pos=_pos_from(d["at"]),
                    attrs=tuple(_attr_from(a) for a in d["changes"]),
                    items=tuple(_item_from(i) for i in d["items"]))


def attrs(pairs: list[tuple[str, Value, Value]]) -> tuple[Attr, ...]:
    """The (name, old, new) triples whose values differ, in the given order."""
    return tuple(Attr(name=n, old=o, new=w) for n, o, w in pairs if o != w)
