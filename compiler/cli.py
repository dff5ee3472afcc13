"""The `apura` command line: check, compile [--check], run, explain.

Exit 0 ok, 1 spec/data errors, 2 usage."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from pathlib import Path

import click


def _echo_err(text: str) -> None:
    click.echo(text, err=True, nl=False)


def _packages(specs: Path) -> list[Path]:
    from compiler.package import discover

    if not specs.exists():
        raise click.BadParameter(f"'{specs}' não existe", param_hint="SPECS")
    found = discover(specs)
    if not found:
        raise click.BadParameter(f"nenhum pacote (package.yaml) em '{specs}'", param_hint="SPECS")
    return found


def _render(result) -> str:  # type: ignore[no-untyped-def]
    from compiler.diagnostics import render

    return render(result.diagnostics, result.sources.get)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="apura", prog_name="apura")
@click.option("--debug", is_flag=True, help="Mostra o traceback de erros internos do apura.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """apura: compila specs YAML de regras e relatórios da contabilidade pública."""
    ctx.obj = {"debug": debug}


@cli.command()
@click.argument("specs", required=False, default="specs", type=click.Path(path_type=Path))
def check(specs: Path) -> None:
    """Valida as specs (YAML, esquema, expressões, tipos, dependências)."""
    from compiler import check as check_package

    failed = False
    for folder in _packages(specs):
        result = check_package(folder)
        _echo_err(_render(result))
        if result.errors:
            failed = True
            click.echo(f"{result.folder}: {len(result.errors)} erro(s)")
        else:
            click.echo(f"{result.folder}: ok (pacote {result.package_id})")
    sys.exit(1 if failed else 0)


@cli.command("compile")
@click.argument("specs", required=False, default="specs", type=click.Path(path_type=Path))
@click.option("--out", "out", default="generated", show_default=True,
              type=click.Path(path_type=Path), help="Pasta dos pacotes gerados.")
@click.option("--check", "check_only", is_flag=True,
              help="Não escreve; mostra o diff e sai com 1 se generated/ estiver desatualizado.")
def compile_cmd(specs: Path, out: Path, check_only: bool) -> None:
    """Compila as specs em pacotes Python em generated/<pacote>/."""
    from compiler import compile_package
    from compiler.writer import diff_tree
    from compiler.writer import write_tree

    failed = False
    stale = False
    for folder in _packages(specs):
        result = compile_package(folder)
        _echo_err(_render(result))
        if result.errors or result.package_id is None:
            failed = True
            click.echo(f"{result.folder}: {len(result.errors)} erro(s); nada foi gerado")
            continue
        target = out / result.package_id
        if check_only:
            diff = diff_tree(target, result.files, target.as_posix())
            if diff:
                stale = True
                click.echo(diff, nl=False)
                click.echo(f"{target}: desatualizado; rode 'apura compile'", err=True)
            else:
                click.echo(f"{target}: em dia")
        else:
            changed = write_tree(target, result.files)
            click.echo(f"{target}: {len(changed)} arquivo(s) atualizado(s)")
    sys.exit(1 if failed or stale else 0)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for v in values:
        if "=" not in v:
            raise click.BadParameter(f"use NOME=VALOR, recebeu '{v}'", param_hint=option)
        k, _, val = v.partition("=")
        if k in out:
            raise click.BadParameter(f"'{k}' informado duas vezes", param_hint=option)
        out[k.strip()] = val
    return out


def _ledger_inputs(f: Callable[..., None]) -> Callable[..., None]:
    """--input NOME=ARQUIVO and --param NOME=VALOR, shared by run and explain."""
    f = click.option("--param", "params", multiple=True, metavar="NOME=VALOR",
                     help="Parâmetro da execução (repita para cada um).")(f)
    return click.option("--input", "inputs", multiple=True, metavar="NOME=ARQUIVO",
                        help="Arquivo de entrada de um ledger (repita para cada um).")(f)


@cli.command()
@click.argument("package")
@_ledger_inputs
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Pasta de saída; os arquivos vão para OUT/<partição>/.")
@click.option("--select", default=None, metavar="GLOB",
              help="Roda só os layouts cujo id casa com o padrão (ex.: 'covid/7*').")
@click.option("--rejects", default=None, type=click.Path(path_type=Path),
              help="Grava as linhas rejeitadas neste CSV e continua.")
@click.option("--state", default=Path(".apura/state.sqlite"), show_default=True,
              type=click.Path(path_type=Path), help="Arquivo de estado (diário de execuções).")
@click.option("--backend", default="python", show_default=True,
              type=click.Choice(["python", "duckdb", "spark", "auto"]),
              help="Onde avaliar: python (linha a linha), duckdb (SQL embutido), spark (SQL "
              "distribuído) ou auto (duckdb se alguma entrada for Parquet ou passar de ~50 MB).")
@click.option("--spark-master", default=None, metavar="URL",
              help="Master do Spark (padrão: $APURA_SPARK_MASTER ou local[2]).")
@click.option("--wait", is_flag=True,
              help="Se outra execução usa a mesma pasta de saída ou o mesmo estado, espera "
              "ela terminar (sem --wait, recusa na hora).")
@click.pass_context
def run(ctx: click.Context, package: str, inputs: tuple[str, ...], params: tuple[str, ...],
        out: Path, select: str | None, rejects: Path | None, state: Path, backend: str,
        spark_master: str | None, wait: bool) -> None:
    """Roda um pacote compilado (ex.: generated/siops) sobre os ledgers."""
    from compiler.runner import run_package

    code = run_package(package=package, inputs=_pairs(inputs, "--input"),
                       params=_pairs(params, "--param"), out=out, select=select,
                       rejects=rejects, state=state, debug=ctx.obj["debug"], backend=backend,
                       spark_master=spark_master, wait=wait)
    sys.exit(code)


@cli.command()
@click.argument("package")
@_ledger_inputs
@click.option("--layout", required=True, metavar="ID", help="Layout da célula (ex.: covid/77).")
@click.option("--partition", default=None, metavar="VALOR",
              help="Partição da célula (ex.: o município 3170206); obrigatória se o pacote "
              "tem partição.")
@click.option("--row", "row", required=True, metavar="REF",
              help="Linha da célula, pelo ref (ex.: 9999999013).")
@click.option("--column", default="V0", show_default=True, metavar="ID",
              help="Coluna da célula (ex.: V0).")
@click.option("--format", "fmt", default="text", show_default=True,
              type=click.Choice(["text", "json"]),
              help="text: a memória de cálculo para ler; json: a mesma, para programas.")
@click.option("--rejects", default=None, type=click.Path(path_type=Path),
              help="Grava as linhas rejeitadas neste CSV e continua (como em 'apura run').")
def explain(package: str, inputs: tuple[str, ...], params: tuple[str, ...], layout: str,
            partition: str | None, row: str, column: str, fmt: str,
            rejects: Path | None) -> None:
    """Mostra a memória de cálculo de uma célula: valor, filtro, regra, expressão,
    parâmetros, mapas e cada registro de entrada (arquivo:linha) que a compõe.

    Roda de novo o pacote no back end python, registrando a linhagem da partição pedida;
    nada é escrito (exceto --rejects).
    """
    from compiler.runner import explain_cell

    code = explain_cell(package=package, inputs=_pairs(inputs, "--input"),
                        params=_pairs(params, "--param"), layout=layout, partition=partition,
                        row=row, column=column, fmt=fmt, rejects=rejects)
    sys.exit(code)


def main() -> None:
    """Console entry point; internal errors print one line unless --debug."""
    try:
        cli.main(prog_name="apura", standalone_mode=True)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - the last line of defence against tracebacks
        if "--debug" in sys.argv:
            traceback.print_exc()
        click.echo(f"erro[I0001]: erro interno do apura: {type(exc).__name__}: {exc}\n"
                   "  = ajuda: rode de novo com --debug e reporte o defeito", err=True)
        sys.exit(1)
