"""`apura run`: load a generated package and run it with the lifecycle of the runtime
(`Program.run_to`: locks, journal, staged commit); this module only turns options into it.
`apura explain` is compiler/explain_cli.py."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import click

import runtime
from runtime.backends import choose
from runtime.backends.plan import PlanMissing
from runtime.errors import RunFailed
from runtime.errors import render_all
from runtime.lifecycle import Interrupted
from runtime.lifecycle import path_conflicts
from runtime.lock import Busy
from runtime.program import SelectionConflict


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


def _from_config(config: Path, inputs: dict[str, Path], params: dict[str, str]
                 ) -> tuple[dict[str, str], dict[str, bytes], str] | None:
    """`--config`: the integration config read and checked against the run
    (compiler/integracao_run.py) — the parameters with what it sets, the inputs it derives
    and how the config is shown; None (messages written) when it has errors."""
    from compiler.diagnostics import render
    from compiler.integracao import load_config
    from compiler.integracao_run import against_run
    from compiler.integracao_run import derived_inputs

    shown = os.path.relpath(config)
    loaded = load_config(config, shown)
    diags = loaded.diagnostics
    if loaded.settings is not None:
        params, diags = against_run(loaded, inputs, params)
    if diags or loaded.settings is None:
        click.echo(render(diags, lambda _: loaded.source), err=True, nl=False)
        click.echo(f"{shown}: {len(diags)} erro(s); nenhum arquivo foi escrito", err=True)
        return None
    return params, derived_inputs(loaded.settings), shown


def run_package(*, package: str, inputs: dict[str, str], params: dict[str, str], out: Path,
                select: str | None, rejects: Path | None, state: Path, debug: bool,
                backend: str = "python", spark_master: str | None = None,
                wait: bool = False, allow_unconfirmed: bool = False,
                allow_gaps: bool = False, config: Path | None = None,
                as_of: str | None = None) -> int:
    """The CLI face of `Program.run_to` (runtime.lifecycle): options in, messages out. With
    `config`, the inputs it derives are written to a temporary folder for the run (named so
    in the summary) and its settings fill the parameters it holds."""
    where = _locate(package)
    ledgers = {k: Path(v) for k, v in inputs.items()}
    for option, message in path_conflicts(out, state, rejects, ledgers):
        raise click.BadParameter(message, param_hint=option)
    if config is None:
        return _run(where, ledgers, params, {}, out=out, select=select, rejects=rejects,
                    state=state, backend=backend, spark_master=spark_master, wait=wait,
                    allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps, as_of=as_of)
    got = _from_config(config, ledgers, params)
    if got is None:
        return 1
    params, derived, shown = got
    with tempfile.TemporaryDirectory(prefix="apura-config-") as tmp:
        names = {}
        for name, data in derived.items():
            path = Path(tmp) / f"{name}.csv"
            path.write_bytes(data)
            ledgers[name] = path
            names[str(path)] = f"{name} (de {shown})"
        return _run(where, ledgers, params, names, out=out, select=select, rejects=rejects,
                    state=state, backend=backend, spark_master=spark_master, wait=wait,
                    allow_unconfirmed=allow_unconfirmed, allow_gaps=allow_gaps, as_of=as_of)


def _run(where: Path, ledgers: dict[str, Path], params: dict[str, str], names: dict[str, str],
         *, out: Path, select: str | None, rejects: Path | None, state: Path, backend: str,
         spark_master: str | None, wait: bool, allow_unconfirmed: bool,
         allow_gaps: bool, as_of: str | None = None) -> int:
    """The run itself; `names`: how the summary shows an input the config derived."""
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
        click.echo(f"{names.get(str(st.path), st.path)}: {st.read} lidas, {st.accepted} "
                   "aceitas, "
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
