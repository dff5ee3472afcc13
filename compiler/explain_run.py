"""What `apura explain` does once its options are read (compiler/explain_cli.py): load the
package (the view the parameters choose), take the inputs and parameters (the options', or a
journaled run's), explain the value through its kind's explainer (runtime/explain_registry)
and print it in the format asked for. Returns the exit code."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

import runtime
from runtime import catalog
from runtime.errors import RunFailed
from runtime.explain_address import Address
from runtime.trace import ExplainError


@dataclass(frozen=True, slots=True)
class Request:
    package: str
    address: Address | None
    layout: str | None
    partition: str | None
    sheet: str | None
    row: str | None
    column: str
    payment: str | None
    event: str | None
    rule: str | None
    inputs: dict[str, str]
    params: dict[str, str]
    fmt: str
    rejects: Path | None
    state: Path | None
    journal: bool
    run: int | None
    list_all: bool
    select: str | None
    allow_unconfirmed: bool
    allow_gaps: bool
    as_of: str | None = None


Fail = Callable[..., None]
Usage = Callable[[Any, bool], click.BadParameter]


def _from_options(program: Any, req: Request) -> Address:
    """The address the options name (checked as `--layout ...` always was: usage errors)."""
    from runtime.allocation_events import allocation_of
    from runtime.sheets import Sheets
    from runtime.trace import locate_cell

    pkg = program.package
    if req.payment is not None or req.event is not None:
        if req.payment is not None and req.event is not None:
            raise click.BadParameter("use --pagamento ou --evento, não os dois",
                                     param_hint="--evento")
        try:
            node = allocation_of(program, req.rule).id
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--regra") from None
        what, ident = ("pagamento", req.payment) if req.payment is not None \
            else ("evento", req.event)
        return Address(node, None, (what, str(ident)))
    assert req.layout is not None and req.row is not None
    locate_cell(pkg, req.layout, req.row, req.column, req.sheet)
    if pkg.partition is not None and req.partition is None:
        raise click.BadParameter(f"informe a partição ({pkg.partition}) da célula",
                                 param_hint="--partition")
    is_sheets = isinstance(pkg.node(req.layout), Sheets)
    loc = (req.sheet or "", req.row, req.column) if is_sheets else (req.row, req.column)
    return Address(req.layout, req.partition, loc)


def _reads_state(package: Any, req: Request) -> bool:
    """Whether the value's kind reads the state file itself (an allocation: its history is
    there), so `--state` is its state and not the journal of a run to take inputs from."""
    from runtime.explain_registry import Unexplained
    from runtime.explain_registry import find

    if req.payment is not None or req.event is not None:
        return True
    if req.address is None:
        return False
    try:
        node, module = find(package, req.address)
    except (ExplainError, Unexplained):
        return False
    if callable(getattr(module, "reads_state", None)):
        return bool(module.reads_state(node))
    return "state" in inspect.signature(module.explain).parameters


def _inputs(req: Request, package: Any,
            fail: Fail) -> tuple[dict[str, str], dict[str, Any], str | None] | None:
    if not req.journal or _reads_state(package, req):
        return req.inputs, dict(req.params), req.select
    from runtime.explain_journal import read_run

    assert req.state is not None
    try:
        got = read_run(req.state, package, req.run)
    except RunFailed as exc:
        fail(exc.errors, "nada foi explicado")
        return None
    return got.inputs, got.params, got.select


def run(ctx: click.Context, req: Request, fail: Fail, usage: Usage) -> int:
    from compiler.runner import _locate
    from runtime.lifecycle import path_conflicts

    where = _locate(req.package)
    for option, message in path_conflicts(None, None, req.rejects, req.inputs):
        raise click.BadParameter(message, param_hint=option)
    try:  # a package with layout years: the view the parameters choose (runtime/views.py)
        pre = runtime.load(where)
        taken = _inputs(req, pre.package, fail)
        if taken is None:
            return 1
        inputs, params, select = taken
        program = pre.view_for(params)
    except RunFailed as exc:
        fail(exc.errors)
        return 2 if exc.usage else 1
    ledgers = {k: Path(v) for k, v in inputs.items()}
    options = {"allow_rejects": req.rejects is not None,
               "allow_unconfirmed": req.allow_unconfirmed, "allow_gaps": req.allow_gaps}
    if req.list_all:
        return _list(program, ledgers, params, {**options, "select": select,
                                                "state": req.state}, fail)
    try:
        addressed = req.address is not None
        target = req.address if req.address is not None else _from_options(program, req)
        return _explain(program, ledgers, params, target, options, req, fail, addressed)
    except ExplainError as exc:
        raise usage(exc, req.address is not None) from None


def _explain(program: Any, ledgers: dict[str, Path], params: dict[str, Any], target: Address,
             options: dict[str, Any], req: Request, fail: Fail, addressed: bool) -> int:
    from runtime.allocation_explain import NotFound
    from runtime.explain_registry import Unexplained
    from runtime.explain_registry import explain
    from runtime.explain_registry import find

    try:
        node, module = find(program.package, target)
    except Unexplained as exc:
        click.echo(f"erro: {exc}", err=True)
        return 1
    if addressed and program.package.partition is not None and target.part is None \
            and type(node).__name__ in ("Layout", "Sheets"):
        raise click.BadParameter(f"informe a partição ({program.package.partition}) no "
                                 "endereço: NÓ@PARTIÇÃO:...", param_hint="ENDEREÇO")
    accepted = inspect.signature(module.explain).parameters
    if "state" in accepted:
        options["state"] = req.state  # the kind reads the state file itself (allocation, loads)
    if req.as_of is not None:
        if "as_of" not in accepted:
            fail([catalog.explain_as_of_not_incremental(node.id)])
            return 1
        options["as_of"] = req.as_of
    try:
        tree, module = explain(program, ledgers, params, target, **options)
    except RunFailed as exc:
        fail(exc.errors)
        return 2 if exc.usage else 1
    except NotFound as exc:
        click.echo(f"erro: {exc}", err=True)
        return 1
    except RuntimeError as exc:
        click.echo(f"erro: não foi possível rodar o pacote: {exc}", err=True)
        return 1
    if req.rejects is not None and not _write_rejects(req.rejects, tree, fail):
        return 1
    click.echo(_format(tree, module, req.fmt, addressed), nl=False)
    return 0


def _write_rejects(path: Path, tree: dict[str, Any], fail: Fail) -> bool:
    from runtime.commit import write_error
    from runtime.ledgers import write_rejects

    try:
        write_rejects(path, tree.get("_rejects") or [])
    except OSError as exc:
        fail(write_error(path, exc).errors)
        return False
    return True


def _format(tree: dict[str, Any], module: Any, fmt: str, addressed: bool) -> str:
    import json

    from runtime import explain_html
    from runtime import explain_render

    if fmt == "text":
        return str(module.render_text(tree))
    if fmt == "json":
        if not addressed and "_legacy" in tree:  # `--layout ... --format json`, as always
            return json.dumps(tree["_legacy"], ensure_ascii=False, indent=2) + "\n"
        return explain_render.to_json(tree)
    if fmt == "md":
        return explain_render.to_markdown(tree)
    from compiler.project import find_root

    root = find_root(Path.cwd())
    bases = [Path()] + ([Path(os.path.relpath(root))] if root is not None else [])
    return explain_html.render(tree, bases)


def _list(program: Any, ledgers: dict[str, Path], params: dict[str, Any],
          options: dict[str, Any], fail: Fail) -> int:
    from runtime.explain_list import listing

    try:
        found, unlisted = listing(program, ledgers, params, **options)
    except RunFailed as exc:
        fail(exc.errors, "nada foi listado")
        return 2 if exc.usage else 1
    for text in found:
        click.echo(text)
    if unlisted:
        click.echo("atenção: os nós destes tipos não listam endereços aqui: "
                   + ", ".join(unlisted), err=True)
    return 0
