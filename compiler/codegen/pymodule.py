"""IR package → Python module text: header, LOC table, scan functions, finish, PACKAGE."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyexpr import literal
from compiler.codegen.quoting import py_comment
from compiler.codegen.quoting import py_docstring
from compiler.source import Span
from compiler.version import COMPILER_VERSION
from compiler.version import RUNTIME_ABI

_ENV = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True, autoescape=False)
_ENV.filters["py_comment"] = py_comment
_ENV.filters["py_docstring"] = py_docstring

# Rule rows per elif chain of a hit_policy first layout (see _layout_block).
ELIF_CHUNK = 200


class Lines:
    """An indented line buffer."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0

    def __call__(self, text: str = "") -> None:
        self.lines.append(("    " * self.level + text) if text else "")

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def text(self) -> str:
        return "\n".join(self.lines)


def _comment(text: str, width: int = 96) -> str:
    return py_comment(text, width)


class ModuleGen:
    """Generates generated/<pkg>/__init__.py."""

    def __init__(self, pkg: ir.Package, folder: str) -> None:
        self.pkg = pkg
        self.folder = folder
        self.locs: list[tuple[str, str]] = []
        self._loc_index: dict[tuple[str, str], int] = {}
        self.maps = {m.id: m for m in pkg.maps}
        self.uses: set[str] = set()

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

    # ------------------------------------------------------------ module
    def generate(self) -> str:
        pkg = self.pkg
        for lay in pkg.layouts:
            self.loc(lay.span, f"{pkg.id}/{lay.id}")
            for r in lay.rows:
                self.loc(r.span, r.id)
        for m in pkg.maps:
            self.loc(m.span, f"{pkg.id}/{m.id}")
        functions = [self.scan(led) for led in pkg.ledgers if self._layouts_of(led.id)]
        functions.append(self.finish())
        decl = self.package_decl()
        code = "\n".join(functions) + decl
        imports = ["from runtime import abi"]
        if "o." in code:
            imports.append("from runtime import ops as o")
        if "SkipRecord" in code:
            imports.append("from runtime.errors import SkipRecord")
        imports.append("from runtime.locations import Loc")
        model = sorted(n for n in ("Column", "CsvFormat", "Field", "Layout", "Ledger", "Map",
                                   "Package", "Param", "Row") if f"{n}(" in "Package(" + decl)
        for n in model:
            imports.append(f"from runtime.model import {n}")
        if 'D("' in code:
            imports.append("from runtime.values import D")
        return _ENV.get_template("package.py.j2").render(
            version=COMPILER_VERSION, folder=self.folder, spec_hash=pkg.spec_hash,
            spec_files=pkg.spec_files, package_id=pkg.id, description=pkg.description,
            imports=imports, abi=RUNTIME_ABI, locs=self.locs, functions=functions,
            package_decl=decl)

    def _layouts_of(self, ledger: str) -> list[ir.Layout]:
        return [lay for lay in self.pkg.layouts
                if lay.source == ledger and any(r.kind in (ir.RowKind.RULE, ir.RowKind.OTHERWISE)
                                                for r in lay.rows)]

    # ------------------------------------------------------------ scan
    def scan(self, led: ir.Ledger) -> str:
        pkg = self.pkg
        layouts = self._layouts_of(led.id)
        px = PyExpr(self.maps)
        body = Lines()
        body.level = 3
        for d in led.derived:
            body(self.where(d.span, d.id))
            body(f"#   {d.name} = {_comment(d.text)}")
            code = px(d.expr)
            for stmt in px.take_pending():
                body(stmt)
            body(f"{names.derived_var(d.name)} = {code}")
        n_derived = len(body.lines)
        part = names.field_var(pkg.partition) if pkg.partition else "None"
        self._blocks: list[tuple[int, int, int]] = []
        self._filter_code: list[str] = []
        # records that reach a layout (pass its filter, land in a row), counted once each
        self._reach = "_reached += 1" if len(layouts) == 1 else "_hit = True"
        for lay in layouts:
            self._layout_block(body, lay, px, part)
        converts = self._convert_amounts(led, body, n_derived)
        head = Lines()
        ids = ", ".join(lay.id for lay in layouts)
        head(f"def scan_{names.ident(led.id)}(rows, ctx):")
        head.indent()
        head(f'"""Ledger \'{py_docstring(led.id)}\': derived fields, then the rows of '
             f'{py_docstring(ids)}."""')
        code = body.text()
        for p in pkg.params:
            if names.param_var(p.name) in code or any(names.param_var(p.name) in c
                                                      for _, c in px.hoisted):
                head(f"{names.param_var(p.name)} = ctx.params[{p.name!r}]")
        for m in pkg.maps:
            if names.map_var(m.id) + "." in code:
                head(f"{names.map_var(m.id)} = ctx.maps[{m.id!r}]")
        for lay in layouts:
            head(f"{names.acc_var(lay.id)} = ctx.acc[{lay.id!r}]")
        head('_trace = getattr(ctx, "trace", None)')
        if converts:
            head('_amount = getattr(ctx, "amount", None)')
        for m in pkg.maps:
            if names.map_var(m.id) + "." in code:
                # apura explain records lookups in find(): no direct hits while tracing
                head(f"{names.entries_var(m.id)} = {names.map_var(m.id)}.entries "
                     "if _trace is None else {}")
        for name, c in px.hoisted:
            head(f"{name} = {c}")
        head("_reached = 0")
        fields = ", ".join(names.field_var(f.name) for f in led.fields)
        head(f"for {fields}, _line in rows:" if len(fields) < 80 else "for (")
        if len(fields) >= 80:
            head.indent()
            for f in led.fields:
                head(f"{names.field_var(f.name)},")
            head("_line,")
            head.dedent()
            head(") in rows:")
        head.indent()
        many = len(layouts) > 1
        if many:
            head("_hit = False")
        tail = ("\n        _reached += _hit" if many else "") + \
            f"\n    ctx.reached[{led.id!r}] = _reached"
        uses_skip = ".find((" in code
        if uses_skip:
            head("try:")
            return head.text() + "\n" + code + "\n" + \
                "        except SkipRecord:\n            continue" + tail
        body_text = "\n".join(line[4:] if line.startswith("    ") else line
                              for line in code.split("\n"))
        return head.text() + "\n" + body_text + tail

    def _layout_block(self, out: Lines, lay: ir.Layout, px: PyExpr, part: str) -> None:
        pid = f"{self.pkg.id}/{lay.id}"
        if lay.filter is not None:
            out(self.where(lay.filter.span, f"{pid}/filter"))
            out(f"#   {_comment(lay.filter_text)}")
            code = px(lay.filter)
            for stmt in px.take_pending():
                out(stmt)
            out(f"if {code}:")
            out.indent()
            self._filter_code.append(code)
        else:
            out(f"# {_comment(pid)}: sem filtro")
        start = len(out.lines)
        saved = px.scope()
        rule_rows = [r for r in lay.rows if r.kind is ir.RowKind.RULE]
        other = next((r for r in lay.rows if r.kind is ir.RowKind.OTHERWISE), None)
        conds = {r.index: px(r.cond) for r in rule_rows if r.cond is not None}
        for stmt in px.take_pending():
            out(stmt)
        if lay.hit_policy is ir.HitPolicy.FIRST and len(rule_rows) > ELIF_CHUNK:
            # CPython compiles an elif chain recursively (~3,000 branches is a RecursionError,
            # 20,000 a MemoryError): a long chain is cut into flat chunks of ELIF_CHUNK.
            out("# hit_policy first: a primeira linha que casar fica com o registro")
            out("_r = -1")
            for k, r in enumerate(rule_rows):
                if k % ELIF_CHUNK == 0 and k:
                    out.dedent()
                if k % ELIF_CHUNK == 0:
                    out("if _r < 0:")
                    out.indent()
                out(self.where(r.span, r.id) + f"  {_comment(r.cond_text, 60)}")
                out(f"{'if' if k % ELIF_CHUNK == 0 else 'elif'} {conds[r.index]}:")
                out(f"    _r = {r.index}")
            out.dedent()
            if other is not None:
                out("if _r < 0:")
                out(f"    _r = {other.index}  # {other.ref} otherwise")
        elif lay.hit_policy is ir.HitPolicy.FIRST:
            out("# hit_policy first: a primeira linha que casar fica com o registro")
            for k, r in enumerate(rule_rows):
                out(self.where(r.span, r.id) + f"  {_comment(r.cond_text, 60)}")
                out(f"{'if' if k == 0 else 'elif'} {conds[r.index]}:")
                out(f"    _r = {r.index}")
            if rule_rows:
                out("else:")
                out.indent()
            out(f"_r = {other.index}  # {_comment(other.ref)} otherwise" if other else "_r = -1")
            if rule_rows:
                out.dedent()
        else:
            out("# hit_policy unique: casar com duas linhas é erro")
            out("_r = -1")
            for r in rule_rows:
                out(self.where(r.span, r.id) + f"  {_comment(r.cond_text, 60)}")
                out(f"if {conds[r.index]}:")
                out(f"    _r = {r.index} if _r < 0 else ctx.conflict({lay.id!r}, _r, {r.index}, "
                    "_line)")
            if other is not None:
                out("if _r < 0:")
                out(f"    _r = {other.index}  # {_comment(other.ref)} otherwise")
        guard = other is None
        if guard:
            out("if _r >= 0:")
            out.indent()
        acc = names.acc_var(lay.id)
        out(f"_a = {acc}.get({part})")
        out("if _a is None:")
        out(f"    _a = {acc}[{part}] = ctx.new_rows({lay.id!r})")
        out("_row = _a[_r]")
        out(self._reach)
        out("if _trace is not None:  # apura explain: remember what this record adds")
        out("    _before = _row[:]")
        for c in lay.columns:
            if c.value is None:
                continue
            out(self.where(c.span, f"{pid}/column/{c.id}") + f"  {c.id} = {_comment(c.text, 50)}")
            self._accumulate(out, c, px)
        out("if _trace is not None:")
        out(f"    _trace({lay.id!r}, {part}, _r, _line, _before, _row)")
        if guard:
            out.dedent()
        px.restore(saved)
        self._blocks.append((start, len(out.lines), out.level))
        if lay.filter is not None:
            out.dedent()

    def _convert_amounts(self, led: ir.Ledger, body: Lines, n_derived: int) -> bool:
        """Decimal fields may arrive as their checked cell text (Ledger.text_amounts): convert
        each one with ctx.amount where it is first needed, at the top of the loop when derived
        fields or filters use it, else at the top of each layout block that uses it (only the
        records that pass the filter pay for it). Returns whether any conversion was emitted."""
        dec = [names.field_var(f.name) for f in led.fields if f.type.base == "decimal"]

        def used(var: str, text: str) -> bool:
            return re.search(rf"\b{re.escape(var)}\b", text) is not None

        def convert(fields: list[str], level: int) -> list[str]:
            pad = "    " * level
            return [f"{pad}if _amount is not None:  # amounts read as text: converted here",
                    *(f"{pad}    {v} = _amount({v})" for v in fields)]

        early = "\n".join(body.lines[:n_derived] + self._filter_code)
        eager = [v for v in dec if used(v, early)]
        emitted = bool(eager)
        for start, end, level in reversed(self._blocks):
            block = "\n".join(body.lines[start:end])
            need = [v for v in dec if v not in eager and used(v, block)]
            if need:
                body.lines[start:start] = convert(need, level)
                emitted = True
        if eager:
            body.lines[0:0] = convert(eager, body.level)
        return emitted

    def _accumulate(self, out: Lines, c: ir.Column, px: PyExpr) -> None:
        agg = c.value
        assert agg is not None
        k = c.index
        # render first, so lookups the column needs are emitted before its statements
        where = px(agg.where) if agg.where is not None else None
        arg_code = px(agg.arg) if agg.arg is not None else None
        for stmt in px.take_pending():
            out(stmt)
        if where is not None:
            out(f"if {where}:")
            out.indent()
        arg = agg.arg
        if agg.func == "count":
            if arg is None or not arg.type.nullable:
                out(f"_row[{k}] += 1")
            else:
                out(f"if {arg_code} is not None:")
                out(f"    _row[{k}] += 1")
        elif agg.func == "sum":
            assert arg is not None
            if arg.type.nullable:
                out(f"_v = {arg_code}")
                out("if _v is not None:")
                out(f"    _row[{k}] += _v")
            else:
                out(f"_row[{k}] += {arg_code}")
        else:
            assert arg is not None
            cmp = "<" if agg.func == "min" else ">"
            out(f"_v = {arg_code}")
            out(f"if _v is not None and (_row[{k}] is None or _v {cmp} _row[{k}]):")
            out(f"    _row[{k}] = _v")
        if agg.where is not None:
            out.dedent()

    # ------------------------------------------------------------ finish
    def finish(self) -> str:
        pkg = self.pkg
        by_id = {lay.id: lay for lay in pkg.layouts}
        px = PyExpr(self.maps, hoist=False)
        body = Lines()
        body.indent()
        for lay_id, idx in pkg.finish_order:
            lay = by_id[lay_id]
            r = lay.rows[idx]
            rv = names.rows_var(lay_id)
            if r.kind is ir.RowKind.TOTAL:
                members = ", ".join(lay.rows[j].ref for j in r.total_of)
                body(self.where(r.span, r.id) + f"  total de {_comment(members, 40)}")
                for c in lay.columns:
                    terms = ", ".join(f"{rv}[{j}][{c.index}]" for j in r.total_of)
                    body(f"{rv}[{idx}][{c.index}] = o.total({terms})")
            else:
                body(self.where(r.span, r.id))
                for col, e, text in r.values:
                    body(f"#   {lay.columns[col].id} = {_comment(text)}")
                    body(f"{rv}[{idx}][{col}] = {px(e)}")
        code = body.text()
        head = Lines()
        head("def finish(ctx, part):")
        head.indent()
        head('"""Rows computed after the scans (values and totalizers), in dependency order."""')
        for p in pkg.params:
            if names.param_var(p.name) in code:
                head(f"{names.param_var(p.name)} = ctx.params[{p.name!r}]")
        for lay in pkg.layouts:
            if names.rows_var(lay.id) + "[" in code:
                head(f"{names.rows_var(lay.id)} = ctx.rows({lay.id!r}, part)")
        if not code.strip():
            head("return None")
        return head.text() + ("\n" + code if code.strip() else "")

    # ------------------------------------------------------------ PACKAGE declaration
    def package_decl(self) -> str:
        pkg = self.pkg
        o = Lines()
        o.indent()
        o(f"id={pkg.id!r},")
        o(f"partition={pkg.partition!r},")
        o("params=(")
        for p in pkg.params:
            o(f"    Param({p.name!r}, {p.type.base!r}, {p.min!r}, {p.max!r}),")
        o("),")
        o("ledgers=(")
        for led in pkg.ledgers:
            f = led.format
            lays = tuple(lay.id for lay in self._layouts_of(led.id))
            o("    Ledger(")
            o(f"        id={led.id!r},")
            o("        fields=(")
            for fld in led.fields:
                o(f"            Field({fld.name!r}, {fld.type.base!r}, {fld.required!r}, "
                  f"{fld.scale!r}),")
            o("        ),")
            o(f"        format=CsvFormat({f.delimiter!r}, {f.encoding!r}, {f.decimal!r}, "
              f"{f.thousands!r}, {f.date!r}, {f.true!r}, {f.false!r}, {f.header!r}),")
            o(f"        scan={'scan_' + names.ident(led.id) if lays else 'None'},")
            o(f"        layouts={lays!r},")
            if lays:
                o("        text_amounts=True,")
            o("    ),")
        o("),")
        o("maps=(")
        for m in pkg.maps:
            at = self.loc(m.span, f"{pkg.id}/{m.id}")
            o(f"    Map({m.id!r}, {m.source!r}, {m.key!r}, {m.values!r}, {m.on_missing!r}, "
              f"LOC[{at}]),")
        o("),")
        o("layouts=(")
        for lay in pkg.layouts:
            o("    Layout(")
            o(f"        id={lay.id!r},")
            o(f"        planilha={lay.planilha!r},")
            o(f"        source={lay.source!r},")
            o("        columns=(")
            for c in lay.columns:
                init = "None" if c.value is not None and c.value.func in ("min", "max") else (
                    literal(0) if c.value is not None and c.value.type.base == "int"
                    else 'D("0")')
                func = c.value.func if c.value is not None else ""
                o(f"            Column({c.id!r}, {c.code!r}, {c.label!r}, {init}, {c.text!r}, "
                  f"{func!r}),")
            o("        ),")
            o("        rows=(")
            for r in lay.rows:
                at = self.loc(r.span, r.id)
                text = r.cond_text or "; ".join(f"{lay.columns[c].id} = {t}"
                                                for c, _, t in r.values)
                o(f"            Row({r.ref!r}, {r.record_id!r}, {r.label!r}, {r.index}, "
                  f"{r.kind is ir.RowKind.TOTAL!r}, LOC[{at}], {r.kind.value!r}, {text!r}, "
                  f"{r.total_of!r}),")
            o("        ),")
            o(f"        output_format={lay.output_format!r},")
            o(f"        output_file={lay.output_file!r},")
            o(f"        line={self.line_template(lay)!r},")
            o(f"        depends_on={self._depends(lay)!r},")
            o(f"        at=LOC[{self.loc(lay.span, f'{pkg.id}/{lay.id}')}],")
            if lay.filter is not None:
                o(f"        filter={lay.filter_text!r},")
                filter_at = self.loc(lay.filter.span, f"{pkg.id}/{lay.id}/filter")
                o(f"        filter_at=LOC[{filter_at}],")
            o(f"        hit_policy={lay.hit_policy.value!r},")
            if lay.alternative_of:
                o(f"        alternative_of={lay.alternative_of!r},")
            o("    ),")
        o("),")
        o("finish=finish,")
        o(f"spec_hash={pkg.spec_hash!r},")
        o(f"compiler_version={COMPILER_VERSION!r},")
        return o.text()

    def _depends(self, lay: ir.Layout) -> tuple[str, ...]:
        deps: list[str] = []

        def walk(e: object) -> None:
            if isinstance(e, ir.CellRef) and e.layout not in deps and e.layout != lay.id:
                deps.append(e.layout)
            for attr in getattr(e, "__slots__", ()):
                v = getattr(e, attr)
                if isinstance(v, tuple):
                    for x in v:
                        walk(x)
                elif hasattr(v, "__slots__") and not isinstance(v, Span):
                    walk(v)

        for r in lay.rows:
            for _, e, _ in r.values:
                walk(e)
        return tuple(sorted(deps))

    @staticmethod
    def line_template(lay: ir.Layout) -> str:
        """The IMPT line: planilha;ref;record id;V0:[>R$..<]:-[code](label);...;#Ln;#Cn;"""
        def esc(s: str) -> str:
            return s.replace("{", "{{").replace("}", "}}")
        cols = ";".join(f"{c.id}:[>R${{{c.id}}}<]:-[{c.code}]({esc(c.label)})"
                        for c in lay.columns)
        return f"{lay.planilha};{{ref}};{{record_id}};{cols};#L{{marker}};#C{len(lay.columns)};"


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """generated/<pkg>/ files: relative path → text."""
    return {"__init__.py": ModuleGen(pkg, folder).generate()}
