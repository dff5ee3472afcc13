"""An allocation node in the generated Python module: no part in the scans (the loop reads
its inputs at finish, runtime/allocation.py), its finish line, and its runtime declaration
`Allocation(...)` — the open condition, the cap and the order keys as lambdas over the target's
fields (rendered by codegen.pyexpr, as every expression)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import comment

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen


def _fn(gen: ModuleGen, e: ir.Expr) -> tuple[str, tuple[str, ...]]:
    """`lambda f_a, f_b: <code>` and the fields it takes, in that order."""
    px = PyExpr(gen.maps, hoist=False)
    code = px(e)
    assert not px.take_pending() and not px.params, "an allocation expression reads one record"
    gen.absorb(px, finish=False)
    fields = tuple(sorted(px.fields))
    return (f"lambda {', '.join(names.field_var(f) for f in fields)}: {code}", fields)


class _AllocationPython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Allocation)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

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
        is_open, open_fields = _fn(gen, node.is_open)
        cap, cap_fields = _fn(gen, node.cap)
        o = Lines()
        o("Allocation(")
        for name in ("id", "source", "id_fields", "party", "amount", "date", "order",
                     "class_map", "class_keys", "class_value", "target", "target_key",
                     "target_class", "target_date"):
            o(f"    {name}={getattr(node, name)!r},")
        o(f"    # {comment(node.open_text, 80)}")
        o(f"    is_open={is_open},")
        o(f"    open_fields={open_fields!r},")
        o(f"    # {comment(node.cap_text, 80)}")
        o(f"    cap={cap},")
        o(f"    cap_fields={cap_fields!r},")
        for name in ("parties", "parties_target", "parties_party", "eligible", "policy"):
            o(f"    {name}={getattr(node, name)!r},")
        o("    rank=(")
        for e, text, desc in node.rank:
            fn, fields = _fn(gen, e)
            o(f"        # {comment(text, 80)}")
            o(f"        ({fn}, {fields!r}, {desc!r}),")
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
