"""`apura explain PACOTE --list`: the address of every value a run writes, one a line, so an
auditor finds what to ask for without reading the grammar (runtime/explain_address.py).

The run is done again on the Python back end, writing nothing: from the journal's inputs
and `--select` with `--state`, or from `--input/--param [--select GLOB]`. Each node's kind
explainer lists its own values with `addresses(program, result, ctx, node)` (an explainer
without it lists none: its kind is named on stderr). Only the reports the run writes are
listed (a layout it only reads from is computed, not written). Layouts: every row that is not
a totalizer × column of every partition; sheets: every line
written (a value not zero) × column."""

from __future__ import annotations

import decimal
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from runtime.explain_registry import explainer
from runtime.explain_registry import kind_of
from runtime.trace import Trace
from runtime.values import CONTEXT


def listing(program: Any, ledgers: Mapping[str, Any], params: Mapping[str, Any], *,
            select: str | None = None, allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False, state: Any = None) -> tuple[list[str], list[str]]:
    """(the addresses, the kinds of nodes whose explainer cannot list its values) of a run of
    the nodes `select` matches (None: the package's default), as `apura run --select`.
    `state`: the state file the run reads (never writes): an allocation's discounts and
    events, an incremental derivation's loads."""
    pkg = program.package
    trace = Trace(pkg, (), None)  # lineage of nothing: only the run's context is wanted
    with decimal.localcontext(CONTEXT):
        result = program.run(ledgers, params, select=select, allow_rejects=allow_rejects,
                             backend="python",
                             tracer=trace, allow_unconfirmed=allow_unconfirmed,
                             allow_gaps=allow_gaps, allocation_state=state)
    out: list[str] = []
    unlisted: list[str] = []
    assert trace.ctx is not None
    # the reports the run writes (a layout it only reads from is computed, not written)
    chosen = {n.id for n in program.selected(select, trace.ctx.params)}
    for node in pkg.nodes:
        if hasattr(node, "output_files") and node.id not in chosen:
            continue
        kind = kind_of(node)
        module = explainer(kind)
        lister = getattr(module, "addresses", None) if module is not None else None
        if lister is None:
            if kind not in unlisted:
                unlisted.append(kind)
            continue
        out.extend(lister(program, result, trace.ctx, node))
    return out, unlisted


def layout_addresses(result: Any, node: Any) -> Iterator[str]:
    """Every written row × column of layout `node`, per partition."""
    from runtime.explain_address import address

    for part in result.partitions:
        if (node.id, part) not in result.values:
            continue
        for r in node.rows:
            if r.totalizer:
                continue
            for c in node.columns:
                yield address(node.id, part, r.ref, c.id)
