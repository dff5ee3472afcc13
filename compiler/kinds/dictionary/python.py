"""A dictionary node in the generated Python module: its runtime declaration
`Dictionary(...)` (runtime/dictionary.py) holding every text as a Python literal (repr: nothing
from the spec reaches the code unquoted), no part in the scans and nothing at finish — its
files are written from the declaration alone."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import comment

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen


class _DictionaryPython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Dictionary)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        return []

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Dictionary)
        gen.uses_import("from runtime.dictionary import Dictionary")
        gen.uses_import("from runtime.dictionary import Entry")
        o = Lines()
        o("Dictionary(")
        for name in ("id", "consulta", "description", "json", "markdown"):
            o(f"    {name}={getattr(node, name)!r},")
        o("    entries=(")
        for e in node.entries:
            o(f"        # {comment(f'{e.id}: {e.label}', 80)}")
            o(f"        Entry(id={e.id!r}, where={e.where!r}, label={e.label!r},")
            o(f"              replaces={e.replaces!r}, tooltip={e.tooltip!r},")
            o(f"              after={e.after!r}, note={e.note!r}, value={e.value!r},")
            o(f"              at=LOC[{gen.loc(e.span, f'{gen.pkg.id}/{node.id}/{e.id}')}]),")
        o("    ),")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _DictionaryPython()
