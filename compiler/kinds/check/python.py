"""A check in the generated Python module: its part of its ledger's scan (each sum under its
own `where`, over every record: no layout filter, no row classification), its assertions in
`finish` (both sides from the layouts' cells and those sums, compared by runtime.checks), and
its runtime declaration (`Check(...)` in PACKAGE.nodes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler import types as T
from compiler.codegen import names
from compiler.codegen.pyexpr import literal
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import accumulate
from compiler.codegen.pyscan import comment

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter

SUMS = "_s"  # the check's accumulator row in finish


@dataclass(slots=True)
class _CheckScan:
    node: ir.Check
    pid: str
    node_id: str
    reaches: bool = False  # summing a record for a check is not reporting it (D0601)

    def emit(self, w: ScanWriter) -> None:
        """Sums with the same `where` share one test (the COVID checks sum V0, V1 and V2 under
        each quadro's filter), and the leading `and` operands every test shares are tested
        once (`no_periodo and e_covid and funcao == 10`); the accumulator is fetched only by
        the records that pass them."""
        node, out = self.node, w.out
        out(f"# {comment(self.pid)}: somas das conferências (todos os registros, sem "
            "classificação)")
        acc = w.acc(node.id)
        groups: dict[object, list[int]] = {}
        for k, agg in enumerate(node.sums):
            groups.setdefault(shape(agg.where), []).append(k)
        tests = [_operands(node.sums[ks[0]].where) for ks in groups.values()]
        common = _common(tests) if len(tests) > 1 else []
        if common:
            first = node.sums[next(iter(groups.values()))[0]]
            assert first.where is not None
            w.filter(_conj(common, first.where), "o que todas as somas abaixo exigem",
                     f"{self.pid}/sum/common")
        out(f"_c = {acc}.get({w.part})")
        out("if _c is None:")
        out(f"    _c = {acc}[{w.part}] = ctx.new_rows({node.id!r})")
        out("_c = _c[0]")
        for ks, ops in zip(groups.values(), tests, strict=True):
            first = node.sums[ks[0]]
            rest = ops[len(common):]
            plan_id = f"{self.pid}/sum/{','.join(map(str, ks))}"
            if rest:
                assert first.where is not None
                w.filter(_conj(rest, first.where), _text(node, ks), plan_id)
            else:
                out(w.where(first.span, plan_id))
                out(f"#   {comment(_text(node, ks))}")
            w.begin()
            for k in ks:
                _accumulate(w, node.sums[k], k)
            w.end()
            if rest:
                out.dedent()
        if common:
            out.dedent()


def _text(node: ir.Check, ks: list[int]) -> str:
    return "; ".join(node.sum_texts[k] for k in ks)


def _operands(e: ir.Expr | None) -> list[ir.Expr]:
    """A `where` as the operands of its top-level `and` ([] for none)."""
    if e is None:
        return []
    return list(e.operands) if isinstance(e, ir.And) else [e]


def _common(tests: list[list[ir.Expr]]) -> list[ir.Expr]:
    """The leading operands every test shares (none that looks a map up: a lookup's D0201 must
    be met for the same records on every back end, and the SQL one tests every record)."""
    out: list[ir.Expr] = []
    for column in zip(*tests, strict=False):
        if any(shape(x) != shape(column[0]) for x in column[1:]) or _looks_up(column[0]):
            break
        out.append(column[0])
    return out


def _looks_up(e: object) -> bool:
    if isinstance(e, ir.MapLookup):
        return True
    if isinstance(e, tuple):
        return any(_looks_up(x) for x in e)
    return any(_looks_up(getattr(e, a)) for a in getattr(e, "__slots__", ())
               if a not in ("span", "type"))


def _conj(ops: list[ir.Expr], where: ir.Expr) -> ir.Expr:
    if len(ops) == 1:
        return ops[0]
    return ir.And(operands=tuple(ops), type=T.BOOL.null(any(o.type.nullable for o in ops)),
                  span=where.span)


def shape(e: object) -> object:
    """An expression without its spans: two `where` written alike have the same shape."""
    if isinstance(e, tuple):
        return tuple(shape(x) for x in e)
    slots = getattr(e, "__slots__", None)
    if slots is None or isinstance(e, T.Type):
        return e
    return (type(e).__name__, *(shape(getattr(e, a)) for a in slots if a != "span"))


def _accumulate(w: ScanWriter, agg: ir.Aggregate, k: int) -> None:
    arg = agg.arg
    # a count of a never-null argument does not evaluate it (nor the lookups it needs)
    needed = arg is not None and (agg.func != "count" or arg.type.nullable)
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
            return f"{names.rows_var(lay)}[{r}][{c}]"
        case ir.Aggregate():
            return f"{SUMS}[{node.sums.index(e)}]"
        case ir.Neg(operand=x):
            gen.uses_import("from runtime import ops as o")
            return f"o.neg({side(gen, node, x)})"
        case ir.Binary(op=op, left=a, right=b):
            gen.uses_import("from runtime import ops as o")
            helper = {ir.BinOp.ADD: "add", ir.BinOp.SUB: "sub"}[op]
            return f"o.{helper}({side(gen, node, a)}, {side(gen, node, b)})"
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


class _CheckPython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Check)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")
        for a in node.assertions:
            gen.loc(a.name_span, a.id)

    def scan_parts(self, gen: ModuleGen, node: ir.PlanNode) -> Sequence[tuple[str, _CheckScan]]:
        assert isinstance(node, ir.Check)
        if node.ledger is None or not node.sums:
            return ()
        return ((node.ledger, _CheckScan(node, f"{gen.pkg.id}/{node.id}", node.id)),)

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
              f"{a.reads!r}, {_reads_sums(a)!r}),")
        o("    ),")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _CheckPython()
