"""apura compiler: specs (YAML) → checked IR → generated Python packages.

Example:
    >>> from compiler import compile_package
    >>> result = compile_package("specs/siops")
    >>> sorted(result.files)            # doctest: +SKIP
    ['__init__.py']
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from compiler import kinds
from compiler.bundle_check import check_bundle
from compiler.codegen import generate
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Severity
from compiler.ir import Package
from compiler.lower import lower
from compiler.package import LoadedPackage
from compiler.package import discover
from compiler.package import load_package
from compiler.package import project_root
from compiler.source import SourceFile

__all__ = ["CompileResult", "Diagnostic", "Severity", "check", "compile_package", "discover"]


@dataclass(slots=True)
class CompileResult:
    """The outcome of compiling one package folder.

    `files` maps paths relative to generated/<package>/ to their text; empty when `errors`.
    """

    folder: str
    package_id: str | None
    diagnostics: list[Diagnostic]
    sources: dict[str, SourceFile]
    ir: Package | None = None
    files: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def check(folder: str | Path, base: str | Path | None = None) -> CompileResult:
    """Load, validate, parse and type-check one package folder (no code generation).

    File names in diagnostics, generated code and the spec hash are relative to `base`;
    by default the project root of `folder` (package.project_root), never the cwd.
    """
    folder = Path(folder)
    base_path = Path(base) if base is not None else project_root(folder)
    diags: list[Diagnostic] = []
    loaded: LoadedPackage = load_package(folder, base_path, diags)
    for kind in kinds.KINDS:
        if not kinds.front_end(kind).singleton:
            diags.extend(kinds.front_end(kind).check(list(loaded.specs_of(kind).values())))
    diags.extend(check_bundle(loaded.manifest, loaded.layouts.values()))
    pkg = lower(loaded, diags)
    diags.sort(key=Diagnostic.sort_key)
    # A value inherited through `extends:` is checked in the parent and in the child: the same
    # mistake (same code, message and position) is reported once.
    diags = list(dict.fromkeys(diags))
    return CompileResult(folder=loaded.folder,
                         package_id=loaded.manifest.id if loaded.manifest else None,
                         diagnostics=diags, sources=loaded.sources, ir=pkg)


def compile_package(folder: str | Path, base: str | Path | None = None) -> CompileResult:
    """Check and generate; `result.files` holds generated/<package>/ contents."""
    result = check(folder, base)
    if result.ir is not None and not result.errors:
        result.files = generate(result.ir, result.folder)
    return result
