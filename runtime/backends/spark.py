"""The Spark engine (pyspark): the same compiled plan in Spark SQL, for ledgers that outgrow one
machine. One SparkSession per process: local[2] by default, `APURA_SPARK_MASTER` (or
`apura run --spark-master`) for a cluster.

Plain UTF-8 CSV files are read by Spark as lines (numbered through partition offsets), split
and converted by the compiled `convert` statement; the rows it does not accept are judged again
by the Python reader. Quoted or Latin-1 CSV files and in-memory rows are read by the Python
reader on the driver. Parquet is read by Spark, typed. Typed ledgers are repartitioned by the
package's partition field (the município), so each município's records aggregate together.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runtime.backends.plan import LedgerPlan
from runtime.backends.sqlrun import prescan
from runtime.backends.sqlrun import read_header
from runtime.backends.sqlrun import recheck
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

_SESSION: Any = None
_MASTER: str | None = None


def configure(master: str | None) -> None:
    """Use this Spark master for the session of this process (before it starts)."""
    global _MASTER
    _MASTER = master


def master() -> str:
    return _MASTER or os.environ.get("APURA_SPARK_MASTER") or "local[2]"


def check_java() -> None:
    home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (home and (Path(home) / "bin" / "java").exists()):
        raise RuntimeError("o back end spark precisa de Java (17 ou mais novo): instale um JDK "
                           "e ponha 'java' no PATH ou defina JAVA_HOME")


def session() -> Any:
    """The process's SparkSession, started on first use."""
    global _SESSION
    if _SESSION is not None:
        return _SESSION
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("o back end spark precisa do pacote 'pyspark' "
                           "(pip install 'apura[spark]')") from exc
    check_java()
    url = master()
    builder = (SparkSession.builder.master(url).appName("apura")
               .config("spark.sql.ansi.enabled", "true")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.ui.enabled", "false")
               .config("spark.ui.showConsoleProgress", "false"))
    if url.startswith("local"):
        builder = builder.config("spark.sql.shuffle.partitions", "4") \
            .config("spark.default.parallelism", "2")
    _SESSION = builder.getOrCreate()
    _SESSION.sparkContext.setLogLevel("ERROR")
    return _SESSION


def _spark_type(f: Field) -> Any:
    from pyspark.sql import types as T

    if f.type == "decimal":
        return T.DecimalType(LEDGER_PRECISION, f.scale)
    return {"int": T.LongType(), "str": T.StringType(), "bool": T.BooleanType(),
            "date": T.DateType()}[f.type]


