"""The part of a SQL run every engine shares: read the ledgers into the engine (fast SQL path,
or the Python reader when a file is anything but plain), turn the `errors` rows into the very
DataErrors the Python back end reports, and fill the accumulators of every node
(ctx.acc[node][part], as the Python scans do) from `aggregate`.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any
from typing import Protocol

from runtime import catalog
from runtime.backends.plan import LedgerPlan
from runtime.csvfile import text_encoding
from runtime.errors import DataError
from runtime.errors import SkipRecord
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.model import Ledger
from runtime.model import Package

Progress = Callable[[str], None]


@dataclass(slots=True)
class CsvShape:
    """What a quick byte scan of a CSV file tells: physical lines, and whether every record is
    one line of unquoted cells (then SQL can split it exactly as Python's csv module)."""

    lines: int
    plain: bool


def prescan(path: Path) -> CsvShape | None:
    lines = cr = crlf = 0
    plain = True
    last = b""
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(1 << 24):
                lines += chunk.count(b"\n")
                if b"\r" in chunk or last == b"\r":
                    cr += chunk.count(b"\r")
                    crlf += chunk.count(b"\r\n") + (last == b"\r" and chunk[:1] == b"\n")
                if plain and (b'"' in chunk or b"\x00" in chunk):
                    plain = False
                last = chunk[-1:]
    except OSError:
        return None
    if last and last not in (b"\n", b"\r"):
        lines += 1
    lines += cr - crlf  # lone CRs end lines too, for Python's csv module
    return CsvShape(lines=lines, plain=plain and cr == crlf)


def file_encoding(led: Ledger) -> str:
    return text_encoding(led.format)


def read_header(path: Path, led: Ledger) -> list[str] | None:
    """The first record of a plain file, as Python's csv module splits it."""
    with open(path, encoding=file_encoding(led), newline="") as fh:
        first = fh.readline()
    if first == "":
        return None
    first = first.rstrip("\r\n")
    return first.split(led.format.delimiter) if first else []


def recheck(path: Path, led: Ledger, reader: Reader, order: list[int], width: int,
            display: str, lines: list[int]) -> list[tuple[Any, ...] | DataError]:
    """Python's verdict on the given physical lines of a plain file, read from the file."""
    wanted = set(lines)
    out: dict[int, tuple[Any, ...] | DataError] = {}
    with open(path, encoding=file_encoding(led), newline="") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if lineno in wanted:
                text = raw.rstrip("\r\n")
                cells = next(csv.reader([text], delimiter=led.format.delimiter, strict=True), [])
                out[lineno] = reader.one_row(cells, order, width, display, lineno)
    return [out[n] for n in lines]


def capacity_error(display: str, line: int, backend: str, detail: str) -> DataError:
    return catalog.overflow(display, backend=backend, detail=detail, line=line)


class Engine(Protocol):
    """What an engine does for the shared driver."""

    name: str

    def set_params(self, pkg: Package, params: Mapping[str, Any],
                   flags: Mapping[str, bool] | None = None) -> None: ...

    def load_csv(self, led: Ledger, path: Path, display: str, st: ReadStats, reader: Reader,
                 plan: LedgerPlan) -> bool: ...

    def load_parquet(self, led: Ledger, path: Path, display: str, st: ReadStats,
                     reader: Reader, plan: LedgerPlan) -> None: ...

    def load_rows(self, led: Ledger, rows: list[tuple[Any, ...]], display: str,
                  st: ReadStats) -> None: ...

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]: ...

    def ensure_lines(self, name: str) -> bool: ...

    def first_line(self, name: str, field: str, value: Any) -> int | None: ...

    def is_overflow(self, exc: Exception) -> bool: ...

    def close(self) -> None: ...


_PARSE: dict[str, Callable[[str], Any]] = {
    "int": int, "decimal": Decimal, "str": str, "bool": lambda s: s.lower() == "true",
    "date": datetime.date.fromisoformat}


def _missing_key(ctx: Any, chk: Mapping[str, Any], r: tuple[Any, ...], at: dict[str, int],
                 line: int) -> None:
    """D0201 (the map's find() reports it and raises SkipRecord)."""
    if r[at[chk["column"]]]:
        ctx.maps[chk["map"]].find(tuple(r[at[k]] for k in chk["keys"]), line)


