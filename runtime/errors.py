"""Run-time data errors (codes D…), rendered like compiler diagnostics: file:line:col, caret.

An error about the run's request rather than a place in a file (a parameter, an input name)
has no position (line 0): it renders as `parâmetro bimestre: erro[D0402]: …`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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
        out = [f"{where}: {self.severity}[{self.code}]: {self.message}\n"]
        if self.text is not None and self.line > 0:
            g = " " * len(str(self.line))
            text, col, width = clip(self.text, self.col, max(1, self.width))
            out.append(f"{g} |\n{self.line} | {text}\n{g} | "
                       f"{' ' * (col - 1)}{'^' * width}\n")
        if self.help:
            out.append(f"  = ajuda: {self.help}\n")
        return "".join(out)


SHOWN_WIDTH = 120  # characters of a source or record line shown under a message


def clip(text: str, col: int, width: int, limit: int = SHOWN_WIDTH) -> tuple[str, int, int]:
    """A window of at most ~`limit` characters of a long line around columns col..col+width
    (1-based), with '…' where it was cut; returns (text, col, width) for the caret in it.

    Example: a 125,000-character expression line shows the 120 characters around the error.
    """
    if len(text) <= limit:
        return text, col, width
    width = max(1, min(width, limit - 2))
    start = max(0, min(col - 1 - limit // 3, len(text) - limit))
    end = min(len(text), start + limit)
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    col = col - start + len(head)
    width = max(1, min(width, end - start - (col - 1 - len(head))))
    return head + text[start:end] + tail, col, width


# Errors in what the run was asked (parameters, input names), found before any data is read:
# the CLI treats them as usage errors (exit 2), like a malformed --param.
REQUEST_CODES = frozenset({"D0401", "D0402", "D0403", "D0404", "D0405", "D0406"})


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


MAX_SHOWN = 50

# Type names in messages (the compiler's are in compiler/types.py; a test keeps them equal).
TYPE_NAMES = {"int": "inteiro", "decimal": "decimal", "str": "texto", "bool": "booleano",
              "date": "data"}


def render_all(errors: list[DataError]) -> str:
    parts = [e.render() for e in errors[:MAX_SHOWN]]
    if len(errors) > MAX_SHOWN:
        parts.append(f"… e mais {len(errors) - MAX_SHOWN}\n")
    return "".join(parts)
