"""The CLI of an allocation's manual events (runtime/allocation_events.py): `apura descontos`
lists a responsible's unlinked discounts, `apura desconto-em-folha` records the seed's
"Desconto em Folha" event, `apura estorno` reverses one. They change only the state file
(`--state`, the one `apura run` uses); the next `apura run` shows the events in its outputs."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path
from typing import Any

import click

import runtime
from runtime.errors import RunFailed
from runtime.errors import render_all
from runtime.lock import Busy
from runtime.values import format_money

OPTIONS = "[OPÇÕES]"  # as compiler/cli.py (imported from there would be a cycle)
STATE_HELP = ("Arquivo de estado (o mesmo de 'apura run').  [padrão: .apura/state.sqlite na "
              "raiz do projeto]")


def _date(text: str) -> datetime.date:
    try:
        got = datetime.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise click.BadParameter(f"'{text}' não é uma data DD/MM/AAAA",
                                 param_hint="--data") from None
    if f"{got.day:02d}/{got.month:02d}/{got.year:04d}" != text:
        raise click.BadParameter(f"'{text}' não é uma data DD/MM/AAAA", param_hint="--data")
    return got


def _setup(ctx: click.Context, package: str, state: Path | None) -> tuple[Any, Path]:
    from compiler.cli import _project
    from compiler.runner import _locate

    if state is None:
        root = _project(ctx)
        state = (root if root is not None else Path()) / ".apura" / "state.sqlite"
    program = runtime.load(_locate(package))
    return program, state


def _fail(exc: RunFailed | Busy) -> None:
    click.echo(render_all(exc.errors), err=True, nl=False)
    sys.exit(1)


def _rule(program: Any, rule: str | None) -> str:
    from runtime.allocation_events import allocation_of

    try:
        return allocation_of(program, rule).id
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--regra") from None


@click.command("descontos", options_metavar=OPTIONS)
@click.argument("package", metavar="PACOTE")
@click.option("--cpf", required=True, metavar="CPF", help="O responsável.")
@click.option("--state", default=None, type=click.Path(path_type=Path), help=STATE_HELP)
@click.option("--regra", "rule", default=None, metavar="ID",
              help="A alocação (padrão: a do select: do pacote).")
@click.pass_context
def descontos(ctx: click.Context, package: str, cpf: str, state: Path | None,
              rule: str | None) -> None:
    """Lista os descontos do cpf com saldo não vinculado (para o evento Desconto em Folha)."""
    from runtime.allocation_events import unlinked

    program, state_p = _setup(ctx, package, state)
    rows = unlinked(program, state_p, cpf, rule=_rule(program, rule))
    click.echo("id_pagamento;natureza;rubrica;sistema;valor_desconto;folha;saldo_nao_vinculado")
    for u in rows:
        click.echo(";".join([u.id, u.natureza, u.rubrica, u.sistema, format_money(u.valor),
                             u.folha, format_money(u.saldo)]))


@click.command("desconto-em-folha", options_metavar=OPTIONS)
@click.argument("package", metavar="PACOTE")
@click.option("--cpf", required=True, metavar="CPF", help="O responsável dos descontos.")
@click.option("--imputacao", "target", required=True, metavar="ID",
              help="A imputação que recebe o evento.")
@click.option("--pagamento", "payments", required=True, multiple=True, metavar="ID",
              help="Um desconto não vinculado do cpf (repita para cada um).")
@click.option("--data", "date", required=True, metavar="DD/MM/AAAA",
              help="A data do evento (nunca o relógio).")
@click.option("--input", "inputs", multiple=True, metavar="NOME=ARQUIVO",
              help="As imputações e os responsáveis de agora (imputacao=..., responsavel=...).")
@click.option("--state", default=None, type=click.Path(path_type=Path), help=STATE_HELP)
@click.option("--regra", "rule", default=None, metavar="ID",
              help="A alocação (padrão: a do select: do pacote).")
@click.pass_context
def desconto_em_folha(ctx: click.Context, package: str, cpf: str, target: str,
                      payments: tuple[str, ...], date: str, inputs: tuple[str, ...],
                      state: Path | None, rule: str | None) -> None:
    """Registra o evento Desconto em Folha: o saldo não vinculado de cada desconto escolhido
    vira um evento de pagamento do mesmo valor na imputação."""
    from compiler.cli import _pairs
    from runtime.allocation_events import desconto_em_folha as record

    program, state_p = _setup(ctx, package, state)
    node_id = _rule(program, rule)
    node = program.package.node(node_id)
    ledgers = {k: Path(v) for k, v in _pairs(inputs, "--input").items()}
    for name in (node.target, node.parties):
        if name not in ledgers:
            raise click.BadParameter(f"falta --input {name}=ARQUIVO", param_hint="--input")
    try:
        made = record(program, state_p, cpf=cpf, payments=list(payments), target=target,
                      date=_date(date), ledgers=ledgers, rule=node_id)
    except (RunFailed, Busy) as exc:
        _fail(exc)
        return
    for e, new in made:
        what = "registrado" if new else "já registrado (nada mudou)"
        click.echo(f"evento {e.id}: {e.payment} → {e.target} {format_money(e.amount)} {what}")


@click.command("estorno", options_metavar=OPTIONS)
@click.argument("package", metavar="PACOTE")
@click.option("--evento", "event", required=True, metavar="ID",
              help="O evento Desconto em Folha a estornar.")
@click.option("--data", "date", required=True, metavar="DD/MM/AAAA", help="A data do estorno.")
@click.option("--state", default=None, type=click.Path(path_type=Path), help=STATE_HELP)
@click.option("--regra", "rule", default=None, metavar="ID",
              help="A alocação (padrão: a do select: do pacote).")
@click.pass_context
def estorno(ctx: click.Context, package: str, event: str, date: str, state: Path | None,
            rule: str | None) -> None:
    """Estorna um evento Desconto em Folha (um evento de valor negativo; nada é apagado)."""
    from runtime.allocation_events import estorno as reverse

    program, state_p = _setup(ctx, package, state)
    try:
        rev, new = reverse(program, state_p, event=event, date=_date(date),
                           rule=_rule(program, rule))
    except (RunFailed, Busy) as exc:
        _fail(exc)
        return
    what = "registrado" if new else "já registrado (nada mudou)"
    click.echo(f"estorno {rev.id} do evento {event}: {format_money(rev.amount)} {what}")


def explain_allocation(ctx: click.Context, package: str, payment: str | None,
                       event: str | None, state: Path | None, rule: str | None) -> None:
    """`apura explain PACOTE --pagamento ID | --evento ID`: the memória of an allocation's
    discount or event, from the state (runtime/allocation_explain.py)."""
    from runtime.allocation_explain import NotFound
    from runtime.allocation_explain import explain

    if payment is not None and event is not None:
        raise click.BadParameter("use --pagamento ou --evento, não os dois",
                                 param_hint="--evento")
    program, state_p = _setup(ctx, package, state)
    try:
        text = explain(program, state_p, payment=payment, event=event,
                       rule=_rule(program, rule))
    except NotFound as exc:
        click.echo(f"erro: {exc}", err=True)
        sys.exit(1)
    click.echo(text, nl=False)


COMMANDS = (descontos, desconto_em_folha, estorno)
