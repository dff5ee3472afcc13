"""The DuckDB engine (embedded, in-process): reads CSV and Parquet itself, runs the compiled SQL.

Plain CSV files (no quote characters, one record per line) are split by DuckDB's reader and
converted by the compiled `convert` statement; rows it does not accept are judged again by the
Python reader (runtime/ledgers.py), which has the last word. Anything else (quotes, empty
lines, bad encodings...) is read by the Python reader and loaded into DuckDB, so accepted and
rejected rows, messages and line numbers are always the Python back end's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.backends.plan import LedgerPlan
from runtime.backends.sqlrun import capacity_error
from runtime.backends.sqlrun import prescan
from runtime.backends.sqlrun import read_header
from runtime.backends.sqlrun import recheck
from runtime.cells import DATE_CALENDAR
from runtime.cells import DATE_STRFTIME
from runtime.cells import INT_BOUNDED
from runtime.cells import bool_pattern
from runtime.cells import decimal_bounded
from runtime.contract import CELLS_SUFFIX
from runtime.contract import LEDGER_PRECISION
from runtime.contract import LINE_COLUMN
from runtime.contract import PARAM_PRECISION
from runtime.contract import PARAM_SCALE
from runtime.contract import WIDTH_OK_COLUMN
from runtime.errors import DataError
from runtime.ledgers import Reader
from runtime.ledgers import ReadStats
from runtime.model import Field
from runtime.model import Ledger
from runtime.model import Package
from runtime.parquet import check_schema
from runtime.parquet import parquet_columns
from runtime.parquet import rows_if_all_accepted

_NULL_TEXT = "\x01apura:null\x02"  # DuckDB's null string: no real cell is this
PARAM_TYPES = {"int": "BIGINT", "decimal": f"DECIMAL({PARAM_PRECISION}, {PARAM_SCALE})",
               "str": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}


def q(name: str) -> str:
    """A quoted identifier."""
    return '"' + name.replace('"', '""') + '"'


def field_type(f: Field) -> str:
    if f.type == "decimal":
        return f"DECIMAL({LEDGER_PRECISION}, {f.scale})"
    return {"int": "BIGINT", "str": "VARCHAR", "bool": "BOOLEAN", "date": "DATE"}[f.type]


class DuckDBEngine:
    """One in-memory DuckDB database per run."""

    name = "duckdb"

    def __init__(self) -> None:
        try:
            import duckdb
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError("o back end duckdb precisa do pacote 'duckdb' "
                               "(pip install 'apura[sql]')") from exc
        self.duckdb = duckdb
        self.con = duckdb.connect(":memory:")
        # Map lookups are LEFT JOINs whose right side (a map) is the one to hash. DuckDB's
        # estimate for a CSV file is a few dozen rows, so it would otherwise hash the ledger
        # instead (10M rows: 1.7 GiB instead of 0.2 GiB).
        self.con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        # ledgers read as views over the CSV file, without line numbers (see `_load_typed`)
        self.lineless: dict[str, tuple[str, str, int]] = {}

    def close(self) -> None:
        self.con.close()

    def is_overflow(self, exc: Exception) -> bool:
        """A value beyond DECIMAL(38, s) or BIGINT (the run reports D0111)."""
        return isinstance(exc, self.duckdb.OutOfRangeException | self.duckdb.ConversionException)

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        cur = self.con.execute(sql)
        cols = [d[0] for d in cur.description]
        return cols, cur.fetchall()

    def set_params(self, pkg: Package, params: Mapping[str, Any],
                   flags: Mapping[str, bool] | None = None) -> None:
        """One row: the run's parameters, and its flags (which reports it computes)."""
        flags = flags or {}
        if not pkg.params and not flags:
            self.con.execute("CREATE TABLE apura_params AS SELECT 1 AS _")
            return
        cols = [f"CAST(? AS {PARAM_TYPES[p.type]}) AS {q(p.name)}" for p in pkg.params]
        cols += [f"CAST(? AS BOOLEAN) AS {q(f)}" for f in flags]
        self.con.execute(f"CREATE TABLE apura_params AS SELECT {', '.join(cols)}",
                         [params[p.name] for p in pkg.params] + list(flags.values()))

    # -------------------------------------------------------------- typed rows from Python
    def load_rows(self, led: Ledger, rows: list[tuple[Any, ...]], display: str,
                  st: ReadStats, table: str | None = None) -> None:
        import pyarrow as pa

        types = {"int": pa.int64(), "str": pa.string(), "bool": pa.bool_(),
                 "date": pa.date32()}
        arrays = {}
        for i, f in enumerate(led.fields):
            t = pa.decimal128(LEDGER_PRECISION, f.scale) if f.type == "decimal" \
                else types[f.type]
            try:
                arrays[f.name] = pa.array([r[i] for r in rows], type=t)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError) as exc:
                bad = self._first_bad(rows, i, t)
                st.fatal.append(capacity_error(display, rows[bad][-1] if rows else 1,
                                               self.name, f"campo '{f.name}': {exc}"))
                arrays[f.name] = pa.array([None] * len(rows), type=t)
        arrays["_line"] = pa.array([r[-1] for r in rows], type=pa.int64())
        arrays["_ok"] = pa.array([True] * len(rows), type=pa.bool_())
        data = pa.table(arrays)
        self.con.register("_apura_rows", data)
        try:
            if table is None:
                self.con.execute(f"CREATE TABLE {q(led.id)} AS SELECT * FROM _apura_rows")
            else:
                self.con.execute(f"INSERT INTO {q(table)} BY NAME SELECT * FROM _apura_rows")
        finally:
            self.con.unregister("_apura_rows")

    @staticmethod
    def _first_bad(rows: list[tuple[Any, ...]], i: int, t: Any) -> int:
        import pyarrow as pa

        for k, r in enumerate(rows):
            try:
                pa.array([r[i]], type=t)
            except Exception:  # noqa: BLE001 - the first value that does not fit
                return k
        return 0

    def _empty(self, led: Ledger) -> None:
        cols = ", ".join(f"CAST(NULL AS {field_type(f)}) AS {q(f.name)}" for f in led.fields)
        self.con.execute(f"CREATE TABLE {q(led.id)} AS SELECT {cols}, CAST(NULL AS BIGINT) AS "
                         f"_line, TRUE AS _ok LIMIT 0")

    # -------------------------------------------------------------- CSV
    def load_csv(self, led: Ledger, path: Path, display: str, st: ReadStats, reader: Reader,
                 plan: LedgerPlan) -> bool:
        fmt = led.format
        try:
            head, size, ends_nl = _file_facts(path)
            header = read_header(path, led) if fmt.header else None
        except (OSError, UnicodeDecodeError):
            return False
        if fmt.header:
            if header is None:
                return False  # empty file: the Python reader reports it
            cols = reader._header(header, display, st)
            if cols is None:
                self._empty(led)  # the header is wrong: nothing is read (as in Python)
                return True
            order, width = cols
        else:
            order = list(range(len(led.fields)))
            width = len(led.fields)
        first = 2 if fmt.header else 1
        enc = "utf-8" if fmt.encoding == "utf-8" else "latin-1"
        if enc == "utf-8" and head.endswith(b"\n") and b'"' not in head and b"\x00" not in head:
            # No byte scan of the file: DuckDB's line pass accounts for every byte instead.
            nl = 2 if head.endswith(b"\r\n") else 1
            bytes_ = (size, len(head) if fmt.header else 0, nl, ends_nl)
            n = self._load_typed(led, path, order, width, first, None, bytes_, enc, reader, st,
                                 plan)
            if n is not None:
                st.read += n
                st.accepted += n
                return True
        shape = prescan(path)
        if shape is None or not shape.plain:
            return False
        data_lines = shape.lines - (first - 1)
        if data_lines <= 0:
            self._empty(led)
            return True
        if enc != "utf-8" and self._load_typed(led, path, order, width, first, data_lines,
                                               None, enc, reader, st, plan) is not None:
            st.read += data_lines
            st.accepted += data_lines
            return True
        raw = f"{led.id}__raw"
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width + 1))
        try:
            # One more column than the header: a record with extra cells shows up in it.
            self.con.execute(
                f"CREATE TABLE {q(raw)} AS SELECT * FROM read_csv(?, delim = ?, quote = '', "
                f"escape = '', header = false, skip = {first - 1}, columns = {{{columns}}}, "
                f"auto_detect = false, strict_mode = true, null_padding = true, "
                f"nullstr = ?, encoding = ?)", [str(path), fmt.delimiter, _NULL_TEXT, enc])
        except self.duckdb.Error:
            self.con.execute(f"DROP TABLE IF EXISTS {q(raw)}")
            return False
        (count,) = self.con.execute(f"SELECT count(*) FROM {q(raw)}").fetchone()  # type: ignore[misc]
        if count != data_lines:  # DuckDB skipped lines (empty ones): let Python read it
            self.con.execute(f"DROP TABLE {q(raw)}")
            return False
        # as the Python reader: a record has the header's width (`width` cells)
        width_ok = f"c{width - 1} IS NOT NULL AND c{width} IS NULL"
        # an optional column the file lacks (order -1) reads empty, as in Python
        cells = ", ".join(f"COALESCE(c{order[i]}, '') AS {q(f.name)}" if order[i] >= 0 else
                          f"'' AS {q(f.name)}" for i, f in enumerate(led.fields))
        # what the `convert` statement reads (compiler/codegen/convert.py)
        self.con.execute(f"CREATE VIEW {q(led.id + CELLS_SUFFIX)} AS SELECT rowid + {first} AS "
                         f"{LINE_COLUMN}, {width_ok} AS {WIDTH_OK_COLUMN}, {cells} FROM {q(raw)}")
        self.con.sql(plan.statement("convert")).create(led.id)
        bad = [r[0] for r in self.con.execute(
            f"SELECT _line FROM {q(led.id)} WHERE NOT _ok ORDER BY _line").fetchall()]
        back: list[tuple[Any, ...]] = []
        if bad:
            for verdict in recheck(path, led, reader, order, width, display, bad):
                if isinstance(verdict, DataError):
                    st.rejected.append(verdict)
                else:
                    back.append(verdict)
            self.con.execute(f"DELETE FROM {q(led.id)} WHERE NOT _ok")
            if back:
                self.load_rows(led, back, display, st, table=led.id)
        self.con.execute(f"DROP VIEW {q(led.id + CELLS_SUFFIX)}")
        self.con.execute(f"DROP TABLE {q(raw)}")
        st.read += count
        st.accepted += count - len(st.rejected)
        self._partitions(led, reader, st)
        return True

    def _load_typed(self, led: Ledger, path: Path, order: list[int], width: int, first: int,
                    data_lines: int | None, bytes_: tuple[int, int, int, bool] | None,
                    enc: str, reader: Reader, st: ReadStats, plan: LedgerPlan) -> int | None:
        """The fast path for a plain file whose every record Python would accept; returns how
        many records it read, or None (then the exact path judges the file cell by cell).

        One pass checks each whole line against `line_pattern` (the Python reader's accept
        rules, made stricter where DuckDB's typed reader could fail: real calendar dates, at
        most 18 integer digits, DECIMAL(18, s) bounds; no quote, NUL or CR character). DuckDB
        skips empty lines, which Python rejects: so the records must be `data_lines` (from a
        byte scan), or their bytes plus header and line ends must add up to the file's size
        (`bytes_`: size, header bytes, line-end bytes, whether the last line has one). When
        all is well, the ledger is a view over DuckDB's typed CSV reader: no copy of the rows
        is kept, each statement streams the file. The view has no line numbers; a statement
        that reports records (a missing map key, a repeated key, two unique rows) makes
        `ensure_lines` copy the file into a table whose rowid is the line. The partitions of
        a streamed ledger come with its `aggregate` statement.
        """
        pattern = line_pattern(led, order, width)
        if pattern is None:
            return None
        fmt = led.format
        lines_src = (f"read_csv({_lit(str(path))}, delim = {_lit(_LINE_DELIM)}, quote = '', "
                     f"escape = '', header = false, skip = {first - 1}, auto_detect = false, "
                     f"strict_mode = true, encoding = {_lit(enc)}, columns = {{'l': 'VARCHAR'}}, "
                     f"null_padding = false, nullstr = {_lit(_NULL_TEXT)})")
        try:
            (lines, bad, octets), = self.con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE NOT regexp_full_match(l, "
                f"{_lit(pattern)})), sum(strlen(l)) FROM {lines_src}").fetchall()
        except self.duckdb.Error:
            return None
        if bad or not lines:
            return None
        if bytes_ is not None:
            size, head, nl, ends_nl = bytes_
            if head + int(octets) + lines * nl - (0 if ends_nl else nl) != size:
                return None  # empty lines (or line ends of another kind): not plain
        elif lines != data_lines:
            return None
        data_lines = lines
        by_file = {i: f for f, i in zip(led.fields, order, strict=True)}
        columns = ", ".join(
            f"'c{i}': '{_read_type(by_file[i]) if i in by_file else 'VARCHAR'}'"
            for i in range(width))
        cells = ", ".join(f"{_from_read(f, f'c{i}', led)} AS {q(f.name)}" if i >= 0 else
                          f"CAST(NULL AS {field_type(f)}) AS {q(f.name)}"  # absent: null
                          for f, i in zip(led.fields, order, strict=True))
        typed = (f"SELECT {cells} FROM read_csv({_lit(str(path))}, "
                 f"delim = {_lit(fmt.delimiter)}, quote = '', escape = '', header = false, "
                 f"skip = {first - 1}, auto_detect = false, strict_mode = true, "
                 f"encoding = {_lit(enc)}, columns = {{{columns}}}, "
                 f"decimal_separator = {_lit(fmt.decimal)}, "
                 f"dateformat = {_lit(DATE_STRFTIME[fmt.date])})")
        names = ", ".join(q(f.name) for f in led.fields)
        if data_lines <= _VIEW_FROM:  # small: copy it now (lines known; read once)
            try:
                self._copy_with_lines(led.id, typed, names, first)
            except self.duckdb.Error:  # pragma: no cover - the line pass rules this out
                self.con.execute(f"DROP TABLE IF EXISTS {q(led.id + '__typed')}")
                return None
        else:
            self.con.execute(f"CREATE VIEW {q(led.id)} AS SELECT {names}, "
                             f"CAST(NULL AS BIGINT) AS _line, TRUE AS _ok FROM ({typed})")
            self.lineless[led.id] = (typed, names, first)
        if "aggregate" not in plan.statements or data_lines <= _VIEW_FROM:
            self._partitions(led, reader, st)  # else the aggregate statement lists them
        return data_lines

    def _copy_with_lines(self, name: str, typed: str, names: str, first: int) -> None:
        table = q(name + "__typed")
        self.con.execute(f"CREATE TABLE {table} AS {typed}")
        self.con.execute(f"CREATE VIEW {q(name)} AS SELECT {names}, rowid + {first} AS _line, "
                         f"TRUE AS _ok FROM {table}")

    def ensure_lines(self, name: str) -> bool:
        """Give ledger `name` its line numbers, if it is a view that has none; True if it had
        to (the caller then runs its statement again)."""
        pending = self.lineless.pop(name, None)
        if pending is None:
            return False
        self.con.execute(f"DROP VIEW {q(name)}")
        self._copy_with_lines(name, *pending)
        return True

    def first_line(self, name: str, field: str, value: Any) -> int | None:
        """The line of the first record of ledger `name` whose `field` is `value` (to point at
        a partition value that cannot be a folder name)."""
        self.ensure_lines(name)
        cond = f"{q(field)} IS NULL" if value is None else f"{q(field)} = ?"
        (line,), = self.con.execute(f"SELECT min(_line) FROM {q(name)} WHERE {cond}",
                                    [] if value is None else [value]).fetchall()
        return None if line is None else int(line)

    def _partitions(self, led: Ledger, reader: Reader, st: ReadStats) -> None:
        if reader.pindex is None:
            return
        name = led.fields[reader.pindex].name
        st.partitions.update(r[0] for r in self.con.execute(
            f"SELECT DISTINCT {q(name)} FROM {q(led.id)}").fetchall())

    # -------------------------------------------------------------- Parquet
    def load_parquet(self, led: Ledger, path: Path, display: str, st: ReadStats,
                     reader: Reader, plan: LedgerPlan) -> None:
        problem = check_schema(led, path, display)
        if problem is not None:
            st.fatal.append(problem)
            self._empty(led)
            return
        # as the Python reader: an empty string is no value (null, or a rejected record); an
        # optional column the file lacks is null
        present = set(parquet_columns(path))
        cols = ", ".join(f"CAST(NULL AS {field_type(f)}) AS {q(f.name)}"
                         if f.name not in present else
                         f"NULLIF(CAST({q(f.name)} AS VARCHAR), '') AS {q(f.name)}"
                         if f.type == "str" else
                         f"CAST({q(f.name)} AS {field_type(f)}) AS {q(f.name)}"
                         for f in led.fields)
        required = " AND ".join(f"{q(f.name)} IS NOT NULL" + (f" AND {q(f.name)} <> ''"
                                                               if f.type == "str" else "")
                                for f in led.fields if f.required) or "TRUE"
        known = rows_if_all_accepted(led, path)  # from the file's statistics, if they tell
        if known is not None:
            count, nulls = known, 0
        else:
            (count, nulls), = self.con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE NOT ({required})) FROM "
                f"read_parquet(?)", [str(path)]).fetchall()
        if not nulls:
            # Every record is accepted: the ledger is a view over the file (Parquet numbers its
            # rows), streamed by each statement; nothing is copied.
            self.con.execute(f"CREATE VIEW {q(led.id)} AS SELECT {cols}, file_row_number + 1 "
                             f"AS _line, TRUE AS _ok FROM read_parquet({_lit(str(path))}, "
                             f"file_row_number = true)")
            st.read += count
            st.accepted += count
            if "aggregate" not in plan.statements:
                self._partitions(led, reader, st)  # else the aggregate statement lists them
            return
        self.con.execute(f"CREATE TABLE {q(led.id)} AS SELECT {cols}, file_row_number + 1 AS "
                         f"_line, {required} AS _ok FROM read_parquet(?, file_row_number = "
                         f"true) ORDER BY _line", [str(path)])
        (count,) = self.con.execute(f"SELECT count(*) FROM {q(led.id)}").fetchone()  # type: ignore[misc]
        names = [f.name for f in led.fields]
        for row in self.con.execute(f"SELECT * FROM {q(led.id)} WHERE NOT _ok ORDER BY _line")\
                .fetchall():
            text = ["" if v is None else str(v) for v in row[:len(names)]]
            i = next(k for k, f in enumerate(led.fields) if f.required and row[k] is None)
            st.rejected.append(reader._empty(text, list(range(len(names))), i, display,
                                             row[len(names)]))
        self.con.execute(f"DELETE FROM {q(led.id)} WHERE NOT _ok")
        st.read += count
        st.accepted += count - len(st.rejected)
        self._partitions(led, reader, st)


