"""The SQL back ends' side of a run (duckdb, spark): each input loaded into the engine and
scanned by the compiled plan (generated/<pkg>/sql/<dialect>/<ledger>.sql, runtime/backends/
sqlrun.py), the per-record checks and the partitions' errors — the counterpart of the Python
scan in runtime/program.py (Program._scan_python)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.errors import DataError
from runtime.inputs import OmittedInput
from runtime.inputs import duplicate_key
from runtime.inputs import input_display
from runtime.ledgers import ReadStats
from runtime.model import LedgerInput
from runtime.model import Package
from runtime.model import report_flag
from runtime.partitions import partition_errors
from runtime.scan import ScanContext


def scan_sql(pkg: Package, folder: Path, ctx: ScanContext, ledgers: Mapping[str, LedgerInput],
             order: list[str], errors: list[DataError], backend: str, params: dict[str, Any],
             progress: Callable[[str], None] | None) -> list[ReadStats]:
    """Read and aggregate the `order`ed inputs on a SQL engine (duckdb, spark) from the
    compiled plan in `folder`/sql: the accumulators land in `ctx`, the data errors in
    `errors` and `ctx`; the inputs' ReadStats are returned."""
    from runtime.backends.plan import load_plan
    from runtime.backends.sqlrun import SqlRun

    engine: Any
    if backend == "duckdb":
        from runtime.backends.duckdb import DuckDBEngine

        plans = load_plan(folder, "duckdb")
        engine = DuckDBEngine()
    else:
        from runtime.backends.spark import SparkEngine

        plans = load_plan(folder, "spark")
        engine = SparkEngine()
    run = SqlRun(pkg, engine, plans, progress)
    stats: list[ReadStats] = []
    try:
        engine.set_params(pkg, params, {report_flag(k): ctx.computes(r.id)
                                        for k, r in enumerate(pkg.reports)})
        # a map looked up only by the parts of reports the run does not compute is not
        # read (runtime/inputs.with_map_sources): its source is an empty table here, for
        # the scan's join (those parts' rows are skipped by their flag)
        source_of = {m.id: m.source for m in pkg.maps}
        for name in dict.fromkeys(source_of[m] for n in order
                                  for m in (pkg.ledger(n).maps or ())):
            if name not in order:
                run.read(name, OmittedInput(name), f"<não lida:{name}>",
                         ReadStats(name=name, path=name))
        for name in order:
            src = ledgers[name]
            display = input_display(src, name)
            st = ReadStats(name=name, path=display)
            stats.append(st)
            run.read(name, src, display, st)
            for m in pkg.maps:  # where the entries are (D0802 names the entry's line)
                if m.source == name:
                    ctx.maps[m.id].file = display
            run.duplicates(ctx, name, display, duplicate_key)
            # the aggregate also counts the records `errors` would report (a second pass
            # over the ledger only when there are some); a failed run ignores the sums;
            # an omitted optional input has no records: nothing to aggregate (its table
            # exists, empty, for the joins of the maps built from it)
            if pkg.ledger(name).scan is not None and not isinstance(src, OmittedInput) \
                    and run.aggregate(ctx, name, st):
                run.errors(ctx, name, display)
            if isinstance(src, OmittedInput) and pkg.ledger(name).layouts:
                st.reached = 0  # none of its (no) records reached a report, as on python
            errors.extend(st.fatal)
            if st.fatal:
                ctx.input_failed(name)
        if pkg.partition is not None:
            part = pkg.partition

            def first_line(st: Any, value: Any) -> int:
                if value in st.partition_lines:
                    return int(st.partition_lines[value])
                return engine.first_line(st.name, part, value) or 1
            errors.extend(partition_errors(stats, part, first_line))
    finally:  # the aggregates are in ctx: the engine is done
        engine.close()
    return stats