class SparkEngine:
    """Temp views in the shared session; dropped when the run closes."""

    name = "spark"

    def __init__(self) -> None:
        self.spark = session()
        self.views: list[str] = []
        self.cached: list[Any] = []

    def close(self) -> None:
        for v in self.views:
            self.spark.catalog.dropTempView(v)
        for df in self.cached:
            df.unpersist()

    def _view(self, df: Any, name: str) -> None:
        df.createOrReplaceTempView(name)
        self.views.append(name)

    def ensure_lines(self, name: str) -> bool:
        return False  # every ledger view carries its line numbers

    def is_overflow(self, exc: Exception) -> bool:
        """A value beyond DECIMAL(38, s) or BIGINT (ANSI mode raises; the run reports D0111)."""
        text = str(exc)
        return any(k in text for k in ("ARITHMETIC_OVERFLOW", "NUMERIC_VALUE_OUT_OF_RANGE",
                                       "CAST_OVERFLOW", "DECIMAL_PRECISION_EXCEEDS"))

    def query(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        df = self.spark.sql(sql)
        return list(df.columns), [tuple(r) for r in df.collect()]

    def set_params(self, pkg: Package, params: Mapping[str, Any],
                   flags: Mapping[str, bool] | None = None) -> None:
        """One row: the run's parameters, and its flags (which reports it computes)."""
        from pyspark.sql import types as T

        flags = flags or {}
        types = {"int": T.LongType(), "decimal": T.DecimalType(PARAM_PRECISION, PARAM_SCALE),
                 "str": T.StringType(), "bool": T.BooleanType(), "date": T.DateType()}
        fields = [T.StructField(p.name, types[p.type]) for p in pkg.params] + \
            [T.StructField(f, T.BooleanType()) for f in flags] or \
            [T.StructField("_", T.LongType())]
        row = (*(params[p.name] for p in pkg.params), *flags.values()) or (1,)
        self._view(self.spark.createDataFrame([row], T.StructType(fields)), "apura_params")

    def _schema(self, led: Ledger) -> Any:
        from pyspark.sql import types as T

        return T.StructType([*(T.StructField(f.name, _spark_type(f)) for f in led.fields),
                             T.StructField("_line", T.LongType()),
                             T.StructField("_ok", T.BooleanType())])

    def _publish(self, led: Ledger, df: Any, reader: Reader) -> None:
        from pyspark.sql import functions as F

        if reader.pindex is not None:
            df = df.repartition(F.col(led.fields[reader.pindex].name))
        df = df.cache()
        self.cached.append(df)
        self._view(df, led.id)

    def load_rows(self, led: Ledger, rows: list[tuple[Any, ...]], display: str,
                  st: ReadStats, reader: Reader | None = None) -> None:
        data = [(*r[:-1], r[-1], True) for r in rows]
        df = self.spark.createDataFrame(data, self._schema(led))
        self._publish(led, df, reader or Reader(led, led.id, None))

    # -------------------------------------------------------------- CSV
    def load_csv(self, led: Ledger, path: Path, display: str, st: ReadStats, reader: Reader,
                 plan: LedgerPlan) -> bool:
        from pyspark.sql import functions as F

        fmt = led.format
        shape = prescan(path)
        if shape is None or not shape.plain or fmt.encoding != "utf-8":
            return False
        try:
            header = read_header(path, led) if fmt.header else None
        except (OSError, UnicodeDecodeError):
            return False
        if fmt.header:
            if header is None:
                return False
            cols = reader._header(header, display, st)
            if cols is None:
                self.load_rows(led, [], display, st, reader)
                return True
            order, width = cols
        else:
            order, width = list(range(len(led.fields))), len(led.fields)
        first = 2 if fmt.header else 1
        text = self.spark.read.text(str(path)) \
            .withColumn("_pid", F.spark_partition_id()) \
            .withColumn("_mid", F.monotonically_increasing_id())
        sizes = sorted((r["_pid"], r["count"]) for r in text.groupBy("_pid").count().collect())
        if sum(n for _, n in sizes) != shape.lines:
            return False
        offset = F.lit(0)
        acc = 0
        for pid, n in sizes:
            offset = F.when(F.col("_pid") == pid, F.lit(acc)).otherwise(offset)
            acc += n
        inside = F.col("_mid") - F.shiftleft(F.col("_pid").cast("long"), 33)
        lines = text.select((offset + inside + 1).alias("_line"), F.col("value")) \
            .where(F.col("_line") >= first)
        parts = F.split(F.col("value"), "\\Q" + fmt.delimiter + "\\E", -1)
        n = F.when(F.col("value") == "", F.lit(0)).otherwise(F.size(parts))
        width_ok = n == width  # as the Python reader: a record has the header's width
        # an optional column the file lacks (order -1) reads empty, as in Python
        cells = [(F.coalesce(F.try_element_at(parts, F.lit(order[i] + 1)), F.lit(""))
                  if order[i] >= 0 else F.lit("")).alias(f.name)
                 for i, f in enumerate(led.fields)]
        cell_view = f"{led.id}{CELLS_SUFFIX}"  # what the `convert` statement reads
        self._view(lines.select(F.col("_line").alias(LINE_COLUMN),
                                width_ok.alias(WIDTH_OK_COLUMN), *cells), cell_view)
        typed = self.spark.sql(plan.statement("convert")).cache()
        self.cached.append(typed)
        count = typed.count()
        bad = [r["_line"] for r in typed.where(~F.col("_ok")).select("_line")
               .orderBy("_line").collect()]
        accepted = typed.where(F.col("_ok"))
        if bad:
            back = []
            for verdict in recheck(path, led, reader, order, width, display, bad):
                if isinstance(verdict, DataError):
                    st.rejected.append(verdict)
                else:
                    back.append((*verdict[:-1], verdict[-1], True))
            if back:
                accepted = accepted.unionByName(self.spark.createDataFrame(back,
                                                                           self._schema(led)))
        self._publish(led, accepted, reader)
        st.read += count
        st.accepted += count - len(st.rejected)
        self._partitions(led, reader, st)
        return True

    def first_line(self, name: str, field: str, value: Any) -> int | None:
        """The line of the first record of ledger `name` whose `field` is `value`."""
        from pyspark.sql import functions as F

        col = F.col(field)
        rows = self.spark.table(name).where(col.isNull() if value is None else col == value) \
            .agg(F.min("_line")).collect()
        return None if rows[0][0] is None else int(rows[0][0])

    def _partitions(self, led: Ledger, reader: Reader, st: ReadStats) -> None:
        if reader.pindex is None:
            return
        name = led.fields[reader.pindex].name
        st.partitions.update(r[0] for r in self.spark.table(led.id).select(name).distinct()
                             .collect())

    # -------------------------------------------------------------- Parquet
    def load_parquet(self, led: Ledger, path: Path, display: str, st: ReadStats,
                     reader: Reader, plan: LedgerPlan) -> None:
        from pyspark.sql import functions as F

        problem = check_schema(led, path, display)
        if problem is not None:
            st.fatal.append(problem)
            self.load_rows(led, [], display, st, reader)
            return
        df = self.spark.read.parquet(str(path))
        ok = F.lit(True)
        for f in led.fields:
            if f.required:
                ok = ok & F.col(f.name).isNotNull()
                if f.type == "str":
                    ok = ok & (F.col(f.name) != "")

        present = set(df.columns)

        def value(f: Field) -> Any:  # as the Python reader: an empty string is no value
            if f.name not in present:  # an optional column the file lacks: null
                return F.lit(None).cast(_spark_type(f)).alias(f.name)
            if f.type == "str":
                return F.when(F.col(f.name) != "", F.col(f.name)).alias(f.name)
            return F.col(f.name).cast(_spark_type(f)).alias(f.name)

        typed = df.select(*(value(f) for f in led.fields),
                          (F.col("_metadata.row_index") + 1).alias("_line"), ok.alias("_ok"))
        typed = typed.cache()
        self.cached.append(typed)
        count = typed.count()
        names = [f.name for f in led.fields]
        for row in typed.where(~F.col("_ok")).orderBy("_line").collect():
            text = ["" if row[n] is None else str(row[n]) for n in names]
            i = next(k for k, f in enumerate(led.fields) if f.required and row[f.name] is None)
            st.rejected.append(reader._empty(text, list(range(len(names))), i, display,
                                             row["_line"]))
        self._publish(led, typed.where(F.col("_ok")), reader)
        st.read += count
        st.accepted += count - len(st.rejected)
        self._partitions(led, reader, st)


