"""Generated specs for the scale tests and benchmarks: big layouts and long expressions.

`big_layout(rows)` is a layout over exprkit's ledger `t` with `rows` rule rows (one per value
of `a`), a total row every 50 rows and one `otherwise` row: about 100 bytes of YAML per row.
"""

from __future__ import annotations

from pathlib import Path

from tests.exprkit import LEDGER
from tests.exprkit import PACKAGE

TOTAL_EVERY = 50


def big_layout(rows: int) -> str:
    out = ["kind: layout", "id: big", "planilha: 1", "source: t", "filter: a is not null",
           "hit_policy: first", "output: {format: impt, file: big.IMPT}", "columns:",
           "  - {id: V0, code: 1, label: soma, value: 'sum(coalesce(b, 0))'}",
           "  - {id: V1, code: 2, label: registros, value: count()}", "rows:"]
    block: list[str] = []
    for k in range(rows):
        ref = f"R{k:06d}"
        out.append(f'  - {{ref: "{ref}", record_id: "{k}", label: linha {k}, '
                   f"rule: 'a == {k} and s != \"x{k}\"'}}")
        block.append(ref)
        if len(block) == TOTAL_EVERY:
            refs = ", ".join(f'"{r}"' for r in block)
            out.append(f'  - {{ref: "T{k:06d}", record_id: "t{k}", label: total {k}, '
                       f"total_of: [{refs}]}}")
            block = []
    out.append('  - {ref: "OUTROS", record_id: "outros", label: outros, otherwise: true}')
    return "\n".join(out) + "\n"


def write_big_package(root: Path, rows: int) -> Path:
    """Write package + ledger `t` + the big layout under root/specs; returns that folder."""
    specs = root / "specs"
    specs.mkdir(parents=True, exist_ok=True)
    (specs / "package.yaml").write_text(PACKAGE, encoding="utf-8")
    (specs / "t.yaml").write_text(LEDGER, encoding="utf-8")
    (specs / "big.yaml").write_text(big_layout(rows), encoding="utf-8")
    return specs
