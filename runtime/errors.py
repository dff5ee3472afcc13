"""Run-time data errors (codes D…), rendered like compiler diagnostics: file:line:col, caret."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class DataError:
    """A problem in the data (or parameters) of a run, positioned in the input file; a line of
    0 means the problem is the file or folder itself (no position: `path: erro[...]`)."""

    code: str
    message: str
    file: str
    line: int
    col: int
    width: int = 1
    text: str | None = None
    help: str | None = None
    field: str = ""

    def render(self) -> str:
        where = f"{self.file}:{self.line}:{self.col}" if self.line > 0 else self.file
        out = [f"{where}: erro[{self.code}]: {self.message}\n"]
        if self.text is not None and self.line > 0:
            g = " " * len(str(self.line))
            out.append(f"{g} |\n{self.line} | {self.text}\n{g} | "
                       f"{' ' * (self.col - 1)}{'^' * max(1, self.width)}\n")
        if self.help:
            out.append(f"  = ajuda: {self.help}\n")
        return "".join(out)


class RunFailed(Exception):
    """A run could not produce trustworthy outputs; carries every data error found."""

    def __init__(self, errors: list[DataError], inputs: list[Any] | None = None) -> None:
        super().__init__(f"{len(errors)} erro(s) de dados")
        self.errors = errors
        # what reading the inputs did (runtime.ledgers.ReadStats), when the run got that far:
        # the journal records them for a failed run too
        self.inputs: list[Any] = inputs or []


class SkipRecord(Exception):
    """Raised inside a scan when a record cannot be evaluated (its error is already recorded)."""


MAX_SHOWN = 50


def render_all(errors: list[DataError]) -> str:
    parts = [e.render() for e in errors[:MAX_SHOWN]]
    if len(errors) > MAX_SHOWN:
        parts.append(f"… e mais {len(errors) - MAX_SHOWN}\n")
    return "".join(parts)
