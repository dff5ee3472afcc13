"""package.yaml → PackageSpec: the package id, the partition field, the run parameters and the
bundle (`bundle: {file: Siops.zip}`; its names are checked by compiler/bundle_check.py)."""

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
                        description=S.string(S.mapping(v), "description"), span=k.span,
                        default=S.text(S.mapping(v), "default"))
            for k, v in S.mapping(root.get("params")).items)
        return S.PackageSpec(**base, partition=S.text(root, "partition"), params=params,
                             layout_year=S.text(root, "layout_year"),
                             bundle=_bundle(root), select=S.text(root, "select"))

    def check(self, specs: Sequence[S.SpecBase]) -> list[Diagnostic]:
        return []


def _bundle(root: YMap) -> S.BundleSpec | None:
    """`bundle:` with the default names of the manifest and of the provenance file."""
    key = root.key_node("bundle")
    node = root.get("bundle")
    if key is None or not isinstance(node, YMap):
        return None
    file = S.text(node, "file")
    assert file is not None  # required by the schema

    def named(field: str) -> S.Text:
        got = S.text(node, field)
        return got if got is not None else S.Text(value=DEFAULTS[field], span=key.span)
    return S.BundleSpec(file=file, manifest=named("manifest"),
                        provenance=named("provenance"), span=key.span)


# The names of a bundle's files that package.yaml may leave out.
DEFAULTS = {"manifest": "manifesto.csv", "provenance": "proveniencia.csv"}

PART = _Package()
