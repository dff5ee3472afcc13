"""`apura catalog PACOTE [--format csv|json|md]`: the indicators of a compiled package as the
seed's table lists them — área do Portal, indicador, vertical responsável — plus the name, the
source system, the service-layer table, the payload key and what is provisional. Read from the
compiled package (runtime.indicator.infos), as `apura run` reads it."""

from __future__ import annotations

import json
import sys

import click

import runtime
from runtime.indicator import infos
from runtime.portal_record import IndicatorInfo

OPTIONS = "[OPÇÕES]"  # as compiler/cli.py (imported from there would be a cycle)
HEADER = ("Área do Portal", "Indicador", "Vertical Responsável", "Nome", "Sistema", "Tabela",
          "Chave", "Provisório")


def _cells(i: IndicatorInfo) -> tuple[str, ...]:
    return (i.area, i.id, i.vertical, i.name, i.system, i.table, i.payload_key,
            ",".join(i.provisional))


def render(items: list[IndicatorInfo], fmt: str) -> str:
    """The catalog as text. csv: `;`, a header, no quoting needed — the facts hold no `;`,
    quote nor line break (the schema's patterns and S1810; a name with `;` is quoted). json: a
    list of objects, keys in the seam's field names. md: a table (`|` escaped)."""
    if fmt == "json":
        rows = [{"area": i.area, "id": i.id, "vertical": i.vertical, "name": i.name,
                 "system": i.system, "table": i.table, "payload_key": i.payload_key,
                 "provisional": list(i.provisional), "description": i.description}
                for i in items]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if fmt == "md":
        def md(c: str) -> str:
            return c.replace("\\", "\\\\").replace("|", "\\|")
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
        lines += ["| " + " | ".join(md(c) for c in _cells(i)) + " |" for i in items]
        return "\n".join(lines) + "\n"

    def csv_cell(c: str) -> str:
        return '"' + c.replace('"', '""') + '"' if any(ch in c for ch in ';"') else c
    lines = [";".join(HEADER)] + [";".join(csv_cell(c) for c in _cells(i)) for i in items]
    return "\n".join(lines) + "\n"


@click.command("catalog", options_metavar=OPTIONS)
@click.argument("package", metavar="PACOTE")
@click.option("--format", "fmt", type=click.Choice(["csv", "json", "md"]), default="csv",
              show_default=True, help="Formato da listagem.")
def catalog(package: str, fmt: str) -> None:
    """Lista os indicadores do PACOTE compilado: área, id, vertical, nome, sistema, tabela."""
    from compiler.runner import _locate

    program = runtime.load(_locate(package))
    items = infos(program.package)
    if not items:
        click.echo(f"o pacote '{package}' não tem indicadores", err=True)
        sys.exit(1)
    click.echo(render(items, fmt), nl=False)


COMMANDS = (catalog,)
