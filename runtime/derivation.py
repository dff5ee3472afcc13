"""The runtime side of the `derivation` kind (compiler/kinds/derivation): a node that computes
fields per record of a ledger, or per key over the key's records, and writes them as a CSV
file (`;`, decimal comma, DD/MM/YYYY, UTF-8, header).

It runs at finish, after the scans: it reads its ledger again with the ledger reader (the same
cell rules; the scans already rejected bad rows), classifies the records (`classify`: a text the
map does not have is D1802, never guessed), then computes the output records — with the
generated Python lambdas on the python back end, with the node's compiled SQL on the SQL back
ends (the records loaded into an embedded DuckDB; on spark, into the local Spark session, with
the SQL in Spark's dialect) — and, from those records on every back end
alike, checks `unique` (D1801, naming both lines), reports the warnings (D1803) and renders the
file. So the back ends differ only in what computes the values, and must agree byte for byte
(tests/golden/test_transparencia_mg.py, tests/props/test_derivation_backends.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from decimal import Decimal
from operator import itemgetter
from pathlib import Path
from typing import Any

from runtime import catalog
from runtime import derivation_freeze
from runtime import derivation_state
from runtime.derivation_branches import Branches
from runtime.derivation_each import expand
from runtime.derivation_json import JsonOut
from runtime.derivation_json import check_names
from runtime.derivation_json import files as json_files
from runtime.derivation_related import add_uses
from runtime.derivation_state import Incremental
from runtime.derivation_union import Union
from runtime.derivation_union import expand as union_expand
from runtime.derivation_union import output_members
from runtime.derivation_union import post as union_post
from runtime.file_names import file_name_problem
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.locations import Loc
from runtime.model import Field
from runtime.values import format_money

Fn = tuple[Callable[..., Any], tuple[str, ...]]  # a lambda and the fields it takes, in order
Where = Callable[[int], tuple[str, int]]  # a record's `_line` → the file and line it came from
INPUT = "_apura_derivation_input"  # the relation the node's SQL reads (compiler sqltext.INPUT)
RELATED = "_apura_related_"  # + n: the n-th related ledger (in order of first use)
PARAM = "_param__"  # + name: a run parameter read as a field (compiler/kinds/derivation/params)


def cell_text(value: Any) -> str:
    """A value as the CSV outputs write it: money `1234,56`, dates DD/MM/YYYY, S/N."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "S" if value else "N"
    if isinstance(value, Decimal):
        return format_money(value)
    if hasattr(value, "strftime"):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return str(value)


def _read(ctx: Any, ledger: str) -> tuple[list[tuple[Any, ...]], list[str], str]:
    """The accepted records of input `ledger` (the reader's tuples, the line last), its field
    names and its display name; the scans already reported its rejected rows."""
    led = ctx.package.ledger(ledger)
    src = ctx.inputs[ledger]
    display = ctx.input_names.get(ledger, ledger)
    st = ReadStats(name=ledger, path=display)
    reader = Reader(led, ledger, None)
    rows = (reader.read_csv(Path(src), display, st) if isinstance(src, str | Path)
            else reader.read_rows(src, display, st))
    return list(rows), [f.name for f in led.fields], display


def _call(fn: Fn, rec: dict[str, Any]) -> Any:
    return fn[0](*[rec[f] for f in fn[1]])


def _caller(fn: Fn) -> Callable[[dict[str, Any]], Any]:
    """`fn` as a function of one record, its fields taken by one itemgetter (a third of the
    time of `_call` a million records at a time: benchmarks/transparencia.py)."""
    f, names = fn
    if not names:
        return lambda rec: f()
    if len(names) == 1:
        (name,) = names
        return lambda rec: f(rec[name])
    get = itemgetter(*names)
    return lambda rec: f(*get(rec))


def _date_text(d: Any) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


# cell_text by the value's exact type: one dict lookup per cell (the outputs' hot loop)
_CELL: dict[type, Callable[[Any], str]] = {
    type(None): lambda v: "", bool: lambda v: "S" if v else "N", str: lambda v: v,
    int: str, Decimal: format_money, date: _date_text}


