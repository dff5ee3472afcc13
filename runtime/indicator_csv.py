"""`indicadores.csv`: an indicator package's records of one partition, one line per field of
each record, and back. `;`, UTF-8, LF, a header, decimal comma:

    indicador;id_integracao;campo;tipo;valor
    mediaescola1a5menores;3f2a…;exercicio;inteiro;2019
    mediaescola1a5menores;3f2a…;escola;texto;"Escola Municipal Ana"
    mediaescola1a5menores;3f2a…;media;decimal;6,25

`tipo` is texto | inteiro | decimal | logico (S/N) | nulo (empty valor). A text is always
quoted: `"` doubled, and the characters a line cannot carry (line breaks, U+2028/U+2029,
control characters) as `\\uXXXX` and `\\` doubled, so every field of every ledger value stays on
its line and `parse` gives back exactly the records `render` wrote (a property test checks
it). The indicator ids, field names and idIntegracao are checked names (S18xx, hex)."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from runtime.portal_record import Value

HEADER = "indicador;id_integracao;campo;tipo;valor\n"
FILE = "indicadores.csv"


def unsafe_char(ch: str) -> bool:
    """A control character, a line or paragraph separator or a lone surrogate (the set of
    compiler/chars.unsafe_char): never raw in an output line."""
    return unicodedata.category(ch) in ("Cc", "Zl", "Zp", "Cs")


_ESCAPE = re.compile(r"\\(\\|u[0-9a-f]{4})")


def _text(s: str) -> str:
    """A text as a quoted cell: `"` doubled, `\\` doubled, unsafe characters as `\\uXXXX`."""
    body = "".join('""' if ch == '"' else "\\\\" if ch == "\\" else
                   f"\\u{ord(ch):04x}" if unsafe_char(ch) else ch for ch in s)
    return f'"{body}"'


def _untext(body: str) -> str:
    return _ESCAPE.sub(lambda m: "\\" if m.group(1) == "\\" else chr(int(m.group(1)[1:], 16)),
                       body)


def cell(v: Value) -> tuple[str, str]:
    """(tipo, valor) of a value."""
    if v is None:
        return "nulo", ""
    if isinstance(v, bool):
        return "logico", "S" if v else "N"
    if isinstance(v, int):
        return "inteiro", str(v)
    if isinstance(v, Decimal):
        return "decimal", f"{v:f}".replace(".", ",")
    return "texto", _text(v)


def render(records: Iterable[IndicatorRecord]) -> bytes:
    lines = [HEADER]
    for r in records:
        for name, v in r.content:
            tipo, valor = cell(v)
            lines.append(f"{r.indicator};{r.id_integracao};{name};{tipo};{valor}\n")
    return "".join(lines).encode("utf-8")


def _value(tipo: str, valor: str) -> Value:
    if tipo == "nulo":
        return None
    if tipo == "logico":
        return valor == "S"
    if tipo == "inteiro":
        return int(valor)
    if tipo == "decimal":
        return Decimal(valor.replace(",", "."))
    return _untext(valor)


def parse(data: bytes, entity: str) -> list[IndicatorRecord]:
    """The records of an `indicadores.csv` (as `render` wrote them), in file order."""
    rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""), delimiter=";")
    header = next(rows)
    assert ";".join(header) + "\n" == HEADER, header
    out: list[IndicatorRecord] = []
    current: tuple[str, str] | None = None
    content: list[tuple[str, Value]] = []

    def close() -> None:
        if current is not None:
            ex = dict(content)["exercicio"]
            assert isinstance(ex, int)
            out.append(IndicatorRecord(indicator=current[0], entity=entity, exercicio=ex,
                                       id_integracao=current[1], content=tuple(content)))
    for indicator, ident, name, tipo, valor in rows:
        if (indicator, ident) != current:
            close()
            current, content = (indicator, ident), []
        content.append((name, _value(tipo, valor)))
    close()
    return out


def portal(result: Any, part: Any) -> tuple[list[IndicatorInfo], list[IndicatorRecord]]:
    """The two seam lists of one partition of a run (runtime.result.Result of a package with
    indicators): the catalog (spec order) and the records, sorted. What runtime/portal_lotes.py
    and runtime/portal_painel.py consume — one call."""
    from runtime.indicator import infos

    name = FILE if part is None else f"{part}/{FILE}"
    data = result.outputs.get(name)
    records = parse(data, "" if part is None else str(part)) if data is not None else []
    return infos(result.package), sorted(records)
