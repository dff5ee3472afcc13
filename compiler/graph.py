"""Dependency graphs: deterministic topological order; cycles reported as a full path."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Hashable
from collections.abc import Iterator
from collections.abc import Sequence
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def toposort(nodes: Sequence[N], deps: Callable[[N], Sequence[N]]) -> tuple[list[N], list[list[N]]]:
    """Order `nodes` so each comes after its dependencies (document order otherwise).

    Returns (order, cycles); each cycle is a path [a, b, ..., a]. Dependencies that are not in
    `nodes` are ignored (they were reported elsewhere).
    """
    known = set(nodes)
    state: dict[N, int] = {}  # 1 = on stack, 2 = done
    order: list[N] = []
    cycles: list[list[N]] = []
    stack: list[N] = []

    def visit(root: N) -> None:
        # Depth-first with an explicit stack (a chain of 10,000 totals must not recurse).
        state[root] = 1
        stack.append(root)
        pending: list[Iterator[N]] = [iter(deps(root))]
        while pending:
            d = next(pending[-1], None)
            if d is None:
                pending.pop()
                n = stack.pop()
                state[n] = 2
                order.append(n)
                continue
            if d not in known:
                continue
            s = state.get(d)
            if s == 1:
                cycles.append(stack[stack.index(d):] + [d])
            elif s is None:
                state[d] = 1
                stack.append(d)
                pending.append(iter(deps(d)))

    for n in nodes:
        if n not in state:
            visit(n)
    return order, cycles
