"""`apura explain`: the memória de cálculo of one value, by its ADDRESS
(`NODE[@PARTITION]:LOC...`, runtime/explain_address.py) through the kinds' explainers
(runtime/explain_registry.py), or by the options it always took (`--layout --partition
[--sheet] --row --column`, `--pagamento/--evento`), which print what they always printed.

Inputs and parameters: `--input/--param` as `apura run`, or a journaled run's (`--state
[--run N]`, runtime/explain_journal.py: every input checked against its sha256). Formats:
text (the kind's), json (the common tree; the options' form keeps its own JSON), md and a
self-contained html page. `--list` prints the addresses of every value of the run."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

OPTIONS = "[OPÇÕES]"  # as compiler/cli.py (imported from there would be a cycle)
FORMATS = ["text", "json", "md", "html"]


def _fail(errors: Any, what: str = "a célula não foi explicada") -> None:
    from runtime.errors import render_all

    click.echo(render_all(errors), err=True, nl=False)
    click.echo(f"{len(errors)} erro(s); {what}", err=True)


def _usage(exc: Any, addressed: bool) -> click.BadParameter:
    hint = "ENDEREÇO" if addressed else exc.option
    return click.BadParameter(f"{exc.message}" + (f" ({exc.help})" if exc.help else ""),
                              param_hint=hint)


def _default_state(ctx: click.Context) -> Path:
    from compiler.cli import _project

    root = _project(ctx)
    return (root if root is not None else Path()) / ".apura" / "state.sqlite"


@click.command("explain", options_metavar=OPTIONS)
@click.argument("package", metavar="PACOTE")
@click.argument("where", metavar="[ENDEREÇO]", required=False, default=None)
@click.option("--address", "address_opt", default=None, metavar="ENDEREÇO",
              help="O endereço do valor (o mesmo que o argumento ENDEREÇO): "
              "NÓ[@PARTIÇÃO]:LOC..., ex.: covid/77@3170206:9999999028:V1.")
@click.option("--input", "inputs", multiple=True, metavar="NOME=ARQUIVO",
              help="Arquivo de entrada de um ledger (repita para cada um).")
@click.option("--param", "params", multiple=True, metavar="NOME=VALOR",
              help="Parâmetro da execução (repita para cada um).")
@click.option("--layout", default=None, metavar="ID",
              help="Layout da célula (ex.: covid/77).  [sem ENDEREÇO: obrigatória, salvo com "
              "--pagamento ou --evento]")
@click.option("--partition", default=None, metavar="VALOR",
              help="Partição da célula (ex.: o município 3170206); obrigatória se o pacote "
              "tem partição.")
@click.option("--sheet", default=None, metavar="CÓDIGO",
              help="Planilha da célula de um nó sheets, pelo código (ex.: 3_11) ou pelo nome "
              "do arquivo.")
@click.option("--row", "row", default=None, metavar="REF",
              help="Linha da célula, pelo ref (ex.: 9999999013); num nó sheets, a chave da "
              "linha, com a máscara ou sem (3.3.90.30.00.00 ou 3390300000).")
@click.option("--column", default="V0", show_default=True, metavar="ID",
              help="Coluna da célula (ex.: V0).")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(FORMATS),
              help="text: para ler; json: a árvore da explicação, para programas; md: "
              "Markdown; html: uma página autocontida (sem rede) com as linhas citadas.")
@click.option("--rejects", default=None, type=click.Path(path_type=Path),
              help="Grava as linhas rejeitadas neste CSV e continua (como em 'apura run').")
@click.option("--pagamento", "payment", default=None, metavar="ID",
              help="Numa alocação (debita): explica um desconto importado, pelo estado.")
@click.option("--evento", "event", default=None, metavar="ID",
              help="Numa alocação (debita): explica um evento de pagamento, pelo estado.")
@click.option("--state", default=None, type=click.Path(path_type=Path),
              help="O arquivo de estado (o de 'apura run'): sem --input/--param, as entradas "
              "e os parâmetros vêm da execução do diário (conferidos pelo sha256); numa "
              "alocação, o estado dela.")
@click.option("--as-of", "as_of", default=None, metavar="N|DATA",
              help="Numa derivação incremental (com --state): explica o valor que a carga N "
              "gravou (ou a última carga até a data, DD/MM/AAAA ou AAAA-MM-DD), refeito das "
              "versões guardadas no estado; padrão: a última carga.")
@click.option("--run", "run_id", default=None, type=click.IntRange(min=1), metavar="N",
              help="A execução do diário (padrão: a última ok do pacote); implica --state "
              "(padrão: .apura/state.sqlite do projeto).")
@click.option("--list", "list_all", is_flag=True,
              help="Lista os endereços de todos os valores da execução, um por linha.")
@click.option("--select", default=None, metavar="GLOB",
              help="Com --list e --input: lista só os nós que casam (como em 'apura run'); "
              "com --state, vale o --select da execução.")
@click.option("--regra", "rule", default=None, metavar="ID",
              help="Com --pagamento/--evento: a alocação (padrão: a do select: do pacote).")
@click.option("--allow-unconfirmed", "allow_unconfirmed", is_flag=True,
              help="Usa equivalências de status não confirmado (SUGERIDA...) com um aviso "
              "(D0803), em vez de falhar (D0802).")
@click.option("--allow-gaps", "allow_gaps", is_flag=True,
              help="Gera mesmo com lacunas de cobertura (chaves sem equivalência confirmada), "
              "com um aviso (D1302), em vez de falhar (D1301).")
@click.pass_context
def explain(ctx: click.Context, package: str, where: str | None, address_opt: str | None,
            inputs: tuple[str, ...], params: tuple[str, ...], layout: str | None,
            partition: str | None, sheet: str | None, row: str | None, column: str, fmt: str,
            rejects: Path | None, payment: str | None, event: str | None,
            state: Path | None, as_of: str | None, run_id: int | None, list_all: bool,
            select: str | None,
            rule: str | None,
            allow_unconfirmed: bool, allow_gaps: bool) -> None:
    """Mostra a memória de cálculo de um valor: a regra (arquivo:linha da spec e a expressão),
    os parâmetros, os mapas, a decisão e cada registro de entrada (arquivo:linha) com o que
    somou — e, de um valor que lê outros, a explicação deles.

    ENDEREÇO: NÓ[@PARTIÇÃO]:LOC... (ex.: covid/77@3170206:9999999028:V1); sem ele, as
    opções --layout/--row/... ou --pagamento/--evento. Roda de novo só o nó (e o que ele lê)
    no back end python, registrando a linhagem; nada é escrito (exceto --rejects).
    """
    from compiler.cli import _pairs
    from runtime.explain_address import AddressError
    from runtime.explain_address import parse_address

    if where is not None and address_opt is not None:
        raise click.BadParameter("dê o endereço uma vez só (argumento ou --address)",
                                 param_hint="--address")
    text = where if where is not None else address_opt
    legacy = [o for o, v in (("--layout", layout), ("--sheet", sheet), ("--row", row),
                             ("--partition", partition), ("--pagamento", payment),
                             ("--evento", event)) if v is not None]
    if (text is not None or list_all) and legacy:
        raise click.BadParameter("com ENDEREÇO ou --list, não use " + ", ".join(legacy),
                                 param_hint=legacy[0])
    given_inputs, given_params = _pairs(inputs, "--input"), _pairs(params, "--param")
    if run_id is not None and (given_inputs or given_params):
        raise click.BadParameter("--run lê as entradas e os parâmetros do diário: não use "
                                 "--input/--param com ele", param_hint="--run")
    if (payment is not None or event is not None) and fmt == "text" and text is None:
        from compiler.events_cli import explain_allocation

        explain_allocation(ctx, package, payment, event, state, rule)  # as it always was
        return
    from compiler.explain_run import Request
    from compiler.explain_run import run

    try:
        parsed = parse_address(text) if text is not None else None
    except AddressError as exc:
        raise click.BadParameter(str(exc), param_hint="ENDEREÇO") from None
    if parsed is None and not list_all and payment is None and event is None:
        for option, value in (("--layout", layout), ("--row", row)):
            if value is None:
                raise click.BadParameter("informe a célula: falta esta opção (ou dê o "
                                         "ENDEREÇO, ou use --pagamento ou --evento numa "
                                         "alocação)", param_hint=option)
    journal = run_id is not None or (state is not None and not given_inputs
                                     and not given_params)
    if as_of is not None and list_all:
        raise click.BadParameter("--list lista a imagem da última carga: não use --as-of com "
                                 "ele", param_hint="--as-of")
    if as_of is not None and state is None:  # the loads are in the project's state
        state, journal = _default_state(ctx), not given_inputs and not given_params
    if select is not None and (not list_all or journal):
        raise click.BadParameter("vale só com --list e --input (com --state, vale o --select "
                                 "da execução)", param_hint="--select")
    if journal and state is None:
        state = _default_state(ctx)
    req = Request(package=package, address=parsed, layout=layout, partition=partition,
                  sheet=sheet, row=row, column=column, payment=payment, event=event,
                  rule=rule, inputs=given_inputs, params=given_params, fmt=fmt,
                  rejects=rejects, state=state, journal=journal, run=run_id,
                  list_all=list_all, select=select, allow_unconfirmed=allow_unconfirmed,
                  allow_gaps=allow_gaps, as_of=as_of)
    sys.exit(run(ctx, req, _fail, _usage))
