"""`apura diff`: what changed between two compiled packages, folders of packages, or two specs
of one kind, compared at the IR level by identity (specs by kind and id, rows by ref, columns by
id, fields by name).

Example:
    >>> from compiler import check
    >>> from compiler.diff import diff_packages
    >>> pkg = check("specs/siops").ir
    >>> diff_packages([pkg], [pkg], "a", "b").empty     # doctest: +SKIP
    True
"""

from __future__ import annotations

from compiler import ir
from compiler.diff.compare import Node
from compiler.diff.compare import compare_nodes
from compiler.diff.compare import compare_packages
from compiler.diff.compare import differ
from compiler.diff.compare import nodes
from compiler.diff.model import Report
from compiler.diff.model import SpecDiff
from compiler.diff.model import Status
from compiler.diff.render import as_json
from compiler.diff.render import text

__all__ = ["Node", "Report", "SpecDiff", "Status", "as_json", "diff_packages",
           "diff_specs", "differ", "nodes", "text"]


def diff_packages(old: list[ir.Package], new: list[ir.Package], old_name: str,
                  new_name: str) -> Report:
    """Two sets of packages: paired by package id, or as they are when each side holds one
    package (its id may have changed)."""
    pairs: list[tuple[ir.Package | None, ir.Package | None]]
    if len(old) == 1 and len(new) == 1:
        pairs = [(old[0], new[0])]
    else:
        a = {p.id: p for p in old}
        b = {p.id: p for p in new}
        pairs = [(a.get(k), b.get(k)) for k in sorted(a.keys() | b.keys())]
    specs = [d for x, y in pairs for d in compare_packages(x, y)]
    return Report(old=old_name, new=new_name, specs=tuple(specs))


def diff_specs(package: str, kind: str, old: Node, new: Node, old_name: str,
               new_name: str) -> Report:
    """Two specs of one kind, named by the user: their ids may differ (that is no difference)."""
    found = compare_nodes(package, kind, old, new, by_name=True)
    return Report(old=old_name, new=new_name, specs=(found,) if found is not None else ())
