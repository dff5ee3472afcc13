"""Layout years: a package folder may hold one folder per layout year (`2019/`, `2021/`).

Layouts change every fiscal year; a package keeps what every year shares in its own folder and
what a year changes in that year's folder. The *view* of year Y is the package's own specs plus
the specs of every year folder up to Y, in year order: a spec of a later year replaces the spec
of the same id of an earlier one, and may `extends:` its own id to inherit from it and state
only what changed (compiler/extends.py resolves the parent in the earlier year). Each view is
checked and compiled as a package of its own (generated/<pkg>/y<Y>/); a run uses the view of
the latest layout year not after the value of the package's `layout_year` parameter
(runtime/views.py), e.g. `exercicio`: 2019's layouts serve 2019 and 2020, 2021's serve 2021 on.
"""

from __future__ import annotations

import re
from pathlib import Path

from compiler import catalog
from compiler.diagnostics import Diagnostic
from compiler.specs import PackageSpec

# A layout year folder: four digits, directly in the package folder.
YEAR_FOLDER = re.compile(r"[0-9]{4}")


def folders(package: Path) -> list[tuple[int, Path]]:
    """The layout-year folders of a package folder, by year."""
    return sorted((int(p.name), p) for p in package.iterdir()
                  if p.is_dir() and YEAR_FOLDER.fullmatch(p.name))


def layer(path: Path, package: Path) -> int:
    """The layout year of the folder a spec file is in (0: the package's own specs)."""
    first = path.relative_to(package).parts[0]
    return int(first) if YEAR_FOLDER.fullmatch(first) and path.parent != package else 0


def check(manifest: PackageSpec, years: tuple[int, ...]) -> list[Diagnostic]:
    """package.yaml's `layout_year` against the folders the package has."""
    decl = manifest.layout_year
    if decl is None:
        if years:
            return [catalog.year_folders_undeclared(manifest.id_span,
                                                    folders=[str(y) for y in years])]
        return []
    param = next((p for p in manifest.params if p.name == decl.value), None)
    if param is None:
        return [catalog.layout_year_param(decl.span, param=decl.value,
                                          problem="não existe em 'params'")]
    if param.type != "int":
        return [catalog.layout_year_param(decl.span, param=decl.value,
                                          problem=f"é do tipo {param.type}, não int")]
    if not years:
        return [catalog.layout_year_no_folders(decl.span)]
    return []
