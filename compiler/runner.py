"""`apura run`: load a generated package, run it, write outputs and the journal.
`apura explain`: the memória de cálculo of one cell."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

import runtime
from runtime.backends import choose
from runtime.backends.plan import PlanMissing
from runtime.errors import RunFailed
from runtime.errors import render_all
from runtime.journal import Journal
from runtime.ledgers import write_rejects
from runtime.trace import ExplainError
from runtime.trace import locate


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
    except OSError:
        return ""
    return h.hexdigest()


def _locate(package: str) -> Path | None:
    p = Path(package)
    if (p / "__init__.py").is_file():
        return p
    q = Path("generated") / package
    if (q / "__init__.py").is_file():
        return q
    return None


def _progress() -> Callable[[str], None] | None:
    """Notes on stderr while a long run goes, only when stderr is a terminal (quiet in CI and
    pipes)."""
    if not sys.stderr.isatty():
        return None

    def note(text: str) -> None:
        click.echo(f"  … {text}", err=True)
    return note


def run_package(*, package: str, inputs: dict[str, str], params: dict[str, str], out: Path,
                select: str | None, rejects: Path | None, state: Path, debug: bool,
                backend: str = "python", spark_master: str | None = None) -> int:
    where = _locate(package)
    if where is None:
        raise click.BadParameter(f"pacote compilado '{package}' não encontrado "
                                 "(rode 'apura compile')", param_hint="PACKAGE")
    program = runtime.load(where)
    if select is not None and not program.selected(select):
        raise click.BadParameter(f"nenhum layout casa com '{select}'; layouts: "
                                 + ", ".join(lay.id for lay in program.layouts),
                                 param_hint="--select")
    pkg = program.package
    ledgers = {k: Path(v) for k, v in inputs.items()}
    chosen = choose(backend, ledgers)
    if chosen == "spark":
        from runtime.backends import spark

        spark.configure(spark_master)
    progress = _progress()
    journal = Journal(state)
    run_id = journal.start(package=pkg.id, spec_hash=pkg.spec_hash,
                           compiler_version=pkg.compiler_version, backend=chosen,
                           params=dict(params), selected=select)
    try:
        result = program.run(ledgers=ledgers, params=params, select=select,
                             allow_rejects=rejects is not None, backend=chosen,
                             progress=progress)
    except (PlanMissing, RuntimeError) as exc:
        click.echo(f"erro: o back end {chosen} não pôde rodar: {exc}", err=True)
        journal.finish(run_id, status="failed", message=str(exc))
        journal.close()
        return 1
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        click.echo(f"{len(exc.errors)} erro(s); nenhum arquivo foi escrito", err=True)
        journal.finish(run_id, status="failed", message=f"{len(exc.errors)} erro(s)")
        journal.close()
        return 1
    journal.inputs(run_id, [(st.name, st.path, _sha256(Path(st.path)), st.read, st.accepted,
                             len(st.rejected)) for st in result.inputs])
    if rejects is not None:
        write_rejects(rejects, result.rejects)
    written = result.write(out)
    if progress is not None:
        progress(f"{len(written)} arquivo(s) escrito(s)")
    journal.finish(run_id, status="ok", outputs=written)
    journal.close()
    for st in result.inputs:
        reached = "" if st.reached is None else f", {st.reached} chegaram a um layout"
        click.echo(f"{st.path}: {st.read} lidas, {st.accepted} aceitas, "
                   f"{len(st.rejected)} rejeitadas{reached}")
    for w in result.warnings:  # D06xx: the run went on
        click.echo(w.render(), err=True, nl=False)
    if rejects is not None:
        click.echo(f"{len(result.rejects)} linha(s) rejeitada(s) gravada(s) em {rejects}")
    click.echo(f"{len(written)} arquivo(s) escrito(s) em {out}/ "
               f"({len(result.partitions)} partição(ões), back end {result.backend}) — "
               f"execução {run_id} em {state}")
    return 0


def explain_cell(*, package: str, inputs: dict[str, str], params: dict[str, str], layout: str,
                 partition: str | None, row: str, column: str, fmt: str,
                 rejects: Path | None) -> int:
    """Print the memória de cálculo of one cell (text or JSON); 1 on data errors."""
    where = _locate(package)
    if where is None:
        raise click.BadParameter(f"pacote compilado '{package}' não encontrado "
                                 "(rode 'apura compile')", param_hint="PACKAGE")
    program = runtime.load(where)
    pkg = program.package
    try:
        locate(pkg, layout, row, column)
    except ExplainError as exc:
        raise click.BadParameter(f"{exc.message}" + (f" ({exc.help})" if exc.help else ""),
                                 param_hint=exc.option) from None
    if pkg.partition is not None and partition is None:
        raise click.BadParameter(f"informe a partição ({pkg.partition}) da célula",
                                 param_hint="--partition")
    ledgers = {k: Path(v) for k, v in inputs.items()}
    try:
        exp = program.explain(ledgers, params, layout, partition, row, column,
                              allow_rejects=rejects is not None)
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        click.echo(f"{len(exc.errors)} erro(s); a célula não foi explicada", err=True)
        return 1
    except RuntimeError as exc:
        click.echo(f"erro: não foi possível rodar o pacote: {exc}", err=True)
        return 1
    if rejects is not None:
        write_rejects(rejects, exp.rejects)
    if fmt == "json":
        click.echo(json.dumps(exp.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(exp.render(), nl=False)
    return 0
