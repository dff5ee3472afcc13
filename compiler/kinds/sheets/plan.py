"""A sheets node's part in the scan plan of each of its sources (compiler/scanplan.py): the
part's filter, for every record; when it holds, the planilha code, the row key and the row's
lookup in the rows map (a key that is no row is D0201); the column values, once the record
has its row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir

if TYPE_CHECKING:
    from compiler.scanplan import Builder


def parts_of(node: ir.Sheets, ledger: str) -> list[ir.SheetPart]:
    return [p for p in node.parts if p.source == ledger]


class _SheetsPlan:
    reaches = True

    def reads(self, node: ir.PlanNode) -> Sequence[str]:
        assert isinstance(node, ir.Sheets)
        return node.sources

    def steps(self, b: Builder, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Sheets) and b.ledger is not None
        for p in parts_of(node, b.ledger):
            b.eval(p.filter)
            b.enter("filter", p.filter)
            for e in p.sheet:
                b.eval(e)
            b.eval(p.row)
            b.eval(p.row_lookup)
            b.enter("row", p.row_lookup)  # the part's own: the SQL guard tells the parts apart
            for _, agg, _ in p.values:
                b.eval(agg.where)
                b.eval(agg.arg)
            b.exit()
            b.exit()


PART = _SheetsPlan()
