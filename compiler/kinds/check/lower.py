"""A CheckSpec → ir.Check: each side typed with the expression language — `cell(...)` as in
layout values, `sum(x where c)`/`count(...)` as in layout columns but over every record of the
check's ledger — combined with + and -; the S09xx checks that need names and types."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler import types as T
from compiler.expr import ast
from compiler.expr import printer
from compiler.kinds.check.spec import AssertionSpec
from compiler.kinds.check.spec import CheckSpec
from compiler.kinds.check.spec import tolerance
from compiler.yamlnodes import YScalar

if TYPE_CHECKING:
    from compiler.lower import Lowerer

# What a side may not hold, in the analyst's words (S0903).
_FOUND = {ast.String: "um texto", ast.Bool: "true/false", ast.Null: "null",
          ast.Param: "um parâmetro", ast.Attr: "um campo de registro", ast.Where: "'where'",
          ast.Compare: "uma comparação", ast.InList: "'in'", ast.Matches: "'matches'",
          ast.IsNull: "'is null'", ast.And: "'and'", ast.Or: "'or'", ast.Not: "'not'",
          ast.If: "'if'", ast.ListLit: "uma lista"}
_SUMS = ("sum", "count")


class _Check:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None  # nothing reads a check's values

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Check | None:
        assert isinstance(spec, CheckSpec)
        return _Lowering(lw, spec).node()

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        return None


class _Lowering:
    def __init__(self, lw: Lowerer, spec: CheckSpec) -> None:
        self.lw, self.spec = lw, spec
        self.sums: list[ir.Aggregate] = []
        self.sum_texts: list[str] = []
        self.reads: list[str] = []
        self.ledger = self._ledger()

    def _ledger(self) -> str | None:
        lw, t = self.lw, self.spec.ledger
        if t is None:
            return None
        if t.value not in lw.pkg.ledgers:
            if not lw.incomplete:
                lw.diags.append(catalog.unknown_spec(
                    t.span, kind="ledger", name=t.value,
                    candidates=difflib.get_close_matches(t.value, list(lw.pkg.ledgers), n=1)))
            return None
        if lw.partition and lw.partition not in lw.field_types.get(t.value, {}):
            lw.diags.append(catalog.unknown_ledger_field(t.span, ledger=t.value,
                                                         name=lw.partition, candidates=[]))
        return t.value

    def node(self) -> ir.Check | None:
        spec, before = self.spec, len(self.lw.diags)
        assertions = [a for a in (self._assertion(a) for a in spec.assertions) if a is not None]
        if len(self.lw.diags) > before and any(d.is_error for d in self.lw.diags[before:]):
            return None
        return ir.Check(id=spec.id, ledger=self.ledger, sums=tuple(self.sums),
                        sum_texts=tuple(self.sum_texts),
                        assertions=tuple(assertions), span=spec.span)

    def _assertion(self, a: AssertionSpec) -> ir.Assertion | None:
        spec, name = self.spec, a.name.value
        sums, cells = len(self.sums), len(self.reads)
        left, left_text = self._side(a.left, f"o lado left da conferência '{name}'")
        right, right_text = self._side(a.right, f"o lado right da conferência '{name}'")
        if left is None or right is None:
            return None
        if left_text == right_text:
            self.lw.diags.append(catalog.check_same_sides(a.right.span, name=name,
                                                          other=a.left.span))
            return None
        if len(self.sums) == sums and len(self.reads) == cells:
            self.lw.diags.append(catalog.check_nothing_computed(a.name.span, name=name))
            return None
        tol = tolerance(a.tolerance or spec.tolerance)
        if tol is None:  # S0901, reported by the front end
            return None
        return ir.Assertion(id=f"{self.lw.package_id}/{spec.id}/{name}", name=name,
                            label=a.label, severity=a.severity or spec.severity, tolerance=tol,
                            left=left, right=right, left_text=left_text, right_text=right_text,
                            span=a.span, name_span=a.name.span,
                            line_text=spec.src.line_text(a.name.span.line),
                            reads=tuple(dict.fromkeys(self.reads[cells:])))

    def _side(self, scalar: YScalar, where: str) -> tuple[ir.Expr | None, str]:
        tree = self.lw.parse(scalar, self.spec.src.path)
        if tree is None:
            return None, ""
        before = len(self.lw.diags)
        out = self._walk(tree, where)
        if len(self.lw.diags) > before:
            return None, ""
        return out, printer.show(tree)

    def _walk(self, e: ast.Expr, where: str) -> ir.Expr | None:
        lw = self.lw
        match e:
            case ast.Number():
                return lw.checker.scalar(e, lw.scope(where, None))
            case ast.Neg(operand=o):
                x = self._walk(o, where)
                return None if x is None else ir.Neg(operand=x, type=x.type, span=e.span)
            case ast.Binary(op=op, left=le, right=ri) if op in (ast.BinOp.ADD, ast.BinOp.SUB):
                a, b = self._walk(le, where), self._walk(ri, where)
                if a is None or b is None:
                    return None
                return ir.Binary(op=ir.BinOp(op.value), left=a, right=b,
                                 type=T.unify_numeric(a.type, b.type), span=e.span)
            case ast.Binary(op=op):
                lw.diags.append(catalog.check_side_shape(e.op_span, found=f"'{op.value}'"))
                return None
            case ast.Call(func="cell"):
                c = lw.checker.scalar(e, lw.scope(where, None))
                if isinstance(c, ir.CellRef) and not c.type.is_error:
                    self.reads.append(c.layout)
                    return c
                return None
            case ast.Call(func="total"):
                return self._total(e)
            case ast.Call(func=f) if f in _SUMS:
                if self.ledger is None:
                    if self.spec.ledger is None:
                        lw.diags.append(catalog.check_sum_without_ledger(e.span, func=f))
                    return None
                agg = lw.checker.column_value(e, lw.scope(where, self.ledger, aggregate=True))
                if agg is None or agg.type.is_error:
                    return None
                self.sums.append(agg)
                self.sum_texts.append(printer.show(e))
                return agg
            case ast.Call(func=f):
                lw.diags.append(catalog.check_side_shape(e.name_span, found=f"{f}(...)"))
                return None
            case ast.Name(name=n):
                lw.diags.append(catalog.check_side_shape(
                    e.span, found=f"o campo '{n}' fora de sum(...)"))
                return None
        lw.diags.append(catalog.check_side_shape(e.span, found=_FOUND.get(type(e), "isto")))
        return None

    def _total(self, e: ast.Call) -> ir.Expr | None:
        """`total("sheets id", "Vn" [, "glob of planilha codes"])`: the sum of a column over
        the lines of a sheets node in the partition (its planilhas whose code matches)."""
        lw = self.lw
        if not 2 <= len(e.args) <= 3:
            lw.diags.append(catalog.wrong_arity(e.span, func="total", expected="2 ou 3",
                                                got=len(e.args)))
            return None
        lits: list[str] = []
        for i, a in enumerate(e.args):
            if not isinstance(a, ast.String):
                lw.diags.append(catalog.literal_required(a.span, func="total", index=i + 1))
                return None
            lits.append(a.value)
        node_id, column = lits[0], lits[1]
        sheets = {s.id: s for s in lw.pkg.specs_of("sheets").values()}
        spec = sheets.get(node_id)
        if spec is None:
            lw.diags.append(catalog.unknown_cell(
                e.args[0].span, what="o nó sheets", name=node_id,
                candidates=difflib.get_close_matches(node_id, list(sheets), n=1)))
            return None
        ids = [c.id for c in getattr(spec, "columns", ())]
        if column not in ids:
            lw.diags.append(catalog.unknown_cell(e.args[1].span, what="a coluna", name=column,
                                                 candidates=ids, layout=node_id))
            return None
        self.reads.append(node_id)
        args = (ir.Const(value=node_id, type=T.STR, span=e.args[0].span),
                ir.Const(value=ids.index(column), type=T.INT, span=e.args[1].span),
                ir.Const(value=lits[2] if len(lits) == 3 else "*", type=T.STR, span=e.span))
        return ir.Call(func="total", args=args, type=T.DECIMAL, span=e.span)


PART = _Check()
