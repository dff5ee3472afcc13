"""SQL back ends: run a package's compiled SQL (generated/<pkg>/sql/) on DuckDB or Spark.

The engines only produce the layouts' aggregates (and the D02/D03 errors); the generated
Python `finish` and the IMPT rendering run on them exactly as on the Python back end. Engine
libraries (duckdb, pyspark, pyarrow) are imported only when a run asks for them.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

BACKENDS = ("python", "duckdb", "spark", "auto")
AUTO_SIZE = 50 * 1024 * 1024  # `auto` picks DuckDB from this input size on


def choose(backend: str, ledgers: Mapping[str, Any]) -> str:
    """The back end that runs: `auto` is duckdb when an input is Parquet or larger than
    ~50 MB, python otherwise."""
    if backend != "auto":
        return backend
    for src in ledgers.values():
        if isinstance(src, str | Path):
            p = Path(src)
            if p.suffix.lower() == ".parquet":
                return "duckdb"
            try:
                if p.stat().st_size > AUTO_SIZE:
                    return "duckdb"
            except OSError:
                continue
    return "python"
