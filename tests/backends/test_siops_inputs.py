"""The SIOPS input contracts of issue 9, end to end: the specs of specs/siops/ plus the probe
layouts of tests/cases/inputs/probe/ (they sum the movements of every new ledger) compiled into
one package, run on python and duckdb over the hand-made fixture of município 3170206
(fixtures/siops/bimestre/3170206/, values worked out by hand in its README) and over the
generated one (fixtures/siops/generate_bimestre.py): byte-identical outputs and errors.
Also: optional ledgers (D0801, zeros), optional columns (CSV, Parquet, in-memory rows) and
equivalências with a status (D0802, D0803 with allow_unconfirmed)."""

from __future__ import annotations

import csv
import datetime
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from runtime.errors import RunFailed
from tests.backends.conftest import outcome
from tests.backends.test_random_ledgers import HEADER
from tests.backends.test_random_ledgers import RECEITA
from tests.backends.test_random_ledgers import despesa_line
from tests.conftest import ROOT

FIX = ROOT / "fixtures" / "siops" / "bimestre" / "3170206"
PROBE = ROOT / "tests" / "cases" / "inputs" / "probe"
BACKENDS = ["python", "duckdb"]
INPUTS = ("despesa_movimento", "dotacao", "restos_a_pagar", "contas", "receita",
          "equivalencia_recursos", "equivalencia_contas")
M = "3170206"
# the view of layout year 2019, which serves the COVID runs of 2020
COVID = runtime.load(ROOT / "generated" / "siops").view_for({"exercicio": 2020})


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> runtime.Views:
    base = tmp_path_factory.mktemp("sonda")
    folder = base / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", folder)
    for spec in PROBE.glob("*.yaml"):
        shutil.copy(spec, folder / f"probe_{spec.name}")
    res = compile_package(folder, base=base)
    assert res.errors == [], res.errors
    write_tree(base / "gen" / "siops", res.files)
    return runtime.load(base / "gen" / "siops")


def hand(*names: str) -> dict[str, Any]:
    return {n: FIX / f"{n}.csv" for n in (names or INPUTS)}


def run(program: runtime.Views, ledgers: dict[str, Any], year: int, bim: int, backend: str,
        **kw: Any) -> runtime.Result:
    return program.run(ledgers, {"exercicio": year, "bimestre": bim}, select="probe/*",
                       backend=backend, **kw)


def both(program: runtime.Views, ledgers: dict[str, Any], year: int, bim: int,
         **kw: Any) -> runtime.Result:
    """Run on python and duckdb; the outputs and warnings are the same bytes; the python one."""
    got = [run(program, ledgers, year, bim, be, **kw) for be in BACKENDS]
    assert got[0].outputs == got[1].outputs
    assert [w.render() for w in got[0].warnings] == [w.render() for w in got[1].warnings]
    assert got[0].outputs, "the probe wrote nothing"
    return got[0]


def cells(result: runtime.Result, layout: str, ref: str, *cols: str) -> list[Decimal]:
    return [result.cell(layout, M, ref, c) for c in cols]


# ---------------------------------------------------------------- the hand-made fixture
def test_despesa_movimento_by_bimester(program: runtime.Views) -> None:
    """The movements of fixtures/siops/bimestre/3170206/despesa_movimento.csv summed per
    bimester (README there): anulações and estornos subtract, the period is by date."""
    lay = "probe/despesa_movimento"
    r = both(program, hand(), 2019, 3, allow_unconfirmed=True, allow_gaps=True)
    assert cells(r, lay, "301", "V0", "V1", "V2", "V3", "V4") == [
        Decimal("10400.00"), Decimal("8000.00"), Decimal("6000.00"), Decimal("2400.00"), 5]
    assert cells(r, lay, "302", "V0", "V1", "V2") == [Decimal("25000.50")] * 2 + [0]
    assert cells(r, lay, "consorcio", "V0", "V1") == [Decimal("45000.00")] * 2
    assert cells(r, lay, "304", "V0") == [0]
    assert cells(r, lay, "total", "V0") == [Decimal("205956.05")]
    r = both(program, hand(), 2019, 6, allow_unconfirmed=True, allow_gaps=True)
    assert cells(r, lay, "301", "V0", "V1", "V2") == [Decimal("10400.00"), Decimal("7000.00"),
                                                      Decimal("7000.00")]
    assert cells(r, lay, "302", "V2") == [0]  # paid and the payment reversed
    assert cells(r, lay, "total", "V0") == [Decimal("213456.05")]
    r = both(program, hand(), 2021, 3)
    assert cells(r, lay, "total", "V0", "V1", "V2") == [
        Decimal("65999.99"), Decimal("20000.00"), Decimal("20000.00")]
    assert cells(r, lay, "999", "V0") == [Decimal("999.99")]
    r = both(program, hand(), 2021, 6)
    assert cells(r, lay, "302", "V0", "V4") == [0, 2]  # empenho and its full anulação
    assert cells(r, lay, "total", "V0") == [Decimal("58999.99")]
    asps = "probe/despesa_asps"
    assert cells(r, asps, "limite", "V0") == [Decimal("8000.00")]


