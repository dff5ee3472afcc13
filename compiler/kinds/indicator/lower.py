"""An IndicatorSpec → ir.Indicator: the source, the filter and the period's test (one filter),
the keys (int or text), the measures (each an aggregate the scan accumulates per key; an
average is its sum and its count), the ranking and the ratio, type-checked with positions:

* S1802 a name (rank `by`/`ties`, ratio `numerator`/`denominator`) that is not a key or measure;
* S1803 a measure over a value that is not numeric (count() counts anything);
* S1804 a ranking without `order`, with `n` not positive, or with no keys to rank;
* S1805 a key that is not int or text; S1806 a period whose date is not a date field;
* S1807 a parameter the kind needs ($exercicio, $mes) missing from package.yaml;
* S1808 a ratio with no limit or both, or a limit that is not a number;
* S1809 a name used twice, or one of the fields apura adds (exercicio, posicao, ...);
* S1810 a control character in the name (it goes into one line of the catalog).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.chars import first_unsafe
from compiler.check import Checker
from compiler.expr import ast
from compiler.expr import printer
from compiler.kinds.indicator.spec import IndicatorSpec
from compiler.kinds.indicator.spec import MeasureSpec
from compiler.source import Span
from runtime.indicator import ADDED

if TYPE_CHECKING:
    from compiler.lower import Lowerer

FUNCS = ("sum", "count", "avg", "min", "max")


class _Indicator:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Indicator | None:
        assert isinstance(spec, IndicatorSpec)
        errors = sum(d.is_error for d in lw.diags)
        facts = dict(spec.facts)
        name = facts["name"]
        bad = first_unsafe(name.value)
        if bad is not None:
            lw.diags.append(catalog.indicator_unsafe_text(name.span, what="o nome", index=bad))
        source = spec.source.value
        if source not in lw.pkg.ledgers:
            lw.diags.append(catalog.unknown_spec(spec.source.span, kind="ledger", name=source,
                                                 candidates=sorted(lw.pkg.ledgers)))
            return None
        _param(lw, "exercicio", spec.source.span, "o indicador (os registros levam o exercício)")
        filt, filt_text = _filter(lw, spec, source)
        keys = _keys(lw, spec, source)
        aggs: list[ir.Aggregate] = []
        texts: list[str] = []
        measures = [m for ms in spec.measures
                    if (m := _measure(lw, source, ms, aggs, texts))]
        _names(lw, spec)
        rank = _rank(lw, spec, keys, measures)
        ratio = _ratio(lw, spec, measures)
        if spec.provisional_facts and spec.provisional_span is not None:
            shown = ", ".join(t.value for t in spec.provisional_facts)
            lw.diags.append(catalog.provisional(spec.provisional_span, spec_id=spec.id,
                                                text=f"fatos inferidos: {shown}"))
        if sum(d.is_error for d in lw.diags) > errors:
            return None
        info = (("id", facts["indicator"].value),
                *((f, facts[f].value) for f in ("area", "vertical", "name", "system", "table",
                                                "payload_key")),
                ("description", " ".join(facts["description"].value.split())))
        return ir.Indicator(
            id=spec.id, indicator=facts["indicator"].value, info=info,
            provisional_facts=tuple(t.value for t in spec.provisional_facts), source=source,
            filter=filt, filter_text=filt_text, keys=tuple(keys), aggregates=tuple(aggs),
            agg_texts=tuple(texts), measures=tuple(measures), rank=rank, ratio=ratio,
            span=spec.span)

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        return None


def _param(lw: Lowerer, name: str, span: Span, why: str) -> ir.ParamRef | None:
    got = lw.params.get(name)
    if got is None or got.base != "int":
        lw.diags.append(catalog.indicator_param(span, name=name, want="int", why=why))
        return None
    return ir.ParamRef(name=name, type=got, span=span)


def _filter(lw: Lowerer, spec: IndicatorSpec, source: str) -> tuple[ir.Expr | None, str]:
    """The spec's filter and the period's test, as one condition (the period first)."""
    tests: list[ir.Expr] = []
    shown: list[str] = []
    if spec.period_date is not None and spec.period_span is not None:
        got = _period(lw, spec, source)
        if got is not None:
            tests.append(got[0])
            shown.append(got[1])
    if spec.filter is not None:
        tree = lw.parse(spec.filter, spec.span.file)
        if tree is not None:
            tests.append(lw.checker.condition(tree, lw.scope("o filtro do indicador", source)))
            shown.append(printer.show(tree))
    if not tests:
        return None, ""
    if len(tests) == 1:
        return tests[0], shown[0]
    return _and(tests, tests[0].span), " and ".join(f"({s})" for s in shown)


def _and(tests: list[ir.Expr], span: Span) -> ir.Expr:
    ops: list[ir.Expr] = []
    for t in tests:
        ops.extend(t.operands if isinstance(t, ir.And) else (t,))
    return ir.And(operands=tuple(ops), type=T.BOOL.null(any(o.type.nullable for o in ops)),
                  span=span)


def _period(lw: Lowerer, spec: IndicatorSpec, source: str) -> tuple[ir.Expr, str] | None:
    """`period: {date: F, range: R}` as a test on F: year(F) == $exercicio, and, by range,
    month(F) == $mes (mes), month(F) <= $mes (ate_mes), bimestre(F) == the bimester of $mes
    (bimestre); `exercicio`: the year only."""
    date = spec.period_date
    assert date is not None and spec.period_span is not None
    span = date.span
    ftype = lw.field_types.get(source, {}).get(date.value) or \
        lw.derived_types.get(source, {}).get(date.value)
    if ftype is None or ftype.base != "date":
        what = "não é um campo do ledger" if ftype is None else f"é {ftype.display()}"
        lw.diags.append(catalog.indicator_period(
            span, problem=f"usa '{date.value}', que {what}: precisa de um campo date do "
            f"ledger '{source}'"))
        return None
    ref: ir.Expr
    if date.value in lw.field_types.get(source, {}):
        ref = ir.FieldRef(ledger=source, name=date.value, type=ftype, span=span)
    else:
        ref = ir.DerivedRef(ledger=source, name=date.value, type=ftype, span=span)
    ex = _param(lw, "exercicio", span, "o período")
    mes = _param(lw, "mes", span, f"o período '{spec.period_range}'") \
        if spec.period_range != "exercicio" else None
    if ex is None or (mes is None and spec.period_range != "exercicio"):
        return None
    nint = T.INT.null(ftype.nullable)

    def call(func: str, *args: ir.Expr, typ: T.Type = nint) -> ir.Call:
        return ir.Call(func=func, args=args, type=typ, span=span)

    def cmp(op: ir.CmpOp, a: ir.Expr, b: ir.Expr) -> ir.Compare:
        return ir.Compare(op=op, left=a, right=b, type=T.BOOL.null(a.type.nullable
                                                                 or b.type.nullable), span=span)
    tests: list[ir.Expr] = [cmp(ir.CmpOp.EQ, call("year", ref), ex)]
    f = date.value
    text = f"year({f}) == $exercicio"
    if spec.period_range == "mes" and mes is not None:
        tests.append(cmp(ir.CmpOp.EQ, call("month", ref), mes))
        text += f" and month({f}) == $mes"
    elif spec.period_range == "ate_mes" and mes is not None:
        tests.append(cmp(ir.CmpOp.LE, call("month", ref), mes))
        text += f" and month({f}) <= $mes"
    elif spec.period_range == "bimestre" and mes is not None:
        one = ir.Const(value=1, type=T.INT, span=span)
        first = call("date", ex, mes, one, typ=T.DATE.null())
        tests.append(cmp(ir.CmpOp.EQ, call("bimestre", ref),
                         call("bimestre", first, typ=T.INT.null())))
        text += f" and bimestre({f}) == bimestre(date($exercicio, $mes, 1))"
    return _and(tests, span), text


def _keys(lw: Lowerer, spec: IndicatorSpec, source: str) -> list[tuple[str, ir.Expr, str]]:
    out = []
    for name, scalar in spec.keys:
        tree = lw.parse(scalar, spec.span.file)
        if tree is None:
            continue
        e = lw.checker.scalar(tree, lw.scope(f"a chave '{name.value}'", source))
        if not e.type.is_error and e.type.base not in ("int", "str"):
            lw.diags.append(catalog.indicator_key_type(scalar.span, key=name.value,
                                                       got=e.type.display()))
            continue
        out.append((name.value, e, printer.show(tree)))
    return out


def _measure(lw: Lowerer, source: str, ms: MeasureSpec, aggs: list[ir.Aggregate],
             texts: list[str]) -> ir.Measure | None:
    """One measure: its aggregates appended to `aggs` (an average: sum, then count)."""
    name, scalar, places = ms.name, ms.value, ms.places
    tree = lw.parse(scalar, name.span.file)
    if tree is None:
        return None
    scope = lw.scope(f"a medida '{name.value}'", source, aggregate=True)
    func = tree.func if isinstance(tree, ast.Call) else ""
    if func in FUNCS and func != "count" and tree.args:
        # the value's type, checked quietly first: S1803 rather than a sum's own message
        probe = Checker([]).scalar(tree.args[0], lw.scope("", source))
        if not probe.type.is_error and not probe.type.is_numeric:
            lw.diags.append(catalog.indicator_not_numeric(tree.args[0].span, measure=name.value,
                                                          func=func, got=probe.type.display()))
            return None
    parts = [dataclasses.replace(tree, func="sum"), dataclasses.replace(tree, func="count")] \
        if func == "avg" else [tree]
    got = [lw.checker.column_value(p, scope) for p in parts]
    if any(a is None for a in got):
        return None
    first = len(aggs)
    for a in got:
        assert a is not None
        aggs.append(a)
        texts.append(printer.show(tree))
    agg = got[0]
    assert agg is not None
    if func == "avg":
        typ = T.DECIMAL
    elif func == "count":
        typ = T.INT
    else:
        assert agg.arg is not None
        typ = agg.arg.type
    if typ.base == "decimal" and places is None:
        places = 2
    if typ.base == "int":
        places = None
    return ir.Measure(name=name.value, func=func, aggs=tuple(range(first, len(aggs))),
                      type=typ, places=places, text=printer.show(tree), span=name.span,
                      requires=ms.requires)


def _names(lw: Lowerer, spec: IndicatorSpec) -> None:
    seen: dict[str, str] = {}
    for what, name in [*(("uma chave", k) for k, _ in spec.keys),
                       *(("uma medida", m.name) for m in spec.measures)]:
        if name.value in ADDED:
            lw.diags.append(catalog.indicator_name_clash(
                name.span, name=name.value, problem="é um campo que o apura acrescenta ao "
                "registro"))
        elif name.value in seen:
            lw.diags.append(catalog.indicator_name_clash(
                name.span, name=name.value, problem=f"já é {seen[name.value]}"))
        seen.setdefault(name.value, what)


def _rank(lw: Lowerer, spec: IndicatorSpec, keys: list[tuple[str, ir.Expr, str]],
          measures: list[ir.Measure]) -> ir.Rank | None:
    r = spec.rank
    if r is None:
        return None
    ok = True
    names = [m.name for m in measures]
    if r.by.value not in names:
        lw.diags.append(catalog.indicator_unknown_name(r.by.span, what="a medida do ranking",
                                                       name=r.by.value, names=names))
        ok = False
    if r.order is None:
        lw.diags.append(catalog.indicator_rank(r.span, problem="não diz a ordem (order: desc "
                                               "para os maiores, asc para os menores)"))
        ok = False
    n = int(r.n.value)
    if n <= 0:
        lw.diags.append(catalog.indicator_rank(r.n.span, problem=f"pede n = {n}; n deve ser "
                                               "maior que zero"))
        ok = False
    if not spec.keys:
        lw.diags.append(catalog.indicator_rank(r.span, problem="não tem chaves: sem 'keys' há "
                                               "um registro só, nada a ordenar"))
        return None
    key_names = [k for k, _, _ in keys]
    ties = []
    for t in r.ties:
        if t.value not in key_names:
            lw.diags.append(catalog.indicator_unknown_name(t.span, what="a chave do desempate",
                                                           name=t.value, names=key_names))
            ok = False
        else:
            ties.append(key_names.index(t.value))
    if not ok:
        return None
    return ir.Rank(by=names.index(r.by.value), desc=r.order == "desc", n=n, ties=tuple(ties),
                   span=r.span)


def _ratio(lw: Lowerer, spec: IndicatorSpec, measures: list[ir.Measure]) -> ir.Ratio | None:
    q = spec.ratio
    if q is None:
        return None
    names = [m.name for m in measures]
    idx = []
    for t, what in ((q.numerator, "o numerador"), (q.denominator, "o denominador")):
        if t.value not in names:
            lw.diags.append(catalog.indicator_unknown_name(t.span, what=what, name=t.value,
                                                           names=names))
        else:
            idx.append(names.index(t.value))
    if q.limit is None or q.both:
        lw.diags.append(catalog.indicator_limit(q.span, problem="deve ser um: 'minimum' (pelo "
                                                "menos) ou 'maximum' (no máximo)"))
        return None
    tree = lw.parse(q.limit, spec.span.file)
    if tree is None or len(idx) < 2:
        return None
    limit = lw.checker.scalar(tree, lw.scope("o limite da razão", None))
    if not limit.type.is_error and not limit.type.is_numeric:
        lw.diags.append(catalog.indicator_limit(q.limit.span, problem=f"é "
                                                f"{limit.type.display()}, não um número"))
        return None
    return ir.Ratio(numerator=idx[0], denominator=idx[1], places=q.places, limit=limit,
                    limit_text=printer.show(tree), minimum=q.minimum, basis=q.basis,
                    requires=q.requires, span=q.span)


PART = _Indicator()
