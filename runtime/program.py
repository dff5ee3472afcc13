"""Load a generated package and run it: read ledgers, build maps, scan, finish, render."""

from __future__ import annotations

import decimal
import hashlib
import importlib
import importlib.util
import sys
from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from runtime import bundle
from runtime import catalog
from runtime import gcpause
from runtime.coverage import python_maps
from runtime.coverage import reports as coverage_reports
from runtime.derivation_state import as_of_inputs
from runtime.errors import DataError
from runtime.errors import RunFailed
from runtime.inputs import OmittedInput
from runtime.inputs import build_maps
from runtime.inputs import input_display
from runtime.inputs import omitted_warnings
from runtime.inputs import report_maps
from runtime.inputs import table_copies
from runtime.inputs import with_map_sources
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.model import Layout
from runtime.model import LedgerInput
from runtime.model import Package
from runtime.model import Report
from runtime.params import convert_param
from runtime.parquet import check_schema
from runtime.partitions import partition_errors
from runtime.result import Result
from runtime.result import SelectionConflict
from runtime.scan import ScanContext
from runtime.scan import Tracer
from runtime.selection import selects
from runtime.sqlscan import scan_sql
from runtime.values import CONTEXT
from runtime.views import LayoutYears
from runtime.views import Views

if TYPE_CHECKING:
    from runtime.lifecycle import RunRecord
    from runtime.origins import Origins
    from runtime.sheet_explain import SheetExplanation
    from runtime.trace import Explanation

__all__ = ["LedgerInput", "LoadError", "Program", "Result", "SelectionConflict", "load"]


