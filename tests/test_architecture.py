"""Import boundaries: runtime never imports compiler; generated code imports only runtime;
compiler modules import along the pipeline order only (STYLE 2.3)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

# Pipeline order: a module may import only modules at its own rank or earlier.
RANK = {
    "compiler.version": 0, "compiler.source": 0, "compiler.chars": 0,
    "compiler.diagnostics": 1,
    "compiler.catalog": 2, "compiler.catalog_data": 2, "compiler.catalog_package": 2,
    "compiler.catalog_indicator": 2, "compiler.catalog_dictionary": 2,
    "compiler.catalog_derivation_state": 2,
    "compiler.catalog_integracao": 2,
    "compiler.yamlnodes": 3, "compiler.schema": 4, "compiler.specs": 5,
    # the Portal do Gestor integration config (apura send --config): YAML + schema, no spec
    "compiler.integracao_schema": 4, "compiler.integracao": 4, "compiler.integracao_run": 4,
    "compiler.extends": 5,
    "compiler.package": 6, "compiler.outputs_check": 6, "compiler.years": 6,
    "compiler.bundle_check": 6,
    "compiler.expr": 7, "compiler.types": 8, "compiler.builtins": 8,
    # The checker emits typed IR expressions directly (no side tables), so ir sits before check.
    "compiler.irexpr": 8, "compiler.irkinds": 8,
    "compiler.ir": 8, "compiler.check": 9, "compiler.graph": 9,
    # the size and depth limits of an expression's SQL (E0202, E0203), read by the checker
    "compiler.exprsize": 8,
    "compiler.lower": 11,
    # What a condition admits (regions) and the rows no record reaches (shadow), from the IR.
    "compiler.regions": 10, "compiler.shadow": 10,
    "compiler.scanplan": 12, "compiler.codegen": 13, "compiler.writer": 14,
    # The kinds registry (names only) and the stage protocols: read by every stage.
    "compiler.kinds": 4,
    # the table kind's CSV reading and checks (compiler/kinds/table), used by its lowering
    "compiler.kinds.table.data": 6,
    # the rows of a table written in `rows` specs (compiler/kinds/rows), read with its CSV
    "compiler.kinds.table.yamlrows": 6,
    # what the sheets kind can list of a planilha code (its lowering's S1503 check)
    "compiler.kinds.sheets.values": 9,
    # the SQL text of a derivation node, rendered into its runtime declaration
    "compiler.kinds.derivation.sqltext": 13,
    # the collections of a derivation (related:), checked by its lowering
    "compiler.kinds.derivation.related": 11,
    # a derivation's incremental: section as written (its spec), and its lowering
    "compiler.kinds.derivation.incremental_spec": 6,
    "compiler.kinds.derivation.incremental": 11,
    # incremental.frozen: (values kept across loads), lowered with the derivation
    "compiler.kinds.derivation.frozen": 11,
    # $param read as fields, when a derivation node is generated (python.py, sqltext.py)
    "compiler.kinds.derivation.params": 13,
    # each: (one output record per member of a collection), named by its lowering
    "compiler.kinds.derivation.each": 11,
    # each: over several collections — its lowering, and its SQL (with sqltext)
    "compiler.kinds.derivation.union": 11,
    "compiler.kinds.derivation.union_sql": 13,
    # output.json: (one JSON per output record): as written, and its lowering
    "compiler.kinds.derivation.jsonout_spec": 6,
    "compiler.kinds.derivation.jsonout": 11,
    # explain's if-branches of a field, read from the expression as written by its lowering
    "compiler.kinds.derivation.branches": 11,
}
# A kind's stage modules (compiler/kinds/<kind>/<stage>.py) rank with their stage.
STAGE_RANK = {"spec": 6, "lower": 11, "plan": 12, "python": 13, "sql": 13, "diff": 12,
              "files": 13}
TOP = {"compiler", "compiler.cli", "compiler.runner", "compiler.__main__", "compiler.clitext",
       "compiler.project", "compiler.events_cli", "compiler.portal_cli",
       "compiler.portal_send_cli", "compiler.explain_cli", "compiler.explain_run"}


def _type_only(tree: ast.Module) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:` (annotations, not run-time order)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def _imports(path: Path, runtime_only: bool = False) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    skip = _type_only(tree) if runtime_only else set()
    out: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def _module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _rank(mod: str) -> int | None:
    parts = mod.split(".")
    if len(parts) == 4 and parts[:2] == ["compiler", "kinds"] and parts[3] in STAGE_RANK:
        return STAGE_RANK[parts[3]]
    best = None
    for prefix, r in RANK.items():
        if mod == prefix or mod.startswith(prefix + "."):
            best = r
    return best


# apura diff compares lowered packages (IR), so it ranks after lower; its command-line face
# (compiler/diff/sides.py) compiles each side through compiler.check, so it is top-level.
RANK["compiler.diff"] = 12
TOP.add("compiler.diff.sides")


def test_runtime_never_imports_compiler() -> None:
    for path in sorted((ROOT / "runtime").rglob("*.py")):
        bad = {m for m in _imports(path) if m == "compiler" or m.startswith("compiler.")}
        assert not bad, f"{path}: {bad}"


def test_generated_code_imports_only_runtime() -> None:
    files = sorted((ROOT / "generated").rglob("*.py"))
    assert files
    for path in files:
        roots = {m.split(".")[0] for m in _imports(path)}
        assert roots <= {"runtime"}, f"{path}: {roots}"


def _exists(mod: str) -> bool:
    rel = ROOT.joinpath(*mod.split("."))
    return rel.with_suffix(".py").is_file() or (rel / "__init__.py").is_file()


def test_the_tables_name_only_modules_that_exist() -> None:
    assert [m for m in (*RANK, *TOP) if not _exists(m)] == []


def test_compiler_imports_follow_the_pipeline() -> None:
    for path in sorted((ROOT / "compiler").rglob("*.py")):
        mod = _module_name(path)
        if mod in TOP:
            continue
        own = _rank(mod)
        assert own is not None, f"{mod} has no rank in the pipeline table"
        # compiler.kinds.base types every stage's protocol under TYPE_CHECKING
        for imp in _imports(path, runtime_only=mod.startswith("compiler.kinds")):
            if not imp.startswith("compiler."):
                continue
            assert imp not in TOP, f"{mod} (a pipeline stage) imports the top-level {imp}"
            r = _rank(imp)
            if r is None and not _exists(imp) and imp.rsplit(".", 1)[0] in TOP:
                continue  # `from compiler import check`: a name of compiler/__init__.py
            assert r is not None, f"{mod} imports {imp}, which has no rank in the table"
            assert r <= own, f"{mod} (rank {own}) imports {imp} (rank {r}) backwards"


def test_ir_knows_nothing_of_yaml_or_expressions() -> None:
    imports = _imports(ROOT / "compiler" / "ir.py")
    assert not {m for m in imports if m.startswith(("compiler.expr", "compiler.specs",
                                                     "compiler.yamlnodes"))}


def test_generated_package_runs_without_the_compiler() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'compiler' or name.startswith('compiler.'):\n"
        "            raise ImportError('compiler blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import runtime\n"
        "p = runtime.load('generated/siops')\n"
        "print(p.package.id)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "siops"


def test_the_wheel_lists_every_package() -> None:
    """pyproject.toml lists packages explicitly (the grammar is mapped from grammar/): a folder
    with an __init__.py missing from the list would be left out of the wheel (a new kind's
    folder under compiler/kinds/ must be added there)."""
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {_module_name(p) for top in ("compiler", "runtime")
             for p in (ROOT / top).rglob("__init__.py")}
    assert found - listed == set()
