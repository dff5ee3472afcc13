"""IR package → Python module text: header, LOC table, scan functions, finish, PACKAGE.

Each kind's part (compiler/kinds/<kind>/python.py, a kinds.base.PyEmitter) contributes to the
ledger scans, to `finish` and to the PACKAGE declaration; this module assembles them and
imports what the parts say they use (never by searching the text it generated)."""

from __future__ import annotations

from pathlib import Path
from typing import cast

import jinja2

from compiler import ir
from compiler import kinds
from compiler import scanplan
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import scan_function
from compiler.codegen.quoting import py_comment
from compiler.codegen.quoting import py_docstring
from compiler.codegen.quoting import py_str
from compiler.kinds.base import PyEmitter
from compiler.kinds.base import PyScanEmitter
from compiler.kinds.base import PyScanPart
from compiler.source import Span
from compiler.version import COMPILER_VERSION
from compiler.version import RUNTIME_ABI

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True, autoescape=False)
_ENV.filters["py_comment"] = py_comment
_ENV.filters["py_docstring"] = py_docstring

# The PACKAGE fields the kinds' declarations go to (PyEmitter.slot), in this order.
SLOTS = ("ledgers", "maps", "nodes")
_IMPORT_ORDER = ("from runtime import abi", "from runtime import ops as o",
                 "from runtime.errors import SkipRecord", "from runtime.locations import Loc")


def _emitter(node: ir.PlanNode) -> PyEmitter:
    em = kinds.python(ir.kind_of(node))
    assert em is not None, f"kind {ir.kind_of(node)} has no compiler/kinds/*/python.py"
    return em


