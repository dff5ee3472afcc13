"""Memória de cálculo: which rule, expression and input records produced an output value."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import Any

from runtime.model import Layout
from runtime.model import Package
from runtime.values import format_money


@dataclass(slots=True)
class Trace:
    """Collects, during a scan, what each record added to the rows of one layout and partition.

    Generated scans call it (when `ctx.trace` is set) after accumulating a record.
    """

    ctx: Any
    layout: str
    part: Any
    hits: dict[int, list[tuple[str, int, tuple[Any, ...]]]] = field(default_factory=dict)

    def __call__(self, layout: str, part: Any, row: int, line: int, before: list[Any],
                 after: list[Any]) -> None:
        if layout != self.layout or part != self.part:
            return
        # sum and count columns: what this record added; min/max columns: the value after it
        delta = tuple(a - b if a is not None and b is not None else a
                      for a, b in zip(after, before, strict=True))
        self.hits.setdefault(row, []).append((self.ctx.file, line, delta))


@dataclass(slots=True)
class Explanation:
    """How one cell got its value; `render()` gives the memória de cálculo as text (pt-BR)."""

    package: Package
    layout: Layout
    part: Any
    row: int
    column: int
    value: Any
    params: dict[str, Any]
    records: list[tuple[str, int, Any]]
    members: list[tuple[str, str, Any]]

    def render(self) -> str:
        lay, r = self.layout, self.layout.rows[self.row]
        col = lay.columns[self.column]
        out = [f"{lay.id} · {self.package.partition or 'partição'} {self.part} · linha {r.ref} "
               f"({r.label}) · {col.id} ({col.label}) = {format_money(self.value)}"]
        if lay.filter:
            out.append(f"  filtro do layout ({lay.filter_at}): {lay.filter}")
        where = f" ({r.at})" if r.at else ""
        if r.kind == "rule":
            out.append(f"  regra da linha{where}: {r.rule}   [hit_policy {lay.hit_policy}]")
        elif r.kind == "otherwise":
            out.append(f"  linha 'otherwise'{where}: os registros que não casaram com outra linha")
        elif r.kind == "values":
            out.append(f"  valor da linha{where}: {r.rule}")
        else:
            out.append(f"  totalizador{where}: soma das linhas abaixo")
        if r.kind in ("rule", "otherwise"):
            out.append(f"  coluna {col.id}: {col.value}")
        if self.params:
            out.append("  parâmetros: " + ", ".join(f"{k}={v}" for k, v in
                                                    sorted(self.params.items())))
        if r.kind in ("rule", "otherwise"):
            out.append(f"  registros ({len(self.records)}):")
            for file, line, amount in self.records:
                shown = format_money(amount) if col.func in ("sum", "") else str(amount)
                out.append(f"    {file}:{line}  {shown}")
            if col.func in ("sum", "count"):
                total = sum((a for _, _, a in self.records if a is not None), Decimal(0))
                out.append(f"  soma dos registros: {format_money(total)}")
        elif r.kind == "total":
            for ref, label, v in self.members:
                out.append(f"    {ref} {label}: {format_money(v)}")
            total = sum((v for _, _, v in self.members if v is not None), Decimal(0))
            out.append(f"  soma das linhas: {format_money(total)}")
        return "\n".join(out) + "\n"


def build_explanation(package: Package, values: list[list[Any]], trace: Trace, row: int,
                      column: int, params: dict[str, Any]) -> Explanation:
    lay = package.layout(trace.layout)
    r = lay.rows[row]
    records = [(f, line, delta[column]) for f, line, delta in trace.hits.get(row, [])]
    members = [(lay.rows[j].ref, lay.rows[j].label, values[j][column]) for j in r.total_of]
    return Explanation(package=package, layout=lay, part=trace.part, row=row, column=column,
                       value=values[row][column], params=params, records=records,
                       members=members)
