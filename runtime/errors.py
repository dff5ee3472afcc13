"""Run-time data errors (codes D…), rendered like compiler diagnostics: file:line:col, caret."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class DataError:
    """A problem in the data (or parameters) of a run, positioned in the input file."""

    code: str
    message: str
    file: str
    line: int
    col: int
    width: int = 1
    text: str | None = None
    help: str | None = None
    field: str = ""
    severity: str = "erro"  # or "aviso": a warning (D06xx), which does not fail the run

    def render(self) -> str:
        out = [f"{self.file}:{self.line}:{self.col}: {self.severity}[{self.code}]: "
               f"{self.message}\n"]
        if self.text is not None:
            g = " " * len(str(self.line))
            out.append(f"{g} |\n{self.line} | {self.text}\n{g} | "
                       f"{' ' * (self.col - 1)}{'^' * max(1, self.width)}\n")
        if self.help:
            out.append(f"  = ajuda: {self.help}\n")
        return "".join(out)


class RunFailed(Exception):
    """A run could not produce trustworthy outputs; carries every data error found."""

    def __init__(self, errors: list[DataError]) -> None:
        super().__init__(f"{len(errors)} erro(s) de dados")
        self.errors = errors


class SkipRecord(Exception):
    """Raised inside a scan when a record cannot be evaluated (its error is already recorded)."""


MAX_SHOWN = 50


def render_all(errors: list[DataError]) -> str:
    parts = [e.render() for e in errors[:MAX_SHOWN]]
    if len(errors) > MAX_SHOWN:
        parts.append(f"… e mais {len(errors) - MAX_SHOWN}\n")
    return "".join(parts)
