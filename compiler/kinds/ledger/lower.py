"""A LedgerSpec → ir.Ledger: field types (declared for every later expression), derived
fields checked and put in dependency order (cycles and too-deep inlining are errors)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import graph
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.check import names_used
from compiler.expr import printer
from compiler.exprsize import MAX_INLINED_DEPTH
from compiler.exprsize import inlined_depth

if TYPE_CHECKING:
    from compiler.lower import Lowerer


class _Ledger:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        ledgers = [s for s in specs_ if isinstance(s, specs.LedgerSpec)]
        for led in ledgers:
            lw.field_types[led.id] = field_types(led.fields)
        _check_field_names(lw, ledgers)

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Ledger:
        assert isinstance(spec, specs.LedgerSpec)
        led = _ledger(lw, spec)
        lw.derived_types[led.id] = {d.name: d.expr.type for d in led.derived}
        return led

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        return None


def field_types(fields: Sequence[specs.FieldSpec]) -> dict[str, T.Type]:
    """What later expressions (a map's lookups) see of each field."""
    return {f.name: T.from_name(f.type, not f.required) for f in fields}


def _check_field_names(lw: Lowerer, ledgers: Sequence[specs.LedgerSpec]) -> None:
    for led in ledgers:
        seen: dict[str, specs.DerivedSpec | specs.FieldSpec] = {}
        items: list[specs.DerivedSpec | specs.FieldSpec] = [*led.fields, *led.derived]
        for item in items:
            if item.name in seen:
                lw.diags.append(catalog.duplicate_field(item.span, name=item.name,
                                                          first=seen[item.name].span))
            seen[item.name] = item


def _ledger(lw: Lowerer, spec: specs.LedgerSpec) -> ir.Ledger:
    fields = ir_fields(spec.fields)
    parsed = {d.name: (d, lw.parse(d.expr, spec.src.path)) for d in spec.derived}
    names = list(parsed)

    def deps(n: str) -> list[str]:
        tree = parsed[n][1]
        return [x for x in names_used(tree) if x in parsed] if tree is not None else []

    order, cycles = graph.toposort(names, deps)
    for cyc in cycles:
        steps = [(parsed[n][0].span, f"'{n}' usa '{m}'")
                 for n, m in zip(cyc, cyc[1:], strict=False)]
        lw.diags.append(catalog.cycle(parsed[cyc[0]][0].span, path=cyc, steps=steps))
    typed: dict[str, T.Type] = {}
    depths: dict[str, int] = {}
    too_deep = False
    derived: list[ir.Derived] = []
    for n in order:
        d, tree = parsed[n]
        if tree is None:
            typed[n] = T.ERROR
            continue
        scope = lw.scope(f"o campo calculado '{n}'", spec.id, derived=typed)
        # names of derived fields not typed yet (cycles) resolve to the error type
        scope.derived = {**{k: T.ERROR for k in parsed}, **typed}
        e = lw.checker.scalar(tree, scope)
        typed[n] = e.type
        depths[n] = inlined_depth(e, depths)
        if depths[n] > MAX_INLINED_DEPTH and not too_deep:  # once: the rest follow
            too_deep = True
            lw.diags.append(catalog.derived_too_deep(d.expr.span, name=n,
                                                       limit=MAX_INLINED_DEPTH))
        pid = lw.package_id
        derived.append(ir.Derived(id=f"{pid}/{spec.id}/derived/{n}", name=n, expr=e,
                                  text=printer.show(tree), span=d.expr.span))
    return ir.Ledger(id=spec.id, fields=fields, format=ir_format(spec.format),
                     derived=tuple(derived), span=spec.span, optional=spec.optional)


def ir_fields(fields: Sequence[specs.FieldSpec]) -> tuple[ir.Field, ...]:
    """Typed fields of the IR (a ledger's, a table's columns: compiler/kinds/table)."""
    return tuple(ir.Field(name=f.name, type=T.from_name(f.type, not f.required),
                          required=f.required, scale=f.scale, span=f.span,
                          optional=f.optional) for f in fields)


def ir_format(fmt: specs.FormatSpec) -> ir.CsvFormat:
    return ir.CsvFormat(delimiter=fmt.delimiter, encoding=fmt.encoding, decimal=fmt.decimal,
                        thousands=fmt.thousands, date=fmt.date, true=fmt.true, false=fmt.false,
                        header=fmt.header)


PART = _Ledger()
