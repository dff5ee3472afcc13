"""Back-end parity helpers: run the same package and inputs on several back ends."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import runtime
from runtime.errors import RunFailed

SQL_BACKENDS = ["duckdb", "spark"]


def outcome(program: runtime.Program, ledgers: Mapping[str, Any], params: Mapping[str, Any],
            backend: str, **kw: Any) -> tuple[Any, ...]:
    """Everything a user can see of a run: outputs byte for byte, values, counts and rejects;
    or, for a failed run, every error exactly as rendered."""
    try:
        r = program.run(ledgers=ledgers, params=params, backend=backend, **kw)
    except RunFailed as exc:
        return ("failed", [e.render() for e in exc.errors])
    stats = [(s.name, s.path, s.read, s.accepted, [e.render() for e in s.rejected],
              sorted(s.partitions, key=str), s.reached, sorted(s.reached_partitions, key=str))
             for s in r.inputs]
    assert r.backend == backend
    return ("ok", r.outputs, r.values, stats, r.partitions, [w.render() for w in r.warnings],
            [o.journal_row() for o in r.outcomes])  # every check's outcome (run_checks)
