"""A map in the generated Python module: its runtime declaration (`Map(...)` in
PACKAGE.maps); lookups are rendered by compiler/codegen/pyexpr.py where expressions use it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen


class _MapPython:
    slot = "maps"

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        return []

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Map)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Map)
        m = node
        gen.uses_model("Map")
        at = gen.loc(m.span, f"{gen.pkg.id}/{m.id}")
        status = f", status={m.status!r}" if m.status is not None else ""
        return (f"Map({m.id!r}, {m.source!r}, {m.key!r}, {m.values!r}, {m.on_missing!r}, "
                f"LOC[{at}]{status}),")


PART = _MapPython()
