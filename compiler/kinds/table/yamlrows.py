"""A table's rows written in `rows` specs (compiler/kinds/rows): each YAML mapping becomes a
record of the table — its cells in the declared column order, each at its scalar's position —
so it is converted, checked and keyed exactly as a line of the table's CSV (data.py): a bad
value is S1008 at the value, a repeated key S1009 at it; a column the table does not declare
is S2011 at its name. A column left out, `null` or `~` is an empty cell (null, or S1008 in a
required column, at the mapping)."""

from __future__ import annotations

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.kinds.rows.spec import RowsSpec
from compiler.kinds.table.csvtext import Record
from compiler.kinds.table.spec import TableSpec
from compiler.package import LoadedPackage
from compiler.source import SourceFile
from compiler.yamlnodes import YScalar

_NULL = ("", "~", "null", "Null", "NULL")


def records(pkg: LoadedPackage, spec: TableSpec, diags: list[Diagnostic]
            ) -> list[tuple[SourceFile, Record]]:
    """The records the package's `rows` specs give table `spec`, in file then written order."""
    names = [c.name for c in spec.columns]
    out = []
    for rows in pkg.specs_of("rows").values():
        assert isinstance(rows, RowsSpec)
        for table, items in rows.rows:
            if table.value != spec.id:
                continue
            for m in items:
                at = m.span.start
                values, bounds = [""] * len(names), [(at, at + 1)] * len(names)
                for k, v in m.items:
                    if k.value not in names:
                        diags.append(catalog.rows_unknown_column(
                            k.span, name=k.value, table=spec.id, columns=names))
                        continue
                    assert isinstance(v, YScalar)  # the schema: scalars only
                    i = names.index(k.value)
                    plain_null = v.style is None and v.value in _NULL
                    values[i] = "" if plain_null else v.value
                    bounds[i] = (v.span.start, max(v.span.end, v.span.start + 1))
                out.append((rows.source_file, Record(line=m.span.line, start=at, values=values,
                                                     bounds=bounds)))
    return out