def _unconfirmed(ctx: Any, chk: Mapping[str, Any], r: tuple[Any, ...], at: dict[str, int],
                 line: int) -> None:
    """D0802: the record used an entry whose status is not confirmed (as the map's find()
    notes it on the Python back end)."""
    if r[at[chk["column"]]]:  # the SQL test holds only for records that reach a report
        rt = ctx.maps[chk["map"]]
        ctx.used_pending.append((rt.spec, tuple(r[at[k]] for k in chk["keys"]),
                                 r[at[chk["status"]]], rt.file, int(r[at[chk["entry"]]]), line))


def _unique(ctx: Any, chk: Mapping[str, Any], r: tuple[Any, ...], at: dict[str, int],
            line: int) -> None:
    """D0301, once for each rule after the first that holds."""
    hits = [row for row, c in chk["rows"] if r[at[c]]]
    for h in hits[1:]:
        ctx.conflict(chk["layout"], hits[0], h, line)


def _coverage(ctx: Any, chk: Mapping[str, Any], r: tuple[Any, ...], at: dict[str, int],
              line: int) -> None:
    """D1301/D1304: the record is an item of a coverage node (runtime/coverage.py)."""
    if r[at[chk["column"]]]:
        from runtime.coverage import gap

        status = r[at[chk["status"]]] if chk["status"] is not None else None
        gap(ctx, ctx.package.node(chk["node"]), tuple(r[at[k]] for k in chk["keys"]), line,
            status)


def _allocation_class(ctx: Any, chk: Mapping[str, Any], r: tuple[Any, ...],
                      at: dict[str, int], line: int) -> None:
    """D1401: a source record of an allocation whose class the map does not give (a
    rejected row, runtime/allocation.Allocation.refuse)."""
    if r[at[chk["column"]]]:
        ctx.package.node(chk["node"]).refuse(ctx, tuple(r[at[k]] for k in chk["keys"]), line)


# plan.json `checks` kind → how one `errors` row is reported (what the Python scan reports
# for the same record): the per-record checks of compiler/scanplan.py.
RECORD_CHECKS: dict[str, Callable[[Any, Mapping[str, Any], tuple[Any, ...], dict[str, int],
                                   int], None]] = {"lookup": _missing_key, "unique": _unique,
                                                   "unconfirmed": _unconfirmed,
                                                   "coverage": _coverage,
                                                   "allocation_class": _allocation_class}


def _record_parsers(kinds: list[str]) -> list[Callable[[str], Any] | None]:
    """How each value of a "record" accumulator row is parsed back (None: a text, as is)."""
    return [None if k == "str" else _PARSE[k] for k in kinds]


