"""Memória de cálculo: which rule, expression and input records produced an output value.

`Program.explain` (and `Result.explain`, which re-runs with the same inputs) evaluates the
package again on the Python back end with lineage recorded for one partition: the generated
scans call the `Trace` (`ctx.trace`) after adding a record to a row, and the maps remember the
entries each record looked up. `build_explanation` then follows the cell down: a rule or
`otherwise` row lists its records, a totalizer its member rows, a value row the cells its
expression reads (`cell(...)`), each explained the same way. A sheets cell (a planilha's
line) is explained by runtime/sheet_explain.py from the same traced run (`Trace.sheet`).
"""

from __future__ import annotations

import decimal
import difflib
import re
from collections.abc import Collection
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from runtime import catalog
from runtime.errors import DataError
from runtime.errors import RunFailed
from runtime.model import Layout
from runtime.model import Package
from runtime.model import Value
from runtime.origins import Origins
from runtime.sheets import Sheets
from runtime.values import CONTEXT
from runtime.values import format_money

if TYPE_CHECKING:
    from runtime.model import LedgerInput
    from runtime.scan import RuntimeMap
    from runtime.scan import ScanContext
    from runtime.sheet_explain import SheetExplanation


class Runs(Protocol):
    """What explain needs of a runtime.program.Program (this module does not import it)."""

    @property
    def package(self) -> Package: ...

    def run(self, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any], *,
            select: str | None = ..., allow_rejects: bool = ..., backend: str = ...,
            tracer: Any = ..., allow_unconfirmed: bool = ..., allow_gaps: bool = ...
            ) -> Any: ...

    def table_origins(self) -> Mapping[str, Origins]: ...

_SUMS = ("sum", "count")