class Program:
    """A loaded compiled package."""

    def __init__(self, package: Package, module: Any) -> None:
        self.package = package
        self.module = module

    @property
    def layouts(self) -> tuple[Layout, ...]:
        return self.package.layouts

    @property
    def reports(self) -> tuple[Report, ...]:
        """What a run can select: the nodes that write files (layouts, sheets)."""
        return self.package.reports

    def view_for(self, params: Mapping[str, Any]) -> Program:
        """The program that runs these parameters: itself (a package with layout years,
        runtime.views.Views, chooses one of its views)."""
        return self

    def selected(self, select: str | None, params: Mapping[str, Any] | None = None
                 ) -> list[Report]:
        """The nodes that write files (layouts, sheets) whose ids match the glob (all when
        None) and, given the run's (checked) parameters, whose `when:` holds; raises
        SelectionConflict when two of them are alternatives of one group (`alternative_of`):
        at most one of a group runs."""
        select = self.default(select)
        off = self.package.inactive(dict(params)) if params is not None else frozenset()
        chosen = [lay for lay in self.package.reports
                  if (select is None or selects(select, lay.id))
                  and lay.id not in off]
        groups: dict[str, list[str]] = {}
        for lay in chosen:
            if lay.alternative_of:
                groups.setdefault(lay.alternative_of, []).append(lay.id)
        for group, ids in groups.items():
            if len(ids) > 1:
                raise SelectionConflict(group, ids, select)
        return chosen

    def default(self, select: str | None) -> str | None:
        """The selection of a run: `select`, or without one the package's `select:` (the rule
        in force of a package whose rules are alternatives: debita), or None (every report)."""
        return select if select is not None else self.package.default_select

    def computed(self, select: str | None = None, params: Mapping[str, Any] | None = None
                 ) -> dict[str, Report]:
        """What a run of `select` computes: the selected nodes and the layouts they read."""
        needed_layouts: dict[str, Report] = {}
        stack = self.selected(select, params)
        while stack:
            lay = stack.pop()
            if lay.id in needed_layouts:
                continue
            needed_layouts[lay.id] = lay
            stack.extend(self.package.report(d) for d in lay.depends_on)
        return needed_layouts

    def required_inputs(self, select: str | None = None,
                        params: Mapping[str, Any] | None = None) -> list[str]:
        """Ledger ids a run of the selected layouts reads (their sources, deps and the sources
        of the maps they look up); without a selection, also the ledgers other nodes read (a
        check's `source`) — of the nodes whose `when:` holds, given the parameters. Those
        whose ledger is `optional` may be omitted (see `inputs`); the tables shipped with the
        package are not inputs (see `tables_read`)."""
        return [n for n in self._reads(select, params) if self.package.ledger(n).table is None]

    def inputs(self, select: str | None = None,
               params: Mapping[str, Any] | None = None) -> dict[str, str]:
        """Input id → "required" or "optional" (`optional: true` on its ledger: a run may omit
        it), for the ledgers a run of `select` reads (as `required_inputs`)."""
        return {name: "optional" if self.package.ledger(name).optional else "required"
                for name in self.required_inputs(select, params)}

    def tables_read(self, select: str | None = None,
                    params: Mapping[str, Any] | None = None,
                    omitted: frozenset[str] = frozenset()) -> list[str]:
        """The tables (compiler/kinds/table) a run of the selected layouts reads: the sources
        of its maps that ship with the package; the runtime reads their copies itself. What
        only the `omitted` inputs (optional ones the run was not given) would look up is not
        read: no record of theirs looks anything up."""
        return [n for n in self._reads(select, params, omitted)
                if self.package.ledger(n).table is not None]

    def _reads(self, select: str | None, params: Mapping[str, Any] | None,
               omitted: frozenset[str] = frozenset()) -> list[str]:
        select = self.default(select)
        needed_layouts = self.computed(select, params)
        off = self.package.inactive(dict(params)) if params is not None else frozenset()
        sources = {src for lay in needed_layouts.values() for src in lay.sources}
        if select is None:
            sources |= {src for n in self.package.nodes
                        if n.id not in off and (src := getattr(n, "source", None)) is not None}
        # a report writes from the maps it names (runtime/sheets.py): read unless every
        # ledger it sums was omitted (it has nothing to write)
        source_of = {m.id: m.source for m in self.package.maps}
        sources |= {source_of[m] for lay in needed_layouts.values()
                    if not (lay.sources and set(lay.sources) <= omitted) for m in lay.maps}
        got = set(with_map_sources(self.package, sources - omitted, needed_layouts)) | \
            (sources & omitted)
        return [led.id for led in self.package.ledgers if led.id in got]

    def table_inputs(self, names: list[str]) -> tuple[dict[str, str], list[DataError]]:
        """The checked copies of the tables `names` (runtime/inputs.py `table_copies`)."""
        return table_copies(self.package, Path(self.module.__file__).parent, names)

    def check_params(self, raw: Mapping[str, Any]) -> tuple[dict[str, Any], list[DataError]]:
        """Convert and check parameters (strings from the CLI are converted)."""
        out: dict[str, Any] = {}
        errors = []
        for p in self.package.params:
            if p.name not in raw and p.default is None:
                errors.append(catalog.missing_param(p.name))
                continue
            # a default is text as on the command line, checked when compiled (S1520)
            v = raw.get(p.name, p.default)
            try:
                v = convert_param(p.type, v)
            except (ValueError, decimal.InvalidOperation):
                errors.append(catalog.param_type(p.name, p.type, v))
                continue
            if (p.min is not None and v < p.min) or (p.max is not None and v > p.max):
                errors.append(catalog.param_range(p.name, p.min, p.max, v))
                continue
            out[p.name] = v
        for k in sorted(set(raw) - {p.name for p in self.package.params}):
            errors.append(catalog.unknown_param(k, [p.name for p in self.package.params]))
        return out, errors

    def run(self, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any], *,
            select: str | None = None, allow_rejects: bool = False, backend: str = "python",
            progress: Callable[[str], None] | None = None,
            tracer: Tracer | None = None, state: str | Path | None = None,
            allow_unconfirmed: bool = False, allow_gaps: bool = False,
            allocation_state: str | Path | None = None, as_of: str | None = None,
            **lifecycle: Any) -> Result:
        """Run the package on ledgers (paths or in-memory rows); raises RunFailed on data errors.

        `state`: journal the run in that state file as `apura run` does (its lock, inputs with
        sha256, status; `lifecycle`: wait, handle_signals, on_start), see
        `runtime.lifecycle.run_journaled`; `result.write(out)` then records the outputs in it.

        `backend` is "python" (the generated module, row by row), "duckdb" or "spark" (the
        compiled SQL of generated/<pkg>/sql/), or "auto" (duckdb when an input is Parquet or
        larger than ~50 MB). Every back end gives the same outputs; `result.backend` says which
        one ran. `progress`, when given, receives one-line notes (rows read, files written).
        `tracer` records lineage (runtime.trace.Trace, as apura explain does); Python back end
        only. `as_of`: answer from the load of the state file it names (its number, or a date
        DD/MM/YYYY or YYYY-MM-DD) instead of making a new one from an extract
        (runtime/derivation_state.py).

        Example:
            >>> program = runtime.load("generated/siops")
            >>> result = program.run(ledgers={"despesa": "despesa.csv", ...},
            ...                      params={"exercicio": 2020, "bimestre": 2})
            >>> result.cell("covid/77", "3170206", "9999999029", "V0")
        """
        from runtime.backends import BACKENDS
        from runtime.backends import choose

        if backend not in BACKENDS:
            raise ValueError(f"back end desconhecido '{backend}'; use: {', '.join(BACKENDS)}")
        if tracer is not None and backend != "python":
            raise ValueError("o rastreamento (explain) roda só no back end python")
        if state is not None:
            if tracer is not None:
                raise ValueError("o rastreamento (explain) não é registrado no diário: "
                                 "rode sem state=")
            from runtime.lifecycle import run_journaled

            return run_journaled(self, ledgers, params, state=state, select=select,
                                 allow_rejects=allow_rejects, backend=backend,
                                 progress=progress, allow_unconfirmed=allow_unconfirmed,
                                 allow_gaps=allow_gaps, as_of=as_of,
                                 **lifecycle)
        if lifecycle:
            raise TypeError(f"{', '.join(sorted(lifecycle))}: só com state=")
        with decimal.localcontext(CONTEXT), gcpause.paused():
            result = self._run(ledgers, params, select, allow_rejects,
                               choose(backend, ledgers), progress, tracer, allow_unconfirmed,
                               allow_gaps, allocation_state, as_of)
        result.program, result.ledgers = self, dict(ledgers)
        result.params, result.allow_rejects = dict(params), allow_rejects
        result.allow_unconfirmed, result.allow_gaps = allow_unconfirmed, allow_gaps
        return result

    def run_to(self, out: str | Path, ledgers: Mapping[str, LedgerInput],
               params: Mapping[str, Any], *, state: str | Path = ".apura/state.sqlite",
               rejects: str | Path | None = None, wait: bool = False,
               **options: Any) -> RunRecord:
        """Run and write the outputs into `out` with the whole lifecycle of `apura run`: the
        locks of `out` and of the state file, the journal (inputs with sha256, outputs, status),
        the staged commit, `rejects` (a CSV; rejected rows then do not fail the run).

        `options`: select, backend, allow_rejects, progress, handle_signals (install SIGINT/
        SIGTERM handlers for the run, restored after), on_start (called with the run id).
        Raises RunFailed (data errors, D05xx for the places) after journaling the run, and
        ValueError when `rejects`/`state` would overwrite an input or lie inside `out`.
        See `runtime.lifecycle` and README "Runs, locks and the journal"."""
        from runtime.lifecycle import run_to

        return run_to(self, out, ledgers, params, state=state, rejects=rejects, wait=wait,
                      **options)

    def explain(self, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
                layout: str, part: Any, ref: str, column: str = "V0", *,
                sheet: str | None = None, allow_rejects: bool = False,
                allow_unconfirmed: bool = False,
                allow_gaps: bool = False) -> Explanation | SheetExplanation:
        """Run on the Python back end with lineage recorded for partition `part` and explain
        one cell (memória de cálculo): `.render()` is the text, `.to_dict()` JSON-ready data.
        A sheets node's cell also names its planilha (`sheet`: code or file name; `ref` is
        the row key, masked or not). See `runtime.trace` and `Result.explain`."""
        from runtime.trace import explain

        return explain(self, ledgers, params, layout, part, ref, column, sheet=sheet,
                       allow_rejects=allow_rejects, allow_unconfirmed=allow_unconfirmed,
                       allow_gaps=allow_gaps)

    def table_origins(self) -> dict[str, Origins]:
        """Where the rows of the package's table copies are in the specs (apura explain)."""
        from runtime.origins import load

        return load(Path(self.module.__file__).parent)

    def _run(self, ledgers: Mapping[str, LedgerInput], raw_params: Mapping[str, Any],
             select: str | None, allow_rejects: bool, backend: str,
             progress: Callable[[str], None] | None, tracer: Tracer | None = None,
             allow_unconfirmed: bool = False, allow_gaps: bool = False,
             allocation_state: str | Path | None = None, as_of: str | None = None) -> Result:
        pkg = self.package
        select = self.default(select)
        params, errors = self.check_params(raw_params)
        if as_of is not None:  # the loads answer: their extracts are not read again
            ledgers, as_of_errors = as_of_inputs(pkg, ledgers, self.computed(select, params))
            errors.extend(as_of_errors)
        # the parameters decide what runs (`when:`); wrong ones: as if every node ran
        needed = self.required_inputs(select, None if errors else params)
        shipped = {led.id for led in pkg.ledgers if led.table is not None}
        known = {led.id for led in pkg.ledgers} - shipped
        for name in sorted(set(ledgers) - known):
            if name in shipped:
                errors.append(catalog.table_as_input(name))
            else:
                errors.append(catalog.unknown_input(name, sorted(known)))
        omitted = [name for name in needed if name not in ledgers and pkg.ledger(name).optional]
        for name in needed:
            if name not in ledgers and name not in omitted:
                errors.append(catalog.missing_input(name))
        if errors:
            raise RunFailed(errors)
        tables, errors = self.table_inputs(self.tables_read(select, params, frozenset(omitted)))
        if errors:
            raise RunFailed(errors)
        # the tables are read like ledgers (map sources), from their checked copies; an
        # omitted optional input is read as no records (its sums 0, its maps empty)
        ledgers = {**ledgers, **tables, **{name: OmittedInput(name) for name in omitted}}
        needed = [*tables, *needed]
        ctx = ScanContext(pkg, params)
        ctx.allow_unconfirmed, ctx.allow_gaps = allow_unconfirmed, allow_gaps
        ctx.state_file = allocation_state  # the allocations' state before the run
        ctx.as_of = as_of
        # a derivation reads its inputs again at finish, and computes with its SQL on the SQL
        # back ends (runtime/derivation.py)
        ctx.inputs, ctx.backend = ledgers, backend
        ctx.input_names = {name: input_display(src, name) for name, src in ledgers.items()}
        off = pkg.inactive(params)
        ctx.computed = (None if select is None and not off else
                        frozenset(self.computed(select, params)))
        # an omitted optional input is not read: an assertion summing it is skipped, not
        # compared with zeros
        ctx.read = frozenset(needed) - frozenset(omitted)
        if tracer is not None:  # explain: record lineage (Python back end only)
            ctx.trace = tracer
            tracer.attach(ctx)
        map_sources = {m.source for m in pkg.maps}
        # 1. map sources first (fully read), then 2. scanned ledgers (streamed).
        order = sorted(needed, key=lambda n: (n not in map_sources, needed.index(n)))
        if backend == "python":
            stats = self._scan_python(ctx, ledgers, order, errors, progress)
            if pkg.partition is not None:
                errors.extend(partition_errors(stats, pkg.partition,
                                               lambda st, v: st.partition_lines.get(v, 1)))
        else:
            stats = scan_sql(pkg, Path(self.module.__file__).parent, ctx, ledgers, order,
                             errors, backend, params, progress)
            report_maps(ctx, pkg, self.selected(select, params), tables)
            python_maps(ctx, pkg, ledgers)  # the equivalências a coverage lists unused
        ctx.read_stats = {st.name: st for st in stats}  # for the allocations' finish
        rejects = [r for st in stats for r in st.rejected]
        if rejects and not allow_rejects:
            errors.extend(rejects)
        errors.extend(ctx.errors)
        used = ctx.unconfirmed_reports()  # D0802, or D0803 warnings with allow_unconfirmed
        if not allow_unconfirmed:
            errors.extend(used)
        gaps, listed = coverage_reports(ctx)  # D1301 (D1302 with allow_gaps), D1304
        errors.extend(gaps)
        if errors:
            raise RunFailed(errors, stats)
        partitions = sorted({p for st in stats for p in st.partitions}, key=str)
        if pkg.partition is None:
            partitions = [None]
        values: dict[tuple[str, Any], list[list[Any]]] = {}
        outputs: dict[str, bytes] = {}
        chosen = {lay.id for lay in self.selected(select, params)}
        reported = len(ctx.errors)
        for part in partitions:
            try:
                pkg.finish(ctx, part)
                for lay in pkg.layouts:  # every layout's rows: result.cell(), checks
                    values[(lay.id, part)] = ctx.rows(lay.id, part)
                for node in pkg.reports:
                    if node.id in chosen:
                        for name, data in node.output_files(ctx, part).items():
                            outputs[name if part is None else f"{part}/{name}"] = data
            except decimal.DecimalException:  # more than 38 digits: D0111, as in SQL
                errors.append(catalog.overflow(f"<partição {part}>", what="nos totais da partição"))
        for node in pkg.reports:  # files at the root of OUT, of the run as a whole
            if node.id in chosen and hasattr(node, "root_files"):
                for name, data in node.root_files(ctx, partitions).items():
                    if name in outputs or any(k.split("/", 1)[0] == name for k in outputs):
                        errors.append(catalog.root_file_partition(name))
                    outputs[name] = data
        errors.extend(ctx.errors[reported:])  # reported by the nodes' finish (D07xx)
        if ctx.rejected:  # source rows an allocation refused (D1401): rejects, as bad cells
            from runtime.allocation import count_rejected

            count_rejected(ctx, stats)
            if allow_rejects:
                rejects = [*rejects, *ctx.rejected]
            else:
                errors.extend(ctx.rejected)
        if errors:
            failed = RunFailed(errors, stats)
            failed.outcomes = ctx.outcomes
            raise failed
        warnings = [*omitted_warnings(pkg, omitted, off), *(used if allow_unconfirmed else ()),
                    *listed,
                    *_unreached(pkg, stats, params), *ctx.warnings]
        result = Result(package=pkg, outputs=outputs, values=values, inputs=stats,
                        partitions=partitions, rejects=rejects, backend=backend,
                        warnings=warnings, outcomes=ctx.outcomes)
        result.state_writes = ctx.state_writes
        if tracer is None:  # explain writes nothing: no bundle
            bundle.attach(result, ledgers, params, select, chosen)
        return result

    def _scan_python(self, ctx: ScanContext, ledgers: Mapping[str, LedgerInput],
                     order: list[str], errors: list[DataError],
                     progress: Callable[[str], None] | None) -> list[ReadStats]:
        pkg = self.package
        map_sources = {m.source for m in pkg.maps}
        stats: list[ReadStats] = []
        for name in order:
            led = pkg.ledger(name)
            src = ledgers[name]
            display = input_display(src, name)
            st = ReadStats(name=name, path=display)
            stats.append(st)
            reader = Reader(led, name, pkg.partition)
            text = False  # amounts as checked text, converted by the scan where used
            if isinstance(src, str | Path):
                if Path(src).suffix.lower() == ".parquet":
                    problem = check_schema(led, Path(src), display)
                    if problem is not None:
                        st.fatal.append(problem)
                    rows = reader.read_rows(iter(()) if problem is not None
                                            else _parquet_rows(Path(src)), display, st)
                else:
                    text = led.text_amounts and led.scan is not None and name not in map_sources
                    rows = reader.read_csv(Path(src), display, st, text_amounts=text)
            else:
                rows = reader.read_rows(src, display, st)
            if progress is not None:
                rows = _counting(rows, display, progress)
            ctx.file = display
            if name in map_sources:
                materialized = list(rows)
                build_maps(ctx, pkg, name, materialized, display)
                rows = iter(materialized)
            watch = getattr(ctx.trace, "rows", None)
            if watch is not None:  # explain of a node (runtime/explain_lineage.py): each line
                rows = watch(name, rows)
            if led.scan is not None:
                ctx.amount = reader.amount if text else None
                try:
                    led.scan(rows, ctx)
                except decimal.DecimalException:  # more than 38 digits: D0111, as in SQL
                    st.fatal.append(catalog.overflow(display, what=f"sobre '{name}'"))
                    for _ in rows:  # read to the end: rejects and partitions are counted
                        pass
                if led.layouts:  # D0601 counts records that reached a layout
                    st.reached = ctx.reached.get(name, 0)
                    st.reached_partitions = {p for lay in led.layouts for p in ctx.acc[lay]}
            else:
                for _ in rows:  # read to the end: rejects and partitions are counted
                    pass
            errors.extend(st.fatal)
            if st.fatal:
                ctx.input_failed(name)
            if progress is not None:
                progress(f"{display}: {st.read} linha(s) lida(s)")
        return stats


