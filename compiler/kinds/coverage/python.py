"""A coverage node in the generated Python module: its part of each source's scan (filter,
keys, then `Coverage.see`, which tests the map and notes a gap with the record's line; with
`unused`, the key counted in the keyed accumulator), its finish line (the unused entries) and
its runtime declaration (`Coverage(...)`, runtime/coverage.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from compiler import ir
from compiler.codegen import names
from compiler.codegen.pyscan import Lines
from compiler.codegen.pyscan import comment
from compiler.kinds.coverage.plan import serves
from compiler.kinds.coverage.plan import sources_of

if TYPE_CHECKING:
    from compiler import scanplan
    from compiler.codegen.pymodule import ModuleGen
    from compiler.codegen.pyscan import ScanWriter


@dataclass(slots=True)
class _CoverageScan:
    node: ir.Coverage
    ledger: str
    pid: str
    node_id: str

    def emit(self, w: ScanWriter) -> None:
        node, out = self.node, w.out
        var = f"_cov_{names.ident(node.id)}"
        if all(name != var for name, _ in w.px.hoisted):
            w.px.hoisted.append((var, f"ctx.package.node({node.id!r})"))
            if node.map is not None:  # the confirmed entries (Coverage.see tests them too)
                w.px.hoisted.append((f"{var}_e", f"ctx.maps[{node.map!r}].entries"))
        for s in sources_of(node, self.ledger):
            pid = f"{self.pid}/source/{s.index}"
            if s.filter is not None:
                w.filter(s.filter, s.filter_text, f"{pid}/filter")
            else:
                out(w.where(s.span, pid))
                out("#   sem filtro: todos os registros")
            w.begin()
            out(f"#   chave: {comment(', '.join(s.keys_text), 80)}")
            keys = [w.expr(k) for k in s.keys]
            out(f"_ck = ({''.join(f'{k}, ' for k in keys).rstrip()})")
            if node.unused:  # by the key tuple (SQL: its key_text; Coverage.finish reads both)
                acc = w.acc(node.id)
                out(f"_a = {acc}.get({w.part})")
                out("if _a is None:")
                out(f"    _a = {acc}[{w.part}] = ctx.new_rows({node.id!r})")
                out("_a[_ck][0] += 1")
            if node.map is not None:  # the common case, a confirmed entry, costs a lookup
                out(f"if _ck not in {var}_e:")
                out(f"    {var}.see(ctx, _ck, _line)")
            else:
                out(f"{var}.see(ctx, _ck, _line)")
            w.end()
            if s.filter is not None:
                w.close()


class _CoveragePython:
    slot = "nodes"

    def locs(self, gen: ModuleGen, node: ir.PlanNode) -> None:
        assert isinstance(node, ir.Coverage)
        gen.loc(node.span, f"{gen.pkg.id}/{node.id}")

    def scan_part(self, gen: ModuleGen, part: scanplan.Part) -> _CoverageScan:
        node = part.node
        assert isinstance(node, ir.Coverage)
        return _CoverageScan(node, part.ledger, f"{gen.pkg.id}/{node.id}", node.id)

    def finish(self, gen: ModuleGen, nodes: Sequence[ir.PlanNode]) -> list[str]:
        """The unused entries of each node that lists them, per partition."""
        body = Lines()
        body.indent()
        for node in nodes:
            assert isinstance(node, ir.Coverage)
            if node.unused:
                body(f"# {comment(f'{gen.pkg.id}/{node.id}')}: entradas sem uso")
                body(f"ctx.package.node({node.id!r}).finish(ctx, part)")
        return body.lines

    def declare(self, gen: ModuleGen, node: ir.PlanNode) -> str | None:
        assert isinstance(node, ir.Coverage)
        gen.uses_import("from runtime.coverage import Coverage")
        part = gen.pkg.partition
        pk = node.key_names.index(part) if node.map and part in node.key_names else None
        o = Lines()
        o("Coverage(")
        o(f"    id={node.id!r},")
        o(f"    map={node.map!r},")
        o(f"    key_names={node.key_names!r},")
        o(f"    severity={node.severity!r},")
        o(f"    label={node.label!r},")
        o(f"    unused={node.unused!r},")
        o(f"    sources={tuple(dict.fromkeys(s.ledger for s in node.sources))!r},")
        o(f"    partition_key={pk!r},")
        o(f"    serves={serves(gen.plans, node)!r},")
        o(f"    at=LOC[{gen.loc(node.span, f'{gen.pkg.id}/{node.id}')}],")
        o("),")
        return o.text()


PART = _CoveragePython()
