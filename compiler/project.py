"""Where the apura project is, and where a compiled package lives in it.

The project root is found as git finds its repository: upward from the working directory, the
first folder with a pyproject.toml naming the `apura` project, or with both `generated/` and
`specs/`. `--project DIR` (or the environment variable APURA_PROJECT) names it explicitly.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

ENV = "APURA_PROJECT"


class ProjectError(Exception):
    """A project given explicitly (--project, APURA_PROJECT) that is not an apura project."""


def is_root(folder: Path) -> bool:
    """True when `folder` is an apura project root."""
    if (folder / "generated").is_dir() and (folder / "specs").is_dir():
        return True
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return False
    try:
        data = tomllib.loads(pyproject.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    project = data.get("project")
    return isinstance(project, dict) and project.get("name") == "apura"


def find_root(start: Path) -> Path | None:
    """The nearest project root at or above `start`, or None."""
    start = start.absolute()
    for folder in (start, *start.parents):
        if is_root(folder):
            return folder
    return None


def root(explicit: Path | None = None) -> Path | None:
    """The project root: `explicit` (--project), else $APURA_PROJECT, else found upward from the
    working directory. Raises ProjectError when an explicit one is not a project."""
    given = explicit if explicit is not None else (
        Path(os.environ[ENV]) if os.environ.get(ENV) else None)
    if given is None:
        return find_root(Path.cwd())
    if not given.is_dir():
        raise ProjectError(f"a pasta '{given}' não existe")
    if not is_root(given):
        raise ProjectError(f"'{given}' não é um projeto apura (não tem pyproject.toml "
                           "do apura nem as pastas specs/ e generated/)")
    return given


@dataclass(frozen=True, slots=True)
class Located:
    """A compiled package folder, or why none was found (`why`, Portuguese, for the user)."""

    folder: Path | None
    why: str = ""


def locate_package(package: str, project: Path | None) -> Located:
    """`package` as a folder (absolute, or relative to the working directory) holding a compiled
    package, else `<project>/generated/<package>`."""
    given = Path(package)
    if (given / "__init__.py").is_file():
        return Located(given)
    looked = [f"'{given}'"]
    if project is not None and not given.is_absolute() and given.parts:
        candidates = [project / given]
        if len(given.parts) == 1:
            candidates.insert(0, project / "generated" / given)
        for target in candidates:
            if (target / "__init__.py").is_file():
                return Located(target)
        looked.append(f"'{candidates[0]}'")
        name = given.parts[-1]
        if (len(given.parts) == 1 or given.parts[:-1] == ("generated",)) and \
                (project / "specs" / name / "package.yaml").is_file():
            return Located(None, f"o pacote '{name}' não foi compilado: "
                           f"{project / 'generated' / name} não existe "
                           f"(rode 'apura compile' em {project})")
    why = f"pacote compilado '{package}' não encontrado (procurei {' e '.join(looked)})"
    if project is None:
        why += ("; a pasta atual não está dentro de um projeto apura (pyproject.toml do apura, "
                f"ou specs/ e generated/): use --project PASTA ou {ENV}")
    return Located(None, why)
