"""A derivation node in the generated Python module: no part in the scans (the node reads its
ledger at finish, runtime/derivation.py), its finish line, and its runtime declaration
`Derivation(...)` — each field, aggregate and warning as a lambda over the fields it reads
(rendered by codegen.pyexpr, as every expression) and the node's SQL (sqltext.py), so both back
ends compute from one declaration."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import comment
from compiler.codegen.quoting import py_str
from compiler.kinds.derivation.frozen import declaration as frozen_declaration
from compiler.kinds.derivation.incremental import declaration as incremental_declaration
from compiler.kinds.derivation.lower import rewrite
from compiler.kinds.derivation.params import lift_params
from compiler.kinds.derivation.sqltext import derivation_sql
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen


def _fn(gen: ModuleGen, e: ir.Expr) -> str:
    """`(lambda f_a, f_b: <code>, ("a", "b"))`: the function and the fields it takes."""
    px = PyExpr(gen.maps, hoist=False)
    code = px(e)
    assert not px.take_pending() and not px.params, "a derivation expression reads one record"
    gen.absorb(px, finish=False)
    fields = tuple(sorted(px.fields))
    return f"(lambda {', '.join(names.field_var(f) for f in fields)}: {code}, {fields!r})"


def _branches(field: ir.DerivedValue, e: ir.Expr, fn: Callable[[ir.Expr], str],
                loc: Callable[[Span], str], pad: str) -> list[str]:
    """explain's if-branches (branches.py): the lines of `Branches(...)` for `field` (its
    typed expression `e`, the aggregates and parameters lifted as the field's own are), or
    none when it has no branches."""
    if field.arms:
        o = [f"{pad}Branches({field.name!r}, ("]
        o += _chain(field.arms, e, fn, loc, pad + "    ")
        return [*o, f"{pad})),"]
    if not field.parts or not isinstance(e, ir.Call) or e.func != field.call \
            or len(e.args) <= max(p.index for p in field.parts):
        return []  # a builtin the checker makes into something else than its call
    o = [f"{pad}Branches({field.name!r}, (), {field.call!r}, ("]
    for p in field.parts:
        arg = e.args[p.index]
        o.append(f"{pad}    Part({p.index}, {fn(arg)}, {py_str(p.text)}, {loc(p.span)}, (")
        o += _chain(p.arms, arg, fn, loc, pad + "        ")
        o.append(f"{pad}    )),")
    return [*o, f"{pad})),"]


def _chain(arms: tuple[ir.Arm, ...], e: ir.Expr, fn: Callable[[ir.Expr], str],
           loc: Callable[[Span], str], pad: str) -> list[str]:
    o = []
    for arm in arms:
        if arm.cond is None:
            o.append(f"{pad}Arm(None, '', {py_str(arm.value)}, {loc(arm.span)}),")
            break
        assert isinstance(e, ir.If), "an if as written is an if typed"
        head = f"{pad}Arm({fn(e.cond)}, {py_str(arm.cond)}, {py_str(arm.value)}, {loc(arm.span)}"
        if arm.inner:
            o.append(f"{head}, (")
            o += _chain(arm.inner, e.then, fn, loc, pad + "    ")
            o.append(f"{pad})),")
        else:
            o.append(f"{head}),")
        e = e.other
    return o


class _DerivationPython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Derivation)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        body = Lines()
        body.indent()
        for node in nodes:
            assert isinstance(node, ir.Derivation)
            body(f"# {comment(f'{gen.pkg.id}/{node.id}')}: a derivação")
            body(f"ctx.package.node({node.id!r}).finish(ctx, part)")
        return body.lines

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Derivation)
        node, params = lift_params(node)
        gen.uses_import("from runtime.derivation import Derivation")
        gen.uses_model("Field")
        aggs: list[ir.Aggregate] = []

        def lift(e: ir.Expr) -> ir.Expr | None:
            if not isinstance(e, ir.Aggregate):
                return None
            if e not in aggs:
                aggs.append(e)
            return ir.FieldRef(ledger="", name=f"_a{aggs.index(e)}", type=e.type, span=e.span)

        fields = [(f, rewrite(f.expr, lift)) for f in node.fields]
        warns = [(w, rewrite(w.cond, lift)) for w in node.warnings]
        ledgers = {n.id: n for n in gen.pkg.nodes if isinstance(n, ir.Ledger)}
        o = Lines()
        o("Derivation(")
        for name in ("id", "ledger", "per", "unique", "columns", "file"):
            o(f"    {name}={getattr(node, name)!r},")
        o("    classify=(")
        for c in node.classify:
            o(f"        Field({c.name!r}, {c.type.base!r}, required=False), "
              f"# {comment(f'{c.map}[{c.key}].{c.value}', 60)}")
        o("    ),")
        o(f"    classify_maps={tuple((c.map, c.key, c.value) for c in node.classify)!r},")
        o("    aggregates=(")
        for a in aggs:
            arg = _fn(gen, a.arg) if a.arg is not None else "None"
            cond = _fn(gen, a.where) if a.where is not None else "None"
            o(f"        ({a.func!r}, {a.type.base!r}, {arg}, {cond}),")
        o("    ),")
        o("    fields=(")
        for f, e in fields:
            o(f"        # {comment(f'{f.name}: {f.text}', 80)}")
            o(f"        {_fn(gen, e)},")
        o("    ),")
        o(f"    field_names={tuple(f.name for f in node.fields)!r},")
        o("    warnings=(")
        for w, e in warns:
            o(f"        # {comment(f'{w.id}: {w.text}', 80)}")
            o(f"        ({w.id!r}, {w.message!r}, {_fn(gen, e)}),")
        o("    ),")
        o("    related=(")
        for r in node.related:
            where = _fn(gen, r.where) if r.where is not None else "None"
            if r.where is not None:
                o(f"        # {comment(f'{r.name}: {r.where_text}', 80)}")
            o(f"        ({r.name!r}, {r.ledger!r}, {r.on!r}, {where}, {r.order!r}),")
        o("    ),")
        o("    collects=(")
        for u in node.collects:
            value = _fn(gen, u.value) if u.value is not None else "None"
            o(f"        # {comment(f'_c{u.index}: {u.text}', 80)}")
            o(f"        ({u.index}, {u.related!r}, {u.func!r}, {value}, {u.field!r}, "
              f"{u.type.base!r}),")
        o("    ),")
        if params:
            o(f"    params={params!r},")
        if node.each:
            o(f"    each={node.each!r},")
        if node.union is not None:
            un = node.union
            gen.uses_import("from runtime.derivation_union import Union")
            withs = tuple((w.ledger, w.on, w.fields) for w in un.withs)
            o(f"    union=Union({un.collections!r}, {tuple(f for f, _ in un.member)!r}, "
              f"{withs!r}, {un.keep!r}, {un.dedupe!r}, {un.join!r}, {un.next_mark!r}, "
              f"{un.next_order!r}),")
        coded = tuple((w.id, w.code, w.show) for w in node.warnings if w.code or w.show)
        if coded:
            o(f"    warning_codes={coded!r},")
        if node.json is not None:
            js = node.json
            gen.uses_import("from runtime.derivation_json import JsonOut")
            o(f"    json=JsonOut({js.dir!r}, {js.name!r}, {js.when!r}, {js.fields!r}, "
              f"{js.items!r}, {js.items_on!r}, {js.items_as!r}, {js.items_fields!r}, "
              f"{js.items_order!r}),")
        if node.file_names:
            o(f"    file_names={node.file_names!r},")
        o(f"    sql={derivation_sql(node, ledgers, params)!r},")
        o(f"    sql_spark={derivation_sql(node, ledgers, params, 'spark')!r},")
        if node.alternative_of:
            o(f"    alternative_of={node.alternative_of!r},")
        if node.incremental is not None:
            gen.uses_import("from runtime.derivation_state import Incremental")
            for line in incremental_declaration(node.incremental, lambda e: _fn(gen, e)):
                o(line)
        if node.frozen:
            gen.uses_import("from runtime.derivation_freeze import Frozen")
            for line in frozen_declaration(node.frozen, lambda e: _fn(gen, e)):
                o(line)
        where = f"{gen.pkg.id}/{node.id}/explain"  # runtime/explain_derivation.py shows them
        o("    texts=(")
        for f in node.fields:
            o(f"        ({f.name!r}, {py_str(f.text)}, LOC[{gen.loc(f.span, where)}]),")
        for c in node.classify:
            o(f"        ({'classify:' + c.name!r}, {py_str(f'{c.map}[{c.key}].{c.value}')}, "
              f"LOC[{gen.loc(c.span, where)}]),")
        for r in node.related:
            o(f"        ({'related:' + r.name!r}, {py_str(r.where_text)}, "
              f"LOC[{gen.loc(r.span, where)}]),")
        o("    ),")
        arms = [line for f, e in fields
                for line in _branches(f, e, lambda x: _fn(gen, x),
                                      lambda span: f"LOC[{gen.loc(span, where)}]", " " * 8)]
        if arms:
            gen.uses_import("from runtime.derivation_branches import Arm")
            gen.uses_import("from runtime.derivation_branches import Branches")
            if any(f.parts for f in node.fields):
                gen.uses_import("from runtime.derivation_branches import Part")
            o("    branches=(")
            for line in arms:
                o(line)
            o("    ),")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _DerivationPython()
