"""A check in the generated Python module: its part of its ledger's scan (each sum under its
own `where`, over every record: no layout filter, no row classification), its assertions in
`finish` (both sides from the layouts' cells and those sums, compared by runtime.checks), and
its runtime declaration (`Check(...)` in PACKAGE.nodes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import literal
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import accumulate
from compiler.codegen.pyscan import comment
from compiler.codegen.quoting import py_str
from compiler.kinds.check import plan

if TYPE_CHECKING:
    from compiler import scanplan
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter

SUMS = "_s"  # the check's accumulator row in finish


@dataclass(slots=True)
class _CheckScan:
    node: ir.Check
    pid: str
    node_id: str

    def emit(self, w: ScanWriter) -> None:
        """Along the check's part of the scan plan (compiler/kinds/check/plan.py): sums with
        the same `where` share one test, the leading operands every test shares are tested
        once; the accumulator is fetched only by the records that pass them."""
        node, out = self.node, w.out
        out(f"# {comment(self.pid)}: somas das conferências (todos os registros, sem "
            "classificação)")
        acc = w.acc(node.id)
        gs = plan.groups(node)
        tests = [plan.operands(node.sums[ks[0]].where) for ks in gs]
        shared = plan.common(tests)
        if shared:
            first = node.sums[gs[0][0]].where
            assert first is not None
            w.filter(plan.conj(shared, first), "o que todas as somas abaixo exigem",
                     f"{self.pid}/sum/common", what="when")
        out(f"_c = {acc}.get({w.part})")
        out("if _c is None:")
        out(f"    _c = {acc}[{w.part}] = ctx.new_rows({node.id!r})")
        out("_c = _c[0]")
        for ks, ops in zip(gs, tests, strict=True):
            first_sum = node.sums[ks[0]]
            rest = ops[len(shared):]
            plan_id = f"{self.pid}/sum/{','.join(map(str, ks))}"
            if rest:
                assert first_sum.where is not None
                w.filter(plan.conj(rest, first_sum.where), _text(node, ks), plan_id,
                         what="when")
            else:
                out(w.where(first_sum.span, plan_id))
                out(f"#   {comment(_text(node, ks))}")
            w.begin()
            for k in ks:
                _accumulate(w, node.sums[k], k)
            w.end()
            if rest:
                w.close()
        if shared:
            w.close()


def _text(node: ir.Check, ks: list[int]) -> str:
    return "; ".join(node.sum_texts[k] for k in ks)


def _accumulate(w: ScanWriter, agg: ir.Aggregate, k: int) -> None:
    arg = agg.arg
    needed = plan.evaluates_arg(agg)
    accumulate(w.out, f"_c[{k}]", agg.func, arg, w.expr(arg) if needed and arg else None)


def side(gen: ModuleGen, node: ir.Check, e: ir.Expr) -> str:
    """The Python text of one side in `finish` (cells through the layouts' rows, the check's
    sums through `_s`, + and - null-safe as everywhere)."""
    match e:
        case ir.Const(value=v):
            if isinstance(v, bool) or not isinstance(v, int):
                gen.uses_import("from runtime.values import D")
            return literal(v)
        case ir.CellRef(layout=lay, row=r, column=c):
            gen.rows_read.add(lay)
            return f"{names.rows_var(lay)}[{gen.row(lay, r)}][{c}]"
        case ir.Aggregate():
            return f"{SUMS}[{node.sums.index(e)}]"
        case ir.Call(func="total", args=(ir.Const(value=sheets), ir.Const(value=col),
                                          ir.Const(value=pattern))):
            gen.uses_import("from runtime import ops as o")
            return (f"o.sheet_total(ctx.package.node({sheets!r}), ctx.rows({sheets!r}, part), "
                    f"{col!r}, {pattern!r})")
        case ir.Neg(operand=x):
            gen.uses_import("from runtime import ops as o")
            return f"o.neg({side(gen, node, x)})"
        case ir.Binary(op=op, left=a, right=b):
            gen.uses_import("from runtime import ops as o")
            helper = {ir.BinOp.ADD: "add", ir.BinOp.SUB: "sub"}[op]
            return f"o.{helper}({side(gen, node, a)}, {side(gen, node, b)})"
    raise AssertionError(e)  # the lowering allows nothing else (S0903)


def terms(node: ir.Check, e: ir.Expr,
          sign: int = 1) -> list[tuple[int, str, tuple[object, ...]]]:
    """A side as its signed terms, for apura explain (runtime/explain_check.py): (sign, kind,
    args) — ("cell", (layout, row index, column index)), ("sum", (index in the check's
    accumulator, the sum as written)), ("total", (sheets id, column index, glob)),
    ("const", (value as text,))."""
    match e:
        case ir.Const(value=v):
            return [(sign, "const", (str(v),))]
        case ir.CellRef(layout=lay, row=r, column=c):
            return [(sign, "cell", (lay, r, c))]
        case ir.Aggregate():
            k = node.sums.index(e)
            return [(sign, "sum", (k, node.sum_texts[k]))]
        case ir.Call(func="total", args=(ir.Const(value=sheets), ir.Const(value=col),
                                          ir.Const(value=pattern))):
            return [(sign, "total", (sheets, col, pattern))]
        case ir.Neg(operand=x):
            return terms(node, x, -sign)
        case ir.Binary(op=op, left=a, right=b):
            return terms(node, a, sign) + terms(node, b, sign if op == ir.BinOp.ADD else -sign)
    raise AssertionError(e)  # the lowering allows nothing else (S0903)


def _reads_sums(a: ir.Assertion) -> bool:
    def walk(e: ir.Expr) -> bool:
        match e:
            case ir.Aggregate():
                return True
            case ir.Neg(operand=x):
                return walk(x)
            case ir.Binary(left=x, right=y):
                return walk(x) or walk(y)
        return False
    return walk(a.left) or walk(a.right)


def _terms_text(node: ir.Check, a: ir.Assertion) -> str:
    out = []
    for side, e in (("left", a.left), ("right", a.right)):
        for sign, kind, args in terms(node, e):
            shown = "".join(f"{_arg(x)}, " for x in args).rstrip()
            out.append(f"({py_str(side)}, {sign!r}, {py_str(kind)}, ({shown}))")
    return "".join(f"{t}, " for t in out).rstrip()


def _arg(x: object) -> str:
    return py_str(x) if isinstance(x, str) else repr(x)


class _CheckPython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Check)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")
        for a in node.assertions:
            gen.loc(a.name_span, a.id)

    def scan_part(self, gen: ModuleGen, part: scanplan.Part) -> _CheckScan:
        node = part.node
        assert isinstance(node, ir.Check)
        return _CheckScan(node, f"{gen.pkg.id}/{node.id}", node.id)

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        """Every assertion, per partition, after the layouts' value and total rows."""
        body = Lines()
        body.indent()
        for node in nodes:
            assert isinstance(node, ir.Check)
            body(f"# {comment(f'{gen.pkg.id}/{node.id}')}: conferências")
            body(f"_chk = ctx.package.node({node.id!r})")
            if node.sums:
                body(f"{SUMS} = ctx.rows({node.id!r}, part)[0]")
            for i, a in enumerate(node.assertions):
                body(gen.where(a.name_span, a.id))
                body(f"#   {comment(a.left_text)}")
                body(f"#   = {comment(a.right_text)}")
                body(f"_chk.evaluate(ctx, {i}, part, {side(gen, node, a.left)}, "
                     f"{side(gen, node, a.right)})")
        return body.lines

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Check)
        gen.uses_import("from runtime.checks import Assertion")
        gen.uses_import("from runtime.checks import Check")
        gen.uses_import("from runtime.values import D")
        o = Lines()
        o("Check(")
        o(f"    id={node.id!r},")
        o(f"    source={node.ledger!r},")
        inits = []
        for agg in node.sums:
            if agg.type.base == "int":
                inits.append(literal(0))
            else:
                inits.append('D("0")')
        o(f"    sums=({''.join(f'{x}, ' for x in inits).rstrip()}),")
        o("    assertions=(")
        for a in node.assertions:
            at = gen.loc(a.name_span, a.id)
            o(f"        Assertion({a.name!r}, {a.label!r}, {a.severity!r}, "
              f"D({str(a.tolerance)!r}), {a.left_text!r}, {a.right_text!r}, LOC[{at}], "
              f"{a.line_text!r}, {max(1, a.name_span.end_col - a.name_span.col)!r}, "
              f"{a.reads!r}, {_reads_sums(a)!r}, ")
            o(f"            terms=({_terms_text(node, a)})),")
        o("    ),")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _CheckPython()
