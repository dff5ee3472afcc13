"""The CLI of the Portal do Gestor delivery (issue 11): `apura send` delivers the lotes a run
wrote (runtime/portal_send.py) with the integration config (compiler/integracao.py);
`apura lotes` is the seed's Monitoramento de cargas (runtime/portal_monitor.py). Both read and
write only the state file (`--state`, the one `apura run` uses) and, for send, the network."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from runtime.errors import RunFailed
from runtime.errors import render_all

OPTIONS = "[OPÇÕES]"  # as compiler/cli.py (imported from there would be a cycle)
STATE_HELP = ("Arquivo de estado (o mesmo de 'apura run').  [padrão: .apura/state.sqlite na "
              "raiz do projeto]")


def _state(ctx: click.Context, state: Path | None) -> Path:
    from compiler.cli import _project

    if state is not None:
        return state
    root = _project(ctx)
    return (root if root is not None else Path()) / ".apura" / "state.sqlite"


@click.command("send", options_metavar=OPTIONS)
@click.argument("package", metavar="PACOTE")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="A pasta de saída da execução: envia os lotes de OUT/<partição>/lotes/.")
@click.option("--config", "config", required=True,
              type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A configuração de integração (YAML: URL, token e ajustes de cada sistema).")
@click.option("--state", default=None, type=click.Path(path_type=Path), help=STATE_HELP)
@click.option("--dry-run", "dry_run", is_flag=True,
              help="Mostra o que seria enviado, lote a lote, sem enviar nada.")
@click.option("--due", is_flag=True,
              help="Envia só os lotes dos sistemas cuja agenda vence agora (Saúde a cada hora, "
              "Protocolo uma vez por dia com ativar: true, agenda: dos demais).")
@click.pass_context
def send(ctx: click.Context, package: str, out: Path, config: Path, state: Path | None,
         dry_run: bool, due: bool) -> None:
    """Envia ao service layer do Portal do Gestor os lotes que 'apura run' escreveu.

    Cada lote vai ao sistema de origem do indicador (Authorization: Bearer <token>); o
    apura consulta o lote até o fim e registra o resultado de cada registro no estado. Um
    envio interrompido é retomado pelo próximo, sem duplicar registros."""
    from compiler.diagnostics import render
    from compiler.integracao import load_config
    from runtime.lock import Busy
    from runtime.portal_send import deliver

    shown = os.path.relpath(config)
    loaded = load_config(config, shown)
    if loaded.settings is None:
        click.echo(render(loaded.diagnostics, lambda _: loaded.source), err=True, nl=False)
        click.echo(f"{shown}: {len(loaded.diagnostics)} erro(s); nada foi enviado", err=True)
        sys.exit(1)
    try:
        errors = deliver(out, _state(ctx, state), loaded.settings, package, dry_run=dry_run,
                         due=due, echo=click.echo)
    except (RunFailed, Busy) as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        sys.exit(1)
    if errors:
        click.echo(render_all(errors), err=True, nl=False)
        sys.exit(1)


@click.command("lotes", options_metavar=OPTIONS)
@click.option("--state", default=None, type=click.Path(path_type=Path), help=STATE_HELP)
@click.option("--page", default=1, show_default=True, type=click.IntRange(min=1),
              metavar="N", help="A página (20 lotes por página, os mais novos primeiro).")
@click.option("--json", "ident", default=None, metavar="ID",
              help="Mostra o log JSON de um lote (o ID da lista).")
@click.pass_context
def lotes(ctx: click.Context, state: Path | None, page: int, ident: str | None) -> None:
    """Monitoramento de cargas: os lotes enviados, como o Portal os mostra (ID lote,
    indicador, processo, data e hora, status)."""
    from runtime.errors import DataError
    from runtime.journal import Journal
    from runtime.portal_monitor import find
    from runtime.portal_monitor import listing
    from runtime.portal_monitor import log_json

    path = _state(ctx, state)
    if not path.exists():
        click.echo(f"{path}: o arquivo de estado não existe; nenhum lote foi enviado")
        return
    try:
        journal = Journal(path)
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        sys.exit(1)
    try:
        if ident is None:
            click.echo(listing(journal.db, page), nl=False)
            return
        row = find(journal.db, ident)
        if isinstance(row, DataError):
            click.echo(render_all([row]), err=True, nl=False)
            sys.exit(1)
        click.echo(log_json(journal.db, row), nl=False)
    finally:
        journal.close()


COMMANDS = (send, lotes)
