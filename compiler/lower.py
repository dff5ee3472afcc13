"""Loaded specs → IR package: parses and checks every expression, resolves rows, hit policies,
totalizers and cross-layout cells, and orders what must be computed after the scans."""

from __future__ import annotations

import difflib
import hashlib

from compiler import catalog
from compiler import graph
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.check import MAX_INLINED_DEPTH
from compiler.check import Checker
from compiler.check import LayoutInfo
from compiler.check import MapInfo
from compiler.check import Scope
from compiler.check import inlined_depth
from compiler.check import names_used
from compiler.diagnostics import Diagnostic
from compiler.expr import parse_expression
from compiler.expr import printer
from compiler.package import LoadedPackage
from compiler.source import file_span
from compiler.yamlnodes import YScalar


def _close(name: str, names: list[str]) -> list[str]:
    return difflib.get_close_matches(name, names, n=1, cutoff=0.6)


class Lowerer:
    """Builds one ir.Package; collects diagnostics instead of stopping at the first."""

    def __init__(self, pkg: LoadedPackage, diags: list[Diagnostic]) -> None:
        self.pkg = pkg
        self.diags = diags
        self.checker = Checker(diags)
        # A spec file failed to load: names it would define are unknown, so "no such
        # ledger/map/layout" would only repeat that error (bad specs are skipped downstream).
        self.incomplete = any(d.is_error and d.code[:1] in ("Y", "S") for d in diags)

    def parse(self, scalar: YScalar, src_path: str):  # type: ignore[no-untyped-def]
        # The file that set the expression (a parent's, for a value inherited by `extends:`).
        src = self.pkg.sources[scalar.span.file]
        tree, d = parse_expression(src, scalar)
        self.diags.extend(d)
        return tree

    # ------------------------------------------------------------ package
    def lower(self) -> ir.Package | None:
        pkg = self.pkg
        man = pkg.manifest
        if man is None:
            return None
        params = tuple(ir.Param(name=p.name, type=T.from_name(p.type), min=p.min, max=p.max,
                                span=p.span) for p in man.params)
        self.params = {p.name: p.type for p in params}
        self.field_types = {lid: {f.name: T.from_name(f.type, not f.required) for f in led.fields}
                            for lid, led in pkg.ledgers.items()}
        self._check_field_names()
        maps = self._maps()
        self.layout_infos = {
            lid: LayoutInfo(id=lid, rows=tuple(r.ref.value for r in lay.rows),
                            columns=tuple(c.id for c in lay.columns))
            for lid, lay in pkg.layouts.items()}
        ledgers = tuple(self._ledger(lspec) for lspec in pkg.ledgers.values())
        self.derived_types = {led.id: {d.name: d.expr.type for d in led.derived} for led in ledgers}
        partition = man.partition.value if man.partition else None
        layouts: list[ir.Layout] = []
        self.cell_deps: dict[tuple[str, int], list[tuple[str, int]]] = {}
        for lay in pkg.layouts.values():
            out = self._layout(lay, partition)
            if out is not None:
                layouts.append(out)
        finish = self._finish_order(layouts)
        files = sorted(pkg.sources)
        h = hashlib.sha256()
        for f in files:
            h.update(f.encode() + b"\0" + pkg.sources[f].text.encode() + b"\0")
        if any(d.is_error for d in self.diags):
            return None
        return ir.Package(id=man.id, description=man.description, partition=partition,
                          params=params, ledgers=ledgers,
                          maps=maps, layouts=tuple(layouts), finish_order=finish,
                          spec_files=tuple(files), spec_hash=h.hexdigest(), span=man.span)

    def _check_field_names(self) -> None:
        for led in self.pkg.ledgers.values():
            seen: dict[str, specs.DerivedSpec | specs.FieldSpec] = {}
            items: list[specs.DerivedSpec | specs.FieldSpec] = [*led.fields, *led.derived]
            for item in items:
                if item.name in seen:
                    self.diags.append(catalog.duplicate_field(item.span, name=item.name,
                                                              first=seen[item.name].span))
                seen[item.name] = item

    def _maps(self) -> tuple[ir.Map, ...]:
        out = []
        self.map_infos: dict[str, MapInfo] = {}
        for m in self.pkg.maps.values():
            fields = self.field_types.get(m.source.value)
            if fields is None:
                if self.incomplete:
                    continue
                self.diags.append(catalog.unknown_spec(
                    m.source.span, kind="ledger", name=m.source.value,
                    candidates=_close(m.source.value, list(self.pkg.ledgers))))
                continue
            ok = True
            for t in (*m.key, *m.values):
                if t.value not in fields:
                    ok = False
                    self.diags.append(catalog.unknown_ledger_field(
                        t.span, ledger=m.source.value, name=t.value,
                        candidates=_close(t.value, list(fields))))
            if not ok:
                continue
            nullable = m.on_missing == "null"
            rec = T.Type("record", nullable,
                         tuple((v.value, fields[v.value].null(fields[v.value].nullable or nullable))
                               for v in m.values), m.id)
            self.map_infos[m.id] = MapInfo(id=m.id, key=tuple((k.value, fields[k.value])
                                                              for k in m.key), record=rec)
            out.append(ir.Map(id=m.id, source=m.source.value, key=tuple(k.value for k in m.key),
                              values=tuple(v.value for v in m.values), on_missing=m.on_missing,
                              span=m.span))
        return tuple(out)

    def _scope(self, where: str, ledger: str | None, derived: dict[str, T.Type] | None = None,
               aggregate: bool = False) -> Scope:
        return Scope(where=where, ledger=ledger,
                     fields=self.field_types.get(ledger, {}) if ledger else {},
                     derived=derived if derived is not None else
                     (self.derived_types.get(ledger, {}) if ledger else {}),
                     params=self.params, maps=self.map_infos, layouts=self.layout_infos,
                     allow_aggregate=aggregate, incomplete=self.incomplete)

    # ------------------------------------------------------------ ledgers
    def _ledger(self, spec: specs.LedgerSpec) -> ir.Ledger:
        fmt = spec.format
        fields = tuple(ir.Field(name=f.name, type=T.from_name(f.type, not f.required),
                                required=f.required, scale=f.scale, span=f.span)
                       for f in spec.fields)
        parsed = {d.name: (d, self.parse(d.expr, spec.src.path)) for d in spec.derived}
        names = list(parsed)

        def deps(n: str) -> list[str]:
            tree = parsed[n][1]
            return [x for x in names_used(tree) if x in parsed] if tree is not None else []

        order, cycles = graph.toposort(names, deps)
        for cyc in cycles:
            steps = [(parsed[n][0].span, f"'{n}' usa '{m}'")
                     for n, m in zip(cyc, cyc[1:], strict=False)]
            self.diags.append(catalog.cycle(parsed[cyc[0]][0].span, path=cyc, steps=steps))
        typed: dict[str, T.Type] = {}
        depths: dict[str, int] = {}
        too_deep = False
        derived: list[ir.Derived] = []
        for n in order:
            d, tree = parsed[n]
            if tree is None:
                typed[n] = T.ERROR
                continue
            scope = self._scope(f"o campo calculado '{n}'", spec.id, derived=typed)
            # names of derived fields not typed yet (cycles) resolve to the error type
            scope.derived = {**{k: T.ERROR for k in parsed}, **typed}
            e = self.checker.scalar(tree, scope)
            typed[n] = e.type
            depths[n] = inlined_depth(e, depths)
            if depths[n] > MAX_INLINED_DEPTH and not too_deep:  # once: the rest follow
                too_deep = True
                self.diags.append(catalog.derived_too_deep(d.expr.span, name=n,
                                                           limit=MAX_INLINED_DEPTH))
            pid = self.pkg.manifest.id  # type: ignore[union-attr]
            derived.append(ir.Derived(id=f"{pid}/{spec.id}/derived/{n}", name=n, expr=e,
                                      text=printer.show(tree), span=d.expr.span))
        return ir.Ledger(id=spec.id, fields=fields,
                         format=ir.CsvFormat(delimiter=fmt.delimiter, encoding=fmt.encoding,
                                             decimal=fmt.decimal, thousands=fmt.thousands,
                                             date=fmt.date, true=fmt.true, false=fmt.false,
                                             header=fmt.header),
                         derived=tuple(derived), span=spec.span)

    # ------------------------------------------------------------ layouts
    def _layout(self, lay: specs.LayoutSpec, partition: str | None) -> ir.Layout | None:
        pid = self.pkg.manifest.id  # type: ignore[union-attr]
        base = f"{pid}/{lay.id}"
        path = lay.src.path
        source = lay.source.value if lay.source else None
        if lay.source and source not in self.pkg.ledgers:
            if not self.incomplete:
                self.diags.append(catalog.unknown_spec(
                    lay.source.span, kind="ledger", name=source or "",
                    candidates=_close(source or "", list(self.pkg.ledgers))))
            source = None
            has_source = False
        else:
            has_source = source is not None
        if has_source and partition and partition not in self.field_types[source or ""]:
            assert lay.source is not None
            self.diags.append(catalog.unknown_ledger_field(
                lay.source.span, ledger=source or "", name=partition, candidates=[]))
        filt = None
        filt_text = ""
        if lay.filter is not None:
            tree = self.parse(lay.filter, path)
            if tree is not None and has_source:
                filt = self.checker.condition(tree, self._scope("o filtro do layout", source))
                filt_text = printer.show(tree)
            elif tree is not None and lay.source is None:  # an unknown source is S0203
                self.diags.append(catalog.rules_without_source(lay.filter.span,
                                                               what="'filter:'"))
        columns = []
        for i, c in enumerate(lay.columns):
            value = None
            text = ""
            if c.value is not None:
                tree = self.parse(c.value, path)
                if tree is not None and has_source:
                    value = self.checker.column_value(
                        tree, self._scope(f"o valor da coluna {c.id}", source, aggregate=True))
                    text = printer.show(tree)
            columns.append(ir.Column(id=c.id, index=i, code=c.code, label=c.label, value=value,
                                     text=text, span=c.span))
        col_ids = [c.id for c in lay.columns]
        refs: dict[str, specs.RowSpec] = {}
        for r in lay.rows:
            if r.ref.value in refs:
                self.diags.append(catalog.duplicate_row(r.ref.span, ref=r.ref.value,
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
                self.diags.append(catalog.rule_and_otherwise(r.otherwise_span or r.span,
                                                             ref=r.ref.value))
            if r.otherwise:
                if first_otherwise is not None:
                    self.diags.append(catalog.many_otherwise(
                        r.otherwise_span or r.span,
                        first=first_otherwise.otherwise_span or first_otherwise.span))
                first_otherwise = first_otherwise or r
            if not kinds:
                self.diags.append(catalog.row_without_rule(r.ref.span, ref=r.ref.value))
                continue
            kind = ir.RowKind(kinds[0])
            cond = None
            cond_text = ""
            values: list[tuple[int, ir.Expr, str]] = []
            total_of: list[int] = []
            if kind in (ir.RowKind.RULE, ir.RowKind.OTHERWISE):
                if not has_source:
                    if lay.source is None:
                        self.diags.append(catalog.rules_without_source(r.span))
                    continue
                if r.rule is not None:
                    tree = self.parse(r.rule, path)
                    if tree is not None:
                        cond = self.checker.condition(
                            tree, self._scope(f"a regra da linha '{r.ref.value}'", source))
                        cond_text = printer.show(tree)
                for col in columns:
                    if col.value is None and not lay.columns[col.index].value:
                        self.diags.append(catalog.column_without_value(
                            r.ref.span, column=col.id, ref=r.ref.value))
            elif kind is ir.RowKind.VALUES:
                given = {k.value: (k, v) for k, v in r.values}
                for k, _ in r.values:
                    if k.value not in col_ids:
                        self.diags.append(catalog.unknown_column(k.span, column=k.value,
                                                                 columns=col_ids))
                for c in lay.columns:
                    if c.id not in given:
                        self.diags.append(catalog.column_without_value(r.ref.span, column=c.id,
                                                                       ref=r.ref.value))
                        continue
                    tree = self.parse(given[c.id][1], path)
                    if tree is None:
                        continue
                    scope = self._scope(f"o valor {c.id} da linha '{r.ref.value}'", None)
                    e = self.checker.scalar(tree, scope)
                    if not (e.type.is_numeric or e.type.is_error):
                        self.diags.append(catalog.wrong_value_type(
                            given[c.id][1].span, where=scope.where, expected="numérico",
                            got=e.type.display()))
                    values.append((col_ids.index(c.id), e, printer.show(tree)))
                    self.cell_deps.setdefault((lay.id, i), []).extend(
                        (lid, row) for lid, row, _ in scope.cells)
            else:
                if r.total_of == "leaves":
                    total_of = [j for j, o in enumerate(lay.rows)
                                if o.total_of is None and j != i]
                    if not total_of:
                        self.diags.append(catalog.leaves_without_rows(r.total_span or r.span))
                else:
                    assert isinstance(r.total_of, tuple)
                    for t in r.total_of:
                        if t.value not in ref_index:
                            self.diags.append(catalog.unknown_row(
                                t.span, ref=t.value, candidates=_close(t.value, list(ref_index))))
                        elif ref_index[t.value] == i:
                            self.diags.append(catalog.total_of_total_cycle(t.span, ref=t.value))
                        else:
                            total_of.append(ref_index[t.value])
                self.cell_deps.setdefault((lay.id, i), []).extend((lay.id, j) for j in total_of)
            rows.append(ir.Row(id=rid, index=i, ref=r.ref.value, record_id=r.record_id.value,
                               label=r.label, kind=kind, cond=cond, cond_text=cond_text,
                               values=tuple(values), total_of=tuple(total_of), span=r.span))
        if lay.provisional is not None:
            self.diags.append(catalog.provisional(lay.provisional.span, spec_id=lay.id,
                                                  text=" ".join(lay.provisional.value.split())))
        return ir.Layout(id=lay.id, planilha=lay.planilha, source=source, filter=filt,
                         filter_text=filt_text, hit_policy=ir.HitPolicy(lay.hit_policy),
                         columns=tuple(columns), rows=tuple(rows),
                         output_format=lay.output_format, output_file=lay.output_file.value,
                         span=lay.span, alternative_of=lay.alternative_of.value
                         if lay.alternative_of is not None else "")

    def _finish_order(self, layouts: list[ir.Layout]) -> tuple[tuple[str, int], ...]:
        nodes = [(lay.id, r.index) for lay in layouts for r in lay.rows
                 if r.kind in (ir.RowKind.VALUES, ir.RowKind.TOTAL)]
        order, cycles = graph.toposort(nodes, lambda n: self.cell_deps.get(n, []))
        by_id = {lay.id: lay for lay in layouts}
        for cyc in cycles:
            def name(n: tuple[str, int]) -> str:
                return f"{n[0]}:{by_id[n[0]].rows[n[1]].ref}"
            spans = [by_id[a[0]].rows[a[1]].span for a in cyc]
            steps = [(spans[k], f"{name(a)} usa {name(b)}") for k, (a, b) in
                     enumerate(zip(cyc, cyc[1:], strict=False))]
            self.diags.append(catalog.cycle(spans[0], path=[name(n) for n in cyc], steps=steps))
        return tuple(order)


def lower(pkg: LoadedPackage, diags: list[Diagnostic]) -> ir.Package | None:
    """Lower a loaded package; returns None when any error was reported."""
    if pkg.manifest is None:
        return None
    return Lowerer(pkg, diags).lower()


__all__ = ["lower", "file_span"]
