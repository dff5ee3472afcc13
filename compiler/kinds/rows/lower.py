"""A rows spec has no plan node: its rows are read by their table (compiler/kinds/table/
yamlrows.py). Here, each table it names must be a table of the package (S0203)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler.kinds.rows.spec import RowsSpec

if TYPE_CHECKING:
    from compiler.lower import Lowerer


class _Rows:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.PlanNode | None:
        assert isinstance(spec, RowsSpec)
        tables = list(lw.pkg.specs_of("table"))
        for table, _ in spec.rows:
            if table.value not in tables:
                lw.diags.append(catalog.unknown_spec(
                    table.span, kind="tabela", name=table.value,
                    candidates=difflib.get_close_matches(table.value, tables, n=1)))
        return None

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        return None


PART = _Rows()
