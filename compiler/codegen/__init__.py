"""Code generation: generate(package) -> {relative path: text} for generated/<package>/."""

from __future__ import annotations

from compiler import ir
from compiler.codegen import pymodule


def generate(pkg: ir.Package, folder: str) -> dict[str, str]:
    return pymodule.generate(pkg, folder)
