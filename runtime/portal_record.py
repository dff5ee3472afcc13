"""What an `indicator` node hands to the delivery of the Portal do Gestor (issue 11): the
indicator's catalog facts and its computed records, one per `idIntegracao`.

This is the seam between computing (the `indicator` kind) and delivering (lotes, `apura send`,
`apura lotes`, the painel): the kind fills these and nothing downstream looks at a ledger or a
spec. Values are JSON-ready and exact — text, int, bool, None, or Decimal (written as a JSON
number with its own digits, never through float)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Value = str | int | bool | None | Decimal


@dataclass(frozen=True, slots=True)
class IndicatorInfo:
    """One indicator of the catalog, as its spec declares it. `system` is the source system that
    sends it (Sapo, Folha, Compras, …: tokens and schedules belong to it); `table` the
    service-layer table and `payload_key` the key that wraps each record's content (both
    provisional where the seed does not show them: `provisional` lists which facts are)."""

    id: str
    area: str
    vertical: str
    name: str
    system: str
    table: str
    payload_key: str
    description: str = ""
    provisional: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, order=True)
class IndicatorRecord:
    """One record of one indicator for one entity (the package partition) and exercício.
    `id_integracao` is deterministic (≤ 64 characters of [A-Za-z0-9], derived from indicator,
    entity, exercício and keys — a ranked indicator's rank); `content` the record's fields in a
    fixed order, `exercicio` included."""

    indicator: str
    entity: str
    exercicio: int
    id_integracao: str
    content: tuple[tuple[str, Value], ...]
