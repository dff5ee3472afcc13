"""A LayoutSpec → ir.Layout: filter, columns, rows (rule, otherwise, values, totals) checked;
rows and columns declared for cell(); the dependency order of value and total rows."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import graph
from compiler import ir
from compiler import shadow
from compiler import specs
from compiler.check import LayoutInfo
from compiler.expr import printer

if TYPE_CHECKING:
    from compiler.lower import Lowerer


def _close(name: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(name, names, n=1, cutoff=0.6)


class _Layout:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        for lay in specs_:
            assert isinstance(lay, specs.LayoutSpec)
            lw.layout_infos[lay.id] = LayoutInfo(
                id=lay.id, rows=tuple(r.ref.value for r in lay.rows),
                columns=tuple(c.id for c in lay.columns))

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Layout | None:
        assert isinstance(spec, specs.LayoutSpec)
        errors = sum(d.is_error for d in lw.diags)
        node = _layout(lw, spec, lw.partition)
        if node is not None and sum(d.is_error for d in lw.diags) == errors:
            # rows that can never match (S11xx), once the layout itself is sound
            other = next((r.otherwise_span for r in spec.rows if r.otherwise), None)
            lw.diags.extend(shadow.diagnostics(node, otherwise_span=other))
        return node

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        lw.finish_order = _finish_order(lw, [n for n in nodes if isinstance(n, ir.Layout)])


def _layout(lw: Lowerer, lay: specs.LayoutSpec, partition: str | None) -> ir.Layout | None:
    pid = lw.package_id
    base = f"{pid}/{lay.id}"
    path = lay.src.path
    source = lay.source.value if lay.source else None
    if lay.source and source not in lw.pkg.ledgers:
        if not lw.incomplete:
            lw.diags.append(catalog.unknown_spec(
                lay.source.span, kind="ledger", name=source or "",
                candidates=_close(source or "", list(lw.pkg.ledgers))))
        source = None
        has_source = False
    else:
        has_source = source is not None
    if has_source and partition and partition not in lw.field_types[source or ""]:
        assert lay.source is not None
        lw.diags.append(catalog.unknown_ledger_field(
            lay.source.span, ledger=source or "", name=partition, candidates=[]))
    filt = None
    filt_text = ""
    if lay.filter is not None:
        tree = lw.parse(lay.filter, path)
        if tree is not None and has_source:
            filt = lw.checker.condition(tree, lw.scope("o filtro do layout", source))
            filt_text = printer.show(tree)
        elif tree is not None and lay.source is None:  # an unknown source is S0203
            lw.diags.append(catalog.rules_without_source(lay.filter.span,
                                                           what="'filter:'"))
    columns = []
    for i, c in enumerate(lay.columns):
        value = None
        text = ""
        if c.value is not None:
            tree = lw.parse(c.value, path)
            if tree is not None and has_source:
                value = lw.checker.column_value(
                    tree, lw.scope(f"o valor da coluna {c.id}", source, aggregate=True))
                text = printer.show(tree)
        columns.append(ir.Column(id=c.id, index=i, code=c.code, label=c.label, value=value,
                                 text=text, span=c.span))
    col_ids = [c.id for c in lay.columns]
    refs: dict[str, specs.RowSpec] = {}
    for r in lay.rows:
        if r.ref.value in refs:
            lw.diags.append(catalog.duplicate_row(r.ref.span, ref=r.ref.value,
                                                    first=refs[r.ref.value].ref.span))
        else:
            refs[r.ref.value] = r
    ref_index = {r.ref.value: i for i, r in reversed(list(enumerate(lay.rows)))}
    first_otherwise: specs.RowSpec | None = None
    rows: list[ir.Row] = []
    for i, r in enumerate(lay.rows):
        rid = f"{base}/row/{r.ref.value}"
        kinds = [k for k, on in (("rule", r.rule is not None), ("otherwise", r.otherwise),
                                 ("values", bool(r.values)),
                                 ("total", r.total_of is not None)) if on]
        if r.rule is not None and r.otherwise:
            lw.diags.append(catalog.rule_and_otherwise(r.otherwise_span or r.span,
                                                         ref=r.ref.value))
        if r.otherwise:
            if first_otherwise is not None:
                lw.diags.append(catalog.many_otherwise(
                    r.otherwise_span or r.span,
                    first=first_otherwise.otherwise_span or first_otherwise.span))
            first_otherwise = first_otherwise or r
        if not kinds:
            lw.diags.append(catalog.row_without_rule(r.ref.span, ref=r.ref.value))
            continue
        kind = ir.RowKind(kinds[0])
        cond = None
        cond_text = ""
        values: list[tuple[int, ir.Expr, str]] = []
        total_of: list[int] = []
        if kind in (ir.RowKind.RULE, ir.RowKind.OTHERWISE):
            if not has_source:
                if lay.source is None:
                    lw.diags.append(catalog.rules_without_source(r.span))
                continue
            if r.rule is not None:
                tree = lw.parse(r.rule, path)
                if tree is not None:
                    cond = lw.checker.condition(
                        tree, lw.scope(f"a regra da linha '{r.ref.value}'", source))
                    cond_text = printer.show(tree)
            for col in columns:
                if col.value is None and not lay.columns[col.index].value:
                    lw.diags.append(catalog.column_without_value(
                        r.ref.span, column=col.id, ref=r.ref.value))
        elif kind is ir.RowKind.VALUES:
            given = {k.value: (k, v) for k, v in r.values}
            for k, _ in r.values:
                if k.value not in col_ids:
                    lw.diags.append(catalog.unknown_column(k.span, column=k.value,
                                                             columns=col_ids))
            for c in lay.columns:
                if c.id not in given:
                    lw.diags.append(catalog.column_without_value(r.ref.span, column=c.id,
                                                                   ref=r.ref.value))
                    continue
                tree = lw.parse(given[c.id][1], path)
                if tree is None:
                    continue
                scope = lw.scope(f"o valor {c.id} da linha '{r.ref.value}'", None)
                e = lw.checker.scalar(tree, scope)
                if not (e.type.is_numeric or e.type.is_error):
                    lw.diags.append(catalog.wrong_value_type(
                        given[c.id][1].span, where=scope.where, expected="numérico",
                        got=e.type.display()))
                values.append((col_ids.index(c.id), e, printer.show(tree)))
                lw.cell_deps.setdefault((lay.id, i), []).extend(
                    (lid, row) for lid, row, _ in scope.cells)
        else:
            if r.total_of == "leaves":
                total_of = [j for j, o in enumerate(lay.rows)
                            if o.total_of is None and j != i]
                if not total_of:
                    lw.diags.append(catalog.leaves_without_rows(r.total_span or r.span))
            else:
                assert isinstance(r.total_of, tuple)
                for t in r.total_of:
                    if t.value not in ref_index:
                        lw.diags.append(catalog.unknown_row(
                            t.span, ref=t.value, candidates=_close(t.value, list(ref_index))))
                    elif ref_index[t.value] == i:
                        lw.diags.append(catalog.total_of_total_cycle(t.span, ref=t.value))
                    else:
                        total_of.append(ref_index[t.value])
            lw.cell_deps.setdefault((lay.id, i), []).extend((lay.id, j) for j in total_of)
        rows.append(ir.Row(id=rid, index=i, ref=r.ref.value, record_id=r.record_id.value,
                           label=r.label, kind=kind, cond=cond, cond_text=cond_text,
                           values=tuple(values), total_of=tuple(total_of), span=r.span))
    if lay.provisional is not None:
        lw.diags.append(catalog.provisional(lay.provisional.span, spec_id=lay.id,
                                              text=" ".join(lay.provisional.value.split())))
    return ir.Layout(id=lay.id, planilha=lay.planilha, source=source, filter=filt,
                     filter_text=filt_text, hit_policy=ir.HitPolicy(lay.hit_policy),
                     columns=tuple(columns), rows=tuple(rows),
                     output_format=lay.output_format, output_file=lay.output_file.value,
                     span=lay.span, alternative_of=lay.alternative_of.value
                     if lay.alternative_of is not None else "")


def _finish_order(lw: Lowerer, layouts: list[ir.Layout]) -> tuple[tuple[str, int], ...]:
    nodes = [(lay.id, r.index) for lay in layouts for r in lay.rows
             if r.kind in (ir.RowKind.VALUES, ir.RowKind.TOTAL)]
    order, cycles = graph.toposort(nodes, lambda n: lw.cell_deps.get(n, []))
    by_id = {lay.id: lay for lay in layouts}
    for cyc in cycles:
        def name(n: tuple[str, int]) -> str:
            return f"{n[0]}:{by_id[n[0]].rows[n[1]].ref}"
        spans = [by_id[a[0]].rows[a[1]].span for a in cyc]
        steps = [(spans[k], f"{name(a)} usa {name(b)}") for k, (a, b) in
                 enumerate(zip(cyc, cyc[1:], strict=False))]
        lw.diags.append(catalog.cycle(spans[0], path=[name(n) for n in cyc], steps=steps))
    return tuple(order)


PART = _Layout()
