"""Runs end to end: --select, rejects, the journal, atomic outputs, partitions."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

import runtime
from compiler.runner import run_package
from runtime.outputs import write_atomic
from tests.conftest import COVID_TABLES
from tests.conftest import OMITTED
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": "2020", "bimestre": "2"}


def _inputs(**override: Path) -> dict[str, str]:
    return {k: str(v) for k, v in {**SMALL_INPUTS, **override}.items()}


def test_select_runs_only_matching_layouts_and_needs_only_their_inputs(siops_program) -> None:  # type: ignore[no-untyped-def]
    assert set(siops_program.required_inputs("covid/70")) == {"receita", "equivalencia_recursos"}
    # covid/72 reads covid/79's total, so it needs despesa
    assert set(siops_program.required_inputs("covid/72")) == {"despesa", "equivalencia_recursos"}
    result = siops_program.run(ledgers={"receita": SMALL_INPUTS["receita"],
                                        "equivalencia_recursos":
                                            SMALL_INPUTS["equivalencia_recursos"]},
                               params=PARAMS, select="covid/7[01]")
    assert sorted(result.outputs) == ["3170206/covid_70_receitas_uniao.IMPT",
                                      "3170206/covid_71_receitas_estado.IMPT"]


def test_select_output_equals_the_full_run(siops_program) -> None:  # type: ignore[no-untyped-def]
    full = siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS)
    only = siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS, select="covid/72")
    key = "3170206/covid_72_recursos_proprios.IMPT"
    assert list(only.outputs) == [key]
    assert only.outputs[key] == full.outputs[key]


def test_rejects_fail_the_run_unless_a_rejects_file_is_given(tmp_path: Path) -> None:
    bad = tmp_path / "despesa.csv"
    lines = SMALL_INPUTS["despesa"].read_text("utf-8").splitlines()
    lines[3] = lines[3].replace(";10;", ";dez;", 1)
    bad.write_text("\n".join(lines) + "\n", "utf-8")
    state = tmp_path / "state.sqlite"
    out = tmp_path / "out"
    code = run_package(package=str(ROOT / "generated" / "siops"), inputs=_inputs(despesa=bad),
                       params=PARAMS, out=out, select=None, rejects=None, state=state,
                       debug=False)
    assert code == 1
    assert not out.exists()  # nothing written
    rejects = tmp_path / "rejeitadas.csv"
    code = run_package(package=str(ROOT / "generated" / "siops"), inputs=_inputs(despesa=bad),
                       params=PARAMS, out=out, select=None, rejects=rejects, state=state,
                       debug=False)
    assert code == 0
    rows = rejects.read_text("utf-8").splitlines()
    assert rows[0] == "arquivo;linha;coluna;campo;codigo;motivo;registro"
    assert len(rows) == 2
    assert f"{bad.as_posix()};4;" in rows[1] and ";funcao;D0101;" in rows[1]
    db = sqlite3.connect(state)
    runs = db.execute("SELECT id, status, backend, params FROM runs ORDER BY id").fetchall()
    assert [r[1] for r in runs] == ["failed", "ok"]
    assert runs[1][2] == "python" and '"bimestre": 2' in runs[1][3]
    inputs = db.execute("SELECT name, rows_read, rows_accepted, rows_rejected, length(sha256) "
                        "FROM run_inputs WHERE run_id = ? ORDER BY name", (runs[1][0],)).fetchall()
    assert ("despesa", 41, 40, 1, 64) in inputs
    outputs = db.execute("SELECT count(*), min(length(sha256)) FROM run_outputs WHERE run_id = ?",
                         (runs[1][0],)).fetchone()
    assert outputs == (6 + 1 + 3, 64)  # the quadros, Receitas and the bundle
    # the failed run recorded its inputs too (issue 7)
    failed = db.execute("SELECT name, rows_read, rows_rejected, length(sha256) FROM run_inputs "
                        "WHERE run_id = ? ORDER BY name", (runs[0][0],)).fetchall()
    assert ("despesa", 41, 1, 64) in failed and len(failed) == 3 + len(OMITTED) + len(COVID_TABLES)
    assert db.execute("SELECT max(version) FROM schema_migrations").fetchone() == (8,)


def test_a_failed_run_leaves_earlier_outputs_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    state = tmp_path / "s.sqlite"
    pkg = str(ROOT / "generated" / "siops")
    assert run_package(package=pkg, inputs=_inputs(), params=PARAMS, out=out, select=None,
                       rejects=None, state=state, debug=False) == 0
    before = {p: p.read_bytes() for p in out.rglob("*.IMPT")}
    missing_equiv = tmp_path / "eq.csv"
    missing_equiv.write_text("municipio;recurso;recurso_siops;covid\n3170206;1000;001;N\n",
                             "utf-8")
    assert run_package(package=pkg, inputs=_inputs(equivalencia_recursos=missing_equiv),
                       params=PARAMS, out=out, select=None, rejects=None, state=state,
                       debug=False) == 1
    assert {p: p.read_bytes() for p in out.rglob("*.IMPT")} == before


def test_atomic_write_never_leaves_a_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "f.IMPT"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["f.IMPT"]


def test_every_municipio_in_the_inputs_gets_every_quadro(tmp_path: Path, siops_program) -> None:  # type: ignore[no-untyped-def]
    eq = tmp_path / "eq.csv"
    text = SMALL_INPUTS["equivalencia_recursos"].read_text("utf-8")
    eq.write_text(text + "9999999;1000;001;N\n", "utf-8")  # a município with no movement
    result = siops_program.run(ledgers={**SMALL_INPUTS, "equivalencia_recursos": eq},
                               params=PARAMS)
    assert result.partitions == ["3170206", "9999999"]
    empty = result.outputs["9999999/covid_77_despesas_uniao.IMPT"].decode().splitlines()
    assert len(empty) == 14 and all("V0:[>R$0,00<]" in line for line in empty)


def test_load_refuses_another_abi(tmp_path: Path) -> None:
    pkg = tmp_path / "siops"
    shutil.copytree(ROOT / "generated" / "siops", pkg)
    init = pkg / "__init__.py"
    init.write_text(init.read_text("utf-8").replace("abi.require(1)", "abi.require(99)"), "utf-8")
    with pytest.raises(runtime.abi.AbiMismatch):
        runtime.load(pkg)
