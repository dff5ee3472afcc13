"""Run-time codes of the explainers of the indicator, derivation, check and coverage kinds
(runtime/explain_<kind>.py): D1940–D1959. Each is a request error — the node, record, field or
assertion an address names does not exist — with the valid choices (and a "você quis dizer")
in its help; file is what was asked for (line 0: not a place in a file)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from runtime.errors import DataError


def _help(got: str, options: Sequence[str], what: str) -> str:
    close = difflib.get_close_matches(got, list(options), n=1)
    shown = ", ".join(options[:20]) + (", …" if len(options) > 20 else "")
    mean = f"você quis dizer '{close[0]}'? " if close else ""
    return f"{mean}{what}: {shown or 'nenhum'}"


def unknown_node(kind: str, node: str, options: Sequence[str]) -> DataError:
    """D1940: the package has no node of that kind with that id."""
    return DataError(code="D1940", message=f"o pacote não tem o {kind} '{node}'",
                     file=f"{kind} {node}", line=0, col=0,
                     help=_help(node, options, f"{kind}(es) do pacote"))


def unknown_record(node: str, locator: str, options: Sequence[str]) -> DataError:
    """D1941: no output record of the node has that locator (idIntegracao, key values, or
    position) in the partition."""
    return DataError(code="D1941", message=f"'{node}' não tem o registro '{locator}' nesta "
                     "partição", file=f"registro {locator}", line=0, col=0,
                     help=_help(locator, options, "registros"))


def unknown_field(node: str, name: str, options: Sequence[str]) -> DataError:
    """D1942: the derivation has no field of that name (or no field was named)."""
    return DataError(code="D1942", message=f"'{node}' não tem o campo '{name}'",
                     file=f"campo {name}", line=0, col=0,
                     help=_help(name, options, "campos"))


def unknown_assertion(node: str, name: str, options: Sequence[str]) -> DataError:
    """D1943: the check has no assertion of that id."""
    return DataError(code="D1943", message=f"a conferência '{node}' não tem a asserção "
                     f"'{name}'", file=f"asserção {name}", line=0, col=0,
                     help=_help(name, options, "asserções"))