def test_dotacao_restos_contas_receita(program: runtime.Views) -> None:
    r = both(program, hand(), 2019, 3, allow_unconfirmed=True, allow_gaps=True)
    assert cells(r, "probe/dotacao", "301", "V0", "V1", "V2") == [
        Decimal("20000.00"), Decimal("25000.00"), Decimal("22000.00")]  # V2: 2020's budget
    assert cells(r, "probe/restos", "processados", "V0", "V1", "V2", "V3") == [
        Decimal("4000.00"), Decimal("3000.00"), Decimal("3000.00"), 0]
    assert cells(r, "probe/restos", "nao_processados", "V0", "V1") == [
        Decimal("12000.00"), Decimal("10000.00")]
    assert cells(r, "probe/contas", "1111102", "V0") == [Decimal("22000.55")]
    assert cells(r, "probe/receita", "bruta", "V0", "V1") == [Decimal("1300000.00"),
                                                              Decimal("195000.00")]
    assert cells(r, "probe/receita", "fundeb", "V1") == [Decimal("-24000.00")]
    r = both(program, hand(), 2019, 6, allow_unconfirmed=True, allow_gaps=True)
    assert cells(r, "probe/dotacao", "301", "V1") == [Decimal("23000.00")]
    assert cells(r, "probe/restos", "total", "V3", "V4") == [Decimal("3000.00")] * 2
    assert cells(r, "probe/contas", "1111102", "V0") == [Decimal("8750.00")]
    r = both(program, hand(), 2021, 3)
    assert cells(r, "probe/restos", "nao_processados", "V0", "V1", "V2", "V4") == [
        Decimal("17000.50"), Decimal("5000.50"), Decimal("15000.50"), Decimal("2000.00")]
    assert cells(r, "probe/dotacao", "301", "V2") == [Decimal("65000.00")]
    r = both(program, hand(), 2021, 6)
    assert cells(r, "probe/dotacao", "302", "V1") == [Decimal("15000.00")]
    assert cells(r, "probe/receita", "outras_deducoes", "V1") == [Decimal("-1200.00")]
    assert cells(r, "probe/contas", "1111102", "V0") == [Decimal("21000.00")]


# ---------------------------------------------------------------- status of equivalências
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unconfirmed_equivalencia_used_fails_the_run(program: runtime.Views,
                                                        backend: str) -> None:
    """Recurso 190 is SUGERIDA (line 7 of equivalencia_recursos.csv); empenho 107 (2019,
    subfunção 303) uses it: D0802 at the entry's line, naming the record."""
    with pytest.raises(RunFailed) as exc:
        run(program, hand(), 2019, 3, backend)
    text = "".join(e.render() for e in exc.value.errors)
    # cobertura/recursos lists the same entry (a gap, D1301): tests/unit/test_coverage.py
    assert [e.code for e in exc.value.errors] == ["D0802", "D1301"]
    e = exc.value.errors[0]
    assert (e.file, e.line) == (str(FIX / "equivalencia_recursos.csv"), 7)
    assert "recurso=190" in text and "'SUGERIDA'" in text
    assert "1 registro de " in text and "despesa_movimento.csv: linha 20" in text
    r = run(program, hand(), 2019, 3, backend, allow_unconfirmed=True, allow_gaps=True)
    [w] = [w for w in r.warnings if w.code in ("D0802", "D0803")]
    assert w.code == "D0803" and w.message == e.message


def test_the_errors_are_the_same_bytes(program: runtime.Views) -> None:
    got = []
    for be in BACKENDS:
        with pytest.raises(RunFailed) as exc:
            run(program, hand(), 2019, 6, be)
        got.append("".join(e.render() for e in exc.value.errors))
    assert got[0] == got[1] and "D0802" in got[0]


