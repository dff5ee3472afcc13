"""Code generation: generate(package) -> {relative path: text} for generated/<package>/."""

from __future__ import annotations

from compiler import ir
from compiler.codegen import pymodule
from compiler.codegen import sql


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    """The Python module (`__init__.py`) and the SQL of both dialects (`sql/`)."""
    return {**pymodule.generate(pkg, folder), **sql.generate(pkg, folder)}
