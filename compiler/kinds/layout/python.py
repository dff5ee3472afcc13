"""A layout in the generated Python module: its part of its ledger's scan (filter, row
classification by hit policy, column accumulation), its value and total rows in `finish`,
and its runtime declaration (`Layout(...)` in PACKAGE.nodes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyexpr import literal
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import accumulate
from compiler.codegen.pyscan import comment
from compiler.kinds.layout import plan
from compiler.source import Span

if TYPE_CHECKING:
    from compiler import scanplan
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter

# Rule rows per elif chain of a hit_policy first layout (see _LayoutScan.emit).
ELIF_CHUNK = 200


@dataclass(slots=True)
class _LayoutScan:
    lay: ir.Layout
    pid: str
    node_id: str

    def emit(self, w: ScanWriter) -> None:
        lay, pid, out, px = self.lay, self.pid, w.out, w.px
        if lay.filter is not None:
            w.filter(lay.filter, lay.filter_text, f"{pid}/filter")
        else:
            out(f"# {comment(pid)}: sem filtro")
            w.enter("filter")
        w.begin()
        rule_rows = plan.rule_rows(lay)
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
                out(w.where(r.span, r.id) + f"  {comment(r.cond_text, 60)}")
                out(f"{'if' if k % ELIF_CHUNK == 0 else 'elif'} {conds[r.index]}:")
                out(f"    _r = {r.index}")
            out.dedent()
            if other is not None:
                out("if _r < 0:")
                out(f"    _r = {other.index}  # {other.ref} otherwise")
        elif lay.hit_policy is ir.HitPolicy.FIRST:
            out("# hit_policy first: a primeira linha que casar fica com o registro")
            for k, r in enumerate(rule_rows):
                out(w.where(r.span, r.id) + f"  {comment(r.cond_text, 60)}")
                out(f"{'if' if k == 0 else 'elif'} {conds[r.index]}:")
                out(f"    _r = {r.index}")
            if rule_rows:
                out("else:")
                out.indent()
            out(f"_r = {other.index}  # {comment(other.ref)} otherwise" if other else "_r = -1")
            if rule_rows:
                out.dedent()
        else:
            out("# hit_policy unique: casar com duas linhas é erro")
            out("_r = -1")
            for r in rule_rows:
                out(w.where(r.span, r.id) + f"  {comment(r.cond_text, 60)}")
                out(f"if {conds[r.index]}:")
                out(f"    _r = {r.index} if _r < 0 else ctx.conflict({lay.id!r}, _r, {r.index}, "
                    "_line)")
            if other is not None:
                out("if _r < 0:")
                out(f"    _r = {other.index}  # {comment(other.ref)} otherwise")
        guard = other is None
        if guard:
            out("if _r >= 0:")
            out.indent()
        w.enter("row")
        acc = w.acc(lay.id)
        out(f"_a = {acc}.get({w.part})")
        out("if _a is None:")
        out(f"    _a = {acc}[{w.part}] = ctx.new_rows({lay.id!r})")
        out("_row = _a[_r]")
        w.reach()
        out("if _trace is not None:  # apura explain: remember what this record adds")
        out("    _before = _row[:]")
        for c in lay.columns:
            if c.value is None:
                continue
            out(w.where(c.span, f"{pid}/column/{c.id}") + f"  {c.id} = {comment(c.text, 50)}")
            _accumulate(w, c)
        out("if _trace is not None:")
        out(f"    _trace({lay.id!r}, {w.part}, _r, _line, _before, _row)")
        w.exit()
        if guard:
            out.dedent()
        w.end()
        if lay.filter is not None:
            w.close()
        else:
            w.exit()


def _accumulate(w: ScanWriter, c: ir.Column) -> None:
    out, px = w.out, w.px
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
    accumulate(out, f"_row[{k}]", agg.func, agg.arg, arg_code)
    if agg.where is not None:
        out.dedent()


class _LayoutPython:
    slot = "nodes"

    def scan_part(self, gen: ModuleGen, part: scanplan.Part) -> _LayoutScan:
        node = part.node
        assert isinstance(node, ir.Layout)
        return _LayoutScan(node, f"{gen.pkg.id}/{node.id}", node.id)

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        """Value and total rows, in the package's finish_order (cells across layouts)."""
        by_id = {n.id: n for n in nodes if isinstance(n, ir.Layout)}
        px = PyExpr(gen.maps, hoist=False, row_name=gen.row)
        body = Lines()
        body.indent()
        for lay_id, idx in gen.pkg.finish_order:
            lay = by_id[lay_id]
            r = lay.rows[idx]
            rv = names.rows_var(lay_id)
            gen.rows_read.add(lay_id)
            me = gen.row(lay_id, idx)
            if r.kind is ir.RowKind.TOTAL:
                members = ", ".join(lay.rows[j].ref for j in r.total_of)
                body(gen.where(r.span, r.id) + f"  total de {comment(members, 40)}")
                for c in lay.columns:
                    terms = ", ".join(f"{rv}[{gen.row(lay_id, j)}][{c.index}]"
                                      for j in r.total_of)
                    gen.uses_import("from runtime import ops as o")
                    body(f"{rv}[{me}][{c.index}] = o.total({terms})  # {c.id}")
            else:
                body(gen.where(r.span, r.id))
                for col, e, text in r.values:
                    body(f"#   {lay.columns[col].id} = {comment(text)}")
                    body(f"{rv}[{me}][{col}] = {px(e)}")
        gen.absorb(px)
        return body.lines

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Layout)
        lay, pkg = node, gen.pkg
        for name in ("Layout", "Column", "Row"):
            gen.uses_model(name)
        o = Lines()
        o("Layout(")
        o(f"    id={lay.id!r},")
        o(f"    planilha={lay.planilha!r},")
        o(f"    source={lay.source!r},")
        o("    columns=(")
        for c in lay.columns:
            if c.value is not None and c.value.func in ("min", "max"):
                init = "None"
            elif c.value is not None and c.value.type.base == "int":
                init = literal(0)
            else:
                init = 'D("0")'
                gen.uses_import("from runtime.values import D")
            func = c.value.func if c.value is not None else ""
            span = c.value.span if c.value is not None else c.span  # the value: as written
            at = gen.loc(span, f"{pkg.id}/{lay.id}/column/{c.id}")
            o(f"        Column({c.id!r}, {c.code!r}, {c.label!r}, {init}, {c.text!r}, "
              f"{func!r}, LOC[{at}]),")
        o("    ),")
        o("    rows=(")
        for r in lay.rows:
            at = gen.loc(r.span, r.id)
            text = r.cond_text or "; ".join(f"{lay.columns[c].id} = {t}"
                                            for c, _, t in r.values)
            values = ""
            if r.values:
                gen.uses_model("Value")
                values = ", (" + "".join(
                    f"Value({c}, {t!r}, {cells_read(e)!r}, {isinstance(e, ir.CellRef)!r}), "
                    for c, e, t in r.values).rstrip() + ")"
            o(f"        Row({r.ref!r}, {r.record_id!r}, {r.label!r}, {r.index}, "
              f"{r.kind is ir.RowKind.TOTAL!r}, LOC[{at}], {r.kind.value!r}, {text!r}, "
              f"{r.total_of!r}{values}),")
        o("    ),")
        o(f"    output_format={lay.output_format!r},")
        o(f"    output_file={lay.output_file!r},")
        o(f"    line={line_template(lay)!r},")
        o(f"    depends_on={_depends(lay)!r},")
        o(f"    at=LOC[{gen.loc(lay.span, f'{pkg.id}/{lay.id}')}],")
        if lay.filter is not None:
            o(f"    filter={lay.filter_text!r},")
            filter_at = gen.loc(lay.filter.span, f"{pkg.id}/{lay.id}/filter")
            o(f"    filter_at=LOC[{filter_at}],")
        o(f"    hit_policy={lay.hit_policy.value!r},")
        if lay.alternative_of:
            o(f"    alternative_of={lay.alternative_of!r},")
        o("),")
        return o.text()

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Layout)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")
        for r in node.rows:
            gen.loc(r.span, r.id)


def cells_read(e: object) -> tuple[tuple[str, int, int], ...]:
    """The cells an expression reads, (layout, row, column), in the order written."""
    if isinstance(e, ir.CellRef):
        return ((e.layout, e.row, e.column),)
    out: tuple[tuple[str, int, int], ...] = ()
    for attr in getattr(e, "__slots__", ()):
        v = getattr(e, attr)
        for x in (v if isinstance(v, tuple) else (v,)):
            if isinstance(x, ir.Expr.__args__):
                out += cells_read(x)
    return out


def _depends(lay: ir.Layout) -> tuple[str, ...]:
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


def line_template(lay: ir.Layout) -> str:
    """The IMPT line: planilha;ref;record id;V0:[>R$..<]:-[code](label);...;#Ln;#Cn;"""
    def esc(s: str) -> str:
        return s.replace("{", "{{").replace("}", "}}")
    cols = ";".join(f"{c.id}:[>R${{{c.id}}}<]:-[{c.code}]({esc(c.label)})"
                    for c in lay.columns)
    return f"{lay.planilha};{{ref}};{{record_id}};{cols};#L{{marker}};#C{len(lay.columns)};"


PART = _LayoutPython()
