"""The generated Python scan of one ledger, assembled from the contributions of the nodes that
read it (compiler/kinds/base.PyScanPart): the record loop binds the fields and derived
fields, then each part writes its per-record code through a ScanWriter."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import ir
from compiler import scanplan
from compiler.codegen import names
from compiler.codegen.pyexpr import PyExpr
from compiler.codegen.quoting import py_comment
from compiler.codegen.quoting import py_docstring
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.codegen.pymodule import ModuleGen
    from compiler.kinds.base import PyScanPart


class Lines:
    """An indented line buffer."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.level = 0

    def __call__(self, text: str = "") -> None:
        self.lines.append(("    " * self.level + text) if text else "")

    def indent(self) -> None:
        self.level += 1

    def dedent(self) -> None:
        self.level -= 1

    def text(self) -> str:
        return "\n".join(self.lines)


def comment(text: str, width: int = 96) -> str:
    return py_comment(text, width)


class ScanWriter:
    """What a PyScanPart writes with (see compiler/kinds/base.PyScanPart.emit)."""

    def __init__(self, gen: ModuleGen, px: PyExpr, out: Lines, part: str, many: bool) -> None:
        self.gen = gen
        self.px = px
        self.out = out
        self.part = part
        self._many = many
        self.index = -1                                # the scan plan part being written
        self._saved: list[dict[str, str]] = []         # px lookups of each open scope
        self.accs: list[str] = []                      # node ids bound to ctx.acc[...]
        # (start, end, level, fields read) of each begin/end block
        self.blocks: list[tuple[int, int, int, set[str]]] = []
        self.eager: set[str] = set(px.fields)          # fields read for every record
        self._open: list[tuple[int, set[str]]] = []
        self.reaches: list[int] = []                   # the lines reach() wrote

    def where(self, span: Span, plan_id: str) -> str:
        return self.gen.where(span, plan_id)

    def expr(self, e: ir.Expr) -> str:
        """The Python text of `e`; the statements it needs first (lookups) are written now."""
        code = self.px(e)
        for stmt in self.px.take_pending():
            self.out(stmt)
        return code

    def filter(self, e: ir.Expr, text: str, plan_id: str, what: str = "filter") -> None:
        """`if <e>:`, indented and a scope of the scan plan (scanplan.Guard `what`) until
        `close()`. The decimal amounts a filter reads are converted up front, for every
        record (a filter is not inside a begin/end block)."""
        self.out(self.where(e.span, plan_id))
        self.out(f"#   {comment(text)}")
        before = set(self.px.fields)
        self.px.fields.clear()
        code = self.expr(e)
        self.eager |= self.px.fields
        self.px.fields |= before
        self.out(f"if {code}:")
        self.out.indent()
        self.enter(what, e)

    def close(self) -> None:
        """End the `if` of `filter()` and its scope."""
        self.exit()
        self.out.dedent()

    def enter(self, what: str, e: ir.Expr | None = None) -> None:
        """Open a scope of the scan plan (compiler/scanplan.Guard): lookups made in it are
        forgotten by exit()."""
        from compiler.scanplan import Guard

        self._saved.append(self.px.scope())
        self.px.guards.append(Guard(part=self.index, what=what, expr=e))

    def exit(self) -> None:
        self.px.close_scope()
        self.px.restore(self._saved.pop())

    def acc(self, node_id: str) -> str:
        """The local bound to ctx.acc[node_id] (partition → accumulator table)."""
        if node_id not in self.accs:
            self.accs.append(node_id)
        return names.acc_var(node_id)

    def reach(self) -> None:
        """The record reached a report (counted once per record, ctx.reached). Where it is
        written is noted: a node reached at more than one place (the parts of a sheets node
        on one ledger) needs `_hit` too (scan_function)."""
        self.reaches.append(len(self.out.lines))
        self.out("_hit = True" if self._many else "_reached += 1")

    def begin(self) -> None:
        self._open.append((len(self.out.lines), set(self.px.fields)))
        self.px.fields.clear()

    def end(self) -> None:
        start, before = self._open.pop()
        self.blocks.append((start, len(self.out.lines), self.out.level, set(self.px.fields)))
        self.px.fields |= before