@dataclass(frozen=True, slots=True)
class Derivation:
    """The runtime declaration of a derivation node (PACKAGE.nodes), written by
    compiler/kinds/derivation/python.py from the spec."""

    id: str
    ledger: str
    per: tuple[str, ...]                       # () = one output record per input record
    unique: tuple[str, ...]
    columns: tuple[str, ...]
    file: str
    classify: tuple[Field, ...]                # the classified fields, added to each record
    classify_maps: tuple[tuple[str, str, str], ...]   # (map, key field, value), in order
    aggregates: tuple[tuple[str, str, Fn | None, Fn | None], ...]  # (func, type, arg, where)
    fields: tuple[Fn, ...]
    field_names: tuple[str, ...]
    warnings: tuple[tuple[str, str, Fn], ...]  # (id, message, condition)
    sql: str                                   # its SQL in DuckDB's dialect
    # (name, ledger, on: ((related field, this field), ...), where, order: ((field, desc), ...))
    related: tuple[tuple[str, str, tuple[tuple[str, str], ...], Fn | None,
                         tuple[tuple[str, bool], ...]], ...] = ()
    # (n, collection, func, value, field, type): the value `_c<n>` of each record
    collects: tuple[tuple[int, str, str, Fn | None, str | None, str], ...] = ()
    alternative_of: str = ""
    depends_on: tuple[str, ...] = ()
    at: Loc | None = None
    sql_spark: str = ""                        # the same SQL in Spark's dialect
    # the loads kept in the state file (runtime/derivation_state.py); None: this extract only
    incremental: Incremental | None = None
    # (field name, "classify:<name>" or "related:<name>", text as written, where): explain
    texts: tuple[tuple[str, str, Loc | None], ...] = ()
    params: tuple[tuple[str, str], ...] = ()   # (name, type): read as the fields PARAM + name
    file_names: tuple[str, ...] = ()           # fields holding file names (D1804 when unfit)
    each: str = ""                             # a collection: one output record per member
    # incremental.frozen: values kept across loads (runtime/derivation_freeze.py)
    frozen: tuple[derivation_freeze.Frozen, ...] = ()
    union: Union | None = None                 # each: over several collections
    json: JsonOut | None = None                # output.json: a JSON per output record
    # (warning id, its catalog code or "" for D1803, the fields naming the record)
    warning_codes: tuple[tuple[str, str, tuple[str, ...]], ...] = ()
    # the if-branches of the fields that are if-chains (runtime/derivation_branches.py): explain
    branches: tuple[Branches, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.ledger, *self._related_ledgers)))

    @property
    def _related_ledgers(self) -> tuple[str, ...]:
        """The ledgers the collections read, then the `each:` union's `with:` ones."""
        withs = tuple(w[0] for w in self.union.withs) if self.union else ()
        return tuple(dict.fromkeys((*(r[1] for r in self.related), *withs)))

    @property
    def maps(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m for m, _, _ in self.classify_maps))

    @property
    def names(self) -> tuple[str, ...]:
        """The names of an output record, in the order the evaluators give them."""
        return (*self.per, *self.field_names) if self.per else \
            (*(c.name for c in self.classify), *self.field_names)

    @property
    def written(self) -> tuple[str, ...]:
        """The names of an output record as written: `names`, then the frozen fields'
        since columns."""
        return (*self.names, *(f.since for f in self.frozen if f.since))

    def new_acc(self) -> dict[Any, Any]:
        return {}

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        """The file `finish` rendered (a run that does not compute the node has none)."""
        got = dict(ctx.acc[self.id].get(("outputs", part), {}))
        if self.json is not None:  # after every node's finish: the items' rows are there
            got |= json_files(self, ctx, part)
        return got

    # ------------------------------------------------------------------ the run
    def finish(self, ctx: Any, part: Any) -> None:
        if not ctx.computes(self.id):
            return
        rows, display = self._rows(ctx, part)
        pic = None
        if self.incremental is not None:  # the picture of the loads, not this extract alone
            pic = derivation_state.picture(self, ctx, rows, display)
            if pic is None:
                return
            rows = pic.current
        where: Where = pic.where if pic is not None else (lambda n: (display, n))
        records = self._classify(ctx, rows, where, display)
        if records is None:
            return
        related = {led: [dict(zip(names, r, strict=False)) | {"_line": r[-1]} for r in rows]
                   for led in self._related_ledgers
                   for rows, names, _ in (_read(ctx, led),)}
        out = self._file_names(ctx, self._compute(ctx, records, display, related), where)
        if pic is not None and self.frozen:
            frozen = derivation_freeze.apply(self, ctx, pic, out)
            if frozen is None:  # D1830: the state's memory does not read back
                return
            out = frozen
        self._check(ctx, out, where)
        ctx.acc[self.id][("rows", part)] = out  # read by output.json (this node's, another's)
        if self.json is not None:
            check_names(self, ctx, out, where)
        files = {self.file: self._render(out)}
        if pic is not None and self.incremental is not None:
            derivation_state.remember(self, pic, out)
            if self.incremental.changes:
                before, was = records, out
                if pic.previous is not pic.current:  # the previous load, by the same rule
                    before = self._classify(ctx, pic.previous, where, display, report=False) \
                        or []
                    was = self._file_names(ctx, self._compute(ctx, before, display, related),
                                           where, report=False)
                    if self.frozen:
                        was = derivation_freeze.previous(self, ctx, pic, was)
                files[self.incremental.changes] = derivation_state.changes(
                    self, pic, (before, records), (was, out))
        ctx.acc[self.id][("outputs", part)] = files

    def records_of(self, ctx: Any, part: Any) -> tuple[list[dict[str, Any]] | None, str]:
        """The records the node computed from in this run (after `finish`), in the order its
        evaluators took them — the picture of the loads for an incremental node — with the
        classified fields and, for an incremental node, each record's `_file` and `_line`
        (an OP kept from an earlier load: that load's file); for explain
        (runtime/explain_derivation.py)."""
        rows, display = self._rows(ctx, part)
        where: Where = lambda n: (display, n)  # noqa: E731
        if self.incremental is not None:
            pic = derivation_state.picture(self, ctx, rows, display)
            if pic is None:
                return None, display
            rows, where = pic.current, pic.where
        got = self._classify(ctx, rows, where, display, report=False)
        if got is not None and self.incremental is not None:  # positions → the file's lines
            for rec in got:
                rec["_file"], rec["_line"] = where(rec["_line"])
        if got is not None:  # the parameters, read as fields (as _compute gives them)
            given = {f"{PARAM}{name}": ctx.params[name] for name, _ in self.params}
            for rec in got:
                rec.update(given)
        if got is not None and self.each:  # one record per output row (each:, a union)
            related = {led: [dict(zip(names, r, strict=False)) | {"_line": r[-1]}
                             for r in rows]
                       for led in self._related_ledgers for rows, names, _ in (_read(ctx, led),)}
            got = output_members(self, got, related, lambda recs: self._python(recs, {}))
        return got, display

    def _compute(self, ctx: Any, records: list[dict[str, Any]], display: str,
                 related: dict[str, list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
        given = {f"{PARAM}{name}": ctx.params[name] for name, _ in self.params}
        for rec in records:  # the parameters, read as fields (compiler/kinds/derivation/params)
            rec.update(given)
        if getattr(ctx, "backend", "python") == "python":
            if self.collects:
                add_uses(self, records, related)
            if self.union is not None:
                records = union_expand(self, records, related)
            elif self.each:
                records = expand(self, records, related)
            return union_post(self, self._python(records, given))
        return union_post(self, self._sql(ctx, records, display, related))

    def _rows(self, ctx: Any, part: Any) -> tuple[list[dict[str, Any]], str]:
        """The accepted records of the ledger (of partition `part`), as dicts with `_line`."""
        rows, names, display = _read(ctx, self.ledger)
        partition = ctx.package.partition
        out = []
        for r in rows:
            rec = dict(zip(names, r, strict=False))
            if partition is not None and rec.get(partition) != part:
                continue
            rec["_line"] = r[-1]
            out.append(rec)
        return out, display

    def _classify(self, ctx: Any, rows: list[dict[str, Any]], where: Where, display: str,
                  report: bool = True) -> list[dict[str, Any]] | None:
        """The records with the classified fields; None when a text to classify is not in
        its map (D1802, at the first line of the extract that has it)."""
        maps = []
        for m, _, value in self.classify_maps:
            spec = next(mm for mm in ctx.package.maps if mm.id == m)
            maps.append((ctx.maps[m].entries, spec.values.index(value)))
        unmapped: dict[tuple[str, Any], list[int]] = {}
        out = []
        for row in rows:
            rec = dict(row)
            for (m, key, _), (entries, idx), f in zip(self.classify_maps, maps, self.classify,
                                                      strict=True):
                k = rec[key]
                hit = None if k is None else entries.get((k,))
                if k is not None and hit is None:
                    lines = unmapped.setdefault((m, k), [])
                    if not lines or lines[-1] != rec["_line"]:  # two fields from one map
                        lines.append(rec["_line"])
                rec[f.name] = hit[idx] if hit is not None else None
            out.append(rec)
        if not report:
            return out
        for (m, text), lines in unmapped.items():
            file, line = min(map(where, lines), key=lambda fl: (fl[0] != display, fl[1]))
            ctx.report(catalog.derivation_unmapped(self.id, m, str(text), file=file,
                                                   line=line, count=len(lines)))
        return None if unmapped else out

    def _python(self, records: list[dict[str, Any]], given: dict[str, Any]
                ) -> list[tuple[Any, ...]]:
        """(line, *values, *warning tests) per output record, by the generated lambdas
        (`given`: the parameters, as fields)."""
        out: list[tuple[Any, ...]] = []
        fields = [_caller(f) for f in self.fields]
        warnings = [_caller(w[2]) for w in self.warnings]
        if not self.per:
            classified = [c.name for c in self.classify]
            for rec in records:
                out.append((rec["_line"], *[rec[c] for c in classified],
                            *[f(rec) for f in fields], *[w(rec) is True for w in warnings]))
            return out
        groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
        for rec in records:
            groups.setdefault(tuple(rec[k] for k in self.per), []).append(rec)
        for key, recs in groups.items():
            env = dict(zip(self.per, key, strict=True)) | given
            for i, (func, type_, arg, where) in enumerate(self.aggregates):
                env[f"_a{i}"] = _aggregate(func, type_, arg, where, recs)
            out.append((recs[0]["_line"], *key, *[f(env) for f in fields],
                        *[w(env) is True for w in warnings]))
        return out

    def _sql(self, ctx: Any, records: list[dict[str, Any]], display: str,
             related: dict[str, list[dict[str, Any]]]) -> list[tuple[Any, ...]]:
        """The same records computed by the node's SQL: on Spark (its local session) for the
        spark back end, else on an embedded DuckDB."""
        engine: Any
        if getattr(ctx, "backend", "") == "spark":
            from runtime.backends.spark import SparkEngine

            engine, sql = SparkEngine(), self.sql_spark
        else:
            from runtime.backends.duckdb import DuckDBEngine

            engine, sql = DuckDBEngine(), self.sql
        led = ctx.package.ledger(self.ledger)
        shaped = replace(led, id=INPUT, fields=(
            *led.fields, *self.classify,
            *(Field(f"{PARAM}{name}", type_, required=False) for name, type_ in self.params)))
        rows = [(*(rec[f.name] for f in shaped.fields), rec["_line"]) for rec in records]
        try:
            engine.load_rows(shaped, rows, display, ReadStats(name=INPUT, path=display))
            for i, led_id in enumerate(related):
                rled = ctx.package.ledger(led_id)
                engine.load_rows(replace(rled, id=f"{RELATED}{i}"),
                                 [(*(r[f.name] for f in rled.fields), r["_line"])
                                  for r in related[led_id]], led_id,
                                 ReadStats(name=led_id, path=led_id))
            _, got = engine.query(sql)
        finally:
            engine.close()
        n = len(self.names) + 1
        return [(*r[:n], *(bool(x) for x in r[n:])) for r in got]

    def _file_names(self, ctx: Any, out: list[tuple[Any, ...]], where: Where,
                    report: bool = True) -> list[tuple[Any, ...]]:
        """The records with every `file_names` value a file system cannot hold emptied, each a
        warning D1804 naming the record and why (the rule of the output files, S0502:
        runtime/file_names) — made from the computed records, so alike on every back end."""
        if not self.file_names:
            return out
        at = {name: i + 1 for i, name in enumerate(self.names)}
        shown_by = self.per or self.unique or self.names[:1]
        fixed = []
        for r in out:
            row = list(r)
            for name in self.file_names:
                value = row[at[name]]
                why = None if value is None else file_name_problem(value)
                if why is not None:
                    if report:
                        record = ", ".join(f"{k}={cell_text(r[at[k]])}" for k in shown_by)
                        file, line = where(r[0])
                        ctx.report(catalog.derivation_file_name(self.id, name, value, why,
                                                                record, file=file, line=line))
                    row[at[name]] = None
            fixed.append(tuple(row))
        return fixed

    def _check(self, ctx: Any, out: list[tuple[Any, ...]], where: Where) -> None:
        names = self.written
        at = {name: i + 1 for i, name in enumerate(names)}
        if self.unique:
            seen: dict[tuple[Any, ...], int] = {}
            for r in out:
                key = tuple(r[at[k]] for k in self.unique)
                if key in seen:
                    shown = ", ".join(f"{k}={cell_text(v)}" for k, v in zip(self.unique, key,
                                                                              strict=True))
                    file, line = where(r[0])
                    ctx.report(catalog.derivation_duplicate(self.id, shown, where(seen[key])[1],
                                                            file=file, line=line))
                else:
                    seen[key] = r[0]
        first = len(names) + 1
        shown_by = self.per or self.unique or names[:1]
        coded = {wid: (code, show) for wid, code, show in self.warning_codes}
        for r in out:
            for (wid, message, _), hit in zip(self.warnings, r[first:], strict=True):
                if hit:
                    code, show = coded.get(wid, ("", ()))
                    record = ", ".join(f"{k}={cell_text(r[at[k]])}"
                                       for k in show or shown_by)
                    file, line = where(r[0])
                    ctx.report(_warning(code, self.id, wid, message, record, file=file,
                                        line=line))

    def _render(self, out: list[tuple[Any, ...]]) -> bytes:
        at = {name: i + 1 for i, name in enumerate(self.written)}
        buf = io.StringIO()
        w = csv.writer(buf, delimiter=";", lineterminator="\n")
        w.writerow(self.columns)
        columns = []  # formatted a column at a time, by the type(s) its values have
        for c in self.columns:
            values = list(map(itemgetter(at[c]), out))
            kinds = set(map(type, values))
            fmt = _CELL.get(kinds.pop()) if len(kinds) == 1 else None
            columns.append(list(map(fmt, values)) if fmt is not None else
                           [(_CELL.get(type(v)) or cell_text)(v) for v in values])
        w.writerows(zip(*columns, strict=True))
        return buf.getvalue().encode("utf-8")


def _warning(code: str, node: str, warn: str, message: str, record: str, *, file: str,
             line: int) -> Any:
    """The warning of a `warnings:` entry: its `code:` (catalog.SPEC_WARNINGS), else D1803."""
    if code == catalog.SPEC_WARNINGS[0]:
        return catalog.recipient_incomplete(node, warn, message, record, file=file, line=line)
    if code == catalog.SPEC_WARNINGS[1]:
        return catalog.observer_without_login(node, warn, message, record, file=file, line=line)
    return catalog.derivation_warning(node, warn, message, record, file=file, line=line)


def _aggregate(func: str, type_: str, arg: Fn | None, where: Fn | None,
               recs: list[dict[str, Any]]) -> Any:
    """sum/count/min/max over the records where `where` is true; nulls skipped, the sum of
    nothing 0, the min/max of nothing null (as the SQL)."""
    chosen = [r for r in recs if where is None or _call(where, r) is True]
    if arg is None:
        return len(chosen)
    values = [v for v in (_call(arg, r) for r in chosen) if v is not None]
    if func == "count":
        return len(values)
    if func == "sum":
        return sum(values, start=Decimal(0) if type_ == "decimal" else 0)
    if not values:
        return None
    return min(values) if func == "min" else max(values)
