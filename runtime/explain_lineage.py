"""Lineage on demand for the explainers of the kinds whose values the scans accumulate
(runtime/explain_indicator.py, runtime/explain_check.py): a run of the one node asked for, on
the Python back end, whose accumulator records which input record (file:line) added what.

The generated scans are not changed for it. `NodeTrace` is a runtime.scan.Tracer: when the
run attaches it, it makes the node's accumulator tables (`ctx.new_rows`) traced ones — every
row a `TracedRow`, a list that notes, on each assignment, what the value was before and after
— and `Program._scan_python` hands it each ledger's rows (`rows`), so it knows the line of the
record being scanned when the row changes. A record reaching a key of a keyed accumulator
(`_a[_k]`) is noted too, so the records that reached a key but added nothing to a measure
(its `where` left them out) are listed, adding 0. The layouts the node reads (a check's
`cell(...)`) are traced by runtime.trace.Trace, which NodeTrace extends.

Also the common pieces of the explanation tree (docs EXPLAIN.md): a source, exact values."""

from __future__ import annotations

import decimal
from collections.abc import Collection
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from decimal import Decimal
from typing import TYPE_CHECKING
from typing import Any

from runtime import catalog
from runtime.errors import RunFailed
from runtime.locations import Loc
from runtime.sheets import KeyedRows
from runtime.trace import Lookup
from runtime.trace import Trace
from runtime.values import CONTEXT

if TYPE_CHECKING:
    from runtime.model import LedgerInput
    from runtime.model import Package
    from runtime.scan import RuntimeMap
    from runtime.scan import ScanContext


@dataclass(slots=True)
class Hit:
    """One input record under one row of the node's accumulator: where it is, what it added
    to each aggregate (None: nothing), and the map entries it looked up."""

    file: str
    line: int
    added: list[Any]
    lookups: tuple[Lookup, ...] = ()


@dataclass(slots=True)
class RowHits:
    """The records under one row (a key of an indicator, the one row of a check), in input
    order, by (file, line)."""

    width: int
    hits: dict[tuple[str, int], Hit] = field(default_factory=dict)

    def at(self, trace: NodeTrace) -> Hit:
        where = (trace.file, trace.line)
        got = self.hits.get(where)
        if got is None:
            got = self.hits[where] = Hit(trace.file, trace.line, [None] * self.width,
                                         trace.lookups_at(where))
        return got


class TracedRow(list):  # type: ignore[type-arg]
    """An accumulator row that notes, per aggregate, what each record changed: a sum or a
    count the difference (after − before), a min or max the value it set."""

    def __init__(self, values: list[Any], trace: NodeTrace, hits: RowHits) -> None:
        super().__init__(values)
        self.trace = trace
        self.row_hits = hits

    def __setitem__(self, index: Any, value: Any) -> None:
        before = self[index]
        super().__setitem__(index, value)
        if not isinstance(index, int) or self.trace.line < 0:
            return
        hit = self.row_hits.at(self.trace)
        if self.trace.funcs[index] in ("min", "max"):
            hit.added[index] = value
        else:
            hit.added[index] = (hit.added[index] or 0) + (value - (before or 0))


class TracedKeyed(KeyedRows):
    """A keyed accumulator (an indicator's: key text → row) whose rows are traced; a record
    reaching a key is noted even when it adds to none of its aggregates."""

    def __init__(self, inits: tuple[Any, ...], trace: NodeTrace) -> None:
        super().__init__(inits)
        self.trace = trace
        self.by_key: dict[str, RowHits] = {}

    def __missing__(self, key: str) -> list[Any]:
        hits = self.by_key[key] = RowHits(len(self.inits))
        row = self[key] = TracedRow(list(self.inits), self.trace, hits)
        return row

    def __getitem__(self, key: str) -> list[Any]:
        row = super().__getitem__(key)
        if self.trace.line >= 0 and isinstance(row, TracedRow):
            row.row_hits.at(self.trace)
        return row  # type: ignore[no-any-return]


