"""The collections of a per-record derivation (`related:`) and their uses in its expressions.

A collection is the records of a ledger (or of a table shipped with the specs) reached by keys
(`on:`), filtered by `where:`, in a declared `order:` (ties: input order). An expression reads
it only through the collection functions — `count(c)`, `count(c, cond)`, `any(c, cond)`,
`all(c, cond)`, `sum(c, value)`, `first(c).f`, `last(c).f`, `max_by(c, key).f`,
`min_by(c, key).f` — which are lifted out of
the expression here (each use becomes the name `_c<n>`, typed, and an `ir.Collect`), so the
checker and the back ends see a plain record expression. Inside a use (and in `where:`) bare
names are the related record's fields; this record is `<its ledger id>.field`."""

from __future__ import annotations

import dataclasses
import difflib
from typing import TYPE_CHECKING
from typing import Any

from compiler import catalog
from compiler import ir
from compiler import types as T
from compiler.expr import ast
from compiler.expr import printer
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.kinds.derivation.spec import RelatedSpec
    from compiler.lower import Lowerer

OUTER = "_outer__"  # this record's field `f`, read inside a collection, is FieldRef OUTER + f
USE = "_c"          # the n-th collection use is read as the field `_c<n>`
PICKS = ("first", "last", "max_by", "min_by")
FUNCS = ("count", "any", "all", "sum", *PICKS)
ARITY = {"count": (1, 2), "any": (2, 2), "all": (2, 2), "sum": (2, 2), "first": (1, 1),
         "last": (1, 1), "max_by": (2, 2), "min_by": (2, 2)}
SORTABLE = ("int", "decimal", "str", "date", "bool")


def _map(tree: Any, fn: Any) -> Any:
    """`tree` with each node for which `fn` gives a replacement replaced (outermost first)."""
    got = fn(tree)
    if got is not None:
        return got
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(tree):
        v = getattr(tree, f.name)
        if isinstance(v, tuple) and any(dataclasses.is_dataclass(x) for x in v):
            changes[f.name] = tuple(_map(x, fn) if not isinstance(x, Span) else x for x in v)
        elif dataclasses.is_dataclass(v) and not isinstance(v, Span):
            changes[f.name] = _map(v, fn)
    return dataclasses.replace(tree, **changes) if changes else tree


