"""Read the compiled SQL of a generated package: sql/plan.json and sql/<dialect>/<ledger>.sql.

Standard library only: the statements were rendered by the compiler (sqlglot); the runtime only
splits the files at their `-- apura:statement <name>` lines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STATEMENT_MARK = "-- apura:statement "


class PlanMissing(Exception):
    """The package was compiled without SQL (or the files are not next to it)."""


@dataclass(frozen=True, slots=True)
class LedgerPlan:
    """The statements of one ledger in one dialect, and what they return."""

    ledger: str
    statements: dict[str, str]
    # node id → kind of each column of its accumulator table (int, decimal, ..., none): the
    # `aggregate` rows (node, part, row, v0..) are parsed into ctx.rows(node, part)[row]
    accumulators: dict[str, list[str]]
    checks: list[dict[str, Any]]          # `errors` columns, in Python evaluation order

    def statement(self, name: str) -> str:
        return self.statements[name]


def split_statements(text: str) -> dict[str, str]:
    """`-- apura:statement NAME` starts a statement; it runs to the next one (no trailing ;)."""
    out: dict[str, str] = {}
    name: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        if line.startswith(STATEMENT_MARK):
            if name is not None:
                out[name] = "\n".join(lines).strip().rstrip(";")
            name, lines = line[len(STATEMENT_MARK):].strip(), []
        elif name is not None:
            lines.append(line)
    if name is not None:
        out[name] = "\n".join(lines).strip().rstrip(";")
    return out


def load_plan(folder: Path, dialect: str) -> dict[str, LedgerPlan]:
    """ledger id → its plan, for the package compiled in `folder`."""
    plan_file = folder / "sql" / "plan.json"
    if not plan_file.is_file():
        raise PlanMissing(str(plan_file))
    plan = json.loads(plan_file.read_text("utf-8"))
    out = {}
    for ledger, entry in plan["ledgers"].items():
        sql_file = folder / "sql" / dialect / f"{ledger}.sql"
        if not sql_file.is_file():
            raise PlanMissing(str(sql_file))
        statements = split_statements(sql_file.read_text("utf-8"))
        out[ledger] = LedgerPlan(ledger=ledger, statements=statements,
                                 accumulators=entry["accumulators"],
                                 checks=entry["checks"])
    return out