_LINE_DELIM = "\x1f"  # reading whole lines: a file holding it fails the width check
_VIEW_FROM = 200_000  # records: larger files are streamed by each statement, not copied


def _file_facts(path: Path) -> tuple[bytes, int, bool]:
    """The first line (raw bytes, line end included), the size, and whether the file ends
    with a line end."""
    with open(path, "rb") as fh:
        head = fh.readline()
        size = fh.seek(0, 2)
        if size:
            fh.seek(size - 1)
            last = fh.read(1)
        else:
            last = b""
    return head, size, last == b"\n"


def line_pattern(led: Ledger, order: list[int], width: int) -> str | None:
    """An RE2 pattern a whole line matches only if the Python reader accepts the record with
    the values DuckDB's typed reader gives it (None when the format has no such pattern): the
    cell rules of runtime/cells.py, at their strictest (real calendar dates, at most 18
    integer digits, DECIMAL(18, s) without leading zeros beyond)."""
    fmt = led.format
    if fmt.thousands or fmt.date not in DATE_CALENDAR or len(fmt.delimiter) != 1:
        return None
    d = re.escape(fmt.delimiter)
    other = f"[^{d}\\r\\n\"\\x00]"  # a quote makes the file not plain for Python's csv
    by_file = {i: f for f, i in zip(led.fields, order, strict=True)}
    cells = []
    for i in range(width):
        f = by_file.get(i)
        if f is None:
            cells.append(f"{other}*")
            continue
        if f.type == "str":
            body = f"{other}+"
        elif f.type == "int":
            body = INT_BOUNDED  # BIGINT; longer (valid for Python) takes the exact path
        elif f.type == "decimal":
            body = decimal_bounded(fmt.decimal, f.scale, leading_zeros=False)
        elif f.type == "date":
            body = DATE_CALENDAR[fmt.date]
        else:
            body = bool_pattern(fmt.true, fmt.false)
        cells.append(body if f.required else f"(?:{body})?")
    return d.join(cells)


def _read_type(f: Field) -> str:
    return "VARCHAR" if f.type == "bool" else field_type(f)


def _from_read(f: Field, col: str, led: Ledger) -> str:
    if f.type == "bool":
        return (f"CASE {col} WHEN {_lit(led.format.true)} THEN TRUE "
                f"WHEN {_lit(led.format.false)} THEN FALSE END")
    return col


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
