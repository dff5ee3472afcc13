"""The `check` kind in runs (issue 8): the COVID checks of specs/siops on the bundled small
fixture — eleven hold, the função-10 warning names the R$ 4.444,44 of recurso 202 that reaches
no quadro —, a failed `severity: error` check (D0701: the run fails, nothing is written), the
journal's `run_checks`, identical outcomes on every back end, and --select."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from tests.conftest import COVID_TABLES
from tests.conftest import OMITTED
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS: dict[str, Any] = {"exercicio": 2020, "bimestre": 2}
BACKENDS = ["python", "duckdb"]
WARNING = "conferencias/despesa/funcao_10_nos_quadros"
# The COVID checks (conferencias_despesa.yaml, conferencias_receita.yaml): 12 assertions.
COVID = ("conferencias/despesa/", "conferencias/receita/")


def _journal(state: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(state)
    try:
        return db.execute("SELECT check_id, partition, severity, status, left_value, "
                          "right_value, difference, tolerance, at FROM run_checks "
                          "ORDER BY run_id, check_id").fetchall()
    finally:
        db.close()


def _cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "compiler", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, check=False)


def _inputs(ledgers: dict[str, Path]) -> list[str]:
    """--input options, relative to ROOT (the CLI's folder): messages naming an input file
    (the COVID double flag, D1304) then read the same on every machine."""
    return [a for name, path in ledgers.items()
            for a in ("--input", f"{name}={Path(path).relative_to(ROOT)}")]


@pytest.fixture(scope="module")
def broken(tmp_path_factory: pytest.TempPathFactory) -> runtime.Views:
    """specs/siops with quadro 77's empenhado check summing recurso 213 instead of 212: the two
    sides disagree by design (an error check that fails)."""
    tmp = tmp_path_factory.mktemp("broken")
    folder = tmp / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", folder)
    spec = folder / "conferencias_despesa.yaml"
    text = spec.read_text("utf-8")
    wrong = text.replace('funcao == 10 and recurso_siops == "212")', 'funcao == 10 and '
                         'recurso_siops == "213")', 1)
    assert wrong != text
    spec.write_text(wrong, "utf-8")
    res = compile_package(folder, base=tmp)
    assert res.errors == []
    write_tree(tmp / "gen" / "siops", res.files)
    return runtime.load(tmp / "gen" / "siops")


# The conferências of the despesa, restos, caixa and compensação files
# (conferencias_despesa_execucao.yaml, _dotacao, _restos, _caixa, _compensacao): a COVID run does
# not give their optional ledgers, so those that sum them are skipped, not compared with 0 = 0
# (the consórcio's also because gerar_consorcio is false by default); the one comparing two
# files' totals (restos RP4 with the despesa files) compares what the run wrote: nothing on
# both sides.
OTHERS = 33
BETWEEN_FILES = "conferencias/restos/inscritos_do_exercicio"


def _covid(rows: list[Any]) -> list[Any]:
    """The journal rows of the COVID conferências, after checking the others."""
    others = [r for r in rows if not r[0].startswith(COVID)]
    assert {r[3] for r in others if r[0] != BETWEEN_FILES} == {"skipped"}
    assert len({r[0] for r in others}) == OTHERS  # in each partition
    return [r for r in rows if r[0].startswith(COVID)]


def test_the_cli_warns_about_the_covid_record_no_quadro_takes(tmp_path: Path,
                                                              snapshot: Any) -> None:
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    done = _cli("run", "generated/siops", *_inputs(SMALL_INPUTS), "--param", "exercicio=2020",
                "--param", "bimestre=2", "--out", out, "--state", state)
    assert done.returncode == 0, done.stderr
    assert "10 arquivo(s) escrito(s)" in done.stdout  # the quadros, Receitas, the bundle
    assert (f"{12 + OTHERS} conferência(s): 12 ok, 1 com aviso, {OTHERS - 1} não avaliada(s) "
            "(--select ou entrada opcional não dada)\n") in done.stdout
    assert done.stderr == snapshot  # the D0702 warning, with both sides and 4.444,44
    assert "aviso[D0702]" in done.stderr and "diferença de 4.444,44" in done.stderr
    for path in out.rglob("*.IMPT"):  # the outputs are those of the golden snapshots
        golden = ROOT / "tests/golden/__snapshots__/test_outputs" / \
            f"test_small_fixture_outputs[{path.stem}].IMPT"
        assert path.read_bytes() == golden.read_bytes(), path.name
    rows = _covid(_journal(state))
    assert len(rows) == 12 and [r[3] for r in rows].count("ok") == 11
    assert (WARNING, "3170206", "warning", "failed", "565947.59", "561503.15", "4444.44",
            "0.01", "specs/siops/conferencias_despesa.yaml:49:9") in rows


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_back_end_gives_the_same_outcomes(siops_program: runtime.Program,
                                                tmp_path: Path, backend: str) -> None:
    result = siops_program.run(SMALL_INPUTS, PARAMS, backend=backend,
                               state=tmp_path / "s.sqlite")
    assert result.backend == backend
    python = siops_program.run(SMALL_INPUTS, PARAMS)
    assert [o.journal_row() for o in result.outcomes] == \
        [o.journal_row() for o in python.outcomes]
    assert _journal(tmp_path / "s.sqlite") == sorted(o.journal_row() for o in python.outcomes)
    assert [w.render() for w in result.warnings] == [w.render() for w in python.warnings]
    assert result.outputs == python.outputs


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_failed_error_check_fails_the_run_with_d0701_at_its_position(
        broken: runtime.Program, tmp_path: Path, backend: str) -> None:
    out, state = tmp_path / "out", tmp_path / "s.sqlite"
    with pytest.raises(runtime.RunFailed) as info:
        broken.run_to(out, SMALL_INPUTS, PARAMS, state=state, backend=backend)
    (e,) = info.value.errors
    assert (e.code, e.severity, e.file, e.line, e.col) == (
        "D0701", "erro", "specs/siops/conferencias_despesa.yaml", 11, 9)
    assert e.message == (
        "a conferência 'conferencias/despesa/q77_empenhado' não fecha no municipio 3170206: "
        'cell("covid/77", "9999999029", "V0") = 396.302,00, mas sum(empenhado - '
        'anulado_empenho where no_periodo and e_covid and funcao == 10 and recurso_siops == '
        '"213") = 74.850,20; diferença de 321.451,80 (tolerância 0,01)')
    assert not out.exists()  # nothing written
    db = sqlite3.connect(state)
    status, message = db.execute("SELECT status, message FROM runs").fetchone()
    inputs = db.execute("SELECT count(*) FROM run_inputs").fetchone()
    db.close()
    assert status == "failed" and "D0701" in message and \
        inputs == (3 + len(OMITTED) + len(COVID_TABLES),)
    rows = _covid(_journal(state))
    assert len(rows) == 12
    status_of = {r[0]: r[3] for r in rows}
    assert status_of.pop("conferencias/despesa/q77_empenhado") == "failed"
    assert status_of.pop(WARNING) == "failed" and set(status_of.values()) == {"ok"}


def test_the_cli_prints_d0701_and_exits_1(broken: runtime.Views, tmp_path: Path) -> None:
    folder = Path(broken.latest.module.__file__).parent.parent
    done = _cli("run", folder, *_inputs(SMALL_INPUTS), "--param", "exercicio=2020",
                "--param", "bimestre=2", "--out", tmp_path / "out", "--state",
                tmp_path / "s.sqlite")
    assert done.returncode == 1
    # (after a note that this temporary package was compiled from other specs than ROOT's)
    assert "\nspecs/siops/conferencias_despesa.yaml:11:9: erro[D0701]: " in done.stderr
    assert "11 |   - id: q77_empenhado\n   |         ^^^^^^^^^^^^^\n" in done.stderr
    assert "1 erro(s); nenhum arquivo foi escrito (execução 1 em " in done.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("select", "evaluated"), [
    ("covid/7[01]", {"conferencias/receita/q70_arrecadado", "conferencias/receita/q71_arrecadado"}),
    # 72 reads 79's total: 79 is computed (despesa is read), 77 and 78 are not
    ("covid/72", {"conferencias/despesa/q79_empenhado", "conferencias/despesa/q79_liquidado",
                  "conferencias/despesa/q79_pago"}),
])
def test_a_selection_skips_the_assertions_whose_values_it_does_not_compute(
        siops_program: runtime.Program, tmp_path: Path, select: str,
        evaluated: set[str]) -> None:
    needed = siops_program.required_inputs(select, PARAMS)
    result = siops_program.run({k: v for k, v in SMALL_INPUTS.items() if k in needed}, PARAMS,
                               select=select, state=tmp_path / "s.sqlite")
    # the função-10 assertion reads 77 and 78: skipped; a partial run writes no bundle; the
    # COVID flag set twice is listed for the two recursos of the ledger the run reads
    # (receita: 1621000 and 1500100; despesa: 1621000 and 1710000; tests/unit/test_coverage.py)
    assert [w.code for w in result.warnings] == ["D1304", "D1304", "D0901"]
    status = {row[0]: row[3] for row in _covid(_journal(tmp_path / "s.sqlite"))}
    assert len(status) == 12
    assert {k for k, v in status.items() if v == "ok"} == evaluated
    assert {v for k, v in status.items() if k not in evaluated} == {"skipped"}


def test_a_partition_whose_records_no_sum_takes_is_the_same_on_every_back_end(
        siops_program: runtime.Program, tmp_path: Path) -> None:
    """Município 9999999 has one despesa record, not COVID: every sum of its partition is a
    sum of nothing (0 on Python; NULL in SQL, which keeps the accumulator's 0)."""
    desp = tmp_path / "despesa.csv"
    desp.write_text(SMALL_INPUTS["despesa"].read_text("utf-8")
                    + "9999999;FMS;2020;9001;02/01/2020;10;122;33903900;1600000;S;N;;"
                      "10,00;0,00;0,00;0,00;0,00;0,00\n", "utf-8")
    eq = tmp_path / "equivalencia_recursos.csv"
    eq.write_text(SMALL_INPUTS["equivalencia_recursos"].read_text("utf-8")
                  + "9999999;1600000;212;N\n", "utf-8")
    ledgers = {**SMALL_INPUTS, "despesa": desp, "equivalencia_recursos": eq}
    rows = {}
    for backend in BACKENDS:
        result = siops_program.run(ledgers, PARAMS, backend=backend)
        rows[backend] = [o.journal_row() for o in result.outcomes]
    assert rows["duckdb"] == rows["python"]
    other = [r for r in _covid(rows["python"]) if r[1] == "9999999"]
    assert len(other) == 12 and {r[3] for r in other} == {"ok"}
    assert {(r[4], r[5]) for r in other} == {("0.00", "0.00")}
