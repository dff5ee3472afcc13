"""What generated code sees while a run goes: parameters, built maps (missing keys reported
once per key), the accumulators of every computed node, the error and warning sinks, and the
tracing hook (`ScanContext.trace`, a Tracer: apura explain)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Protocol

from runtime import catalog
from runtime.errors import DataError
from runtime.errors import SkipRecord
from runtime.model import Package

_FIRST_LINES = 3  # a D0201 names the first lines of the records that looked its key up


class Tracer(Protocol):
    """Records lineage while a scan runs (runtime.trace.Trace); set as `ScanContext.trace`
    through `Program.run(..., tracer=...)`. Generated scans call it after a record added to a
    row; maps call `looked_up` for every lookup (a traced scan looks every key up through
    RuntimeMap.find)."""

    def __call__(self, node: str, part: Any, row: int, line: int, before: list[Any],
                 after: list[Any]) -> None: ...

    def sheet(self, node: str, part: Any, index: int, key: str, line: int, before: list[Any],
              after: list[Any], codes: tuple[Any, ...], row: Any,
              fields: tuple[Any, ...]) -> None:
        """A record of part `index` of a sheets node added to its line `key` (`<code>;<row>`):
        the planilha code's parts, the row key and the values of the fields its columns read
        (runtime.sheets.SheetPart.fields)."""

    def attach(self, ctx: ScanContext) -> None: ...

    def looked_up(self, m: RuntimeMap, key: tuple[Any, ...], line: int,
                  hit: tuple[Any, ...] | None) -> None: ...


class RuntimeMap:
    """A built map: key tuple → value tuple, with the declared missing-key behaviour."""

    def __init__(self, spec: Any, ctx: ScanContext) -> None:
        self.spec = spec
        self.ctx = ctx
        self.entries: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.lines: dict[tuple[Any, ...], int] = {}  # key → line of its entry (for explain)
        self.file = ""
        # its source input failed (D0107, D0108...): its lookups are follow-on errors, not shown
        self.failed = False
        # entries whose status is not confirmed (map `status`): kept out of `entries`, so the
        # generated scans' direct hits miss them and come here, where a use is noted (D0802)
        self.suspect: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.status: dict[tuple[Any, ...], str] = {}  # key → its status, for the message

    def find(self, key: tuple[Any, ...], line: int) -> tuple[Any, ...] | None:
        hit = self.entries.get(key)
        if hit is None and self.suspect:
            hit = self.suspect.get(key)
            if hit is not None:  # used if the record reaches a report (ctx.settle_used)
                self.ctx.used_pending.append((self.spec, key, self.status[key], self.file,
                                              self.lines[key], line))
        if self.ctx.trace is not None:
            self.ctx.trace.looked_up(self, key, line, hit)
        if hit is not None or self.spec.on_missing == "null":
            return hit
        if not self.failed:
            self.ctx.missing_key(self, key, line)
        raise SkipRecord


@dataclass(slots=True)
class _Missing:
    """The records of one input that looked up one missing key: D0201 at the first."""

    map: RuntimeMap
    key: tuple[Any, ...]
    file: str
    index: int          # of its error in ScanContext._errors
    lines: list[int]    # the first few
    count: int = 1

    def error(self) -> DataError:
        spec = self.map.spec
        shown = ", ".join(f"{k}={v}" for k, v in zip(spec.key, self.key, strict=True))
        n = f"{self.count:,}".replace(",", ".")
        listed = ", ".join(map(str, self.lines))
        where = (f"1 registro: linha {listed}" if self.count == 1 else
                 f"{n} registros: linhas {listed}" if self.count <= len(self.lines) else
                 f"{n} registros; primeiros: linhas {listed}")
        return catalog.missing_key(spec.id, shown, where, source=spec.source, at=spec.at,
                                   file=self.file, line=self.lines[0])


@dataclass(slots=True)
class _Used:
    """The records of one input that used one unconfirmed map entry (D0802 at the entry)."""

    map: Any            # its runtime.model.Map
    key: tuple[Any, ...]
    status: str
    at: str             # the entry's file
    entry: int          # and line
    file: str           # the input whose records used it
    lines: list[int]    # their first few lines
    last: int           # the line of the last record counted
    count: int = 1

    def error(self, allowed: bool) -> DataError:
        shown = "[" + ", ".join(f"{k}={v}" for k, v in zip(self.map.key, self.key,
                                                          strict=True)) + "]"
        n = f"{self.count:,}".replace(",", ".")
        listed = ", ".join(map(str, self.lines))
        where = (f"1 registro de {self.file}: linha {listed}" if self.count == 1 else
                 f"{n} registros de {self.file}: linhas {listed}"
                 if self.count <= len(self.lines) else
                 f"{n} registros de {self.file}; primeiros: linhas {listed}")
        if allowed:
            return catalog.unconfirmed_allowed(self.map.id, shown, self.status, where,
                                               file=self.at, line=self.entry)
        return catalog.unconfirmed_used(self.map.id, shown, self.status, where, file=self.at,
                                        line=self.entry)


class ScanContext:
    """What generated code sees: parameters, maps, accumulators, error and warning sinks.

    `acc[node_id][part]` is the accumulator table of a computed node in one partition (a list
    of rows, each a list of values; `rows()` makes it on first use from the node's declaration),
    filled by the Python scans or loaded from the SQL `aggregate` (runtime.backends.sqlrun);
    `finish` reads and completes it. Run-time outcomes of a node: `report(DataError)`."""

    def __init__(self, package: Package, params: dict[str, Any]) -> None:
        self.package = package
        self.params = params
        # apura explain: lineage hook, set before the scans (Program.run(tracer=...))
        self.trace: Tracer | None = None
        self.maps: dict[str, RuntimeMap] = {m.id: RuntimeMap(m, self) for m in package.maps}
        self.acc: dict[str, dict[Any, list[list[Any]]]] = {n.id: {} for n in package.nodes}
        self._nodes = {n.id: n for n in package.nodes}
        self._layouts = {lay.id: lay for lay in package.layouts}
        self._reports = frozenset(r.id for r in package.reports)
        self._errors: list[DataError] = []
        # warnings reported by nodes at finish (severity "aviso"): they do not fail the run
        self.warnings: list[DataError] = []
        # what the nodes' finish found, for the journal (runtime.checks.Outcome)
        self.outcomes: list[Any] = []
        # what this run computes: the layouts (None: all; a --select computes some) and the
        # ledgers it reads — a node reading anything else is not evaluated
        self.computed: frozenset[str] | None = None
        self.read: frozenset[str] = frozenset()
        # missing map keys: one D0201 per (map, key, input), with its count and first lines
        self._missing: dict[tuple[str, tuple[Any, ...], str], _Missing] = {}
        self._stale: dict[int, _Missing] = {}
        self.file = ""
        # ledger id → records that reached a layout (set by the generated scans)
        self.reached: dict[str, int] = {}
        # Set while a scan reads a CSV file with text amounts (see Reader.read_csv).
        self.amount: Callable[[Any], Any] | None = None
        # unconfirmed map entries used (D0802; D0803 when the run allows them), first met first
        self.allow_unconfirmed = False
        self._used: dict[tuple[str, tuple[Any, ...], str], _Used] = {}
        # the unconfirmed entries the current record looked up: they count as used when it
        # reaches a report (the generated scan calls settle_used at the end of the record)
        self.used_pending: list[tuple[Any, ...]] = []
        # coverage items (runtime/coverage.py): (node, key, input) → its Gap, first met first;
        # D1301 errors, D1302 warnings when the run allows gaps (--allow-gaps)
        self.gaps: dict[tuple[str, tuple[Any, ...], str], Any] = {}
        self.allow_gaps = False
        # allocation nodes (runtime/allocation.py), which allocate at finish what the scans
        # carried: each input's read stats (its display name, the rows its reader rejected),
        # the state file (None: an empty state, not saved), the new state rows for the
        # lifecycle to store at commit, and the source rows they refused (D1401)
        self.read_stats: dict[str, Any] = {}
        # derivation nodes (runtime/derivation.py), which read their inputs again at finish:
        # the run's inputs and their display names
        self.inputs: Mapping[str, Any] = {}
        self.input_names: dict[str, str] = {}
        self.state_file: str | Path | None = None
        self.state_writes: list[Any] = []
        # incremental derivations (runtime/derivation_state.py): the load --as-of names (None:
        # this run's extract is a new load) and the picture of each ledger, shared by them
        self.as_of: str | None = None
        self.derivation_loads: dict[str, Any] = {}
        self.rejected: list[DataError] = []
        # the back end of the run: derivation nodes compute with their SQL on the SQL ones
        self.backend = "python"

    @property
    def errors(self) -> list[DataError]:
        """The run's evaluation errors so far (D0201, D0202, D0301), in the order they were
        first met; appending to it adds one."""
        for m in self._stale.values():
            self._errors[m.index] = m.error()
        self._stale.clear()
        return self._errors

    def missing_key(self, m: RuntimeMap, key: tuple[Any, ...], line: int) -> None:
        """A record looked up `key` in map `m`, which has no entry for it (D0201)."""
        k = (m.spec.id, key, self.file)
        got = self._missing.get(k)
        if got is None:
            got = self._missing[k] = _Missing(map=m, key=key, file=self.file,
                                              index=len(self._errors), lines=[line])
            self._errors.append(got.error())
            return
        self._stale[got.index] = got  # its message is rebuilt when the errors are read
        got.count += 1
        if len(got.lines) < _FIRST_LINES:
            got.lines.append(line)

    def unconfirmed(self, spec: Any, key: tuple[Any, ...], status: str, at: str, entry: int,
                    line: int) -> None:
        """A record (at `line` of the current input) used the unconfirmed entry `key` of map
        `spec` (its status, file and line). A record counts once, however many of its
        lookups hit the entry."""
        k = (spec.id, key, self.file)
        got = self._used.get(k)
        if got is None:
            self._used[k] = _Used(map=spec, key=key, status=status, at=at, entry=entry,
                                  file=self.file, lines=[line], last=line)
            return
        if got.last == line:
            return
        got.count += 1
        got.last = line
        if len(got.lines) < _FIRST_LINES:
            got.lines.append(line)

    def settle_used(self, reached: bool) -> None:
        """The end of a record that looked up unconfirmed entries: they were used if it
        reached a report (got a row of a layout), else they are forgotten."""
        if reached:
            for args in self.used_pending:
                self.unconfirmed(*args)
        self.used_pending.clear()

    def unconfirmed_reports(self) -> list[DataError]:
        """D0802 for every unconfirmed entry used (D0803, warnings, when allowed), in the
        order first used."""
        return [u.error(self.allow_unconfirmed) for u in self._used.values()]

    def input_failed(self, ledger: str) -> None:
        """Input `ledger` had a fatal error (header, encoding...): the maps it feeds are
        incomplete, so their missing keys are follow-on errors and are not reported."""
        for m in self.maps.values():
            if m.spec.source == ledger:
                m.failed = True

    def computes(self, node_id: str) -> bool:
        """Whether this run computes node `node_id` (every node but the reports a --select or
        a `when:` leaves out): the scans skip the parts of the others."""
        return self.computed is None or node_id in self.computed or \
            node_id not in self._reports

    def new_rows(self, node_id: str) -> Any:
        """A fresh accumulator table of a node (Node.new_acc)."""
        return self._nodes[node_id].new_acc()

    def rows(self, node_id: str, part: Any) -> Any:
        """The accumulator table of a node in a partition (made on first use)."""
        got = self.acc[node_id].get(part)
        if got is None:
            got = self.acc[node_id][part] = self.new_rows(node_id)
        return got

    def report(self, error: DataError) -> None:
        """A run-time outcome of a node (at finish): an error fails the run, a warning
        (severity "aviso") is kept in Result.warnings."""
        if error.severity == "aviso":
            self.warnings.append(error)
        else:
            self.errors.append(error)

    def conflict(self, layout_id: str, first: int, second: int, line: int) -> int:
        lay = self._layouts[layout_id]
        a, b = lay.rows[first], lay.rows[second]
        self.errors.append(catalog.unique_conflict(layout_id, (a.ref, a.at), (b.ref, b.at),
                                                   file=self.file, line=line))
        return first
