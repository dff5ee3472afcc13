"""The explainers of the kinds that had none, by kind: each module exposes
`explain(program, ledgers, params, *, node, part, locator) -> dict` (the common explanation
tree, docs EXPLAIN.md) and `render_text(tree) -> str`. `apura explain ADDRESS` dispatches
through the kind registry (runtime/explain_registry.py), which joins this table."""

from __future__ import annotations

EXPLAINERS = {
    "indicator": "runtime.explain_indicator",    # locator: idIntegracao, or the key values
    "derivation": "runtime.explain_derivation",  # locator: per: key values (or position), field
    "check": "runtime.explain_check",            # locator: the assertion's id
    "coverage": "runtime.explain_coverage",      # locator: the key values
}