def _unreached(pkg: Package, stats: list[ReadStats], params: dict[str, Any]) -> list[DataError]:
    """D0601 (a warning): a partition of a ledger none of whose records reached a layout —
    none passed a layout's filter and got a row (e.g. a period with no records)."""
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    out = []
    for st in stats:
        if st.reached is None or not st.accepted:
            continue
        layouts = ", ".join(f"'{lay}'" for lay in pkg.ledger(st.name).layouts)
        parts = sorted(st.partitions - st.reached_partitions, key=str) \
            if pkg.partition is not None else ([None] if not st.reached else [])
        for part in parts:
            whose = f" do {pkg.partition} {part}" if pkg.partition is not None else ""
            out.append(catalog.unreached(st.name, whose, layouts, shown, file=st.path))
    return out


def _counting(rows: Iterator[tuple[Any, ...]], display: str,
              progress: Callable[[str], None], every: int = 1_000_000,
              ) -> Iterator[tuple[Any, ...]]:
    n = 0
    for r in rows:
        n += 1
        if n % every == 0:
            progress(f"{display}: {n} linha(s) lida(s)…")
        yield r


def _parquet_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Parquet rows as mappings (pyarrow, imported only here)."""
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("ler Parquet precisa do pacote 'pyarrow' (pip install "
                           "'apura[sql]')") from exc
    for batch in pq.ParquetFile(path).iter_batches():
        yield from batch.to_pylist()


def load(path: str | Path) -> Program | Views:
    """Load a compiled package from its folder (e.g. "generated/siops": absolute, or relative to
    the working directory) or an importable module name (e.g. "generated.siops").
    A package with layout years loads as runtime.views.Views: one Program per year, chosen by
    the parameters (`views.view_for(params)`; `run`, `run_to`, `explain` choose it themselves).

    Raises LoadError (an ImportError) with a clear message when there is no such package."""
    p = Path(path)
    if p.is_dir():
        folder = p.resolve()
        init = folder / "__init__.py"
        if not init.is_file():
            raise LoadError(f"'{path}' não é um pacote compilado do apura: falta {init.name} "
                            f"em {folder}")
        digest = hashlib.sha1(str(folder).encode()).hexdigest()[:8]
        modname = f"_apura_generated_{folder.name}_{digest}"
        spec = importlib.util.spec_from_file_location(modname, init,
                                                      submodule_search_locations=[str(folder)])
        if spec is None or spec.loader is None:
            raise LoadError(f"não foi possível carregar o pacote em {folder}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[modname] = module
        spec.loader.exec_module(module)
    elif isinstance(path, Path) or "/" in path or "\\" in path or path.startswith("."):
        raise LoadError(f"pacote compilado não encontrado: a pasta '{path}' não existe "
                        f"(caminhos relativos partem da pasta atual, {Path.cwd()})")
    else:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (path == exc.name or path.startswith(exc.name + ".")):
                raise
            raise LoadError(f"pacote compilado não encontrado: nem a pasta '{path}' (relativa a "
                            f"{Path.cwd()}) nem o módulo '{path}' existem") from None
    if not hasattr(module, "PACKAGE"):
        raise LoadError(f"'{path}' não é um pacote compilado do apura (não define PACKAGE)")
    if isinstance(module.PACKAGE, LayoutYears):
        if p.is_dir():
            return Views(module.PACKAGE, lambda sub: _program(load(p / sub)))
        return Views(module.PACKAGE, lambda sub: _program(load(f"{path}.{sub}")))
    return Program(module.PACKAGE, module)


def _program(got: Program | Views) -> Program:
    if not isinstance(got, Program):
        raise LoadError("um ano de layout não pode ter anos de layout")
    return got


class LoadError(ImportError):
    """runtime.load: the path or module name is not a compiled apura package."""
