"""A map spec → MapSpec: source ledger, key fields, value fields, on_missing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.yamlnodes import YMap


class _Map:
    singleton = False

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> S.MapSpec:
        source = S.text(root, "source")
        assert source is not None
        return S.MapSpec(**base, source=source, key=S.texts(root.get("key")),
                         values=S.texts(root.get("values")),
                         on_missing=S.string(root, "on_missing", "error"),
                         status=S.text(root, "status"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Map()
