"""--backend on the command line and in the journal; the runtime core without the engines;
`apura compile --check` covering the generated SQL."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import cli
from compiler.writer import diff_tree
from compiler.writer import write_tree
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS = ["--param", "exercicio=2020", "--param", "bimestre=2"]


@pytest.mark.parametrize("backend", ["python", "duckdb", "auto"])
def test_run_records_the_backend_that_ran(tmp_path: Path, backend: str) -> None:
    args = ["run", str(ROOT / "generated" / "siops"), *PARAMS, "--out", str(tmp_path / "out"),
            "--state", str(tmp_path / "s.sqlite"), "--backend", backend]
    for name, path in SMALL_INPUTS.items():
        args += ["--input", f"{name}={path}"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    ran = "python" if backend == "auto" else backend  # small CSV inputs: auto is python
    assert f"back end {ran}" in result.stdout
    assert "…" not in result.stderr  # no progress notes when stderr is not a terminal
    db = sqlite3.connect(tmp_path / "s.sqlite")
    assert db.execute("SELECT backend, status FROM runs").fetchall() == [(ran, "ok")]
    files = sorted(p.name for p in (tmp_path / "out" / "3170206").iterdir())
    assert len(files) == 6


def test_an_unknown_backend_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["run", "generated/siops", "--out", str(tmp_path),
                                      "--backend", "oracle"])
    assert result.exit_code == 2


def test_runtime_and_python_backend_need_no_engine_library() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('compiler', 'duckdb', 'pyspark', 'pyarrow',\n"
        "                                  'sqlglot'):\n"
        "            raise ImportError(name + ' blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import runtime\n"
        "p = runtime.load('generated/siops')\n"
        "r = p.run(ledgers={'despesa': 'fixtures/siops/small/despesa.csv',\n"
        "                   'receita': 'fixtures/siops/small/receita.csv',\n"
        "                   'equivalencia_recursos':\n"
        "                       'fixtures/siops/small/equivalencia_recursos.csv'},\n"
        "          params={'exercicio': 2020, 'bimestre': 2})\n"
        "print(len(r.outputs), r.backend)\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["6", "python"]


def test_compile_check_covers_sql_and_stale_files(tmp_path: Path) -> None:
    from compiler import compile_package

    res = compile_package(ROOT / "specs" / "siops", base=ROOT)
    assert "sql/plan.json" in res.files and "sql/duckdb/despesa.sql" in res.files \
        and "sql/spark/despesa.sql" in res.files
    out = tmp_path / "siops"
    write_tree(out, res.files)
    assert diff_tree(out, res.files, "g") == ""
    sql = out / "sql" / "spark" / "receita.sql"
    sql.write_text(sql.read_text("utf-8").replace("TRY_CAST", "CAST"), "utf-8")
    (out / "sql" / "duckdb" / "gone.sql").write_text("SELECT 1;\n", "utf-8")
    diff = diff_tree(out, res.files, "g")
    assert "g/sql/duckdb/gone.sql (no disco)" in diff
    assert "g/sql/spark/receita.sql (compilado)" in diff
    write_tree(out, res.files)
    assert not (out / "sql" / "duckdb" / "gone.sql").exists()
    assert diff_tree(out, res.files, "g") == ""
