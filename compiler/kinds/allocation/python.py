"""An allocation node in the generated Python module: its part of each scan it takes part in
(every record of the source, target and parties ledgers carried to the node's accumulator,
`ctx.acc[node][part][ledger]`, with the values compiler/kinds/allocation/plan.py lists: the
class by the plan's lookup — a source without one refused, D1401 —, the targets' cap, open
condition and order keys as the scan evaluates any expression), its finish line (the loop,
runtime/allocation.py) and its runtime declaration `Allocation(...)` — with the cap also as a
lambda over the target's fields (rendered by codegen.pyexpr, as every expression), which the
Desconto em Folha command reads its targets with, outside a run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import comment
from compiler.kinds.allocation.plan import class_keys
from compiler.kinds.allocation.plan import record_layout
from compiler.kinds.allocation.plan import refuses
from compiler.kinds.allocation.plan import role_values

if TYPE_CHECKING:
    from compiler import scanplan
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter


def _fn(gen: ModuleGen, e: ir.Expr) -> tuple[str, tuple[str, ...]]:
    """`lambda f_a, f_b: <code>` and the fields it takes, in that order."""
    px = PyExpr(gen.maps, hoist=False)
    code = px(e)
    assert not px.take_pending() and not px.params, "an allocation expression reads one record"
    gen.absorb(px, finish=False)
    fields = tuple(sorted(px.fields))
    return (f"lambda {', '.join(names.field_var(f) for f in fields)}: {code}", fields)


@dataclass(slots=True)
class _AllocationScan:
    node: ir.Allocation
    ledger: str
    pid: str
    node_id: str

    def emit(self, w: ScanWriter) -> None:
        """`_a[<ledger>].append((values..., _line))`, the values in plan order (the class
        first: its lookup, and D1401 when it finds none)."""
        node, out = self.node, w.out
        values: list[str] = []
        w.begin()
        for role, exprs in record_layout(node, self.ledger):
            out(w.where(node.span, f"{self.pid}/{role}"))
            for label in _labels(node, role):
                out(f"#   {comment(label, 90)}")
            cls = None
            if role == "source":
                out(f"_cls = {w.expr(node.class_of)}")
                cls = node.class_of
                if refuses(w.gen.pkg, node):
                    var = f"_alloc_{names.ident(node.id)}"
                    if all(name != var for name, _ in w.px.hoisted):
                        w.px.hoisted.append((var, f"ctx.package.node({node.id!r})"))
                    keys = "".join(f"{w.expr(k)}, " for k in class_keys(node)).rstrip()
                    out("if _cls is None:  # D1401: rejected, still carried (importacao.csv)")
                    out(f"    {var}.refuse(ctx, ({keys}), _line)")
            values += ["_cls" if e is cls else w.expr(e) for e in exprs]
        acc = w.acc(node.id)
        out(f"_a = {acc}.get({w.part})")
        out("if _a is None:")
        out(f"    _a = {acc}[{w.part}] = ctx.new_rows({node.id!r})")
        out(f"_a[{self.ledger!r}].append(({', '.join(values)}, _line))")
        w.end()


def _labels(node: ir.Allocation, role: str) -> list[str]:
    """What the values of `role` are, as the spec writes them (comments over the scan code)."""
    carried = node.target_fields if role == "target" else role_values(node, role)
    names = [e.name for e in carried if isinstance(e, ir.FieldRef)]
    if role == "source":
        return [f"source: {', '.join(names)}", f"class: lookup({node.class_map}, "
                f"{', '.join(node.class_keys)}).{node.class_value}"]
    if role == "target":
        return [f"target: {', '.join(names)}", f"cap: {node.cap_text}",
                f"open: {node.open_text}", *(f"order: {text}" for _, text, _ in node.rank)]
    return [f"parties: {', '.join(names)}"]


class _AllocationPython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Allocation)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

    def scan_part(self, gen: ModuleGen, part: scanplan.Part) -> _AllocationScan:
        node = part.node
        assert isinstance(node, ir.Allocation)
        return _AllocationScan(node, part.ledger, f"{gen.pkg.id}/{node.id}", node.id)

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        body = Lines()
        body.indent()
        for node in nodes:
            assert isinstance(node, ir.Allocation)
            body(f"# {comment(f'{gen.pkg.id}/{node.id}')}: a alocação (laço em Python)")
            body(f"ctx.package.node({node.id!r}).finish(ctx, part)")
        return body.lines

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Allocation)
        gen.uses_import("from runtime.allocation import Allocation")
        cap, cap_fields = _fn(gen, node.cap)
        o = Lines()
        o("Allocation(")
        for name in ("id", "source", "id_fields", "party", "amount", "date", "order",
                     "class_map", "class_keys", "class_value", "target", "target_key",
                     "target_class", "target_date"):
            o(f"    {name}={getattr(node, name)!r},")
        fields = tuple(e.name for e in node.source_fields if isinstance(e, ir.FieldRef))
        o(f"    source_fields={fields!r},")
        o(f"    # cap (for Desconto em Folha; a run's scans evaluate it): "
          f"{comment(node.cap_text, 40)}")
        o(f"    cap={cap},")
        o(f"    cap_fields={cap_fields!r},")
        for name in ("parties", "parties_target", "parties_party", "eligible", "policy"):
            o(f"    {name}={getattr(node, name)!r},")
        o("    descending=(")
        for _, text, desc in node.rank:
            o(f"        {desc!r},  # {comment(text, 80)}")
        o("    ),")
        for name in ("rule", "unlinked_rule", "origin"):
            o(f"    {name}={getattr(node, name)!r},")
        for name in ("classes", "summary", "columns", "files"):
            o(f"    {name}=(")
            for pair in getattr(node, name):
                o(f"        {pair!r},")
            o("    ),")
        if node.alternative_of:
            o(f"    alternative_of={node.alternative_of!r},")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _AllocationPython()
