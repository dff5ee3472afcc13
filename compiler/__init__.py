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
from dataclasses import replace
from pathlib import Path

from compiler import kinds
from compiler.bundle_check import check_bundle
from compiler.codegen import generate
from compiler.codegen.views import generate_views
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Severity
from compiler.ir import Package
from compiler.lower import lower
from compiler.lower import spec_digest
from compiler.package import LoadedPackage
from compiler.package import build_view
from compiler.package import discover
from compiler.package import project_root
from compiler.package import read_package
from compiler.source import SourceFile
from runtime.views import VIEW_PREFIX

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
    # layout years: each year's view (compiler/years.py) and the parameter choosing one
    views: dict[int, Package] = field(default_factory=dict)
    year_param: str | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]


def check(folder: str | Path, base: str | Path | None = None) -> CompileResult:
    """Load, validate, parse and type-check one package folder (no code generation).

    File names in diagnostics, generated code and the spec hash are relative to `base`;
    by default the project root of `folder` (package.project_root), never the cwd.
    A package with layout years (compiler/years.py) is checked view by view: `views` holds
    each year's IR, `ir` the latest one's.
    """
    folder = Path(folder)
    base_path = Path(base) if base is not None else project_root(folder)
    diags: list[Diagnostic] = []
    reading = read_package(folder, base_path, diags)
    views: dict[int, Package] = {}
    manifest = None
    pkg = None
    loaded: LoadedPackage | None = None
    for year in reading.years or (None,):
        loaded = build_view(reading, year, diags)
        manifest = manifest or loaded.manifest
        for kind in kinds.KINDS:
            if not kinds.front_end(kind).singleton:
                diags.extend(kinds.front_end(kind).check(list(loaded.specs_of(kind).values())))
        diags.extend(check_bundle(loaded.manifest, loaded.layouts.values()))
        pkg = lower(loaded, diags)
        if year is not None and pkg is not None:
            views[year] = pkg
    if loaded is not None and views:
        # every view of one package: one spec hash over every file any view read
        files, digest = spec_digest(loaded)
        views = {y: replace(v, spec_files=files, spec_hash=digest, layout_year=y)
                 for y, v in views.items()}
        pkg = views[max(views)]
    diags.sort(key=Diagnostic.sort_key)
    # A value inherited through `extends:` is checked in the parent and in the child, a spec
    # the layout years share in every view: the same mistake (same code, message and
    # position) is reported once.
    diags = list(dict.fromkeys(diags))
    if any(d.is_error for d in diags):
        pkg, views = None, {}
    return CompileResult(folder=reading.folder,
                         package_id=manifest.id if manifest else None,
                         diagnostics=diags, sources=reading.sources, ir=pkg, views=views,
                         year_param=(manifest.layout_year.value
                                     if manifest and manifest.layout_year else None))


def compile_package(folder: str | Path, base: str | Path | None = None) -> CompileResult:
    """Check and generate; `result.files` holds generated/<package>/ contents (a package with
    layout years: each view in `y<year>/`, and an `__init__.py` that chooses among them)."""
    result = check(folder, base)
    if result.ir is None or result.errors:
        return result
    if not result.views:
        result.files = generate(result.ir, result.folder)
        return result
    assert result.year_param is not None
    for year, view in result.views.items():
        result.files.update({f"{VIEW_PREFIX}{year}/{rel}": text
                             for rel, text in generate(view, result.folder).items()})
    result.files["__init__.py"] = generate_views(result.ir, result.folder, result.year_param,
                                                 tuple(result.views))
    return result
