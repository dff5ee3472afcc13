"""The files a table adds to generated/<pkg>/: its normalized copy `tables/<id>.csv` (the
CSV the runtime reads; deterministic bytes) and `tables/index.json`, which lists every copy
with its sha256 and the spec file it comes from (compiler/writer.py treats the files it lists
as the compiler's: `apura compile` replaces or removes them, `--check` compares them)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from compiler import ir

INDEX = "tables/index.json"


class _TableFiles:
    def files(self, pkg: ir.Package, nodes: Sequence[ir.PlanNode]) -> dict[str, str]:
        tables = [n for n in nodes if isinstance(n, ir.Table)]
        if not tables:
            return {}
        out = {t.path: t.copy for t in tables}
        index = {"format": 1, "tables": {t.id: {"file": t.path, "sha256": t.sha256,
                                                "rows": len(t.rows), "from": list(t.files)}
                                         for t in tables}}
        out[INDEX] = json.dumps(index, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        return out


PART = _TableFiles()