class ModuleGen:
    """Generates generated/<pkg>/__init__.py."""

    def __init__(self, pkg: ir.Package, folder: str) -> None:
        self.pkg = pkg
        self.folder = folder
        self.locs: list[tuple[str, str]] = []
        self._loc_index: dict[tuple[str, str], int] = {}
        self.maps = {m.id: m for m in pkg.maps}
        self._imports: set[str] = {"from runtime import abi", "from runtime.locations import Loc"}
        self._model: set[str] = {"Package", *(("Param",) if pkg.params else ())}
        # finish(): what its code reads (filled by the kinds' finish parts and absorb())
        self.rows_read: set[str] = set()
        self._finish_params: set[str] = set()
        # module-level row names (finish names rows, not indexes): (layout, index) → name
        self._row_names: dict[tuple[str, int], str] = {}
        self._row_consts: list[tuple[str, int, str]] = []
        self._layouts = {n.id: n for n in pkg.nodes if isinstance(n, ir.Layout)}
        # ledger id → its scan plan, and the parts of the nodes that read it (plan order)
        self.plans = scanplan.build(pkg)
        self.scan_parts: dict[str, list[PyScanPart]] = {
            led: [cast(PyScanEmitter, _emitter(p.node)).scan_part(self, p) for p in plan.parts]
            for led, plan in self.plans.items()}

    def loc(self, span: Span, note: str) -> int:
        text = f"{span.file!r}, {span.line}, {span.col}, {span.end_line}, {span.end_col}"
        key = (text, note)
        if key not in self._loc_index:
            self._loc_index[key] = len(self.locs)
            self.locs.append(key)
        return self._loc_index[key]

    def where(self, span: Span, plan_id: str) -> str:
        self.loc(span, plan_id)
        return f"# {py_comment(span.file)}:{span.line}:{span.col}  {py_comment(plan_id)}"

    def row(self, layout: str, index: int) -> str:
        """The module-level name of a row's index in its layout's table (ctx.rows), declared
        once with where the row is: `covid_77__9999999029`."""
        key = (layout, index)
        if key not in self._row_names:
            r = self._layouts[layout].rows[index]
            name = f"{names.ident(layout)}__{names.ident(r.ref).lstrip('_')}"
            taken = set(self._row_names.values())
            base, n = name, 2
            while name in taken:
                name, n = f"{base}_{n}", n + 1
            self._row_names[key] = name
            self.loc(r.span, r.id)
            self._row_consts.append((name, index, f"{r.span.file}:{r.span.line}:{r.span.col}"
                                                  f"  {r.id}"))
        return self._row_names[key]

    def uses_import(self, line: str) -> None:
        self._imports.add(line)

    def uses_model(self, name: str) -> None:
        """A runtime.model class the PACKAGE declaration names."""
        self._model.add(name)

    def absorb(self, px: PyExpr, finish: bool = True) -> None:
        """Record what code rendered by `px` needs: imports, and for code of `finish` the
        parameters and the rows (ctx.rows) it reads."""
        if "ops" in px.uses:
            self.uses_import("from runtime import ops as o")
        if "D" in px.uses:
            self.uses_import("from runtime.values import D")
        if finish:
            self._finish_params |= px.params
            self.rows_read |= px.cells

    # ------------------------------------------------------------ module
    def generate(self) -> str:
        pkg = self.pkg
        for node in pkg.nodes:
            _emitter(node).locs(self, node)
        functions = [self.scan(led) for led in pkg.ledgers if led.id in self.scan_parts]
        functions.append(self.finish())
        if pkg.when:
            functions.append(self.active())
        decl = self.package_decl()
        imports = [i for i in _IMPORT_ORDER if i in self._imports]
        imports += [f"from runtime.model import {n}" for n in sorted(self._model)]
        imports += sorted(i for i in self._imports if i not in _IMPORT_ORDER)
        return _ENV.get_template("package.py.j2").render(
            version=COMPILER_VERSION, folder=self.folder, spec_hash=pkg.spec_hash,
            spec_files=pkg.spec_files, package_id=pkg.id, description=pkg.description,
            imports=imports, abi=RUNTIME_ABI, locs=self.locs, functions=functions,
            rows=sorted(self._row_consts, key=lambda c: (c[0].rsplit("__", 1)[0], c[1])),
            package_decl=decl)

    def scan(self, led: ir.Ledger) -> str:
        return scan_function(self, self.plans[led.id], self.scan_parts[led.id])

    # ------------------------------------------------------------ finish
    def finish(self) -> str:
        pkg = self.pkg
        lines: list[str] = []
        for kind in kinds.KINDS:
            em = kinds.python(kind)
            nodes = pkg.of_kind(kind) if em is not None else ()
            if em is not None and nodes:
                lines += em.finish(self, nodes)
        head = Lines()
        head("def finish(ctx, part):")
        head.indent()
        head('"""Rows computed after the scans (values and totalizers), in dependency order."""')
        for p in pkg.params:
            if p.name in self._finish_params:
                head(f"{names.param_var(p.name)} = ctx.params[{p.name!r}]")
        for node in pkg.nodes:
            if node.id in self.rows_read and isinstance(node, ir.Layout):
                head(f"{names.rows_var(node.id)} = ctx.rows({node.id!r}, part)")
        if not lines:
            head("return None")
        return head.text() + ("\n" + "\n".join(lines) if lines else "")

    def active(self) -> str:
        """`active(params)`: the nodes with a `when:` and whether a run of these parameters
        computes them (a false one is neither computed nor written)."""
        px = PyExpr(self.maps, hoist=False)
        conds = [(node_id, px(cond), text) for node_id, cond, text in self.pkg.when]
        assert not px.take_pending(), "a `when:` looks nothing up (no record to key it)"
        self.absorb(px, finish=False)
        o = Lines()
        o("def active(params):")
        o.indent()
        o('"""The `when:` of each node that has one, on these parameters."""')
        for p in self.pkg.params:
            if p.name in px.params:
                o(f"{names.param_var(p.name)} = params[{p.name!r}]")
        o("return {")
        for node_id, code, text in conds:
            o(f"    # {py_comment(text, 90)}")
            o(f"    {node_id!r}: {code},")
        o("}")
        return o.text()

    # ------------------------------------------------------------ PACKAGE declaration
    def package_decl(self) -> str:
        pkg = self.pkg
        o = Lines()
        o.indent()
        o(f"id={pkg.id!r},")
        o(f"partition={pkg.partition!r},")
        o("params=(")
        for p in pkg.params:
            default = "" if p.default is None else f", {p.default!r}"
            o(f"    Param({p.name!r}, {p.type.base!r}, {p.min!r}, {p.max!r}{default}),")
        o("),")
        for slot in SLOTS:
            o(f"{slot}=(")
            o.indent()
            for node in pkg.nodes:
                em = _emitter(node)
                if em.slot != slot:
                    continue
                text = em.declare(self, node)
                if text is not None:
                    for line in text.split("\n"):
                        o(line)
            o.dedent()
            o("),")
        o("finish=finish,")
        if pkg.when:
            o("active=active,")
        o(f"spec_hash={pkg.spec_hash!r},")
        if pkg.layout_year is not None:  # every view has the one spec hash: this tells them apart
            o(f"layout_year={pkg.layout_year!r},")
        o(f"compiler_version={COMPILER_VERSION!r},")
        if pkg.default_select is not None:
            o(f"default_select={py_str(pkg.default_select)},")
        if pkg.bundle is not None:  # names that passed the output-file rule (S0502)
            b = pkg.bundle
            self.uses_model("Bundle")
            o(f"bundle=Bundle({py_str(b.file)}, {py_str(b.manifest)}, {py_str(b.provenance)}),")
        return o.text()


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """generated/<pkg>/ files: relative path → text."""
    return {"__init__.py": ModuleGen(pkg, folder).generate()}
