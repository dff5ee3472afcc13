"""Match the parts of two specs by their key (rows by ref, columns by id, fields by name) and
tell what came, went, changed or moved; one function for every kind of part.

Order: for ordered parts (rows, columns) a part *moved* when its order among the parts both
sides share changed; one that only shifted because others came or went before it is not moved
(a row is then *renumbered*: its #L changed and nothing else). The alignment is difflib's
(longest matching blocks, deterministic), so one insertion moves nothing.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic
from typing import TypeVar

from compiler.diff.model import Attr
from compiler.diff.model import Item
from compiler.diff.model import Pos
from compiler.diff.model import Status
from compiler.diff.model import Value
from compiler.source import Span

T = TypeVar("T")


@dataclass(frozen=True, slots=True, kw_only=True)
class Part(Generic[T]):
    """How to read one kind of part: its key, content (name → value pairs) and span."""

    kind: str
    key: Callable[[T], str]
    content: Callable[[T], list[tuple[str, Value]]]
    span: Callable[[T], Span]
    ordered: bool = False   # report a part whose order changed (columns, rows)
    markers: bool = False   # rows: carry #L on each side; a pure shift is RENUMBERED
    marker: Callable[[T], int] | None = None
    title: Callable[[T], str] | None = None  # its label, shown next to the key


def moved_keys(old: Sequence[str], new: Sequence[str]) -> set[str]:
    """Keys of both sequences that are not in difflib's alignment of their common keys."""
    both = set(old) & set(new)
    a = [k for k in old if k in both]
    b = [k for k in new if k in both]
    kept: set[str] = set()
    for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks():
        kept.update(a[block.a:block.a + block.size])
    return both - kept


def changes(old: list[tuple[str, Value]], new: list[tuple[str, Value]]) -> tuple[Attr, ...]:
    """Attributes that differ; a name on one side only compares with None. The new side's
    order first, then names the new side lost."""
    o, n = dict(old), dict(new)
    names = [k for k, _ in new] + [k for k, _ in old if k not in n]
    return tuple(Attr(name=k, old=o.get(k), new=n.get(k)) for k in names if o.get(k) != n.get(k))


def _summary(content: list[tuple[str, Value]]) -> tuple[Attr, ...]:
    return tuple(Attr(name=k, old=None, new=v) for k, v in content if v is not None)


def compare(part: Part[T], old: Sequence[T], new: Sequence[T],
            new_part: Part[T] | None = None) -> list[Item]:
    """Items of `part` that differ, in the new side's order; a removed one right after the
    part that preceded it on the old side (or first). `new_part` reads the new side when it
    needs its own context (a row's total_of refs come from its own layout)."""
    npart = new_part or part
    old_by = {part.key(x): x for x in old}
    new_by = {part.key(x): x for x in new}
    old_keys, new_keys = list(old_by), list(new_by)
    moved = moved_keys(old_keys, new_keys) if part.ordered else set()
    new_pos = {k: i for i, k in enumerate(new_keys)}
    out: list[tuple[tuple[int, int, int], Item]] = []
    anchor = -1
    for i, k in enumerate(old_keys):
        if k in new_by:
            anchor = new_pos[k]
            continue
        x = old_by[k]
        item = Item(kind=part.kind, key=k, status=Status.REMOVED, pos=Pos.of(part.span(x), "old"),
                    title=part.title(x) if part.title else "", summary=_summary(part.content(x)),
                    old_marker=part.marker(x) if part.marker else None)
        out.append(((anchor, 1, i), item))
    for k, y in new_by.items():
        mark = part.marker(y) if part.marker else None
        title = npart.title(y) if npart.title else ""
        if k not in old_by:
            item = Item(kind=part.kind, key=k, status=Status.ADDED, pos=Pos.of(part.span(y)),
                        title=title, summary=_summary(npart.content(y)), new_marker=mark)
            out.append(((new_pos[k], 0, 0), item))
            continue
        x = old_by[k]
        old_mark = part.marker(x) if part.marker else None
        diff = changes(part.content(x), npart.content(y))
        if k in moved and not part.markers:
            diff = (*diff, Attr(name="position", old=old_keys.index(k) + 1, new=new_pos[k] + 1))
        if k in moved:
            status = Status.MOVED
        elif diff:
            status = Status.CHANGED
        elif part.markers and old_mark != mark:
            status = Status.RENUMBERED
        else:
            continue
        item = Item(kind=part.kind, key=k, status=status, pos=Pos.of(part.span(y)), title=title,
                    attrs=diff, old_marker=old_mark, new_marker=mark)
        out.append(((new_pos[k], 0, 0), item))
    out.sort(key=lambda pair: pair[0])
    return [item for _, item in out]
