"""`apura explain PACOTE --list`: the address of every value a run writes, one a line, so an
auditor finds what to ask for without reading the grammar (runtime/explain_address.py).

The run is done again on the Python back end (from the journal's inputs with `--state`, or
from `--input/--param`), writing nothing; each node's kind explainer lists its own values
with `addresses(program, result, ctx)` (an explainer without it lists none: its kind says so
on stderr). Layouts: every written row × column of every partition; sheets: every line
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
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False) -> tuple[list[str], list[str]]:
    """(the addresses, the kinds of nodes whose explainer cannot list its values)."""
    pkg = program.package
    trace = Trace(pkg, (), None)  # lineage of nothing: only the run's context is wanted
    with decimal.localcontext(CONTEXT):
        result = program.run(ledgers, params, allow_rejects=allow_rejects, backend="python",
                             tracer=trace, allow_unconfirmed=allow_unconfirmed,
                             allow_gaps=allow_gaps)
    out: list[str] = []
    unlisted: list[str] = []
    for node in pkg.nodes:
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
