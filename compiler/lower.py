"""Loaded specs → IR package. The Lowerer is what every kind's lowering (compiler/kinds/<kind>/
lower.py) works with: the parser, the checker, the scopes of expressions and the names the
kinds declared; it visits the kinds in registry order in three phases (declare, lower, finish;
see compiler/kinds/base.py)."""

from __future__ import annotations

import decimal
import hashlib

from compiler import catalog
from compiler import ir
from compiler import kinds
from compiler import specs
from compiler import types as T
from compiler.check import Checker
from compiler.check import LayoutInfo
from compiler.check import MapInfo
from compiler.check import Scope
from compiler.diagnostics import Diagnostic
from compiler.expr import parse_expression
from compiler.expr import printer
from compiler.package import LoadedPackage
from compiler.source import file_span
from compiler.yamlnodes import YScalar
from runtime.params import convert_param
from runtime.selection import globs
from runtime.selection import selects


class Lowerer:
    """Builds one ir.Package; collects diagnostics instead of stopping at the first."""

    def __init__(self, pkg: LoadedPackage, diags: list[Diagnostic]) -> None:
        self.pkg = pkg
        self.diags = diags
        self.checker = Checker(diags)
        # A spec file failed to load: names it would define are unknown, so "no such
        # ledger/map/layout" would only repeat that error (bad specs are skipped downstream).
        self.incomplete = any(d.is_error and d.code[:1] in ("Y", "S") for d in diags)
        man = pkg.manifest
        self.package_id = man.id if man is not None else ""
        self.partition = man.partition.value if man is not None and man.partition else None
        self.params: dict[str, T.Type] = {}
        # what the kinds declare (phase 1) for the expressions of later ones
        self.field_types: dict[str, dict[str, T.Type]] = {}    # ledger → stored fields
        self.derived_types: dict[str, dict[str, T.Type]] = {}  # ledger → derived fields
        self.map_infos: dict[str, MapInfo] = {}
        self.map_nodes: dict[str, ir.Map] = {}
        self.layout_infos: dict[str, LayoutInfo] = {}
        # (layout, row) → the (layout, row) cells a value or total row reads
        self.cell_deps: dict[tuple[str, int], list[tuple[str, int]]] = {}
        self.finish_order: tuple[tuple[str, int], ...] = ()
        # the nodes lowered so far, by id (a kind reads those of the kinds before it: the
        # sheets kind reads the rows of the tables its maps are built from)
        self.nodes: dict[str, ir.PlanNode] = {}

    def parse(self, scalar: YScalar, src_path: str):  # type: ignore[no-untyped-def]
        # The file that set the expression (a parent's, for a value inherited by `extends:`).
        src = self.pkg.sources[scalar.span.file]
        tree, d = parse_expression(src, scalar)
        self.diags.extend(d)
        return tree

    def scope(self, where: str, ledger: str | None, derived: dict[str, T.Type] | None = None,
              aggregate: bool = False) -> Scope:
        """The names an expression of `ledger`'s records (None: no record) may use."""
        return Scope(where=where, ledger=ledger,
                     fields=self.field_types.get(ledger, {}) if ledger else {},
                     derived=derived if derived is not None else
                     (self.derived_types.get(ledger, {}) if ledger else {}),
                     params=self.params, maps=self.map_infos, layouts=self.layout_infos,
                     allow_aggregate=aggregate, incomplete=self.incomplete)

    def param_default(self, p: specs.ParamSpec) -> str | None:
        """The `default:` text of a parameter, if a run could take it: parsed as the run parses
        a `--param` (runtime.program.convert_param) and within min/max, else S1520."""
        if p.default is None:
            return None
        try:
            value = convert_param(p.type, p.default.value)
        except (ValueError, decimal.InvalidOperation):
            self.diags.append(catalog.param_default(p.default.span, name=p.name,
                                                    problem=f"não é um valor {p.type}"))
            return None
        if (p.min is not None and value < p.min) or (p.max is not None and value > p.max):
            bounds = f"{'' if p.min is None else p.min}..{'' if p.max is None else p.max}"
            self.diags.append(catalog.param_default(p.default.span, name=p.name,
                                                    problem=f"fica fora de min..max ({bounds})"))
            return None
        return p.default.value

    # ------------------------------------------------------------ package
    def lower(self) -> ir.Package | None:
        pkg = self.pkg
        man = pkg.manifest
        if man is None:
            return None
        params = tuple(ir.Param(name=p.name, type=T.from_name(p.type), min=p.min, max=p.max,
                                span=p.span, default=self.param_default(p))
                       for p in man.params)
        self.params = {p.name: p.type for p in params}
        stages = [(k, low) for k in kinds.KINDS if not kinds.front_end(k).singleton
                  for low in (kinds.lowering(k),) if low is not None]
        for kind, low in stages:
            low.declare(self, list(pkg.specs_of(kind).values()))
        nodes: list[ir.PlanNode] = []
        by_kind: dict[str, list[ir.PlanNode]] = {}
        when: list[tuple[str, ir.Expr, str]] = []
        for kind, low in stages:
            for spec in pkg.specs_of(kind).values():
                node = low.lower(self, spec)
                if node is not None:
                    nodes.append(node)
                    self.nodes[node.id] = node
                    by_kind.setdefault(kind, []).append(node)
                    if spec.when is not None:
                        got = self.when(spec.when, spec.id)
                        if got is not None:
                            when.append((spec.id, *got))
        for kind, low in stages:
            low.finish(self, by_kind.get(kind, []))
        files, digest = spec_digest(pkg)
        if any(d.is_error for d in self.diags):
            return None
        b = man.bundle
        bundle = None if b is None else ir.Bundle(file=b.file.value, manifest=b.manifest.value,
                                                  provenance=b.provenance.value, span=b.span)
        reports = [n.id for n in nodes if isinstance(
            n, ir.Layout | ir.Sheets | ir.Allocation | ir.Derivation | ir.Indicator
            | ir.Dictionary)]
        if man.select is not None:
            idle = [g for g in globs(man.select.value) if not any(selects(g, r) for r in reports)]
            if idle:  # each glob of the selection picks something
                self.diags.append(catalog.package_select(man.select.span, glob=idle[0]))
                return None
        return ir.Package(id=man.id, description=man.description, partition=self.partition,
                          params=params, nodes=tuple(nodes), finish_order=self.finish_order,
                          spec_files=files, spec_hash=digest, span=man.span,
                          when=tuple(when), bundle=bundle,
                          default_select=man.select.value if man.select is not None else None)

    def when(self, scalar: YScalar, spec_id: str) -> tuple[ir.Expr, str] | None:
        """A spec's `when:`: a condition on the parameters alone (no record, no cell)."""
        tree = self.parse(scalar, scalar.span.file)
        if tree is None:
            return None
        scope = self.scope(f"o 'when' de '{spec_id}'", None)
        cond = self.checker.condition(tree, scope)
        if scope.cells:
            self.diags.append(catalog.when_reads_cells(scalar.span, spec_id=spec_id))
            return None
        return cond, printer.show(tree)


def spec_digest(pkg: LoadedPackage) -> tuple[tuple[str, ...], str]:
    """The spec files of a package (YAML and the tables' CSV) and their sha256: every file
    read, whichever view read it (the views of a package with layout years share `sources`
    and `data`), so all views of one package carry one hash."""
    h = hashlib.sha256()
    for f in sorted(pkg.sources):
        if f not in pkg.data:
            h.update(f.encode() + b"\0" + pkg.sources[f].text.encode() + b"\0")
    for f in sorted(pkg.data):  # the tables' CSV files, byte for byte
        h.update(b"data\0" + f.encode() + b"\0" + pkg.data[f] + b"\0")
    return tuple(sorted({*pkg.sources, *pkg.data})), h.hexdigest()


def lower(pkg: LoadedPackage, diags: list[Diagnostic]) -> ir.Package | None:
    """Lower a loaded package; returns None when any error was reported."""
    if pkg.manifest is None:
        return None
    return Lowerer(pkg, diags).lower()


__all__ = ["lower", "file_span"]
