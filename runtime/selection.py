"""What a selection (`--select`, package.yaml `select:`) picks: globs over report ids,
separated by commas — `convenios,ordens,dicionario_*` — each as fnmatch reads it (`*`, `?`,
`[...]`), case-sensitive. Spec ids hold no comma (their schema), so the comma is never part
of a glob."""

from __future__ import annotations

import fnmatch


def globs(select: str) -> tuple[str, ...]:
    return tuple(select.split(","))


def selects(select: str, node_id: str) -> bool:
    return any(fnmatch.fnmatchcase(node_id, g) for g in globs(select))
