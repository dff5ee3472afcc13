"""Compile a package in a test and load what it generated: the steps a dozen tests repeated
(the compiler's files written under a folder, then `runtime.load`)."""

from __future__ import annotations

from pathlib import Path

import compiler
import runtime


def write_files(result: compiler.CompileResult, pkg: Path) -> Path:
    """The generated files of `result` written under `pkg`; `pkg`."""
    for rel, text in result.files.items():
        path = pkg / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return pkg


def build(specs: Path, base: Path, pkg: Path) -> runtime.Program:
    """The package in `specs` compiled (no errors: asserted), written under `pkg`, loaded
    (one program: a package without year views)."""
    result = compiler.compile_package(specs, base=base)
    assert not result.errors, result.errors
    got = runtime.load(write_files(result, pkg))
    assert isinstance(got, runtime.Program)
    return got
