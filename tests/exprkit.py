"""A tiny spec package to evaluate expressions over in-memory rows, on any back end.

Ledger `t` fields: k (str, the partition), a (int?), b (decimal?), s (str?), d (date?), f (bool?).
`count_where(cond)` counts the records for which `cond` is true (filters keep only true).
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from pathlib import Path
from typing import Any

import runtime
from compiler import compile_package
from compiler.writer import write_tree

BACKENDS = ["python", "duckdb", "spark"]

_counter = itertools.count()

PACKAGE = """kind: package
id: e
partition: k
params:
  p: {type: int}
"""
LEDGER = """kind: ledger
id: t
format: {type: csv, delimiter: ";", encoding: utf-8, decimal: ",", date: DD/MM/YYYY}
fields:
  k: {type: str}
  a: {type: int, required: false}
  b: {type: decimal, required: false}
  s: {type: str, required: false}
  d: {type: date, required: false}
  f: {type: bool, required: false}
"""


def build(tmp: Path, layouts: dict[str, str]) -> runtime.Program:
    """Compile a package with ledger `t` and the given layout files; load it."""
    root = tmp / f"p{next(_counter)}"
    files = {"package.yaml": PACKAGE, "t.yaml": LEDGER, **layouts}
    for rel, text in files.items():
        (root / "specs").mkdir(parents=True, exist_ok=True)
        (root / "specs" / rel).write_text(text, encoding="utf-8")
    res = compile_package(root / "specs", base=root)
    assert not res.errors, [d.message for d in res.errors]
    assert res.package_id is not None
    write_tree(root / "gen" / res.package_id, res.files)
    return runtime.load(root / "gen" / res.package_id)


def count_layout(cond: str) -> str:
    return f"""kind: layout
id: c
planilha: 1
source: t
filter: '{cond}'
output: {{format: impt, file: c.IMPT}}
columns:
  - {{id: V0, code: 1, label: n, value: count()}}
rows:
  - {{ref: "1", record_id: "1", otherwise: true}}
"""


def run(program: runtime.Program, rows: list[dict[str, Any]], backend: str,
        params: dict[str, Any] | None = None) -> runtime.Result:
    full = [{"k": "x", "a": None, "b": None, "s": None, "d": None, "f": None, **r} for r in rows]
    kwargs: dict[str, Any] = {}
    if backend != "python":
        kwargs["backend"] = backend
    return program.run(ledgers={"t": full}, params=params or {"p": 7}, **kwargs)


def count_where(tmp: Path, cond: str, rows: list[dict[str, Any]], backend: str) -> int:
    program = build(tmp, {"c.yaml": count_layout(cond)})
    result = run(program, rows, backend)
    return int(result.cell("c", "x", "1", "V0"))


def D(s: str) -> Decimal:
    return Decimal(s)
