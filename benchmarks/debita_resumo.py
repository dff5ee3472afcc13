"""The Debita results table (resumo.csv / resumo.md) built so that it cross-foots.

The seed (002_e2b61c13970ff9c0) prints a 2 × 2 table — Regra 01 / Regra 02 by Débitos /
Multas — whose "Total importado" column holds the column totals and whose "Total" row holds
the row totals (transposed), and its prose misspells three figures. Here a table is only
ever built from its cells: every total is a sum computed here, never a typed figure, so
rows and columns add up by construction. `seed_view` takes the seed's four cells;
`resumo_rows` the partition of the imported money by outcome (DEBITA.md, "resumo.csv").

Stdlib only; shared by benchmarks/debita_baseline.py (the oracle) and its tests.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN
from decimal import Decimal

CENT = Decimal("0.01")
HEADER = ("linha", "debitos", "multas", "total")


def money(value: Decimal) -> str:
    """'1234,56': decimal comma, no thousands separator, '-' for negatives, never '-0,00'.
    Fast path: a value already at two places (every input and every sum of them) prints
    as str() does, with the comma."""
    t = str(value)
    if len(t) > 3 and t[-3] == "." and "E" not in t and t != "-0.00":
        return t[:-3] + "," + t[-2:]
    q = value.quantize(CENT, rounding=ROUND_HALF_EVEN)
    if q == 0:
        return "0,00"
    return ("-" if q < 0 else "") + f"{abs(q):f}".replace(".", ",")


def money_br(value: Decimal) -> str:
    """pt-BR money for Markdown: '1.234,56' (thousands '.', decimal ',')."""
    text = money(value)
    sign, text = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, cents = text.split(",")
    return f"{sign}{int(whole):,}".replace(",", ".") + "," + cents


def count_br(value: int) -> str:
    """pt-BR integer: '18.397' (the seed prints its counts so)."""
    return f"{value:,}".replace(",", ".")


@dataclass(frozen=True)
class Row:
    """One line of the table: label, the two cells, and whether it holds money or a count."""

    label: str
    debitos: Decimal
    multas: Decimal
    is_count: bool = False

    @property
    def total(self) -> Decimal:
        return self.debitos + self.multas


def total_row(label: str, rows: Sequence[Row]) -> Row:
    """The column totals of `rows` (money rows only)."""
    return Row(label, sum((r.debitos for r in rows), Decimal(0)),
               sum((r.multas for r in rows), Decimal(0)))


def seed_view(regra01_debitos: Decimal, regra01_multas: Decimal, regra02_debitos: Decimal,
              regra02_multas: Decimal) -> list[Row]:
    """The seed's two-row table from its four cells, with its total row computed."""
    rows = [Row("regra_01", regra01_debitos, regra01_multas),
            Row("regra_02", regra02_debitos, regra02_multas)]
    return [*rows, total_row("total", rows)]


UNLINKED = ("nao_vinculado_mais_de_uma", "nao_vinculado_excedente_ou_anterior",
            "nao_vinculado_sem_imputacao")


def resumo_rows(applied_label: str, cells: dict[str, tuple[Decimal, Decimal]],
                records: tuple[int, int], events: tuple[int, int],
                view: tuple[str, str] = ("regra_01", "regra_02")) -> list[Row]:
    """The resumo of DEBITA.md from the partition's cells (debitos, multas) keyed by label:
    `applied_label` ("aplicado_regra_01", or "aplicado_regra_anterior" for the earlier rule),
    "aplicado_desconto_em_folha" and the three UNLINKED labels. total_importado is their sum;
    the seed view's first row (`view`: regra_01; the earlier rule has no Regra 01 / Regra 02
    and says regra_anterior / nao_vinculado, as specs/debita/regra_anterior.yaml) is
    everything applied (automatic + manual), the second the three unlinked rows, so the two
    also add up to total_importado."""
    order = (applied_label, "aplicado_desconto_em_folha", *UNLINKED)
    part = [Row(label, *cells.get(label, (Decimal(0), Decimal(0)))) for label in order]
    applied = total_row(view[0], part[:2])
    unlinked = total_row(view[1], part[2:])
    return [*part, total_row("total_importado", part),
            Row("registros_importados", Decimal(records[0]), Decimal(records[1]), True),
            Row("eventos_gerados", Decimal(events[0]), Decimal(events[1]), True),
            applied, unlinked]


def _cells(row: Row, fmt_money: Callable[[Decimal], str],
           fmt_count: Callable[[int], str]) -> list[str]:
    vals = (row.debitos, row.multas, row.total)
    if row.is_count:
        return [row.label, *(fmt_count(int(v)) for v in vals)]
    return [row.label, *(fmt_money(v) for v in vals)]


def resumo_csv(rows: Sequence[Row]) -> str:
    """resumo.csv text: ';', header row, '\\n' line ends; counts as plain integers."""
    lines = [";".join(HEADER)]
    lines += [";".join(_cells(r, money, str)) for r in rows]
    return "\n".join(lines) + "\n"


def resumo_md(rows: Sequence[Row]) -> str:
    """resumo.md text: the same table in Markdown, money and counts in pt-BR."""
    lines = ["| " + " | ".join(HEADER) + " |", "|---|---:|---:|---:|"]
    lines += ["| " + " | ".join(_cells(r, money_br, count_br)) + " |" for r in rows]
    return "\n".join(lines) + "\n"
