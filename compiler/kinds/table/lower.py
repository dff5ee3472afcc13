"""A TableSpec → ir.Table: its columns are declared like a ledger's fields (a map may use the
table as its `source:`), its CSV file is read and checked (compiler/kinds/table/data.py), and,
once every map is known, a map over a table whose key repeats in the rows is an error at
compile time (S1013), not a D0202 at every run."""

from __future__ import annotations

import difflib
import posixpath
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler.kinds.ledger.lower import field_types
from compiler.kinds.ledger.lower import ir_fields
from compiler.kinds.table import data
from compiler.kinds.table.data import cell_text
from compiler.kinds.table.spec import TableSpec
from compiler.source import SourceFile
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.lower import Lowerer


def copy_path(table_id: str) -> str:
    """Where the normalized copy goes, relative to generated/<pkg>/."""
    return f"tables/{table_id}.csv"


class _Table:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        for t in specs_:
            assert isinstance(t, TableSpec)
            lw.field_types[t.id] = field_types(t.columns)
            lw.derived_types[t.id] = {}

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Table | None:
        assert isinstance(spec, TableSpec)
        names = [c.name for c in spec.columns]
        unknown = [k for k in spec.key if k.value not in names]
        for k in unknown:
            lw.diags.append(catalog.table_unknown_column(
                k.span, name=k.value, where="key",
                candidates=difflib.get_close_matches(k.value, names, n=1, cutoff=0.6)))
        if unknown:
            return None
        if spec.provisional is not None:
            lw.diags.append(catalog.provisional(spec.provisional.span, spec_id=spec.id,
                                                text=" ".join(spec.provisional.value.split())))
        got = data.read(lw.pkg, spec, lw.diags)
        if got is None:
            return None
        f = data.COPY_FORMAT
        return ir.Table(id=spec.id, fields=ir_fields(spec.columns),
                        format=ir.CsvFormat(delimiter=f.delimiter, encoding=f.encoding,
                                            decimal=f.decimal, thousands=f.thousands,
                                            date=f.date, true=f.true, false=f.false,
                                            header=True),
                        derived=(), span=spec.span, files=got.files,
                        in_package=tuple(posixpath.relpath(f, lw.pkg.folder) for f in got.files),
                        source=spec.source.value,
                        key=tuple(k.value for k in spec.key), rows=got.rows, lines=got.lines,
                        path=copy_path(spec.id), copy=got.copy, sha256=got.sha256)

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        tables = {n.id: n for n in nodes if isinstance(n, ir.Table)}
        for m in lw.map_nodes.values():
            t = tables.get(m.source)
            if t is None:
                continue
            names = [f.name for f in t.fields]
            idx = [names.index(k) for k in m.key]
            first: dict[tuple[object, ...], int] = {}
            for n, row in enumerate(t.rows):
                key = tuple(row[i] for i in idx)
                if key not in first:
                    first[key] = n
                    continue
                shown = ", ".join(f"{k}={cell_text(v)}" for k, v in zip(m.key, key, strict=True))
                (f0, l0), (f1, l1) = t.lines[first[key]], t.lines[n]
                lw.diags.append(catalog.table_map_key_repeats(
                    _line(lw.pkg.sources[f1], l1), map_id=m.id, key=shown, line=f"{f0}:{l0}",
                    first=_line(lw.pkg.sources[f0], l0)))
                break  # one per map: the first repeat says what is wrong


def _line(src: SourceFile, line: int) -> Span:
    """A whole line of the CSV (where a record starts)."""
    start = src.offset(line, 1)
    return src.span(start, start + max(1, len(src.line_text(line))))


PART = _Table()
