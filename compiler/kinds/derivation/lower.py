"""A DerivationSpec → ir.Derivation, with the compile-time checks, each at its position: an
unknown ledger (S0203), a `per:` or classify key that is no ledger field (S2001), a record field
read outside an aggregate of a per-key derivation (S2002), a name that is no field of the
derivation in `unique:`/`output.columns` (S2003), a lookup inside an expression (S2004: use
`classify:`), a classify map that does not fit (S2005), a name declared twice (S2006), a value
no CSV column can hold (S2007), a bad output file name (S0502).

Fields are typed expressions, in order; each may read the earlier ones. A reference to an
earlier field is replaced by that field's expression, so what the back ends get reads only the
record (per record) or the key fields and the aggregates of the key's records (per key)."""

from __future__ import annotations

import dataclasses
import difflib
from collections.abc import Callable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any

from compiler import builtins
from compiler import catalog
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.expr import ast
from compiler.expr import positioned_expression
from compiler.expr import printer
from compiler.kinds.derivation import branches
from compiler.kinds.derivation import frozen as frozen_fields
from compiler.kinds.derivation import incremental
from compiler.kinds.derivation import jsonout
from compiler.kinds.derivation import union
from compiler.kinds.derivation.each import member_names
from compiler.kinds.derivation.each import member_types
from compiler.kinds.derivation.related import Collections
from compiler.kinds.derivation.spec import DerivationSpec
from compiler.outputs_check import file_name_problem
from compiler.source import Span
from runtime.catalog import SPEC_WARNINGS

if TYPE_CHECKING:
    from compiler.lower import Lowerer

AGG_PREFIX = "_a"  # the names the aggregates of a per-key field take while it is checked


def _is_expr(v: object) -> bool:
    return isinstance(v, ir.Expr | ir.Aggregate)


def rewrite(e: ir.Expr, fn: Callable[[ir.Expr], ir.Expr | None]) -> ir.Expr:
    """`e` with every node for which `fn` gives a replacement replaced (outermost first)."""
    got = fn(e)
    if got is not None:
        return got
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(e):
        v = getattr(e, f.name)
        if _is_expr(v):
            changes[f.name] = rewrite(v, fn)
        elif isinstance(v, tuple) and v and all(_is_expr(x) for x in v):
            changes[f.name] = tuple(rewrite(x, fn) for x in v)
    return dataclasses.replace(e, **changes) if changes else e


def substitute(e: ir.Expr, names: dict[str, ir.Expr]) -> ir.Expr:
    """`e` with every FieldRef named in `names` replaced by its expression — outside the
    aggregates, whose names are the records' fields."""
    def one(x: ir.Expr) -> ir.Expr | None:
        if isinstance(x, ir.Aggregate):
            return x
        return names.get(x.name) if isinstance(x, ir.FieldRef) else None
    return rewrite(e, one)


def walk(e: object) -> list[object]:
    """Every node of an IR or AST tree, `e` first."""
    out = [e]
    if dataclasses.is_dataclass(e):
        for f in dataclasses.fields(e):
            v = getattr(e, f.name)
            for x in (v if isinstance(v, tuple) else (v,)):
                if dataclasses.is_dataclass(x) and not isinstance(x, Span | T.Type):
                    out.extend(walk(x))
    return out


def _lift(tree: ast.Expr, found: list[ast.Call]) -> ast.Expr:
    """`tree` with each aggregate call replaced by the name `_a<n>` (n its index in `found`)."""
    if isinstance(tree, ast.Call) and tree.func in builtins.AGGREGATES:
        found.append(tree)
        return ast.Name(id=tree.id, name=f"{AGG_PREFIX}{len(found) - 1}", span=tree.span)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(tree):
        v = getattr(tree, f.name)
        if isinstance(v, tuple) and any(dataclasses.is_dataclass(x) for x in v):
            changes[f.name] = tuple(_lift(x, found) if not isinstance(x, Span) else x for x in v)
        elif dataclasses.is_dataclass(v) and not isinstance(v, Span):
            changes[f.name] = _lift(v, found)  # type: ignore[arg-type]
    return dataclasses.replace(tree, **changes) if changes else tree