def accumulate(out: Lines, cell: str, func: str, arg: ir.Expr | None,
               arg_code: str | None) -> None:
    """The statements adding one record to accumulator `cell` (e.g. `_row[3]`) for an
    aggregate `func` (count, sum, min, max; nulls skipped), every kind that sums alike.
    `arg_code` is the rendered argument (None for `count()` or when not needed: a
    count of a never-null argument does not evaluate it)."""
    if func == "count":
        if arg is None or not arg.type.nullable:
            out(f"{cell} += 1")
        else:
            out(f"if {arg_code} is not None:")
            out(f"    {cell} += 1")
    elif func == "sum":
        assert arg is not None
        if arg.type.nullable:
            out(f"_v = {arg_code}")
            out("if _v is not None:")
            out(f"    {cell} += _v")
        else:
            out(f"{cell} += {arg_code}")
    else:
        assert arg is not None and func in ("min", "max")
        cmp = "<" if func == "min" else ">"
        out(f"_v = {arg_code}")
        out(f"if _v is not None and ({cell} is None or _v {cmp} {cell}):")
        out(f"    {cell} = _v")


def scan_function(gen: ModuleGen, plan: scanplan.ScanPlan, parts: Sequence[PyScanPart]) -> str:
    """`def scan_<ledger>(rows, ctx)`: derived fields, then every part, per record, along the
    ledger's scan plan (the lookups it binds are checked against the plan's)."""
    pkg = gen.pkg
    led = plan.ledger
    px = PyExpr(gen.maps, plan=plan)
    body = Lines()
    body.level = 3
    assigned: dict[str, int] = {}  # derived variable → the line assigning it
    for d in led.derived:
        body(gen.where(d.span, d.id))
        body(f"#   {d.name} = {comment(d.text)}")
        code = px(d.expr)
        for stmt in px.take_pending():
            body(stmt)
        assigned[names.derived_var(d.name)] = len(body.lines)
        body(f"{names.derived_var(d.name)} = {code}")
    part = names.field_var(pkg.partition) if pkg.partition else "None"
    # D0802: an unconfirmed entry counts as used when the record reaches a report (`_hit`)
    settles = any(isinstance(c, scanplan.Unconfirmed) for c in plan.checks)
    many = sum(p.reaches for p in plan.parts) > 1 or settles
    w = ScanWriter(gen, px, body, part, many)
    gated = {p.index for p in plan.parts if scanplan.is_report(p.node)}
    for i, p in enumerate(parts):
        w.index = px.part = i
        if i in gated:  # a report the run does not compute (--select, when:) is skipped
            body(f"if _on{i}:")
            body.indent()
            w.enter("on")
        p.emit(w)
        if i in gated:
            w.exit()
            body.dedent()
    if not many and len(w.reaches) > 1:  # one part reaching at several places: once a record
        many = True
        for i in w.reaches:
            body.lines[i] = body.lines[i].replace("_reached += 1", "_hit = True")
    planned = [(b.lookup, b.scope) for b in plan.bindings]
    assert px.bound == planned, (led.id, px.bound, planned)  # the scan is the plan
    _drop_unread(body, assigned)
    converts = _convert_amounts(led, w)
    head = Lines()
    ids = ", ".join(p.node_id for p in parts)
    head(f"def scan_{names.ident(led.id)}(rows, ctx):")
    head.indent()
    head(f'"""Ledger \'{py_docstring(led.id)}\': derived fields, then the rows of '
         f'{py_docstring(ids)}."""')
    for prm in pkg.params:
        if prm.name in px.params:
            head(f"{names.param_var(prm.name)} = ctx.params[{prm.name!r}]")
    for m in pkg.maps:
        if m.id in px.maps_used:
            head(f"{names.map_var(m.id)} = ctx.maps[{m.id!r}]")
    for node_id in w.accs:
        head(f"{names.acc_var(node_id)} = ctx.acc[{node_id!r}]")
    for i in sorted(gated):
        head(f"_on{i} = ctx.computes({plan.parts[i].node.id!r})")
    head('_trace = ctx.trace')
    if converts:
        head('_amount = ctx.amount')
    for m in pkg.maps:
        if m.id in px.maps_used:
            # apura explain records lookups in find(): no direct hits while tracing
            head(f"{names.entries_var(m.id)} = {names.map_var(m.id)}.entries "
                 "if _trace is None else {}")
    for name, c in px.hoisted:
        head(f"{name} = {c}")
    if settles:  # the unconfirmed entries the record looked up (RuntimeMap.find)
        head("_used = ctx.used_pending")
    head("_reached = 0")
    fields = ", ".join(names.field_var(f.name) for f in led.fields)
    head(f"for {fields}, _line in rows:" if len(fields) < 80 else "for (")
    if len(fields) >= 80:
        head.indent()
        for f in led.fields:
            head(f"{names.field_var(f.name)},")
        head("_line,")
        head.dedent()
        head(") in rows:")
    head.indent()
    if many:
        head("_hit = False")
    tail = ("\n        _reached += _hit" if many else "") + \
        ("\n        if _used:\n            ctx.settle_used(_hit)" if settles else "") + \
        f"\n    ctx.reached[{led.id!r}] = _reached"
    code = body.text()
    gen.absorb(px, finish=False)
    if "skip" in px.uses:
        gen.uses_import("from runtime.errors import SkipRecord")
        head("try:")
        skipped = "            _used.clear()\n" if settles else ""  # a skipped record used none
        return head.text() + "\n" + code + "\n" + \
            f"        except SkipRecord:\n{skipped}            continue" + tail
    body_text = "\n".join(line[4:] if line.startswith("    ") else line
                          for line in code.split("\n"))
    return head.text() + "\n" + body_text + tail


