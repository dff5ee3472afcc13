"""Which module explains a node of each kind (`apura explain PACOTE ENDEREÇO`).

The kind of a node is its runtime class's name in lower case (Layout → layout, Sheets →
sheets, Allocation → allocation, Indicator → indicator, ...), and its explainer is the module
`runtime.explain_<kind>`, found by name: a kind plugs in by adding that module, with

    explain(program, ledgers, params, *, node: str, part: str | None,
            locator: tuple[str, ...]) -> dict      # the common tree (runtime/explain_tree.py)
    render_text(tree: dict) -> str                 # the memória as text (pt-BR)

An explainer may take more keyword options (allow_rejects, allow_unconfirmed, allow_gaps,
state: the state file, as_of: the load); only those its `explain` names are passed. One whose
`reads_state(node)` is true reads its history from `--state` itself (an allocation, an
incremental derivation), so `apura explain --state` does not take a run's inputs from the
journal for it (compiler/explain_run.py). `explain` here fills
`address`, `kind`, `package`, `node`, `partition` when the explainer left them out."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Mapping
from types import ModuleType
from typing import Any

from runtime.explain_address import Address
from runtime.explain_address import format_address
from runtime.explain_tree import complete
from runtime.trace import ExplainError
from runtime.trace import choices

_SHOWN = 30  # node ids listed in the help before "e mais N"


class Unexplained(LookupError):
    """The node's kind has no explainer (yet)."""


def kind_of(node: Any) -> str:
    return type(node).__name__.lower()


def _module_name(kind: str) -> str:
    return f"runtime.explain_{kind}"


def explainer(kind: str) -> ModuleType | None:
    """The module explaining `kind`, or None when there is none."""
    name = _module_name(kind)
    if not kind.isidentifier() or importlib.util.find_spec(name) is None:
        return None
    module = importlib.import_module(name)
    if not callable(getattr(module, "explain", None)):
        return None
    return module


def explained_kinds(package: Any) -> list[str]:
    """The kinds of the package's nodes that have an explainer."""
    kinds = dict.fromkeys(kind_of(n) for n in package.nodes)
    return [k for k in kinds if explainer(k) is not None]


def find(package: Any, where: Address) -> tuple[Any, ModuleType]:
    """The node of an address and its kind's explainer: ExplainError for a node the package
    does not have, Unexplained for a kind without one."""
    ids = [n.id for n in package.nodes]
    if where.node not in ids:
        shown = ids if len(ids) <= _SHOWN else [*ids[:_SHOWN], f"e mais {len(ids) - _SHOWN}"]
        close = choices("nós", where.node, ids).split("nós: ", 1)[0]
        raise ExplainError(f"o pacote '{package.id}' não tem o nó '{where.node}'",
                           option="ENDEREÇO", help=close + "nós: " + ", ".join(shown))
    node = package.node(where.node)
    kind = kind_of(node)
    module = explainer(kind)
    if module is None:
        have = ", ".join(explained_kinds(package)) or "nenhum"
        raise Unexplained(f"o nó '{node.id}' é do tipo '{kind}', que ainda não tem memória "
                          f"de cálculo (falta o módulo {_module_name(kind)}); tipos deste "
                          f"pacote com explicação: {have}")
    return node, module


def explain(program: Any, ledgers: Mapping[str, Any], params: Mapping[str, Any],
            where: Address, **options: Any) -> tuple[dict[str, Any], ModuleType]:
    """The tree of the value at `where` and the module that renders it as text."""
    node, module = find(program.package, where)
    accepted = inspect.signature(module.explain).parameters
    given = {k: v for k, v in options.items() if k in accepted}
    tree = module.explain(program, ledgers, params, node=node.id, part=where.part,
                          locator=where.locator, **given)
    return complete(tree, address=format_address(where), kind=kind_of(node),
                    package=program.package.id, node=node.id, partition=where.part), module