class ExplainError(ValueError):
    """The cell asked for does not exist in the package (unknown layout, row or column)."""

    def __init__(self, message: str, *, option: str, help: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.option = option
        self.help = help


@dataclass(frozen=True, slots=True)
class Lookup:
    """A map entry a record used: map id, key (name, value) pairs, values (None: no entry)."""

    map: str
    key: tuple[tuple[str, Any], ...]
    values: tuple[tuple[str, Any], ...] | None
    at: str | None = None  # file:line of the entry in the map's source ledger

    def render(self) -> str:
        key = ", ".join(f"{k}={show_value(v)}" for k, v in self.key)
        got = ("sem entrada" if self.values is None
               else ", ".join(f"{k}={show_value(v)}" for k, v in self.values))
        return f"{self.map}[{key}] → {got}" + (f"  ({self.at})" if self.at else "")

    def to_dict(self) -> dict[str, Any]:
        return {"map": self.map, "key": {k: json_value(v) for k, v in self.key},
                "values": None if self.values is None
                else {k: json_value(v) for k, v in self.values}, "at": self.at}


@dataclass(frozen=True, slots=True)
class Record:
    """One input record that went into a row: where it is and what it added to the column."""

    file: str
    line: int
    amount: Any
    lookups: tuple[Lookup, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "amount": json_value(self.amount),
                "lookups": [lk.to_dict() for lk in self.lookups]}


class Trace:
    """Collects, during a scan, what each record added to the rows of some layouts in one
    partition, and the map entries it looked up.

    A runtime.scan.Tracer: `Program.run(..., tracer=trace)` sets it as `ctx.trace`; generated
    scans call it after accumulating a record, maps call `looked_up`.
    """

    def __init__(self, package: Package, layouts: Collection[str], part: Any) -> None:
        self.package = package
        self.layouts = frozenset(layouts)
        self.part = part
        self._text = str(part)
        self._funcs = {n.id: tuple(c.func for c in n.columns) for n in package.nodes
                       if isinstance(n, Layout | Sheets)}
        self.ctx: ScanContext | None = None
        self.hits: dict[tuple[str, int], list[tuple[str, int, tuple[Any, ...],
                                                    tuple[Lookup, ...]]]] = {}
        # sheets nodes: (node, `<code>;<row key>`) → what each record added to that line
        self.sheet_hits: dict[tuple[str, str], list[SheetHit]] = {}
        # table id → where its copy's rows are in the specs (runtime/origins.py)
        self.origins: Mapping[str, Origins] = {}
        self._at: tuple[str, int] = ("", -1)
        self._lookups: list[tuple[RuntimeMap, tuple[Any, ...], tuple[Any, ...] | None]] = []

    def attach(self, ctx: ScanContext) -> None:
        """Called by the run on its fresh scan context, before the scans."""
        self.ctx = ctx

    def looked_up(self, m: RuntimeMap, key: tuple[Any, ...], line: int,
                  hit: tuple[Any, ...] | None) -> None:
        """A record looked `key` up in `m` (RuntimeMap.find, while tracing)."""
        assert self.ctx is not None
        at = (self.ctx.file, line)
        if at != self._at:
            self._at = at
            self._lookups = []
        self._lookups.append((m, key, hit))

    def __call__(self, layout: str, part: Any, row: int, line: int, before: list[Any],
                 after: list[Any]) -> None:
        if layout not in self.layouts or (part != self.part and str(part) != self._text):
            return
        file, delta, lookups = self._record(layout, line, before, after)
        self.hits.setdefault((layout, row), []).append((file, line, delta, lookups))

    def sheet(self, node: str, part: Any, index: int, key: str, line: int, before: list[Any],
              after: list[Any], codes: tuple[Any, ...], row: Any,
              fields: tuple[Any, ...]) -> None:
        """A record of part `index` of sheets node `node` added to its line `key`."""
        if node not in self.layouts or (part != self.part and str(part) != self._text):
            return
        file, delta, lookups = self._record(node, line, before, after)
        self.sheet_hits.setdefault((node, key), []).append(
            SheetHit(file, line, index, delta, codes, row, fields, lookups))

    def _record(self, node: str, line: int, before: list[Any], after: list[Any]
                ) -> tuple[str, tuple[Any, ...], tuple[Lookup, ...]]:
        assert self.ctx is not None
        file = self.ctx.file
        # sum and count columns: what this record added; min/max columns: the value after it
        delta = tuple(_added(f, a, b) for f, a, b in zip(self._funcs[node], after, before,
                                                          strict=True))
        lookups: tuple[Lookup, ...] = ()
        if self._at == (file, line):
            lookups = tuple(self._lookup(m, key, hit) for m, key, hit in self._lookups)
        return file, delta, lookups

    def entry_at(self, m: RuntimeMap, key: tuple[Any, ...] | None) -> str | None:
        """`file:line` of the entry `key` of map `m`: in the specs' CSV for a map over a
        table (runtime/origins.py), else in the input it was built from."""
        line = m.lines.get(key) if key is not None else None
        if line is None:
            return None
        origin = self.origins.get(m.spec.source)
        at = origin.at(line) if origin is not None else None
        if at is not None:
            return at
        return f"{m.file}:{line}" if m.file else None

    def _lookup(self, m: RuntimeMap, key: tuple[Any, ...], hit: tuple[Any, ...] | None
                ) -> Lookup:
        spec = m.spec
        return Lookup(map=spec.id, key=tuple(zip(spec.key, key, strict=True)),
                      values=None if hit is None else tuple(zip(spec.values, hit, strict=True)),
                      at=self.entry_at(m, key))


@dataclass(frozen=True, slots=True)
class SheetHit:
    """One record a sheets node's line got: where it is, the part that took it, what it added
    to each column, its planilha code's parts, row key and field values (the part's
    `fields`), and the map entries it looked up."""

    file: str
    line: int
    part: int
    delta: tuple[Any, ...]
    codes: tuple[Any, ...]
    row: Any
    fields: tuple[Any, ...]
    lookups: tuple[Lookup, ...]


def _added(func: str, after: Any, before: Any) -> Any:
    if func in ("min", "max") or before is None or after is None:
        return after
    return after - before


@dataclass(slots=True)
class Explanation:
    """How one cell got its value; `render()` gives the memória de cálculo as text (pt-BR),
    `to_dict()` the same as JSON-ready data.

    * rule / otherwise rows: `records`, the input records classified into the row, each with
      what it added to the column (and the map entries it looked up);
    * totalizers: `members`, the explanation of every row summed;
    * value rows: `expression` (the column's expression) and `sources`, the explanation of
      every cell it reads with `cell(...)`.

    `all_records()` follows totalizers and plain `cell(...)` references down to the input
    records; `records_sum()` is their sum when the value is a plain sum of them.
    """

    package: Package
    layout: Layout
    part: Any
    row: int
    column: int
    value: Any
    params: dict[str, Any]
    records: list[Record] = field(default_factory=list)
    members: list[Explanation] = field(default_factory=list)
    sources: list[Explanation] = field(default_factory=list)
    expression: str = ""
    rejects: list[DataError] = field(default_factory=list)  # rows rejected (allow_rejects)

    @property
    def ref(self) -> str:
        return self.layout.rows[self.row].ref

    @property
    def column_id(self) -> str:
        return self.layout.columns[self.column].id

    @property
    def kind(self) -> str:
        return self.layout.rows[self.row].kind

    def _passthrough(self) -> bool:
        """A value row whose expression is exactly one cell(...)."""
        value = self._value()
        return value is not None and value.single and len(self.sources) == 1

    def _value(self) -> Value | None:
        """The value row's declaration for this column (None for other rows)."""
        return next((v for v in self.layout.rows[self.row].values if v.column == self.column),
                    None)

    def all_records(self) -> list[Record]:
        """The input records under this value, through totalizers and cell() references."""
        out = list(self.records)
        for m in self.members:
            out.extend(m.all_records())
        if self._passthrough():
            out.extend(self.sources[0].all_records())
        return out

    def records_sum(self) -> Decimal | None:
        """The sum of `all_records()` amounts, when the value is such a sum (sum and count
        columns, totalizers of them, a value row that is one cell); None otherwise."""
        if not self._is_sum():
            return None
        return sum((r.amount for r in self.all_records() if r.amount is not None), Decimal(0))

    def _is_sum(self) -> bool:
        kind = self.kind
        if kind in ("rule", "otherwise"):
            return self.layout.columns[self.column].func in _SUMS
        if kind == "total":
            return all(m._is_sum() for m in self.members)
        return self._passthrough() and self.sources[0]._is_sum()

    # ------------------------------------------------------------------ text
    def render(self) -> str:
        lay = self.layout
        part = (f" · {self.package.partition} {self.part}" if self.package.partition else "")
        out = [f"Memória de cálculo: pacote {self.package.id} · {lay.id}{part}",
               f"{self._title()} = {format_money(self.value)}"]
        if self.params:
            out.append("  parâmetros: " + ", ".join(f"{k}={show_value(v)}" for k, v in
                                                    sorted(self.params.items())))
        if self.rejects:
            out.append(f"  atenção: {len(self.rejects)} linha(s) rejeitada(s) ficaram de fora")
        self._body(out, "  ", set())
        total = self.records_sum()
        if total is not None:
            same = "igual ao" if total == (self.value or 0) else "DIFERENTE do"
            out.append(f"soma dos {len(self.all_records())} registro(s) de entrada: "
                       f"{format_money(total)} ({same} valor da célula)")
        return "\n".join(out) + "\n"

    def _short(self) -> str:
        r = self.layout.rows[self.row]
        return f"linha {r.ref} ({r.label})"

    def _title(self) -> str:
        r, col = self.layout.rows[self.row], self.layout.columns[self.column]
        return f"{self.layout.id} linha {r.ref} ({r.label}) · {col.id} ({col.label})"

    def _describe_layout(self, out: list[str], pad: str, shown: set[str]) -> None:
        """The layout's source, filter and column expression, once per layout."""
        lay, col = self.layout, self.layout.columns[self.column]
        if lay.id in shown or lay.source is None:
            return
        shown.add(lay.id)
        out.append(f"{pad}layout {lay.id}: fonte '{lay.source}', hit_policy {lay.hit_policy}")
        if lay.filter:
            at = f" ({lay.filter_at})" if lay.filter_at else ""
            out.append(f"{pad}filtro do layout{at}: {lay.filter}")
        at = f" ({col.at})" if col.at else ""
        out.append(f"{pad}coluna {col.id}{at}: {col.value}")

    def _derived(self, out: list[str], pad: str, shown: set[str]) -> None:
        """The ledger's derived fields (`derived:`) the layout's filter, the row's rule and the
        column read (and those they read), each with its YAML position — once per run."""
        from runtime.explain_tree import derived_notes
        from runtime.explain_tree import derived_used

        lay, r = self.layout, self.layout.rows[self.row]
        led = self.package.ledger(lay.source) if lay.source else None
        texts = [lay.filter, lay.columns[self.column].value, r.rule if r.kind == "rule" else ""]
        for d, note in zip(got := derived_used(led, texts), derived_notes(got), strict=True):
            if f"derived:{lay.source}:{d['name']}" not in shown:
                shown.add(f"derived:{lay.source}:{d['name']}")
                out.append(f"{pad}{note}")

    def _body(self, out: list[str], pad: str, shown: set[str]) -> None:
        lay, r = self.layout, self.layout.rows[self.row]
        col = lay.columns[self.column]
        where = f" ({r.at})" if r.at else ""
        if r.kind in ("rule", "otherwise"):
            self._describe_layout(out, pad, shown)
            if r.kind == "rule":
                out.append(f"{pad}regra da linha{where}: {r.rule}")
            else:
                out.append(f"{pad}linha otherwise{where}: os registros do layout que não "
                           "casaram com nenhuma outra linha")
            self._derived(out, pad, shown)
            used = _distinct_lookups(self.records)
            if used:
                out.append(f"{pad}mapas consultados:")
                for lk, n in used:
                    out.append(f"{pad}  {lk.render()}  [{n} registro(s)]")
            minmax = col.func in ("min", "max")
            label = "valor corrente" if minmax else "valor"
            out.append(f"{pad}registros ({len(self.records)}; arquivo:linha  {label}):")
            for rec in self.records:
                text = (str(rec.amount) if col.func == "count"
                        else format_money(rec.amount) if rec.amount is not None else "nulo")
                out.append(f"{pad}  {rec.file}:{rec.line}  {text}")
        elif r.kind == "total":
            out.append(f"{pad}totalizador{where}: soma de {len(self.members)} linha(s)")
            if any(m.kind in ("rule", "otherwise") for m in self.members):
                self._describe_layout(out, pad, shown)
            for m in self.members:
                out.append(f"{pad}+ {m._short()} = {format_money(m.value)}")
                m._body(out, pad + "    ", shown)
            total = sum((m.value for m in self.members if m.value is not None), Decimal(0))
            out.append(f"{pad}soma das linhas: {format_money(total)}")
        else:
            out.append(f"{pad}linha de valor{where}: {col.id} = {self.expression or '0'}")
            for s in self.sources:
                out.append(f"{pad}← {s._title()} = {format_money(s.value)}")
                s._body(out, pad + "    ", shown)

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict[str, Any]:
        """The explanation as JSON-ready data (decimals as strings, exact)."""
        out = {"package": self.package.id, "partition_field": self.package.partition,
               "partition": json_value(self.part),
               "params": {k: json_value(v) for k, v in sorted(self.params.items())}}
        out.update(self._node())
        total = self.records_sum()
        out["records_sum"] = None if total is None else json_value(total)
        out["all_records"] = len(self.all_records())
        out["rejected_rows"] = len(self.rejects)
        return out

    def _node(self) -> dict[str, Any]:
        lay, r = self.layout, self.layout.rows[self.row]
        col = lay.columns[self.column]
        node: dict[str, Any] = {
            "layout": lay.id, "row": r.ref, "row_label": r.label, "column": col.id,
            "column_label": col.label, "value": json_value(self.value), "kind": r.kind,
            "at": str(r.at) if r.at else None}
        if r.kind in ("rule", "otherwise"):
            node.update({"source": lay.source, "hit_policy": lay.hit_policy,
                         "filter": lay.filter or None,
                         "filter_at": str(lay.filter_at) if lay.filter_at else None,
                         "rule": r.rule if r.kind == "rule" else None,
                         "column_expression": col.value,
                         "records": [rec.to_dict() for rec in self.records]})
        elif r.kind == "total":
            node["members"] = [m._node() for m in self.members]
        else:
            node.update({"expression": self.expression,
                         "sources": [s._node() for s in self.sources]})
        return node


def _distinct_lookups(records: list[Record]) -> list[tuple[Lookup, int]]:
    seen: dict[Lookup, int] = {}
    for rec in records:
        for lk in dict.fromkeys(rec.lookups):
            seen[lk] = seen.get(lk, 0) + 1
    return list(seen.items())


def show_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def json_value(v: Any) -> Any:
    if v is None or isinstance(v, bool | int | str):
        return v
    return str(v)  # Decimal (exact), date (ISO)


# ---------------------------------------------------------------------- building
def _node(package: Package, node_id: str) -> Layout | Sheets:
    """The layout or sheets node named by --layout; ExplainError (pt-BR) when unknown."""
    nodes = [n for n in package.nodes if isinstance(n, Layout | Sheets)]
    ids = [n.id for n in nodes]
    if node_id not in ids:
        raise ExplainError(f"o pacote '{package.id}' não tem o layout '{node_id}'",
                           option="--layout", help=choices("layouts", node_id, ids))
    return nodes[ids.index(node_id)]


def locate(package: Package, layout: str, ref: str, column: str) -> tuple[Layout, int, int]:
    """The layout, row index and column index of a cell; ExplainError (pt-BR) when unknown."""
    lay = _node(package, layout)
    if isinstance(lay, Sheets):
        raise ExplainError(f"'{layout}' escreve uma planilha por código: informe a planilha "
                           "da célula", option="--sheet")
    refs = [r.ref for r in lay.rows]
    if ref not in refs:
        raise ExplainError(f"o layout '{layout}' não tem a linha '{ref}'", option="--row",
                           help=choices("linhas", ref, refs))
    cols = [c.id for c in lay.columns]
    if column not in cols:
        raise ExplainError(f"o layout '{layout}' não tem a coluna '{column}'",
                           option="--column", help=choices("colunas", column, cols))
    return lay, refs.index(ref), cols.index(column)


def locate_cell(package: Package, layout: str, ref: str, column: str,
                sheet: str | None = None) -> None:
    """What can be checked of a cell before the run (ExplainError, a usage error): the node;
    for a layout its row and column; a sheets node needs `sheet` (its planilha), and its
    planilha, row and column are checked against the tables after the run (D0410–D0414)."""
    node = _node(package, layout)
    if isinstance(node, Sheets):
        if sheet is None:
            raise ExplainError(f"'{layout}' escreve uma planilha por código: informe a "
                               "planilha da célula (ex.: --sheet 3_11)", option="--sheet")
        return
    if sheet is not None:
        raise ExplainError(f"'{layout}' é um layout (uma planilha só): --sheet vale para os "
                           "nós sheets", option="--sheet")
    locate(package, layout, ref, column)


def choices(what: str, got: str, options: list[str]) -> str:
    close = difflib.get_close_matches(got, options, n=1)
    hint = f"você quis dizer '{close[0]}'? " if close else ""
    return f"{hint}{what}: " + ", ".join(options)


def _closure(package: Package, layout: str) -> list[str]:
    """The layout and every layout it reads from (depends_on), transitively."""
    out: list[str] = []
    stack = [layout]
    while stack:
        lid = stack.pop()
        if lid in out:
            continue
        out.append(lid)
        node = package.node(lid)
        stack.extend(node.depends_on if isinstance(node, Layout) else ())
    return out


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def traced_run(program: Runs, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
               node: str, part: Any, *, allow_rejects: bool,
               allow_unconfirmed: bool, allow_gaps: bool = False) -> tuple[Any, Trace, Any]:
    """Run only `node` (and what it reads) on the Python back end with lineage recorded for
    partition `part`: (the Result, the Trace, the partition as the run holds it). RunFailed
    on data errors, D0407 when the partition is not in the inputs."""
    pkg = program.package
    if pkg.partition is None:
        part = None
    trace = Trace(pkg, _closure(pkg, node), part)
    trace.origins = program.table_origins()
    with decimal.localcontext(CONTEXT):
        result = program.run(ledgers, params, select=_glob_escape(node),
                             allow_rejects=allow_rejects, backend="python", tracer=trace,
                             allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps)
    found = [p for p in result.partitions if p == part or str(p) == str(part)]
    if not found:
        shown = ", ".join(str(p) for p in result.partitions) or "nenhuma"
        raise RunFailed([catalog.unknown_partition(part, pkg.partition, shown)])
    return result, trace, found[0]


def explain(program: Runs, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
            layout: str, part: Any, ref: str, column: str = "V0", *,
            sheet: str | None = None, allow_rejects: bool = False,
            allow_unconfirmed: bool = False,
            allow_gaps: bool = False) -> Explanation | SheetExplanation:
    """Run the package on the Python back end with lineage recorded for one partition, and
    explain one cell — of a layout, or of a sheets node (`sheet`: its planilha code or file
    name; runtime/sheet_explain.py). Raises ExplainError (unknown layout/row/column, a
    missing sheet) or RunFailed (data errors; D0407 when the partition is not in the inputs;
    D0410–D0414 an unknown planilha, row or column of a sheets node)."""
    pkg = program.package
    locate_cell(pkg, layout, ref, column, sheet)
    node = _node(pkg, layout)
    if isinstance(node, Sheets):
        from runtime.sheet_explain import explain_sheet

        assert sheet is not None
        return explain_sheet(program, ledgers, params, node, part, sheet, ref, column,
                             allow_rejects=allow_rejects, allow_unconfirmed=allow_unconfirmed,
                             allow_gaps=allow_gaps)
    lay, row, col = locate(pkg, layout, ref, column)
    result, trace, found = traced_run(program, ledgers, params, lay.id, part,
                                      allow_rejects=allow_rejects,
                                      allow_unconfirmed=allow_unconfirmed,
                                      allow_gaps=allow_gaps)
    assert trace.ctx is not None
    exp = build_explanation(pkg, result.values, trace, lay.id, found, row, col,
                            dict(trace.ctx.params))
    exp.rejects = result.rejects
    return exp


def build_explanation(package: Package, values: Mapping[tuple[str, Any], list[list[Any]]],
                      trace: Trace, layout: str, part: Any, row: int, column: int,
                      params: dict[str, Any], depth: int = 0) -> Explanation:
    """The explanation of one cell from a traced run's values and hits."""
    lay = package.layout(layout)
    r = lay.rows[row]
    exp = Explanation(package=package, layout=lay, part=part, row=row, column=column,
                      value=values[(layout, part)][row][column], params=params)
    if depth > 50:  # the compiler refuses cycles; this only guards against a broken package
        return exp
    if r.kind in ("rule", "otherwise"):
        exp.records = [Record(file, line, delta[column], lookups)
                       for file, line, delta, lookups in trace.hits.get((layout, row), [])]
    elif r.kind == "total":
        exp.members = [build_explanation(package, values, trace, layout, part, j, column,
                                         params, depth + 1) for j in r.total_of]
    else:
        value = exp._value()
        exp.expression = value.text if value is not None else ""
        for src, srow, scol in (value.cells if value is not None else ()):
            exp.sources.append(build_explanation(package, values, trace, src, part, srow,
                                                 scol, params, depth + 1))
    return exp
