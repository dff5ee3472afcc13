"""`apura run`: load a generated package and run it with the lifecycle of the runtime
(`Program.run_to`: locks, journal, staged commit); this module only turns options into it.
`apura explain`: the memória de cálculo of one cell."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

import click

import runtime
from runtime.backends import choose
from runtime.backends.plan import PlanMissing
from runtime.commit import write_error
from runtime.errors import RunFailed
from runtime.errors import render_all
from runtime.ledgers import write_rejects
from runtime.lifecycle import Interrupted
from runtime.lifecycle import path_conflicts
from runtime.lock import Busy
from runtime.program import SelectionConflict
from runtime.trace import ExplainError
from runtime.trace import locate_cell


def _locate(package: str) -> Path:
    """The compiled package folder: PACKAGE as a folder, else <project>/generated/PACKAGE (the
    project from --project, APURA_PROJECT or found upward; see compiler.project)."""
    from compiler.project import find_root
    from compiler.project import locate_package

    ctx = click.get_current_context(silent=True)
    obj = ctx.find_root().obj if ctx is not None else None
    project = obj["project"] if isinstance(obj, dict) and "project" in obj \
        else find_root(Path.cwd())
    found = locate_package(package, project)
    if found.folder is None:
        raise click.BadParameter(found.why, param_hint="PACOTE")
    if found.stale:
        click.echo(found.stale, err=True)
    return found.folder


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
                backend: str = "python", spark_master: str | None = None,
                wait: bool = False, allow_unconfirmed: bool = False,
                allow_gaps: bool = False, as_of: str | None = None) -> int:
    """The CLI face of `Program.run_to` (runtime.lifecycle): options in, messages out."""
    where = _locate(package)
    ledgers = {k: Path(v) for k, v in inputs.items()}
    for option, message in path_conflicts(out, state, rejects, ledgers):
        raise click.BadParameter(message, param_hint=option)
    try:  # a package with layout years: the view the parameters choose (runtime/views.py)
        program = runtime.load(where).view_for(params)
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        click.echo(f"{len(exc.errors)} erro(s); nenhum arquivo foi escrito", err=True)
        return 2 if exc.usage else 1
    try:
        program.selected(select)
    except SelectionConflict as exc:
        raise click.BadParameter(str(exc), param_hint="--select") from None
    if select is not None and not program.selected(select):
        raise click.BadParameter(f"nenhum layout casa com '{select}'; layouts: "
                                 + ", ".join(lay.id for lay in program.reports),
                                 param_hint="--select")
    chosen = choose(backend, ledgers)
    if chosen == "spark":
        from runtime.backends import spark

        spark.configure(spark_master)
    progress = _progress()
    started: list[int] = []
    if wait and progress is not None:
        progress("esperando outra execução liberar a pasta de saída ou o estado…")
    try:
        rec = program.run_to(out, ledgers, params, state=state, rejects=rejects, wait=wait,
                             select=select, backend=chosen, progress=progress,
                             handle_signals=True, on_start=started.append,
                             allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps,
                             as_of=as_of)
    except (PlanMissing, RuntimeError) as exc:
        click.echo(f"erro: o back end {chosen} não pôde rodar: {exc}", err=True)
        return 1
    except Busy as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        return 1
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        run = f" (execução {started[0]} em {state})" if started else ""
        click.echo(f"{len(exc.errors)} erro(s); nenhum arquivo foi escrito{run}", err=True)
        return 2 if exc.usage else 1  # parameters/inputs the package does not take: usage
    except Interrupted as exc:
        run = f"execução {started[0]} " if started else "execução "
        click.echo(f"{run}interrompida ({exc.args[0]}); nenhum arquivo de saída foi "
                   "alterado", err=True)
        return 128 + exc.signum
    result, written = rec.result, rec.written
    for st in result.inputs:
        reached = "" if st.reached is None else f", {st.reached} chegaram a um layout"
        click.echo(f"{st.path}: {st.read} lidas, {st.accepted} aceitas, "
                   f"{len(st.rejected)} rejeitadas{reached}")
    if result.outcomes:  # the `check` specs (a failed `error` one has failed the run)
        done = [o for o in result.outcomes if not o.skipped]
        warned = sum(not o.ok for o in done)
        skipped = len(result.outcomes) - len(done)
        click.echo(f"{len(result.outcomes)} conferência(s): {len(done) - warned} ok, "
                   f"{warned} com aviso" + (f", {skipped} não avaliada(s) (--select ou "
                                            "entrada opcional não dada)" if skipped else ""))
    for w in result.warnings:  # D06xx, D0702: the run went on
        click.echo(w.render(), err=True, nl=False)
    if rejects is not None:
        click.echo(f"{len(result.rejects)} linha(s) rejeitada(s) gravada(s) em {rejects}")
    click.echo(f"{len(written)} arquivo(s) escrito(s) em {out}/ "
               f"({len(result.partitions)} partição(ões), back end {result.backend}) — "
               f"execução {rec.run_id} em {state}")
    bundle = program.package.bundle
    if bundle is not None and result.bundles:  # runtime/bundle.py
        shown = ", ".join(f"{b.path} ({b.files} arquivo(s) de saída)"
                          for b in result.bundles[:3])
        more = f" e mais {len(result.bundles) - 3}" if len(result.bundles) > 3 else ""
        click.echo(f"pacote(s) {bundle.file}: {shown}{more}; com {bundle.manifest} e "
                   f"{bundle.provenance} dentro e ao lado")
    return 0


def explain_cell(*, package: str, inputs: dict[str, str], params: dict[str, str], layout: str,
                 partition: str | None, row: str, column: str, fmt: str,
                 rejects: Path | None, allow_unconfirmed: bool = False,
                 sheet: str | None = None, allow_gaps: bool = False) -> int:
    """Print the memória de cálculo of one cell (text or JSON); 1 on data errors."""
    where = _locate(package)
    for option, message in path_conflicts(None, None, rejects, inputs):
        raise click.BadParameter(message, param_hint=option)
    try:  # a package with layout years: the view the parameters choose (runtime/views.py)
        program = runtime.load(where).view_for(params)
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        click.echo(f"{len(exc.errors)} erro(s); a célula não foi explicada", err=True)
        return 2 if exc.usage else 1
    pkg = program.package
    try:
        locate_cell(pkg, layout, row, column, sheet)
    except ExplainError as exc:
        raise click.BadParameter(f"{exc.message}" + (f" ({exc.help})" if exc.help else ""),
                                 param_hint=exc.option) from None
    if pkg.partition is not None and partition is None:
        raise click.BadParameter(f"informe a partição ({pkg.partition}) da célula",
                                 param_hint="--partition")
    ledgers = {k: Path(v) for k, v in inputs.items()}
    try:
        exp = program.explain(ledgers, params, layout, partition, row, column, sheet=sheet,
                              allow_rejects=rejects is not None,
                              allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps)
    except RunFailed as exc:
        click.echo(render_all(exc.errors), err=True, nl=False)
        click.echo(f"{len(exc.errors)} erro(s); a célula não foi explicada", err=True)
        return 2 if exc.usage else 1
    except RuntimeError as exc:
        click.echo(f"erro: não foi possível rodar o pacote: {exc}", err=True)
        return 1
    if rejects is not None:
        try:
            write_rejects(rejects, exp.rejects)
        except OSError as exc:
            click.echo(render_all(write_error(rejects, exc).errors), err=True, nl=False)
            return 1
    if fmt == "json":
        click.echo(json.dumps(exp.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(exp.render(), nl=False)
    return 0
