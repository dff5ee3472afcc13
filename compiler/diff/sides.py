"""The two sides of `apura diff` as the user names them: a package folder, a folder of
packages, a spec file, or `FOLDER@ID` (a spec by id in a package folder); each compiled through
the front end (compiler.check) to IR. A layout-year folder of a package (`specs/siops/2019`)
names that year's view; a package folder with layout years, its latest view. A missing path
or spec is a SideError (usage); a side that does not compile is a SideBroken carrying its
diagnostics."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import compiler
from compiler import ir
from compiler.diff import Node
from compiler.diff import Report
from compiler.diff import diff_packages
from compiler.diff import diff_specs
from compiler.diff import nodes
from compiler.package import discover
from compiler.package import display_path
from compiler.years import YEAR_FOLDER


class SideError(Exception):
    """A side the command line names wrongly (exit 2): the message says which and why."""


class SideBroken(Exception):
    """A side whose specs do not compile: nothing is compared (exit 2)."""

    def __init__(self, result: compiler.CompileResult) -> None:
        super().__init__(result.folder)
        self.result = result


@dataclass(frozen=True, slots=True)
class Spec:
    """One spec named on the command line: its package, kind and IR node."""

    package: str
    kind: str
    node: Node


@dataclass(frozen=True, slots=True)
class Side:
    """What one argument names: packages (a folder) or one spec."""

    name: str
    packages: tuple[ir.Package, ...] = ()
    spec: Spec | None = None


def _compile(folder: Path, base: Path) -> ir.Package:
    result = compiler.check(folder, base)
    if result.errors or result.ir is None:
        raise SideBroken(result)
    return result.ir


def _view(folder: Path, year: int, base: Path, arg: str) -> ir.Package:
    """A layout-year folder names that year's view of its package (compiler/years.py)."""
    result = compiler.check(folder, base)
    if result.errors or result.ir is None:
        raise SideBroken(result)
    if year not in result.views:
        raise SideError(f"'{arg}' parece um ano de layout, mas o pacote {result.package_id} "
                        "não declara 'layout_year' no package.yaml")
    return result.views[year]


def _package_folder(path: Path) -> Path | None:
    for anc in path.parents:
        if (anc / "package.yaml").is_file():
            return anc
    return None


def resolve(arg: str, base: Path) -> Side:
    """The side `arg` names; paths shown relative to `base` (the working directory)."""
    path, spec_id = Path(arg), None
    if not path.exists() and "@" in arg:
        head, _, spec_id = arg.rpartition("@")
        path = Path(head)
    if not path.exists():
        raise SideError(f"'{path}' não existe")
    if spec_id is not None:
        if not (path / "package.yaml").is_file():
            raise SideError(f"'{path}' não é uma pasta de pacote (package.yaml): em PASTA@ID, "
                            "PASTA é a pasta do pacote")
        pkg = _compile(path, base)
        found = {i: (k, n) for (k, i), n in nodes(pkg).items()}
        if spec_id not in found:
            close = difflib.get_close_matches(spec_id, list(found), n=1)
            hint = f"; você quis dizer '{close[0]}'?" if close else ""
            raise SideError(f"o pacote {pkg.id} ({path}) não tem a spec '{spec_id}'{hint}")
        kind, node = found[spec_id]
        return Side(name=arg, spec=Spec(pkg.id, kind, node))
    if path.is_file():
        if path.suffix != ".yaml":
            raise SideError(f"'{path}' não é uma spec (arquivo .yaml)")
        folder = _package_folder(path.absolute())
        if folder is None:
            raise SideError(f"'{path}' não está numa pasta de pacote (package.yaml acima dela)")
        folder = path.parents[len(path.absolute().relative_to(folder).parts) - 1]
        pkg = _compile(folder, base)
        shown = display_path(path, base)
        for (kind, _), node in nodes(pkg).items():
            if node.span.file == shown:
                return Side(name=arg, spec=Spec(pkg.id, kind, node))
        raise SideError(f"'{path}' não define uma spec do pacote {pkg.id}")
    if path.is_dir() and YEAR_FOLDER.fullmatch(path.absolute().name) \
            and (path.absolute().parent / "package.yaml").is_file():
        return Side(name=arg, packages=(_view(path.absolute().parent, int(path.absolute().name),
                                              base, arg),))
    folders = discover(path)
    if not folders:
        raise SideError(f"nenhum pacote (package.yaml) em '{path}'")
    return Side(name=arg, packages=tuple(_compile(f, base) for f in folders))


NOUN = {"package": "um pacote", "ledger": "um ledger", "map": "um map", "layout": "um layout"}


def diff_sides(old: Side, new: Side) -> Report:
    """Compare what two sides name: specs with specs (of one kind), packages with packages."""
    if old.spec is not None and new.spec is not None:
        a, b = old.spec, new.spec
        if a.kind != b.kind:
            raise SideError(f"'{old.name}' é {NOUN.get(a.kind, a.kind)} e '{new.name}' é "
                            f"{NOUN.get(b.kind, b.kind)}: compare specs do mesmo tipo")
        return diff_specs(b.package, a.kind, a.node, b.node, old.name, new.name)
    if old.spec is not None or new.spec is not None:
        one, other = (old, new) if old.spec is not None else (new, old)
        raise SideError(f"'{one.name}' é uma spec e '{other.name}' uma pasta: compare uma spec "
                        "com outra, ou pastas de pacotes entre si")
    return diff_packages(list(old.packages), list(new.packages), old.name, new.name)
