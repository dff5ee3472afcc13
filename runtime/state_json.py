"""The state file's canonical JSON (runtime/derivation_state.py), written by hand: the text
`dumps([canon(v) for v in values])` and `dumps({n: canon(v) ...})` give, byte for byte, without
building the canonical copy and without the encoder's per-call set-up. A first load of
Transparência MG encodes three texts per OP (its key, its scope, its fields) and one per
output record of each derivation (`remember`): at a million OPs the encoder's set-up and
`canon`'s isinstance chain were a fifth of the run (benchmarks/transparencia.py).

Each value is written by its exact type (text escaped by the json module's own C function);
a type not in the table (a float, a subclass) goes through the json module, so nothing is
ever written differently (tests/unit/test_state_json.py compares the two on every kind of
value the ledgers hold)."""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from collections.abc import Iterable
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

# the state's encoder (ensure_ascii off, compact): the fallback, and what every text equals
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _date(v: datetime.date) -> str:
    return f'"{v.isoformat()}"'


_TEXT: dict[type, Callable[[Any], str]] = {
    type(None): lambda v: "null", bool: lambda v: "true" if v else "false", int: int.__repr__,
    str: encode_basestring, Decimal: lambda v: f'"{v}"', datetime.date: _date,
    datetime.datetime: _date}


def _canon(value: Any) -> Any:
    """runtime/derivation_state.canon (imported here it would be circular)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def text(value: Any) -> str:
    """One value as the state's canonical JSON."""
    fn = _TEXT.get(type(value))
    return fn(value) if fn is not None else _ENCODE(_canon(value))


def list_text(values: Iterable[Any]) -> str:
    """A key (or scope) as the state stores it: a JSON list."""
    get = _TEXT.get
    return "[" + ",".join([(get(type(v)) or text)(v) for v in values]) + "]"


def object_text(names: tuple[str, ...] | list[str]) -> Callable[[Iterable[Any]], str]:
    """A function of the values (in `names`' order) giving the JSON object name → value, as
    the state stores a record's fields; the names encoded once."""
    heads = [f"{encode_basestring(n)}:" for n in names]
    get = _TEXT.get

    def encode(values: Iterable[Any]) -> str:
        return "{" + ",".join([h + (get(type(v)) or text)(v)
                               for h, v in zip(heads, values, strict=False)]) + "}"
    return encode
