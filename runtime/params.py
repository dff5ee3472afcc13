"""Run parameters as the CLI and the embedding API give them: one converter, used by every run
(runtime.program.Program.check_params) and by the compiler to check a package.yaml `default:`
(S1520), so a default is exactly what `--param name=<text>` would be."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

_PARAM_DECIMAL = re.compile(r"-?[0-9]+(?:[.,][0-9]+)?")
TODAY = "hoje"  # a date parameter's text for the run's day, in Brazil's legal time
TODAY_ZONE = "America/Sao_Paulo"


def today() -> datetime.date:
    """The day it is in America/Sao_Paulo (the zone of the schools' records, not the
    machine's): what `hoje` means — `default: hoje` on a date parameter (seed 001's "data
    atual" of a run). Tests pass the date instead, so their outputs do not move with the day."""
    from zoneinfo import ZoneInfo

    return datetime.datetime.now(ZoneInfo(TODAY_ZONE)).date()


def convert_param(kind: str, v: Any) -> Any:
    """A parameter value of `kind`: strings (the CLI's) are parsed strictly; other values (the
    embedding API's) must already be of the kind — never a float for a decimal, never a bool for
    an int. Raises ValueError otherwise. The compiler checks a `default:` with it (S1520)."""
    if not isinstance(v, str):
        if kind == "int" and isinstance(v, int) and not isinstance(v, bool):
            return v
        if kind == "decimal" and isinstance(v, int) and not isinstance(v, bool):
            return Decimal(v)
        if kind == "decimal" and isinstance(v, Decimal) and v.is_finite():
            return v
        if kind == "bool" and isinstance(v, bool):
            return v
        if kind == "date" and type(v) is datetime.date:
            return v
        raise ValueError(v)
    if kind == "int":
        t = v[1:] if v[:1] == "-" else v
        if not (t.isascii() and t.isdigit()):
            raise ValueError(v)
        return int(v)
    if kind == "decimal":
        if not _PARAM_DECIMAL.fullmatch(v):
            raise ValueError(v)
        return Decimal(v.replace(",", "."))
    if kind == "bool":
        if v in ("true", "S", "1"):
            return True
        if v in ("false", "N", "0"):
            return False
        raise ValueError(v)
    if kind == "date":
        return today() if v == TODAY else datetime.date.fromisoformat(v)
    return v
