"""Code generation: generate(package) -> {relative path: text} for generated/<package>/."""

from __future__ import annotations

from compiler import ir
from compiler import kinds
from compiler.codegen import pymodule
from compiler.codegen import sql


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """The Python module (`__init__.py`), the SQL of both dialects (`sql/`) and the files the
    kinds add (compiler/kinds/<k>/files.py: a table's copy, `tables/`)."""
    out = {**pymodule.generate(pkg, folder), **sql.generate(pkg, folder)}
    for kind in kinds.KINDS:
        em = kinds.files(kind)
        if em is not None:
            out.update(em.files(pkg, pkg.of_kind(kind)))
    return out
