"""A table in the generated Python module: a `Ledger(...)` in PACKAGE.ledgers whose `table=`
names the normalized copy (generated/<pkg>/tables/<id>.csv) and its sha256. The runtime reads
that copy itself (a table is not an input of the run) after checking the sha256. No row of the
table is written here: the module grows with the number of tables, not with their rows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen.pyscan import Lines

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen


class _TablePython:
    slot = "ledgers"

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        return []

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        return None

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Table)
        t, f = node, node.format
        for name in ("Ledger", "Field", "CsvFormat", "TableFile"):
            gen.uses_model(name)
        o = Lines()
        o("Ledger(")
        o(f"    id={t.id!r},")
        o("    fields=(")
        for fld in t.fields:
            o(f"        Field({fld.name!r}, {fld.type.base!r}, {fld.required!r}, "
              f"{fld.scale!r}),")
        o("    ),")
        o(f"    format=CsvFormat({f.delimiter!r}, {f.encoding!r}, {f.decimal!r}, "
          f"{f.thousands!r}, {f.date!r}, {f.true!r}, {f.false!r}, {f.header!r}),")
        o(f"    table=TableFile({t.path!r}, rows={len(t.rows)!r},")
        o(f"                    sha256={t.sha256!r}),")
        o("),")
        return o.text()


PART = _TablePython()
