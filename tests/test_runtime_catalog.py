"""The run-time catalogue (runtime/catalog.py, runtime/catalog_portal.py for the Portal do
Gestor delivery's D16xx, runtime/catalog_explain_kinds.py for the explainers' D194x,
runtime/catalog_derivation.py for the derivation kind's D18xx/D19xx): one
function per D code, the only place a DataError is built, every function used, every code in
the README's table."""

from __future__ import annotations

import ast
import re

from tests.conftest import ROOT

CATALOG = ROOT / "runtime" / "catalog.py"
CATALOGS = (CATALOG, ROOT / "runtime" / "catalog_portal.py",
            ROOT / "runtime" / "catalog_explain_kinds.py",
            ROOT / "runtime" / "catalog_derivation.py")
README = (ROOT / "README.md").read_text("utf-8")

# Functions whose code comes from an argument, and the codes they may build.
DYNAMIC = {
    "bad_cell": {"D0101", "D0102", "D0103", "D0104", "D0113"},  # the BadCell's code
    "lock_uncreatable": {"D0504", "D0506"},  # the lock of --out, or of the state file
}


def _codes(node: ast.AST) -> set[str]:
    return {kw.value.value for call in ast.walk(node) if isinstance(call, ast.Call)
            for kw in call.keywords
            if kw.arg == "code" and isinstance(kw.value, ast.Constant)}


def catalog_codes() -> dict[str, str]:
    """Public function name → the code it builds (read from the source); DYNAMIC left out."""
    out: dict[str, str] = {}
    for node in (n for f in CATALOGS for n in ast.parse(f.read_text("utf-8")).body):
        if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
            continue
        codes = _codes(node)
        if node.name in DYNAMIC:
            assert codes == set(), node.name
            continue
        assert len(codes) == 1, f"catalog.{node.name} must build exactly one code, got {codes}"
        out[node.name] = codes.pop()
    return out


def _runtime_sources() -> dict[str, str]:
    return {str(f.relative_to(ROOT)): f.read_text("utf-8")
            for f in sorted((ROOT / "runtime").rglob("*.py")) if f not in CATALOGS}


def test_the_catalog_is_read() -> None:
    codes = catalog_codes()
    assert len(codes) >= 28
    assert codes["missing_key"] == "D0201"
    assert codes["unreached"] == "D0601"


def test_one_function_per_code() -> None:
    by_code: dict[str, list[str]] = {}
    for func, code in catalog_codes().items():
        by_code.setdefault(code, []).append(func)
        assert re.fullmatch(r"D\d{4}", code), (func, code)
    assert {c: f for c, f in by_code.items() if len(f) > 1} == {}
    assert set().union(*DYNAMIC.values()) <= set(by_code)


def test_every_function_is_used() -> None:
    text = "\n".join(_runtime_sources().values())
    unused = {f for f in [*catalog_codes(), *DYNAMIC] if f"catalog.{f}(" not in text}
    assert unused == set()


def test_data_errors_are_built_only_by_the_catalogue() -> None:
    """No DataError(...) and no literal D code outside runtime/catalog.py (the compiler
    builds none either); errors.py defines the class, dataclasses.replace moves one."""
    built = []
    for name, src in {**_runtime_sources(),
                      **{str(f.relative_to(ROOT)): f.read_text("utf-8")
                         for f in sorted((ROOT / "compiler").rglob("*.py"))}}.items():
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Call) and (
                    (isinstance(node.func, ast.Name) and node.func.id in ("DataError", "BadCell"))
                    or any(c.startswith("D") for c in _codes(node))):
                built.append(f"{name}:{node.lineno}")
    assert built == []


def test_every_code_is_in_the_readme_table() -> None:
    section = README.split("#### Run-time error codes", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^\| `(D\d{4})` \|", section, re.M)
    assert listed == sorted(listed)
    assert set(listed) == set(catalog_codes().values())
