"""Run-time data errors (codes D…), rendered like compiler diagnostics: file:line:col, caret
(runtime/render.py draws both). They are built only by runtime/catalog.py.

An error about the run's request rather than a place in a file (a parameter, an input name)
has no position (line 0): it renders as `parâmetro bimestre: erro[D0402]: …`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from runtime.render import header
from runtime.render import note
from runtime.render import render_many
from runtime.render import snippet


@dataclass(frozen=True, slots=True, kw_only=True)
class DataError:
    """A problem in the data (or parameters) of a run, positioned in the input file; `line` 0
    when there is no position: `file` then names what is wrong (a parameter, an input name,
    or a file or folder itself) and it renders as `parâmetro bimestre: erro[...]`."""

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
        where = f"{self.file}:{self.line}:{self.col}" if self.line > 0 else self.file
        out = [header(where, self.severity, self.code, self.message)]
        if self.text is not None and self.line > 0:
            out.append(snippet(self.line, self.text, self.col, self.width))
        if self.help:
            out.append(note("ajuda", self.help))
        return "".join(out)


class BadCell(Exception):
    """A cell that does not convert to its field's type: its code (D0101–D0104, D0113) and
    reason, built by runtime/catalog.py; `catalog.bad_cell` places it in its record."""

    def __init__(self, *, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.help = help


# Errors in what the run was asked (parameters, input names), found before any data is read:
# the CLI treats them as usage errors (exit 2), like a malformed --param.
# D1002: a table shipped with the package given as an input; D1101: no layout year serves
# the year parameter.
REQUEST_CODES = frozenset({"D0401", "D0402", "D0403", "D0404", "D0405", "D0406", "D1002",
                           "D1101"})


class RunFailed(Exception):
    """A run could not produce trustworthy outputs; carries every data error found."""

    def __init__(self, errors: list[DataError], inputs: list[Any] | None = None) -> None:
        super().__init__(f"{len(errors)} erro(s) de dados")
        self.errors = errors
        # what reading the inputs did (runtime.ledgers.ReadStats), when the run got that far:
        # the journal records them for a failed run too
        self.inputs: list[Any] = inputs or []
        # what the nodes' finish found before the run failed (check outcomes, for the journal)
        self.outcomes: list[Any] = []

    @property
    def usage(self) -> bool:
        """True when every error is about the request (REQUEST_CODES), none about the data."""
        return bool(self.errors) and all(e.code in REQUEST_CODES for e in self.errors)


class SkipRecord(Exception):
    """Raised inside a scan when a record cannot be evaluated (its error is already recorded)."""


def render_all(errors: list[DataError]) -> str:
    return render_many(errors, DataError.render)
