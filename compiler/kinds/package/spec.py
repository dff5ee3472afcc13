"""package.yaml → PackageSpec: the package id, the partition field and the run parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compiler import specs as S
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile
from compiler.yamlnodes import YMap


class _Package:
    singleton = True

    def build(self, root: YMap, src: SourceFile, base: dict[str, Any]) -> S.PackageSpec:
        params = tuple(
            S.ParamSpec(name=k.value, type=S.string(S.mapping(v), "type"),
                        min=S.integer(S.mapping(v), "min"), max=S.integer(S.mapping(v), "max"),
                        description=S.string(S.mapping(v), "description"), span=k.span)
            for k, v in S.mapping(root.get("params")).items)
        return S.PackageSpec(**base, partition=S.text(root, "partition"), params=params,
                             layout_year=S.text(root, "layout_year"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


PART = _Package()
