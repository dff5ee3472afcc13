"""A ledger in the generated Python module: its runtime declaration (`Ledger(...)` in
PACKAGE.ledgers). Its scan function is assembled by compiler/codegen/pyscan.py from the
parts of the nodes that read it."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler import kinds
from compiler.codegen import names
from compiler.codegen.pyscan import Lines

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen
    from compiler.scanplan import ScanPlan


class _LedgerPython:
    slot = "ledgers"

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        return []

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        return None

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Ledger)
        led, f = node, node.format
        for name in ("Ledger", "Field", "CsvFormat"):
            gen.uses_model(name)
        plan = gen.plans.get(led.id)
        parts = plan.parts if plan is not None else ()
        reached = tuple(p.node.id for p in parts if p.reaches)
        o = Lines()
        o("Ledger(")
        o(f"    id={led.id!r},")
        o("    fields=(")
        for fld in led.fields:
            more = ", optional=True" if fld.optional else ""
            o(f"        Field({fld.name!r}, {fld.type.base!r}, {fld.required!r}, "
              f"{fld.scale!r}{more}),")
        o("    ),")
        o(f"    format=CsvFormat({f.delimiter!r}, {f.encoding!r}, {f.decimal!r}, "
          f"{f.thousands!r}, {f.date!r}, {f.true!r}, {f.false!r}, {f.header!r}),")
        o(f"    scan={'scan_' + names.ident(led.id) if parts else 'None'},")
        o(f"    layouts={reached!r},")
        if parts:
            o("    text_amounts=True,")
        if led.optional:
            o("    optional=True,")
        if led.derived:  # what apura explain shows of the derived fields a value reads
            gen.uses_model("Derived")
            o("    derived=(")
            for d in led.derived:
                at = gen.loc(d.span, f"{gen.pkg.id}/{led.id}/derived/{d.name}")
                o(f"        Derived({d.name!r}, {d.text!r}, LOC[{at}]),")
            o("    ),")
        if plan is not None:  # the maps its scan looks up: their sources are inputs of a run
            o(f"    maps={tuple(dict.fromkeys(lk.map.id for lk in plan.lookups))!r},")
            gated = _gated_maps(plan, gen.plans)
            if gated:  # looked up only by reports' parts: read when one of them is computed
                o(f"    gated_maps={gated!r},")
        o("),")
        return o.text()


def _gated_maps(plan: ScanPlan, plans: dict[str, ScanPlan]
                ) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(map, the reports whose parts look it up) for the maps the scan looks up only inside
    report parts (the scan plan's "on" scope) — or in the part of a node computed only with
    some reports (a planner's `serves`, e.g. a coverage): a run that computes none of those
    reports skips the parts, and needs neither the map nor its source (runtime/inputs.py)."""
    by: dict[str, set[str]] = {}
    anywhere: set[str] = set()
    for b in plan.bindings:
        m = plan.lookups[b.lookup].map.id
        on = [g for g in b.scope if g.what == "on"]
        owner = plan.parts[b.part].node if b.part >= 0 else None
        serves = getattr(kinds.planner(ir.kind_of(owner)), "serves", None) \
            if owner is not None else None
        served = serves(plans, owner) if serves is not None else ()
        if on:
            by.setdefault(m, set()).add(plan.parts[on[0].part].node.id)
        elif served:
            by.setdefault(m, set()).update(served)
        else:
            anywhere.add(m)
    return tuple((m, tuple(sorted(r))) for m, r in sorted(by.items()) if m not in anywhere)


PART = _LedgerPython()