class NodeTrace(Trace):
    """Traces one node's accumulator (`node`), and the layouts it reads (`layouts`, as
    runtime.trace.Trace does), in the partition `part`."""

    def __init__(self, package: Package, node: str, funcs: tuple[str, ...],
                 layouts: Collection[str], part: Any) -> None:
        super().__init__(package, layouts, part)
        self.node = node
        self.funcs = funcs
        self.file = ""
        self.line = -1
        self._lookups_by_line: dict[tuple[str, int], tuple[Lookup, ...]] = {}

    def attach(self, ctx: ScanContext) -> None:
        super().attach(ctx)
        plain = ctx.new_rows

        def new_rows(node_id: str) -> Any:
            made = plain(node_id)
            if node_id != self.node:
                return made
            if isinstance(made, KeyedRows):
                return TracedKeyed(made.inits, self)
            # a check's accumulator: one row (runtime/checks.Check.new_acc)
            return [TracedRow(list(r), self, RowHits(len(r))) for r in made]
        ctx.new_rows = new_rows  # type: ignore[method-assign]

    def rows(self, ledger: str, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        """Program._scan_python: each record of `ledger`, its line noted while it is scanned."""
        assert self.ctx is not None
        self.file = self.ctx.file
        try:
            for r in rows:
                self.line = r[-1]
                yield r
        finally:
            self.line = -1

    def looked_up(self, m: RuntimeMap, key: tuple[Any, ...], line: int,
                  hit: tuple[Any, ...] | None) -> None:
        super().looked_up(m, key, line, hit)
        assert self.ctx is not None
        at = (self.ctx.file, line)
        got = self._lookups_by_line.get(at, ())
        lk = self._lookup(m, key, hit)
        if lk not in got:
            self._lookups_by_line[at] = (*got, lk)

    def lookups_at(self, where: tuple[str, int]) -> tuple[Lookup, ...]:
        return self._lookups_by_line.get(where, ())


def traced_node_run(program: Any, ledgers: Mapping[str, LedgerInput],
                    params: Mapping[str, Any], trace: NodeTrace, select: str | None,
                    part: Any, *,
                    allow_rejects: bool = False, allow_unconfirmed: bool = False,
                    allow_gaps: bool = False, state: Any = None,
                    as_of: str | None = None) -> tuple[Any, Any]:
    """Run `select` with `trace` on the Python back end: (the Result, the partition as the
    run holds it). RunFailed on data errors; D0407 when the partition is not in the inputs.
    `state`/`as_of`: the state file a run reads (never writes: nothing is committed) and the
    load it answers from (an incremental derivation replayed, runtime/explain_loads.py)."""
    trace.origins = program.table_origins()
    with decimal.localcontext(CONTEXT):
        result = program.run(ledgers, params, select=select, allow_rejects=allow_rejects,
                             backend="python", tracer=trace,
                             allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps,
                             allocation_state=state, as_of=as_of)
    pkg = program.package
    if pkg.partition is None:
        return result, None
    found = [p for p in result.partitions if p == part or str(p) == str(part)]
    if not found:
        shown = ", ".join(str(p) for p in result.partitions) or "nenhuma"
        raise RunFailed([catalog.unknown_partition(part, pkg.partition, shown)])
    return result, found[0]


def glob_escape(text: str) -> str:
    """A node id as a --select glob that matches only it."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


# ---------------------------------------------------------------------- the common tree
def exact(v: Any) -> Any:
    """A value as the tree holds it: decimals, dates as exact strings; None, bool, int, str
    as they are (runtime.trace.json_value)."""
    if v is None or isinstance(v, bool | int | str):
        return v
    return str(v)


def source(loc: Loc | None) -> dict[str, Any] | None:
    if loc is None:
        return None
    return {"file": loc.file, "line": loc.line, "col": loc.col}


def at_text(src: Mapping[str, Any] | None) -> str:
    """`file:line[:col]` of a tree's source, '' without one."""
    if not src:
        return ""
    col = f":{src['col']}" if src.get("col") else ""
    return f"{src['file']}:{src['line']}{col}"


def params_text(params: Mapping[str, Any]) -> str:
    """The run's parameters as the explain texts list them: `bimestre=2, gerar=false`."""
    return ", ".join(f"{k}={str(v).lower() if isinstance(v, bool) else v}"
                     for k, v in params.items())


def lookup_dict(lk: Lookup) -> dict[str, Any]:
    """A map entry a record used, as the tree's `lookups` hold it."""
    source_: dict[str, Any] | None = None
    if lk.at:
        file, _, line = lk.at.rpartition(":")
        source_ = {"file": file, "line": int(line)} if line.isdigit() else {"file": lk.at}
    return {"map": lk.map, "key": {k: exact(v) for k, v in lk.key},
            "hit": None if lk.values is None else {k: exact(v) for k, v in lk.values},
            "source": source_}


def tree(kind: str, package: Package, node: str, part: Any, title: str, value: Any,
         **more: Any) -> dict[str, Any]:
    """An explanation node with every key of the common tree (EXPLAIN.md), defaults empty."""
    out: dict[str, Any] = {
        "kind": kind, "package": package.id, "node": node,
        "partition": None if part is None else str(part), "title": title, "value": value,
        "rule": None, "params": {}, "lookups": [], "decision": None, "records": [],
        "records_sum": None, "reads": [], "notes": []}
    out.update(more)
    return out


def total(values: list[Any]) -> Decimal | int:
    """The exact sum of contributions (ints stay ints: a count)."""
    if all(isinstance(v, int) for v in values):
        return int(sum(values))
    return sum((Decimal(v) for v in values), Decimal(0))