class SqlRun:
    """One run of a package on one engine."""

    def __init__(self, pkg: Package, engine: Engine, plans: dict[str, LedgerPlan],
                 progress: Progress | None) -> None:
        self.pkg = pkg
        self.engine = engine
        self.plans = plans
        self.progress = progress

    def read(self, name: str, src: Any, display: str, st: ReadStats) -> None:
        led = self.pkg.ledger(name)
        reader = Reader(led, name, self.pkg.partition)
        if isinstance(src, str | Path):
            path = Path(src)
            if path.suffix.lower() == ".parquet":
                self.engine.load_parquet(led, path, display, st, reader, self.plans[name])
            elif not self.engine.load_csv(led, path, display, st, reader, self.plans[name]):
                rows = list(reader.read_csv(path, display, st))
                self.engine.load_rows(led, rows, display, st)
        else:
            rows = list(reader.read_rows(src, display, st))
            self.engine.load_rows(led, rows, display, st)
        if self.progress is not None:
            self.progress(f"{display}: {st.read} linha(s) lida(s)")

    def duplicates(self, ctx: Any, name: str, display: str,
                   report: Callable[..., DataError]) -> None:
        for m in self.pkg.maps:
            if m.source != name:
                continue
            cols, rows = self._reporting(name, self.plans[name].statement(f"duplicates {m.id}"))
            k = len(m.key)
            for r in rows:
                ctx.errors.append(report(m, tuple(r[:k]), r[k], r[k + 1], display))

    def _reporting(self, name: str, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Run a statement that reports records by line: when it finds any and the ledger has
        no line numbers yet (streamed from its file), give it lines and run it again."""
        cols, rows = self.engine.query(sql)
        if rows and self.engine.ensure_lines(name):
            cols, rows = self.engine.query(sql)
        return cols, rows

    def errors(self, ctx: Any, name: str, display: str) -> None:
        plan = self.plans[name]
        if "errors" not in plan.statements:
            return
        for chk in plan.checks:  # D0802 names the entry's line: its map source needs lines
            if chk["kind"] == "unconfirmed":
                self.engine.ensure_lines(self.pkg.maps[[m.id for m in self.pkg.maps]
                                                       .index(chk["map"])].source)
        cols, rows = self._reporting(name, plan.statement("errors"))
        at = {c: i for i, c in enumerate(cols)}
        ctx.file = display
        for r in rows:
            line = r[at["_line"]]
            try:
                for chk in plan.checks:  # the scan plan's order
                    RECORD_CHECKS[chk["kind"]](ctx, chk, r, at, line)
            except SkipRecord:  # the record is skipped: its later checks are not made
                ctx.used_pending.clear()  # and it used no entry (as on the Python back end)
                continue
            if ctx.used_pending:
                ctx.settle_used(True)

    def aggregate(self, ctx: Any, name: str, st: ReadStats) -> bool:
        """Fill the scan accumulators and the ledger's partitions (layout '*'); True when the
        `errors` statement must run (the aggregate counts the records it would report, under
        layout '')."""
        plan = self.plans[name]
        if "aggregate" not in plan.statements:
            return "errors" in plan.statements
        records = {node: _record_parsers(kinds[1:]) for node, kinds in plan.accumulators.items()
                   if kinds and kinds[0] == "record"}
        if records:  # a node given the records one by one needs their lines
            self.engine.ensure_lines(name)
        try:
            _, rows = self.engine.query(plan.statement("aggregate"))
        except Exception as exc:
            if not self.engine.is_overflow(exc):
                raise
            st.fatal.append(catalog.overflow(st.path, what=f"sobre '{name}'"))  # as on Python
            return False
        must_check = "errors" in plan.statements
        reaching = bool(self.pkg.ledger(name).layouts)  # nodes D0601 counts records of
        if reaching:
            st.reached = 0
        groups: dict[tuple[str, Any, str], list[tuple[Any, ...]]] = {}
        for r in rows:
            if r[0] in records:  # one row per record: grouped by node, partition and list
                group = groups.get((r[0], r[1], r[3]))
                if group is None:
                    group = groups[(r[0], r[1], r[3])] = []
                group.append(r)
                continue
            node, part, row, *values = r
            if node == "":
                must_check = int(values[0]) > 0
                continue
            if node == "*":  # a partition, and how many of its records reached a layout
                if self.pkg.partition is not None:
                    st.partitions.add(part)
                n = int(values[0])
                if st.reached is not None:
                    st.reached += n
                if n:
                    st.reached_partitions.add(part)
                continue
            kinds = plan.accumulators[node]  # any computed node: ctx.acc[node][part]
            if kinds and kinds[0] == "key":  # keyed (runtime/sheets.py): v0 is the key
                target = ctx.rows(node, part)[values[0]]
                kinds, values = kinds[1:], values[1:]
            else:
                target = ctx.rows(node, part)[row]
            for k, kind in enumerate(kinds):
                if kind == "none":
                    continue
                v = values[k]
                if v is not None:  # NULL: nothing accumulated, the initial value stays
                    target[k] = _PARSE[kind](v)
        _add_records(ctx, groups, records)
        return must_check


def _add_records(ctx: Any, groups: dict[tuple[str, Any, str], list[tuple[Any, ...]]],
                 parsers: dict[str, list[Callable[[str], Any] | None]]) -> None:
    """The "record" rows of `aggregate` (layout, part, row, v0 the list's name, the values),
    grouped by node, partition and list, appended to `ctx.acc[node][part][list]` as tuples of
    the parsed values — parsed a column at a time (a few hundred thousand records: half the
    time of a row at a time)."""
    for (node, part, name), rows in groups.items():
        parsed = []
        for k, p in enumerate(parsers[node], start=4):
            col = list(map(itemgetter(k), rows))
            parsed.append(col if p is None else list(map(p, col)) if None not in col else
                          [None if v is None else p(v) for v in col])
        ctx.rows(node, part)[name].extend(zip(*parsed, strict=True))