class Collections:
    """The collections of one derivation, and the uses its expressions make of them."""

    def __init__(self, lw: Lowerer, outer: str, outer_fields: dict[str, T.Type]) -> None:
        self.lw = lw
        self.outer = outer
        self.outer_fields = outer_fields
        self.related: dict[str, ir.Related] = {}
        self.fields: dict[str, dict[str, T.Type]] = {}  # collection → its record's fields
        self.uses: list[ir.Collect] = []

    @property
    def types(self) -> dict[str, T.Type]:
        return {f"{USE}{u.index}": u.type for u in self.uses}

    # ------------------------------------------------------------ declarations
    def declare(self, r: RelatedSpec, on_fields: dict[str, T.Type]) -> None:
        lw = self.lw
        led = r.ledger.value
        # a ledger (an input of the run) or a table shipped with the specs (a report's
        # configuration: `first(c).f` over a collection `on:` its key is the lookup)
        known = [*lw.pkg.ledgers, *lw.pkg.specs_of("table")]
        if led not in known:
            lw.diags.append(catalog.unknown_spec(
                r.ledger.span, kind="ledger", name=led,
                candidates=difflib.get_close_matches(led, known, n=1)))
            return
        fields = lw.field_types.get(led, {})
        ok = True
        for theirs, mine in r.on:
            a, b = fields.get(theirs.value), on_fields.get(mine.value)
            for name, t, owner in ((theirs, a, led), (mine, b, self.outer)):
                if t is None:
                    ok = False
                    names = list(fields if owner == led else on_fields)
                    lw.diags.append(catalog.derivation_field(
                        name.span, what="o campo de on:", name=name.value, ledger=owner,
                        candidates=difflib.get_close_matches(name.value, names, n=1)))
            if a is not None and b is not None and a.base != b.base:
                ok = False
                lw.diags.append(catalog.derivation_related(
                    mine.span, problem=f"'{theirs.value}' ({a.display()}) e '{mine.value}' "
                    f"({b.display()}) não são do mesmo tipo"))
        for key, _ in r.order:
            t = fields.get(key.value)
            if t is None:
                ok = False
                lw.diags.append(catalog.derivation_field(
                    key.span, what="a chave de order:", name=key.value, ledger=led,
                    candidates=difflib.get_close_matches(key.value, list(fields), n=1)))
            elif t.base not in SORTABLE:
                ok = False
                lw.diags.append(catalog.derivation_related(
                    key.span, problem=f"'{key.value}' ({t.display()}) não ordena"))
        self.fields[r.name.value] = fields
        where: ir.Expr | None = None
        where_text = ""
        if r.where is not None:
            tree = lw.parse(r.where, r.where.span.file)
            if tree is None:
                return
            where = lw.checker.condition(self._inner(tree), self._scope(
                f"o where da coleção '{r.name.value}'", led, fields))
            where_text = printer.show(tree)
        if ok:
            self.related[r.name.value] = ir.Related(
                name=r.name.value, ledger=led,
                on=tuple((a.value, b.value) for a, b in r.on), where=where,
                where_text=where_text, order=tuple((k.value, d) for k, d in r.order),
                span=r.name.span)

    # ------------------------------------------------------------ uses
    def lift(self, tree: ast.Expr) -> ast.Expr:
        """`tree` with each collection use replaced by the name `_c<n>` (checked here)."""
        return _map(tree, self._one)  # type: ignore[no-any-return]

    def _one(self, node: Any) -> Any:
        if isinstance(node, ast.Attr) and isinstance(node.obj, ast.Call) \
                and node.obj.func in PICKS:
            return self._use(node.obj, node.name, node.name_span, node.span)
        if isinstance(node, ast.Call) and node.func in FUNCS:
            first = node.args[0] if node.args else None
            named = isinstance(first, ast.Name) and (first.name in self.fields
                                                     or first.name in self.related)
            if node.func in ("count", "sum") and not named:
                return None  # an aggregate: the checker says where it fits
            return self._use(node, None, None, node.span)
        return None

    def _use(self, call: ast.Call, field: str | None, field_span: Span | None,
             span: Span) -> ast.Expr:
        lw = self.lw
        bad = ast.Null(id=call.id, span=span)
        first = call.args[0] if call.args else None
        if not (isinstance(first, ast.Name) and first.name in self.fields):
            lw.diags.append(catalog.derivation_collection(
                (first or call).span, problem=f"{call.func}(...) lê uma coleção declarada em "
                "related:" + (f"; '{first.name}' não é uma" if isinstance(first, ast.Name)
                              else "")))
            return bad
        lo, hi = ARITY[call.func]
        if not lo <= len(call.args) <= hi:
            lw.diags.append(catalog.wrong_arity(
                call.span, func=call.func, expected=str(lo) if lo == hi else f"de {lo} a {hi}",
                got=len(call.args)))
            return bad
        if call.func in PICKS and field is None:
            lw.diags.append(catalog.derivation_collection(
                call.span, problem=f"{call.func}(...) é um registro: escolha um campo "
                f"({call.func}({first.name}{', ...' if call.func.endswith('_by') else ''})"
                ".campo)"))
            return bad
        name = first.name
        rel = self.related.get(name)
        fields = self.fields[name]
        where = f"{call.func}({name}, ...)"
        scope = self._scope(where, rel.ledger if rel else name, fields)
        value = None
        if len(call.args) == 2:
            inner = self._inner(call.args[1])
            if call.func in ("count", "any", "all"):
                value = lw.checker.condition(inner, scope)
            else:
                value = lw.checker.scalar(inner, scope)
                base = value.type.base
                if call.func == "sum" and not (value.type.is_numeric or value.type.is_error):
                    lw.diags.append(catalog.derivation_collection(
                        call.args[1].span, problem=f"sum({name}, ...) soma números; este valor "
                        f"é {value.type.display()}"))
                if call.func.endswith("_by") and base not in (*SORTABLE, "error"):
                    lw.diags.append(catalog.derivation_collection(
                        call.args[1].span, problem=f"a chave de {call.func} não ordena "
                        f"({value.type.display()})"))
        if call.func in ("count",):
            t = T.INT
        elif call.func in ("any", "all"):
            t = T.BOOL
        elif call.func == "sum":
            t = value.type.null(False) if value is not None and not value.type.is_error \
                else T.DECIMAL
        else:
            assert field is not None and field_span is not None
            ft = fields.get(field)
            if ft is None:
                lw.diags.append(catalog.derivation_field(
                    field_span, what="o campo", name=field, ledger=rel.ledger if rel else name,
                    candidates=difflib.get_close_matches(field, list(fields), n=1)))
                return bad
            t = ft.null()
        if value is not None and value.type.is_error:
            return bad
        index = len(self.uses)
        self.uses.append(ir.Collect(index=index, related=name, func=call.func, value=value,
                                    field=field, text=printer.show(call), type=t, span=span))
        return ast.Name(id=call.id, name=f"{USE}{index}", span=span)

    # ------------------------------------------------------------ helpers
    def _inner(self, tree: ast.Expr) -> ast.Expr:
        """`<outer ledger>.f` → the name OUTER + f (this record's field, inside a collection)."""
        def one(node: Any) -> Any:
            if isinstance(node, ast.Attr) and isinstance(node.obj, ast.Name) \
                    and node.obj.name == self.outer and node.name in self.outer_fields:
                return ast.Name(id=node.id, name=f"{OUTER}{node.name}", span=node.span)
            return None
        return _map(tree, one)  # type: ignore[no-any-return]

    def _scope(self, where: str, led: str, fields: dict[str, T.Type]) -> Any:
        scope = self.lw.scope(where, led, derived={})
        scope.fields = {**fields, **{f"{OUTER}{k}": v for k, v in self.outer_fields.items()}}
        scope.maps = {}
        return scope