class _Lowering:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None  # nothing reads a derivation's values in this slice

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Derivation | None:
        assert isinstance(spec, DerivationSpec)
        before = sum(d.is_error for d in lw.diags)
        led = spec.ledger.value
        if led not in lw.pkg.ledgers:
            lw.diags.append(catalog.unknown_spec(
                spec.ledger.span, kind="ledger", name=led,
                candidates=difflib.get_close_matches(led, list(lw.pkg.ledgers), n=1)))
            return None
        ledger_fields = dict(lw.field_types.get(led, {}))
        declared: dict[str, Span] = {}

        def declare(name: specs.Text) -> None:
            if name.value in declared:
                lw.diags.append(catalog.derivation_repeated(name.span, name=name.value,
                                                            first=declared[name.value]))
            declared[name.value] = name.span

        per: dict[str, T.Type] = {}
        for k in spec.per:
            declare(k)
            t = self._field(lw, led, ledger_fields, k, "a chave")
            if t is not None:
                per[k.value] = t
        classify = self._classify(lw, spec, led, ledger_fields, declare)
        record_fields = {**ledger_fields, **{c.name: c.type for c in classify}}
        colls = Collections(lw, led, record_fields)
        for r in spec.related:
            declare(r.name)
            if spec.per:
                lw.diags.append(catalog.derivation_related(
                    r.name.span, problem="coleções só numa derivação por registro (sem per:); "
                    "por chave, os registros da chave já são a coleção (sum(x where c))"))
                continue
            colls.declare(r, record_fields)
        each = spec.each.value if spec.each is not None else ""
        member: dict[str, T.Type] = {}
        if spec.each is not None:
            if each not in colls.related:
                lw.diags.append(catalog.derivation_each(spec.each.span, name=each,
                                                        collections=list(colls.related)))
            else:
                member = colls.fields[each]
        union_ir = None
        if spec.union is not None:  # each: over several collections (union.py)
            declare(spec.union.name)
            each = spec.union.name.value
            got = union.members(lw, spec.union, colls)
            if got is not None:
                member, union_ir = got

        def members(tree: ast.Expr) -> ast.Expr:
            led_of = (colls.related[each].ledger if union_ir is None else each) if member else ""
            return member_names(lw, tree, each, member, led_of) if member else tree

        fields: list[ir.DerivedValue] = []
        typed: dict[str, T.Type] = {}
        exprs: dict[str, ir.Expr] = {}
        path = spec.ledger.span.file
        for name, scalar in spec.fields:
            declare(name)
            tree = lw.parse(scalar, scalar.span.file)
            if tree is None:
                continue
            where = f"o campo '{name.value}' da derivação '{spec.id}'"
            text = printer.show(tree)
            arms, call, parts = self._branches(lw, tree, scalar)
            if spec.per:
                e = self._per_key(lw, tree, where, led, record_fields, {**per, **typed})
            else:
                tree = members(colls.lift(tree))
                scope = lw.scope(where, led, derived={})
                scope.fields = {**record_fields, **typed, **colls.types,
                                **member_types(member)}
                e = lw.checker.scalar(tree, scope)
            if e is None:
                continue
            e = substitute(e, exprs)
            self._no_lookup(lw, e)
            if not e.type.is_error and e.type.base not in ("int", "decimal", "str", "date",
                                                           "bool", "null"):
                lw.diags.append(catalog.derivation_value_type(scalar.span, name=name.value,
                                                              got=e.type.display()))
            typed[name.value] = e.type
            exprs[name.value] = e
            fields.append(ir.DerivedValue(name=name.value, expr=e, text=text,
                                          span=scalar.span, arms=arms, call=call, parts=parts))
        visible = {**(per if spec.per else record_fields), **typed}
        own = [*per, *typed] if spec.per else [*(c.name for c in classify), *typed]
        warnings = []
        for w in spec.warnings:
            tree = lw.parse(w.when, path)
            if tree is None:
                continue
            text = printer.show(tree)
            if not spec.per:
                tree = members(colls.lift(tree))
            scope = lw.scope(f"o aviso '{w.id.value}' da derivação '{spec.id}'", led, derived={})
            scope.fields = {**visible, **colls.types, **member_types(member)}
            cond = substitute(lw.checker.condition(tree, scope), exprs)
            self._no_lookup(lw, cond)
            if w.code is not None and w.code.value not in SPEC_WARNINGS:
                lw.diags.append(catalog.derivation_warning_code(
                    w.code.span, code=w.code.value, codes=list(SPEC_WARNINGS)))
            warnings.append(ir.Warn(id=w.id.value, cond=cond, text=text,
                                    message=w.message.value, span=w.when.span,
                                    code=w.code.value if w.code else "",
                                    show=tuple(k.value for k in w.show)))
        for k in (k for w in spec.warnings for k in w.show):
            self._own(lw, k, own, "o campo do aviso")
        for k in spec.unique:
            self._own(lw, k, own, "a chave única")
        for k in spec.file_names:
            self._own(lw, k, own, "o nome de arquivo")
            t = typed.get(k.value)
            if t is not None and t.base not in ("str", "error"):
                lw.diags.append(catalog.derivation_file_name(k.span, name=k.value,
                                                             got=t.display()))
        since = frozen_fields.since_names(spec.incremental.frozen) if spec.incremental else []
        json_ir = None if spec.json is None else jsonout.lower(lw, spec.json, own, typed)
        if spec.union is not None and union_ir is not None:
            union_ir = union.post(lw, spec.union, union_ir, typed)
        columns = tuple(c.value for c in spec.columns) if spec.columns is not None else \
            (*own, *since)
        for c in spec.columns or ():
            self._own(lw, c, [*own, *since], "a coluna")
        reason = file_name_problem(spec.file.value)
        if reason is not None:
            lw.diags.append(catalog.bad_output_file(spec.file.span, name=spec.file.value,
                                                    reason=reason))
        inc = None if spec.incremental is None else incremental.lower(
            lw, spec.incremental, node=spec.id, ledger=led, record_fields=record_fields,
            fields=[f.name for f in fields], output=spec.file.value,
            no_lookup=lambda e: self._no_lookup(lw, e))
        frozen = () if spec.incremental is None else frozen_fields.lower(
            lw, spec.incremental.frozen, node=spec.id, ledger=led,
            own={n: visible[n] if n in visible else next(c.type for c in classify
                                                           if c.name == n) for n in own},
            fields=[f.name for f in fields], each=each,
            no_lookup=lambda e: self._no_lookup(lw, e))
        if sum(d.is_error for d in lw.diags) > before or frozen is None:
            return None
        return ir.Derivation(
            id=spec.id, ledger=led, per=tuple(per), classify=tuple(classify),
            fields=tuple(fields), unique=tuple(k.value for k in spec.unique),
            warnings=tuple(warnings), columns=columns, file=spec.file.value, span=spec.span,
            alternative_of=spec.alternative_of.value if spec.alternative_of else "",
            file_span=spec.file.span, related=tuple(colls.related.values()),
            file_names=tuple(k.value for k in spec.file_names), each=each,
            collects=tuple(colls.uses), incremental=inc, frozen=frozen, union=union_ir,
            json=json_ir)

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        incremental.check_shared(lw, nodes)
        jsonout.check_items(lw, nodes)

    # ------------------------------------------------------------ helpers
    @staticmethod
    def _field(lw: Lowerer, led: str, fields: dict[str, T.Type], name: specs.Text,
               what: str) -> T.Type | None:
        t = fields.get(name.value)
        if t is None:
            lw.diags.append(catalog.derivation_field(
                name.span, what=what, name=name.value, ledger=led,
                candidates=difflib.get_close_matches(name.value, list(fields), n=1)))
        return t

    @staticmethod
    def _own(lw: Lowerer, name: specs.Text, own: list[str], what: str) -> None:
        if name.value not in own:
            lw.diags.append(catalog.derivation_unknown_name(
                name.span, what=what, name=name.value,
                candidates=difflib.get_close_matches(name.value, own, n=1)))

    @staticmethod
    def _branches(lw: Lowerer, tree: ast.Expr, scalar: Any
                  ) -> tuple[tuple[ir.Arm, ...], str, tuple[ir.Part, ...]]:
        """explain's if-branches of a field (branches.py), positioned in the YAML."""
        if not isinstance(tree, ast.If | ast.Call):
            return (), "", ()
        exact = positioned_expression(lw.pkg.sources[scalar.span.file], scalar)
        return branches.shape(tree if exact is None else exact)

    @staticmethod
    def _no_lookup(lw: Lowerer, e: ir.Expr) -> None:
        for n in walk(e):
            if isinstance(n, ir.MapLookup):
                lw.diags.append(catalog.derivation_lookup(n.span))
                return

    def _classify(self, lw: Lowerer, spec: DerivationSpec, led: str,
                  fields: dict[str, T.Type], declare: Any) -> list[ir.Classify]:
        out = []
        for c in spec.classify:
            declare(c.name)
            kt = self._field(lw, led, fields, c.key, "a chave de classify")
            info = lw.map_infos.get(c.map.value)
            if info is None:
                lw.diags.append(catalog.unknown_spec(
                    c.map.span, kind="mapa", name=c.map.value,
                    candidates=difflib.get_close_matches(c.map.value, list(lw.map_infos),
                                                         n=1)))
                continue
            if len(info.key) != 1:
                lw.diags.append(catalog.derivation_classify(
                    c.map.span, problem=f"o mapa '{c.map.value}' tem {len(info.key)} chaves; "
                    "classify lê mapas de uma chave"))
                continue
            if kt is not None and kt.base != info.key[0][1].base:
                lw.diags.append(catalog.derivation_classify(
                    c.key.span, problem=f"'{c.key.value}' é {kt.display()}, e a chave do mapa "
                    f"'{c.map.value}' é {info.key[0][1].display()}"))
            vt = info.record.field(c.value.value)
            if vt is None:
                names = [n for n, _ in info.record.fields]
                lw.diags.append(catalog.derivation_classify(
                    c.value.span, problem=f"o mapa '{c.map.value}' não tem o valor "
                    f"'{c.value.value}'"
                    + (f" (valores: {', '.join(names)})" if names else "")))
                continue
            out.append(ir.Classify(name=c.name.value, map=c.map.value, key=c.key.value,
                                   value=c.value.value, type=vt.null(), span=c.name.span))
        return out

    def _per_key(self, lw: Lowerer, tree: ast.Expr, where: str, led: str,
                 record_fields: dict[str, T.Type], visible: dict[str, T.Type]
                 ) -> ir.Expr | None:
        """A per-key field: its aggregates typed over the records, the rest over the key fields,
        the earlier fields and the aggregates (`_a<n>`); returned with the aggregates in."""
        found: list[ast.Call] = []
        lifted = _lift(tree, found)
        bad = False
        for n in walk(lifted):
            if isinstance(n, ast.Name) and not n.name.startswith(AGG_PREFIX) \
                    and n.name not in visible:
                if n.name in record_fields:
                    lw.diags.append(catalog.derivation_outside_aggregate(n.span, name=n.name))
                else:
                    lw.diags.append(catalog.derivation_unknown_name(
                        n.span, what="o nome", name=n.name,
                        candidates=difflib.get_close_matches(n.name, list(visible), n=1)))
                bad = True
        aggs: dict[str, ir.Expr] = {}
        for i, call in enumerate(found):
            scope = lw.scope(where, led, derived={}, aggregate=True)
            scope.fields = record_fields
            got = lw.checker.column_value(call, scope)
            if got is None:
                bad = True
                continue
            aggs[f"{AGG_PREFIX}{i}"] = got
        if bad:
            return None
        scope = lw.scope(where, led, derived={})
        scope.fields = {**visible, **{k: v.type for k, v in aggs.items()}}
        return substitute(lw.checker.scalar(lifted, scope), aggs)


PART = _Lowering()