def test_an_entry_used_only_by_records_that_reach_nothing_is_not_used(
        program: runtime.Views) -> None:
    """In 2021 empenho 107 (2019) looks the SUGERIDA entry up but reaches no layout: the run
    succeeds without --allow-unconfirmed (both() runs python and duckdb)."""
    r = both(program, hand(), 2021, 3)
    assert not [w for w in r.warnings if w.code in ("D0802", "D0803")]


def test_a_missing_status_column_means_confirmed(program: runtime.Views,
                                                 tmp_path: Path) -> None:
    eq = tmp_path / "equivalencia_recursos.csv"
    with (FIX / "equivalencia_recursos.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh, delimiter=";"))
    eq.write_text("".join(";".join(r[:4]) + "\n" for r in rows), encoding="utf-8")
    r = both(program, {**hand(), "equivalencia_recursos": eq}, 2019, 3)
    assert not [w for w in r.warnings if w.code in ("D0802", "D0803")]


# ---------------------------------------------------------------- optional ledgers, columns
def test_an_omitted_optional_ledger_reads_as_no_records(program: runtime.Views) -> None:
    ledgers = hand("despesa_movimento", "receita", "equivalencia_recursos", "contas",
                   "equivalencia_contas")
    r = both(program, ledgers, 2021, 6)
    # not excecoes_natureza nor equivalencia_rubricas: only the despesa and Receitas files,
    # which the probes' selection leaves out, look their maps up (Ledger.gated_maps)
    omitted = [w for w in r.warnings if w.code == "D0801"]
    assert [w.file for w in omitted] == ["entrada dotacao", "entrada restos_a_pagar"]
    assert "'probe/dotacao'" in omitted[0].message
    assert cells(r, "probe/dotacao", "301", "V0", "V1", "V2") == [0, 0, 0]
    assert cells(r, "probe/restos", "total", "V0") == [0]
    assert sorted(st.path for st in r.inputs if st.read == 0) == [
        "<ausente:dotacao>", "<ausente:restos_a_pagar>"]
    assert program.inputs("probe/*")["dotacao"] == "optional"
    assert program.inputs("probe/*")["equivalencia_recursos"] == "required"


def test_an_omitted_optional_map_source_follows_on_missing(program: runtime.Views) -> None:
    """equivalencia_conta is on_missing: error: without its source every lookup is D0201."""
    ledgers = hand("despesa_movimento", "receita", "equivalencia_recursos", "contas")
    for be in BACKENDS:
        with pytest.raises(RunFailed) as exc:
            run(program, ledgers, 2021, 6, be)
        assert {e.code for e in exc.value.errors} == {"D0201"}


def test_a_missing_required_input_is_still_d0406(program: runtime.Views) -> None:
    with pytest.raises(RunFailed) as exc:
        run(program, hand("despesa_movimento"), 2021, 6, "python")
    # the two required inputs of the probe; the optional ones are no error
    assert [(e.code, e.file) for e in exc.value.errors] == [
        ("D0406", "entrada equivalencia_recursos"), ("D0406", "entrada receita")]
    assert exc.value.usage


def test_optional_columns_read_as_null_on_every_reader(program: runtime.Views,
                                                       tmp_path: Path) -> None:
    """The COVID receita (no rubrica_principal, no tipo_deducao): CSV, Parquet and rows."""
    covid = ROOT / "fixtures" / "siops" / "small"
    base = {"equivalencia_recursos": covid / "equivalencia_recursos.csv",
            "equivalencia_contas": FIX / "equivalencia_contas.csv"}
    with (covid / "receita.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    import pyarrow as pa
    import pyarrow.parquet as pq

    parquet = tmp_path / "receita.parquet"
    money = pa.decimal128(18, 2)

    def typed(k: str, v: str) -> Any:
        if k == "exercicio":
            return int(v)
        if k == "data":
            d, m, y = v.split("/")
            return datetime.date(int(y), int(m), int(d))
        if k == "covid":
            return v == "S"
        if k.startswith(("previsto", "arrecadado")):
            return Decimal(v.replace(",", "."))
        return v or None
    types = {"exercicio": pa.int64(), "data": pa.date32(), "covid": pa.bool_(),
             "previsto_inicial": money, "previsto_atualizado": money, "arrecadado": money}
    pq.write_table(pa.table({k: pa.array([typed(k, r[k]) for r in rows],
                                         type=types.get(k, pa.string())) for k in rows[0]}),
                   parquet)
    outs = []
    for src in (covid / "receita.csv", rows, parquet):
        r = both(program, {**base, "receita": src}, 2020, 2)
        outs.append(r.outputs)
        assert cells(r, "probe/receita", "fundeb", "V1") == [0]
        assert cells(r, "probe/receita", "bruta", "V1")[0] > 0
    assert outs[0] == outs[1] == outs[2]


# ---------------------------------------------------------------- the generated fixture
def test_the_generated_movements_run_alike(program: runtime.Views, tmp_path: Path) -> None:
    out = tmp_path / "gen"
    cmd = [sys.executable, str(ROOT / "fixtures" / "siops" / "generate_bimestre.py"),
           "--rows", "3000", "--municipios", "3", "--out", str(out)]
    subprocess.run(cmd, check=True, capture_output=True)
    again = tmp_path / "again"
    subprocess.run([*cmd[:-1], str(again)], check=True, capture_output=True)
    for f in out.iterdir():
        assert f.read_bytes() == (again / f.name).read_bytes(), f.name
    ledgers = {n: out / f"{n}.csv" for n in ("despesa_movimento", "restos_a_pagar",
                                             "equivalencia_recursos")}
    ledgers["receita"] = FIX / "receita.csv"  # receita is required: 3170206's, with its
    eq = ledgers["equivalencia_recursos"]  # equivalências (all confirmed here)
    mine = (FIX / "equivalencia_recursos.csv").read_text("utf-8").splitlines()[1:]
    eq.write_text(eq.read_text("utf-8") + "".join(f"{x.replace('SUGERIDA', 'CONFIRMADA')}\n"
                                                  for x in mine), encoding="utf-8")
    for year, bim in ((2019, 6), (2021, 3)):
        r = both(program, ledgers, year, bim)
        assert len(r.partitions) == 4  # three generated municípios and 3170206 (receita)
        total = sum(r.cell("probe/despesa_movimento", p, "total", "V4")
                    for p in r.partitions if p != M)
        assert total > 0


# ---------------------------------------------------------------- CLI and journal
def _cli(*args: str | Path) -> Any:
    from click.testing import CliRunner

    from compiler.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_the_cli_takes_allow_unconfirmed_and_journals_omitted_inputs(
        program: runtime.Views, tmp_path: Path) -> None:
    import sqlite3

    folder = Path(program.latest.module.__file__).parent.parent  # the package, not a view
    inputs = [x for n in ("despesa_movimento", "receita", "equivalencia_recursos", "contas",
                          "equivalencia_contas") for x in ("--input", f"{n}={FIX / n}.csv")]
    common = [folder, *inputs, "--param", "exercicio=2019", "--param", "bimestre=3"]
    state = tmp_path / "state.sqlite"
    out = tmp_path / "out"
    refused = _cli("run", *common, "--select", "probe/*", "--out", out, "--state", state)
    assert refused.exit_code == 1, refused.output
    assert "erro[D0802]" in refused.output and not out.joinpath(M).exists()
    assert "erro[D1301]" in refused.output  # cobertura/recursos lists the entry too
    ok = _cli("run", *common, "--select", "probe/*", "--out", out, "--state", state,
              "--allow-unconfirmed", "--allow-gaps")
    assert ok.exit_code == 0, ok.output
    assert "aviso[D0803]" in ok.output and "aviso[D0801]" in ok.output
    assert "aviso[D1302]" in ok.output
    assert (out / M / "probe_despesa_movimento.IMPT").is_file()
    db = sqlite3.connect(state)
    rows = db.execute("SELECT r.status, i.name, i.path, i.sha256, i.rows_read FROM run_inputs i "
                      "JOIN runs r ON r.id = i.run_id WHERE i.name IN ('dotacao', "
                      "'restos_a_pagar') ORDER BY r.id, i.name").fetchall()
    db.close()
    assert rows == [(status, n, f"<ausente:{n}>", "", 0) for status in ("failed", "ok")
                    for n in ("dotacao", "restos_a_pagar")]
    explain = [*common, "--layout", "probe/despesa_movimento", "--partition", M, "--row", "303"]
    assert _cli("explain", *explain).exit_code == 1
    assert _cli("explain", *explain, "--allow-unconfirmed").exit_code == 1  # the gap (D1301)
    shown = _cli("explain", *explain, "--allow-unconfirmed", "--allow-gaps")
    assert shown.exit_code == 0, shown.output
    assert "2222,22" in shown.output


# ---------------------------------------------------------------- random: status parity
@st.composite
def _status_case(draw: st.DrawFn) -> tuple[str, list[str]]:
    """An equivalência whose entries draw a status (none, CONFIRMADA, SUGERIDA, other text)
    and COVID despesa lines, some of another year (they reach no quadro) or of a recurso
    without an entry (D0201: the record is skipped and uses nothing)."""
    statuses = ["", "CONFIRMADA", "SUGERIDA", "EM ANÁLISE"]
    equiv = "municipio;recurso;recurso_siops;covid;status\n" + "".join(
        f"{m};{r};{s};{c};{draw(st.sampled_from(statuses))}\n" for m in ("1", "2")
        for r, s, c in (("A", "212", "N"), ("B", "213", "S"), ("C", "001", "N"),
                        ("D", "202", "S")))
    lines = draw(st.lists(despesa_line(), max_size=30))
    lines = [ln.replace(";F;", ";G;") for ln in lines]  # recurso G has no entry
    return equiv, lines


@settings(max_examples=40, deadline=None)
@given(_status_case())
def test_unconfirmed_entries_are_reported_alike(case: tuple[str, list[str]]) -> None:
    equiv, lines = case
    folder = Path(tempfile.mkdtemp(prefix="apura-status-"))
    (folder / "despesa.csv").write_text("\n".join([HEADER, *lines]) + "\n", "utf-8")
    (folder / "receita.csv").write_text(RECEITA, "utf-8")
    (folder / "equivalencia_recursos.csv").write_text(equiv, "utf-8")
    ledgers = {n: folder / f"{n}.csv" for n in ("despesa", "receita", "equivalencia_recursos")}
    for allow in (False, True):
        kw = {"allow_rejects": True, "allow_unconfirmed": allow}
        expected = outcome(COVID, ledgers, {"exercicio": 2020, "bimestre": 2}, "python", **kw)
        assert outcome(COVID, ledgers, {"exercicio": 2020, "bimestre": 2}, "duckdb",
                       **kw) == expected


def test_a_package_compiled_before_issue_9_reads_every_map_source() -> None:
    """Ledger.maps is None in older generated code: every map's source is read, as before."""
    import dataclasses

    old = dataclasses.replace(COVID.package, ledgers=tuple(
        dataclasses.replace(led, maps=None, gated_maps=()) for led in COVID.package.ledgers))
    older = runtime.Program(old, COVID.module)
    # the inputs among the maps' sources (the tables shipped with the package are no input)
    every = {m.source for m in COVID.package.maps if COVID.package.ledger(m.source).table is None}
    assert set(older.required_inputs("covid/7[01]")) == {"receita", *every}
    assert COVID.required_inputs("covid/7[01]") == ["equivalencia_recursos", "receita"]
    # a map only another selection looks up: its source is read by that selection alone
    assert "equivalencia_rubricas" in COVID.inputs()
    assert "equivalencia_rubricas" not in COVID.inputs("covid/*")


def test_diff_reads_optional_and_status(tmp_path: Path) -> None:
    a, b = tmp_path / "a" / "siops", tmp_path / "b" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", a)
    shutil.copytree(ROOT / "specs" / "siops", b)
    for name, old in (("equivalencia.yaml", "status: status\n"),
                      ("dotacao.yaml", "optional: true\n")):
        text = (b / name).read_text("utf-8")
        assert old in text
        (b / name).write_text(text.replace(old, ""), "utf-8")
    rec = b / "receita.yaml"
    rec.write_text(rec.read_text("utf-8").replace("tipo_deducao: {type: str, optional: true}",
                                                  "tipo_deducao: {type: str}"), "utf-8")
    got = _cli("diff", a, b)
    assert got.exit_code == 1, got.output
    assert "status: status (retirado)" in got.output  # map equivalencia
    lines = got.output.splitlines()
    assert any("ledger dotacao" in x for x in lines)
    assert any("optional: sim → não" in x for x in lines), got.output
    assert "campo tipo_deducao:" in got.output and "optional: sim (retirado)" in got.output
