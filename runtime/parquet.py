"""Parquet inputs: the one schema check every back end applies (D0112), so a file is accepted
or refused the same way whether Python, DuckDB or Spark reads it.

Only the file's metadata is read (pyarrow); the rules are those of the SQL back ends' typed
columns: integers for `int`; integers or decimals that fit DECIMAL(18, scale) for `decimal`
(never floating point: money stays exact); strings, dates (date32) and booleans; a column
of nulls fits any field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runtime import catalog
from runtime.contract import LEDGER_PRECISION
from runtime.errors import DataError
from runtime.model import Field
from runtime.model import Ledger


def expected_type(f: Field) -> str:
    """The Arrow type name a field is best stored as."""
    if f.type == "decimal":
        return f"decimal128({LEDGER_PRECISION}, {f.scale})"
    return {"int": "int64", "str": "string", "bool": "bool", "date": "date32[day]"}[f.type]


def compatible(f: Field, t: Any) -> bool:
    """Whether a column of Arrow type `t` holds field `f` exactly."""
    import pyarrow as pa

    if pa.types.is_null(t):  # a column with no values at all
        return True
    ints = pa.types.is_signed_integer(t) or (pa.types.is_unsigned_integer(t)
                                             and t.bit_width <= 32)
    if f.type == "int":
        return bool(ints)
    if f.type == "decimal":
        return bool(ints or (pa.types.is_decimal(t) and t.scale <= f.scale
                             and t.precision - t.scale <= LEDGER_PRECISION - f.scale))
    if f.type == "str":
        return bool(pa.types.is_string(t) or pa.types.is_large_string(t))
    if f.type == "date":
        return bool(pa.types.is_date32(t))
    return bool(pa.types.is_boolean(t))


def check_schema(led: Ledger, path: Path, display: str) -> DataError | None:
    """D0109 when the file cannot be read as Parquet, D0112 when its columns do not hold the
    ledger's fields; None when the file is fit to read."""
    try:
        import pyarrow.parquet as pq
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("ler Parquet precisa do pacote 'pyarrow' (pip install "
                           "'apura[sql]')") from exc
    try:
        schema = pq.read_schema(path)
    except (OSError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return catalog.unreadable(reason, file=display, parquet=True)
    types = {name: schema.field(name).type for name in schema.names}
    problems = []
    for f in led.fields:
        t = types.get(f.name)
        if t is None and f.optional:  # an optional column: null on every record
            continue
        if t is None:
            problems.append(f"falta a coluna '{f.name}'")
        elif not compatible(f, t):
            problems.append(f"a coluna '{f.name}' é {t}; esperava {expected_type(f)}")
    if problems:
        return catalog.parquet_schema(problems, file=display)
    return None


def parquet_columns(path: Path) -> list[str]:
    """The column names of a Parquet file (its schema; the file was checked already)."""
    import pyarrow.parquet as pq

    return list(pq.read_schema(path).names)


def rows_if_all_accepted(led: Ledger, path: Path) -> int | None:
    """The number of records, when the file's own statistics prove that no required field is
    null (or, for text, empty) in any of them: then no record can be rejected and nobody has
    to scan the file to find out. None when the statistics do not prove it."""
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except (OSError, ValueError):
        return None
    index = {meta.schema.column(i).name: i for i in range(meta.num_columns)}
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for f in led.fields:
            if not f.required:
                continue
            i = index.get(f.name)
            if i is None:
                return None
            stats = group.column(i).statistics
            if group.num_rows == 0:
                continue
            if stats is None or not stats.has_null_count or stats.null_count:
                return None
            if f.type == "str" and (not stats.has_min_max or stats.min in ("", b"")):
                return None
    return int(meta.num_rows)
