"""The registry of spec kinds: the ONE list a new kind is added to.

Each name is a folder compiler/kinds/<name>/ whose stage modules expose `PART` (see
compiler/kinds/base.py); every stage of the pipeline finds a kind's part with `part()`.
Order matters: a kind may read what the kinds before it declare.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING
from typing import Any
from typing import cast

if TYPE_CHECKING:
    from compiler.kinds.base import FileEmitter
    from compiler.kinds.base import FrontEnd
    from compiler.kinds.base import Lowering
    from compiler.kinds.base import Planner
    from compiler.kinds.base import PyEmitter
    from compiler.kinds.base import SqlEmitter

KINDS: tuple[str, ...] = ("package", "ledger", "rows", "table", "map", "layout", "sheets",
                          "check", "coverage", "allocation", "indicator", "derivation",
                          "dictionary")

STAGES = ("spec", "lower", "plan", "python", "sql", "diff", "files")


@functools.cache
def part(kind: str, stage: str) -> Any | None:
    """The `PART` of compiler/kinds/<kind>/<stage>.py; None when the kind has no such module
    (it takes no part in that stage). Typed by the stage's protocol in kinds.base at the
    stage's own accessor."""
    assert kind in KINDS and stage in STAGES, (kind, stage)
    try:
        module = importlib.import_module(f"compiler.kinds.{kind}.{stage}")
    except ModuleNotFoundError as exc:
        if exc.name != f"compiler.kinds.{kind}.{stage}":
            raise
        return None
    return module.PART


def front_end(kind: str) -> FrontEnd:
    got = part(kind, "spec")
    assert got is not None, f"kind {kind} has no compiler/kinds/{kind}/spec.py"
    return cast("FrontEnd", got)


def lowering(kind: str) -> Lowering | None:
    return cast("Lowering | None", part(kind, "lower"))


def planner(kind: str) -> Planner | None:
    return cast("Planner | None", part(kind, "plan"))


def python(kind: str) -> PyEmitter | None:
    return cast("PyEmitter | None", part(kind, "python"))


def sql(kind: str) -> SqlEmitter | None:
    return cast("SqlEmitter | None", part(kind, "sql"))


def files(kind: str) -> FileEmitter | None:
    return cast("FileEmitter | None", part(kind, "files"))
