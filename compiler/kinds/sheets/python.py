"""A sheets node in the generated Python module: its part of each source's scan (filter,
planilha code, row key by lookup — no rule per row —, the values into the keyed accumulator)
and its runtime declaration (`Sheets(...)`, runtime/sheets.py, which writes the files). Code
grows with the parts and columns, not with the rows of the table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen.pyexpr import literal
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import accumulate
from compiler.codegen.pyscan import comment
from compiler.kinds.sheets.plan import parts_of
from compiler.scanplan import lookups_in
from compiler.source import Span
from runtime.sheets import CODE_SEP
from runtime.sheets import KEY_SEP
from runtime.sheets import NAME

if TYPE_CHECKING:
    from compiler import scanplan
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter


@dataclass(slots=True)
class _SheetsScan:
    node: ir.Sheets
    ledger: str
    pid: str
    node_id: str

    def emit(self, w: ScanWriter) -> None:
        out = w.out
        for p in parts_of(self.node, self.ledger):
            pid = f"{self.pid}/part/{p.index}"
            if p.filter is not None:
                w.filter(p.filter, p.filter_text, f"{pid}/filter")
            else:
                out(f"# {comment(pid)}: sem filtro")
                w.enter("filter")
            w.begin()
            out(w.where(p.span, f"{pid}/sheet") + "  planilha = "
                + comment(f" {CODE_SEP} ".join(p.sheet_text), 60))
            codes = [w.expr(e) for e in p.sheet]
            out(w.where(p.row.span, f"{pid}/row") + f"  linha = {comment(p.row_text, 60)}")
            row = w.expr(p.row)
            w.expr(p.row_lookup)  # the row exists in the rows map (else D0201: skipped)
            key = f" + {CODE_SEP!r} + ".join(c if e.type.base == "str" else f"str({c})"
                                              for c, e in zip(codes, p.sheet, strict=True))
            row_text = row if p.row.type.base == "str" else f"str({row})"
            out(f"_k = {key} + {KEY_SEP!r} + {row_text}")
            w.enter("row", p.row_lookup)  # as the plan (compiler/kinds/sheets/plan.py)
            acc = w.acc(self.node.id)
            out(f"_a = {acc}.get({w.part})")
            out("if _a is None:")
            out(f"    _a = {acc}[{w.part}] = ctx.new_rows({self.node.id!r})")
            out("_row = _a[_k]")
            w.reach()
            out("if _trace is not None:  # apura explain: remember what this record adds")
            out("    _before = _row[:]")
            for col, agg, text in p.values:
                c = self.node.columns[col]
                out(w.where(c.span, f"{pid}/column/{c.id}") + f"  {c.id} = {comment(text, 50)}")
                where = w.expr(agg.where) if agg.where is not None else None
                arg = w.expr(agg.arg) if agg.arg is not None else None
                if where is not None:
                    out(f"if {where}:")
                    out.indent()
                accumulate(out, f"_row[{col}]", agg.func, agg.arg, arg)
                if where is not None:
                    out.dedent()
            fields = _tuple([w.expr(f) for f in part_fields(p)])
            out("if _trace is not None:")
            out(f"    _trace.sheet({self.node.id!r}, {w.part}, {p.index}, _k, _line, _before, "
                f"_row, {_tuple(codes)}, {row}, {fields})")
            w.exit()
            w.end()
            if p.filter is not None:
                w.close()
            else:
                w.exit()


def _tuple(items: Sequence[str]) -> str:
    """A Python tuple display of code texts: `()`, `(a,)`, `(a, b)`."""
    return f"({items[0]},)" if len(items) == 1 else f"({', '.join(items)})"


def _refs(e: ir.Expr | None) -> list[ir.FieldRef | ir.DerivedRef]:
    """The fields (stored or derived) an expression reads, in the order written."""
    out: list[ir.FieldRef | ir.DerivedRef] = []

    def walk(n: object) -> None:
        if isinstance(n, ir.FieldRef | ir.DerivedRef):
            out.append(n)
            return
        for attr in getattr(n, "__slots__", ()):
            v = getattr(n, attr)
            for x in (v if isinstance(v, tuple) else (v,)):
                if isinstance(x, ir.Expr.__args__):
                    walk(x)
    if e is not None:
        walk(e)
    return out


def _column_fields(agg: ir.Aggregate) -> tuple[str, ...]:
    return tuple(dict.fromkeys(f.name for f in [*_refs(agg.arg), *_refs(agg.where)]))


def part_fields(p: ir.SheetPart) -> list[ir.FieldRef | ir.DerivedRef]:
    """The fields a traced record hands to apura explain: those its columns read (each
    column shows its own, runtime.sheets.SheetPart.values), once each."""
    seen: dict[str, ir.FieldRef | ir.DerivedRef] = {}
    for _, agg, _ in p.values:
        for f in [*_refs(agg.arg), *_refs(agg.where)]:
            seen.setdefault(f.name, f)
    return list(seen.values())


def _maps(exprs: Sequence[ir.Expr | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(lk.map for e in exprs for lk in lookups_in(e)))


def _declare_part(gen: ModuleGen, node: ir.Sheets, p: ir.SheetPart, o: Lines) -> None:
    """The runtime.sheets.SheetPart of a part: what apura explain shows of it."""
    pid = f"{gen.pkg.id}/{node.id}/part/{p.index}"

    def at(span: Span | None, plan_id: str) -> str:
        return "None" if span is None else f"LOC[{gen.loc(span, plan_id)}]"

    o("        SheetPart(")
    o(f"            source={p.source!r},")
    o(f"            filter={p.filter_text!r},")
    o(f"            filter_at={at(p.filter.span if p.filter else None, f'{pid}/filter')},")
    o(f"            sheet={p.sheet_text!r},")
    o("            sheet_at="
      + _tuple([at(e.span, f"{pid}/sheet/{k}") for k, e in enumerate(p.sheet)]) + ",")
    o(f"            row={p.row_text!r},")
    o(f"            row_at={at(p.row.span, f'{pid}/row/key')},")
    o("            values=(")
    for col, agg, text in p.values:
        c = node.columns[col]
        o(f"                ({col}, {text!r}, {at(agg.span, f'{pid}/value/{c.id}')}, "
          f"{_column_fields(agg)!r}),")
    o("            ),")
    o(f"            fields={tuple(f.name for f in part_fields(p))!r},")
    o(f"            sheet_maps={_maps(p.sheet)!r},")
    o(f"            row_maps={(*_maps((p.row,)), p.row_lookup.map)!r},")
    o("        ),")


def line_template(node: ir.Sheets) -> str:
    """`{sheet};{key};{record_id};V0:[>R${V0}<]:-[13](Dotação Inicial);...;{marker};#C7;`"""
    def esc(s: str) -> str:
        return s.replace("{", "{{").replace("}", "}}")
    cols = ";".join(f"{c.id}:[>R${{{c.id}}}<]:-[{c.code}]({esc(c.label)})"
                    for c in node.columns)
    return f"{{sheet}};{{key}};{{record_id}};{cols};{{marker}};#C{len(node.columns)};"


class _SheetsPython:
    slot = "nodes"

    def scan_part(self, gen: ModuleGen, part: scanplan.Part) -> _SheetsScan:
        node = part.node
        assert isinstance(node, ir.Sheets)
        return _SheetsScan(node, part.ledger, f"{gen.pkg.id}/{node.id}", node.id)

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        return []  # the files are written from the accumulator (runtime/sheets.py)

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Sheets)
        gen.uses_model("Column")
        gen.uses_import("from runtime.sheets import Sheets")
        gen.uses_import("from runtime.sheets import SheetPart")
        funcs = {col: (agg, text) for p in node.parts for col, agg, text in p.values}
        o = Lines()
        o("Sheets(")
        o(f"    id={node.id!r},")
        o(f"    sources={node.sources!r},")
        o("    columns=(")
        formulas = {col: text for col, _, text in node.formulas}
        for c in node.columns:
            if c.index in formulas:  # computed on each line (runtime/sheets.Sheets.line_values)
                gen.uses_import("from runtime.values import D")
                o(f"        Column({c.id!r}, {c.code!r}, {c.label!r}, D(\"0\"), "
                  f"{formulas[c.index]!r}, 'formula'),")
                continue
            agg, text = funcs[c.index]
            if agg.func in ("min", "max"):
                init = "None"
            elif agg.type.base == "int":
                init = literal(0)
            else:
                init = 'D("0")'
                gen.uses_import("from runtime.values import D")
            o(f"        Column({c.id!r}, {c.code!r}, {c.label!r}, {init}, {text!r}, "
              f"{agg.func!r}),")
        o("    ),")
        for attr in ("rows_map", "record_id", "marker", "mask", "files_map", "stem"):
            o(f"    {attr}={getattr(node, attr)!r},")
        o(f"    line={line_template(node)!r},")
        if node.name != NAME:
            o(f"    name={node.name!r},")
        if node.formulas:
            o(f"    formulas={tuple((col, terms) for col, terms, _ in node.formulas)!r},")
        o("    parts=(")
        for p in node.parts:
            _declare_part(gen, node, p, o)
        o("    ),")
        o("    columns_at=" + _tuple([
            f"LOC[{gen.loc(c.span, f'{gen.pkg.id}/{node.id}/column/{c.id}')}]"
            for c in node.columns]) + ",")
        o(f"    output_format={node.output_format!r},")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        if node.alternative_of:
            o(f"    alternative_of={node.alternative_of!r},")
        o("),")
        return o.text()

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Sheets)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")


PART = _SheetsPython()
