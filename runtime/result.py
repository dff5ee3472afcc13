"""What a run returns (`Result`: the outputs as bytes, the cells, the inputs read, warnings,
the bundles) and the one selection error a run raises before it reads anything."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from runtime.errors import DataError
    from runtime.ledgers import ReadStats
    from runtime.model import LedgerInput
    from runtime.model import Package
    from runtime.program import Program
    from runtime.sheet_explain import SheetExplanation
    from runtime.trace import Explanation


class SelectionConflict(ValueError):
    """A selection holds two alternatives of one group (they may write the same file)."""

    def __init__(self, group: str, layouts: list[str], select: str | None) -> None:
        shown = ", ".join(f"'{x}'" for x in layouts)
        what = f"'{select}' seleciona" if select is not None else "sem --select, a execução tem"
        super().__init__(f"{what} {shown}, alternativos do grupo '{group}': só um deles pode "
                         "rodar; escolha um com --select (ex.: --select "
                         f"'{layouts[0]}')")
        self.group, self.layouts = group, layouts


@dataclass(slots=True)
class Result:
    """The outcome of a run: rendered outputs (relative path → bytes) and the computed rows."""

    package: Package
    outputs: dict[str, bytes]
    values: dict[tuple[str, Any], list[list[Any]]]
    inputs: list[ReadStats]
    partitions: list[Any]
    rejects: list[DataError] = field(default_factory=list)
    backend: str = "python"
    # D06xx notes that do not fail the run, e.g. a partition none of whose records reached a
    # layout (`exercicio=2021` on 2020 data); each input's count is `ReadStats.reached`
    warnings: list[DataError] = field(default_factory=list)
    # what the nodes' finish found, for the journal: the outcome of every check assertion
    outcomes: list[Any] = field(default_factory=list)
    # what the run was given, so that explain() can re-run it with lineage recorded
    program: Program | None = None
    ledgers: dict[str, LedgerInput] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    allow_rejects: bool = False
    allow_unconfirmed: bool = False
    allow_gaps: bool = False
    # the run in the journal, when it was journaled (`Program.run(..., state=)`, `run_to`)
    run_id: int | None = None
    state: Path | None = None
    # runtime/bundle.py: bundles made (also in outputs), inputs' sha256, stale files to remove
    bundles: list[Any] = field(default_factory=list)
    digests: dict[str, Any] = field(default_factory=dict)
    removes: list[str] = field(default_factory=list)
    # runtime/allocation.py: the new state rows of each allocation node, stored at commit
    state_writes: list[Any] = field(default_factory=list)

    def cell(self, layout: str, part: Any, ref: str, column: str = "V0") -> Any:
        """The value of one cell, e.g. result.cell("covid/77", "3170206", "9999999029", "V0")."""
        lay = self.package.layout(layout)
        r = [row.ref for row in lay.rows].index(ref)
        c = [col.id for col in lay.columns].index(column)
        return self.values[(layout, part)][r][c]

    def explain(self, layout: str, part: Any, ref: str, column: str = "V0", *,
                sheet: str | None = None) -> Explanation | SheetExplanation:
        """The memória de cálculo of one cell: `print(result.explain("covid/77", "3170206",
        "9999999013", "V0").render())`; of a sheets node, with its planilha:
        `result.explain("despesa/execucao", "3170206", "3.3.90.30.00.00", "V2", sheet="4_12")`.

        Re-runs the package on the Python back end (whatever back end produced this result)
        with the same inputs and lineage recorded for that partition; in-memory inputs must
        be re-iterable (lists, not generators). Raises `runtime.trace.ExplainError` (a
        ValueError) for an unknown layout, row or column and `RunFailed` for data errors
        (D0407: the partition is not in the inputs; D0410–D0414: a planilha, row or column a
        sheets node does not have). A sheets line is checked against this result's file.
        """
        if self.program is None:
            raise RuntimeError("este resultado não guarda a execução; use Program.explain")
        for name, src in self.ledgers.items():
            if not isinstance(src, str | Path) and iter(src) is src:
                raise ValueError(f"a entrada '{name}' era um iterador e já foi consumida; "
                                 "passe uma lista de linhas para poder usar explain")
        from runtime.trace import Explanation

        exp = self.program.explain(
            self.ledgers, self.params, layout, part, ref, column, sheet=sheet,
            allow_rejects=self.allow_rejects, allow_unconfirmed=self.allow_unconfirmed,
            allow_gaps=self.allow_gaps)
        if not isinstance(exp, Explanation):  # a sheets line: as this result wrote it?
            name = exp.file if exp.part is None else f"{exp.part}/{exp.file}"
            data = self.outputs.get(name)
            if data is not None and exp.written and \
                    exp.line not in data.decode("utf-8").split("\r\n"):
                raise RuntimeError(f"a nova execução escreve a linha '{exp.line}', que não "
                                   f"está em {name} deste resultado: as entradas mudaram "
                                   "desde a execução?")
            return exp
        mine = self.values.get((exp.layout.id, exp.part))
        if mine is not None and mine[exp.row][exp.column] != exp.value:
            raise RuntimeError(f"a nova execução deu {exp.value} para a célula, e este "
                               f"resultado tem {mine[exp.row][exp.column]}: as entradas "
                               "mudaram desde a execução?")
        return exp

    def write(self, out_dir: str | Path, *, rejects: str | Path | None = None,
              wait: bool = False) -> list[tuple[str, str, int]]:
        """Write every output under out_dir as one commit (all the new files or none, see
        `runtime.commit`) — with `rejects`, the CSV of `self.rejects` too —, holding the
        folder's lock (`wait`: wait for another run instead of RunFailed D0503); returns (path,
        sha256, bytes). A journaled result (`Program.run(..., state=)`) records them in its run,
        once; see `runtime.lifecycle.write_result`."""
        from runtime.lifecycle import write_result

        return write_result(self, out_dir, rejects=rejects, wait=wait)