def _drop_unread(body: Lines, assigned: dict[str, int]) -> None:
    """A derived field no part of this scan reads is not assigned (its lookups, written
    before, still run: their checks hold for every record, as in SQL)."""
    for var, at in reversed(list(assigned.items())):
        word = re.compile(rf"\b{re.escape(var)}\b")
        if not any(word.search(line) for i, line in enumerate(body.lines) if i != at):
            indent = body.lines[at][:len(body.lines[at]) - len(body.lines[at].lstrip())]
            body.lines[at] = f"{indent}# ({var}: nenhuma parte desta varredura o lê)"


def _convert_amounts(led: ir.Ledger, w: ScanWriter) -> bool:
    """Decimal fields may arrive as their checked cell text (Ledger.text_amounts): convert
    each one with ctx.amount where it is first needed, at the top of the loop when derived
    fields or filters read it, else at the top of each block (ScanWriter.begin/end) that reads
    it (only the records that enter it pay for it). What reads what is tracked as the code is
    rendered (PyExpr.fields). Returns whether any conversion was emitted."""
    body = w.out
    dec = [f.name for f in led.fields if f.type.base == "decimal"]

    def convert(fields: list[str], level: int) -> list[str]:
        pad = "    " * level
        return [f"{pad}if _amount is not None:  # amounts read as text: converted here",
                *(f"{pad}    {names.field_var(v)} = _amount({names.field_var(v)})"
                  for v in fields)]

    eager = [v for v in dec if v in w.eager]
    emitted = bool(eager)
    for start, _end, level, used in reversed(w.blocks):
        need = [v for v in dec if v not in eager and v in used]
        if need:
            body.lines[start:start] = convert(need, level)
            emitted = True
    if eager:
        body.lines[0:0] = convert(eager, body.level)
    return emitted
