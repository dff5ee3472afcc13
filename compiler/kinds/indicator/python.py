"""An indicator in the generated Python module: its part of its source's scan (filter, the key
text of the keys, the aggregates into the keyed accumulator) and its runtime declaration
(`Indicator(...)`, runtime/indicator.py, which computes the records at the end of the run and,
for the last indicator a run computes, writes `indicadores.csv`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import accumulate
from compiler.codegen.pyscan import comment
from compiler.codegen.quoting import py_str
from compiler.kinds.check.plan import evaluates_arg

if TYPE_CHECKING:
    from compiler import scanplan
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter
    from compiler.source import Span


@dataclass(slots=True)
class _IndicatorScan:
    node: ir.Indicator
    pid: str
    node_id: str

    def emit(self, w: ScanWriter) -> None:
        node, out = self.node, w.out
        if node.filter is not None:
            w.filter(node.filter, node.filter_text, f"{self.pid}/filter")
        else:
            out(f"# {comment(self.pid)}: sem filtro")
            w.enter("filter")
        w.begin()
        out(f"#   chaves: {comment(', '.join(t for _, _, t in node.keys) or '(nenhuma)', 80)}")
        keys = [w.expr(e) for _, e, _ in node.keys]
        out(f"_k = key_text({_tuple(keys)})")
        acc = w.acc(node.id)
        out(f"_a = {acc}.get({w.part})")
        out("if _a is None:")
        out(f"    _a = {acc}[{w.part}] = ctx.new_rows({node.id!r})")
        out("_row = _a[_k]")
        w.reach()
        for i, (agg, text) in enumerate(zip(node.aggregates, node.agg_texts, strict=True)):
            out(f"#   [{i}] {agg.func}: {comment(text, 80)}")
            where = w.expr(agg.where) if agg.where is not None else None
            arg = w.expr(agg.arg) if agg.arg is not None and evaluates_arg(agg) else None
            if where is not None:
                out(f"if {where}:")
                out.indent()
            accumulate(out, f"_row[{i}]", agg.func, agg.arg, arg)
            if where is not None:
                out.dedent()
        w.end()
        if node.filter is not None:
            w.close()
        else:
            w.exit()


def _tuple(items: Sequence[str]) -> str:
    """A Python tuple display of code texts: `()`, `(a,)`, `(a, b)`."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _init(agg: ir.Aggregate) -> str:
    if agg.func in ("min", "max"):
        return "None"
    if agg.func == "count" or (agg.arg is not None and agg.arg.type.base == "int"):
        return "0"
    return 'D("0")'


def _limit(gen: ModuleGen, q: ir.Ratio) -> str:
    """The limit as a function of the run's parameters: `lambda params: ...` (the parameters
    it reads bound by name, as in `finish`)."""
    px = PyExpr(gen.maps, hoist=False)
    code = px(q.limit)
    assert not px.take_pending(), "a limit looks nothing up (parameters only)"
    gen.absorb(px, finish=False)
    used = sorted(px.params)
    if not used:
        return f"lambda params: {code}"
    bound = ", ".join(names.param_var(p) for p in used)
    args = ", ".join(f"params[{p!r}]" for p in used)
    return f"lambda params: (lambda {bound}: {code})({args})"


def _texts(gen: ModuleGen, o: Lines, node: ir.Indicator) -> None:
    """`texts=`: what `apura explain` of a record shows (runtime/explain_indicator.py) — the
    filter (the period's test included), each key and measure, the ratio's limit as written,
    with their positions."""
    where = f"{gen.pkg.id}/{node.id}/explain"
    items: list[tuple[str, str, Span]] = []
    if node.filter is not None:
        items.append(("filter", node.filter_text, node.filter.span))
    items += [(f"key:{k}", t, e.span) for k, e, t in node.keys]
    items += [(f"measure:{m.name}", m.text, m.span) for m in node.measures]
    if node.ratio is not None:
        items.append(("limit", node.ratio.limit_text, node.ratio.span))
    o("    texts=(")
    for name, text, span in items:
        o(f"        ({name!r}, {py_str(text)}, LOC[{gen.loc(span, where)}]),")
    o("    ),")


class _IndicatorPython:
    slot = "nodes"

    def scan_part(self, gen: ModuleGen, part: scanplan.Part) -> _IndicatorScan:
        node = part.node
        assert isinstance(node, ir.Indicator)
        gen.uses_import("from runtime.coverage import key_text")
        return _IndicatorScan(node, f"{gen.pkg.id}/{node.id}", node.id)

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        return []  # the records are made from the accumulator (runtime/indicator.py)

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Indicator)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Indicator)
        gen.uses_import("from runtime.indicator import Indicator")
        gen.uses_import("from runtime.indicator import Measure")
        gen.uses_import("from runtime.portal_record import IndicatorInfo")
        o = Lines()
        o("Indicator(")
        o(f"    id={node.id!r},")
        o("    info=IndicatorInfo(")
        for name, value in node.info:
            o(f"        {name}={py_str(value)},")
        o(f"        provisional={node.provisional_facts!r},")
        o("    ),")
        o(f"    source={node.source!r},")
        o(f"    keys={tuple((k, e.type.base) for k, e, _ in node.keys)!r},")
        inits = [_init(a) for a in node.aggregates]
        if 'D("0")' in inits:
            gen.uses_import("from runtime.values import D")
        o(f"    inits={_tuple(inits)},")
        o("    measures=(")
        for m in node.measures:
            if m.requires:  # a precondition: D1501 at the spec's measure when zero or null
                at = gen.loc(m.span, f"{gen.pkg.id}/{node.id}/{m.name}")
                o(f"        Measure({m.name!r}, {m.func!r}, {m.aggs!r}, {m.places!r}, "
                  f"{py_str(m.requires)}, LOC[{at}]),")
            else:
                o(f"        Measure({m.name!r}, {m.func!r}, {m.aggs!r}, {m.places!r}),")
        o("    ),")
        if node.rank is not None:
            r = node.rank
            gen.uses_import("from runtime.indicator import Rank")
            o(f"    rank=Rank({r.by!r}, {r.desc!r}, {r.n!r}, {r.ties!r}),")
        if node.ratio is not None:
            q = node.ratio
            gen.uses_import("from runtime.indicator import Ratio")
            o(f"    # limite: {comment(q.limit_text, 80)}")
            o(f"    ratio=Ratio({q.numerator!r}, {q.denominator!r}, {q.places!r}, "
              f"{_limit(gen, q)}, {q.minimum!r}, {py_str(q.basis)}, {py_str(q.requires)}, "
              f"LOC[{gen.loc(q.span, f'{gen.pkg.id}/{node.id}/ratio')}]),")
        _texts(gen, o, node)
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _IndicatorPython()
