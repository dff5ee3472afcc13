"""The despesa file set of SIOPS (specs/siops/despesa_execucao.yaml, kind `sheets`) over the
hand-made fixture of município 3170206 (fixtures/siops/bimestre/3170206, whose README gives
the sums computed by hand): 2019 and 2021 × bimesters 3 and 6, python and duckdb byte for byte,
every file snapshotted."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from runtime.errors import RunFailed
from tests.conftest import ROOT
from tests.conftest import ImptSnapshot

FIX = ROOT / "fixtures" / "siops" / "bimestre" / "3170206"
INPUTS = {n: FIX / f"{n}.csv" for n in ("despesa_movimento", "dotacao", "equivalencia_recursos")}
RUNS = [(2019, 3), (2019, 6), (2021, 3), (2021, 6)]
# fixtures/siops/bimestre/3170206/README.md: total empenhado, função 10 and Saúde
EMPENHADO = {(2019, 3): Decimal("205956.05"), (2019, 6): Decimal("213456.05"),
             (2021, 3): Decimal("65999.99"), (2021, 6): Decimal("58999.99")}
LINE = re.compile(r"^(\d+_\d+);(\d\.\d\.\d\d\.\d\d\.\d\d\.\d\d);(\d+);"
                  + ";".join(rf"V{k}:\[>R\$(-?\d+,\d\d)<\]:-\[\d+\]\([^)]*\)" for k in range(7))
                  + r";#L(\d+);#C7;$")


def run(siops_program, year: int, bim: int, backend: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    # 2019: the fixture's fonte 190 equivalência is SUGERIDA on purpose (its README): a
    # record uses it (D0802) and cobertura/recursos lists it (a gap, D1301)
    result = siops_program.run(ledgers=INPUTS, params={"exercicio": year, "bimestre": bim},
                               select="despesa/*", backend=backend,
                               allow_unconfirmed=year == 2019, allow_gaps=year == 2019)
    # the IMPT files (a 2019 run is complete — the COVID quadros start in 2020 — and writes
    # the bundle too, tested in tests/golden/test_outputs.py)
    return {k: v for k, v in result.outputs.items() if k.endswith(".IMPT")}


@pytest.fixture(scope="module")
def outputs(siops_program):  # type: ignore[no-untyped-def]
    return {(y, b): run(siops_program, y, b, "python") for y, b in RUNS}


@pytest.mark.parametrize(("year", "bim"), RUNS)
def test_python_and_duckdb_write_the_same_bytes(siops_program, outputs, year, bim) -> None:  # type: ignore[no-untyped-def]
    assert outputs[(year, bim)], (year, bim)
    assert run(siops_program, year, bim, "duckdb") == outputs[(year, bim)]


@pytest.mark.parametrize(("year", "bim"), RUNS)
def test_the_files_snapshot(outputs, snapshot, year, bim) -> None:  # type: ignore[no-untyped-def]
    for name, data in sorted(outputs[(year, bim)].items()):
        file = Path(name).name[:-5]
        assert data == snapshot.use_extension(ImptSnapshot)(name=f"{year}_b{bim}_{file}")


def _lines(files: dict[str, bytes]) -> list[tuple[str, list[str]]]:
    out = []
    for name, data in sorted(files.items()):
        text = data.decode("utf-8")
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        for line in text.split("\r\n")[:-1]:
            m = LINE.match(line)
            assert m is not None, line
            code = m.group(1)
            assert Path(name).name.startswith(f"{code}_"), (name, line)  # the file's planilha
            out.append((name, list(m.groups())))
    return out


@pytest.mark.parametrize(("year", "bim"), RUNS)
def test_the_lines_add_up_to_the_hand_made_totals(outputs, year, bim) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(outputs[(year, bim)])
    empenhado = sum(Decimal(g[5].replace(",", ".")) for _, g in lines)
    assert empenhado == EMPENHADO[(year, bim)]
    for _, g in lines:
        v = [Decimal(x.replace(",", ".")) for x in g[3:10]]
        assert any(v), g  # a line has a value
        if bim != 6:  # inscritas em RPNP and orçadas: the 6th bimester only
            assert v[5] == v[6] == 0, g
        else:
            assert v[5] == v[2] - v[3], g  # empenhado − liquidado


def test_the_2021_atencao_basica_line(outputs) -> None:  # type: ignore[no-untyped-def]
    """Empenho 201 (2021, subfunção 301, fonte 102 → planilha 4_12, natureza 3390300100):
    empenho 50.000, liquidação and pagamento 20.000 by 30/06 (the README); b6 adds the
    inscritas (30.000) and the 2022 budget (65.000)."""
    for bim, v5, v6 in ((3, "0,00", "0,00"), (6, "30000,00", "65000,00")):
        [(name, g)] = [(n, g) for n, g in _lines(outputs[(2021, bim)]) if g[0] == "4_12"]
        assert name == "3170206/4_12_Desp_Rec_Impostos_Transf_Aten_Basica.IMPT"
        assert g[5:8] == ["50000,00", "20000,00", "20000,00"] and g[8:10] == [v5, v6]


def test_the_lines_follow_the_elements_table(outputs) -> None:  # type: ignore[no-untyped-def]
    """Within a file, lines are in #L order; each element's campo and #L are its table row's."""
    table = {}
    for line in (ROOT / "specs/siops/2019/tabelas/eledessiops_2019.csv").read_text(
            "utf-8").splitlines()[1:]:
        code, *_, campo, marker = line.split(",")
        table[code] = (campo, marker[2:])
    for files in outputs.values():
        by_file: dict[str, list[int]] = {}
        for name, g in _lines(files):
            code = g[1].replace(".", "")
            assert table[code] == (g[2], g[10]), g
            by_file.setdefault(name, []).append(int(g[10]))
        assert all(v == sorted(v) for v in by_file.values())


# ---------------------------------------------------------------- against the oracle
# benchmarks/siops_despesa_baseline.py: a hand-written DuckDB implementation of the same
# contract, sharing no code with apura (its own reading, groups, de-para resolution and
# formatting), checked itself against the hand sums of fixtures/siops/bimestre/3106200.
FIX2 = ROOT / "fixtures" / "siops" / "bimestre" / "3106200"
INPUTS2 = {n: FIX2 / f"{n}.csv"
           for n in ("despesa_movimento", "dotacao", "equivalencia_recursos", "excecoes_natureza")}


def _oracle(inputs: dict[str, Path], year: int, bim: int) -> dict[str, bytes]:
    from benchmarks.siops_despesa_baseline import despesa_files
    from benchmarks.siops_despesa_baseline import year_view

    return despesa_files(inputs, ROOT / "specs/siops/2019/tabelas", year_view(year), year, bim)


def _impt(siops_program, inputs, year: int, bim: int, backend: str) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    got = siops_program.run(ledgers=inputs, params={"exercicio": year, "bimestre": bim},
                            select="despesa/*", backend=backend).outputs
    return {k: v for k, v in got.items() if k.endswith(".IMPT")}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("year", "bim"), RUNS)
def test_the_second_municipio_matches_the_oracle(siops_program, year, bim, backend) -> None:  # type: ignore[no-untyped-def]
    want = _oracle(INPUTS2, year, bim)
    assert want and _impt(siops_program, INPUTS2, year, bim, backend) == want


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """20,000 generated movements (+ dotação) of 5 municípios, deterministic."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("bimestre")
    subprocess.run([sys.executable, str(ROOT / "fixtures/siops/generate_bimestre.py"),
                    "--out", str(out), "--rows", "20000", "--municipios", "5", "--dotacao"],
                   check=True, capture_output=True)
    return {n: out / f"{n}.csv" for n in ("despesa_movimento", "dotacao",
                                          "equivalencia_recursos")}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("year", "bim"), [(2019, 6), (2021, 3)])
def test_generated_ledgers_match_the_oracle(siops_program, generated, year, bim,
                                            backend) -> None:  # type: ignore[no-untyped-def]
    want = _oracle(generated, year, bim)
    assert len(want) > 20  # files of 5 municípios
    assert _impt(siops_program, generated, year, bim, backend) == want


def test_spark_writes_the_same_bytes(siops_program) -> None:  # type: ignore[no-untyped-def]
    assert _impt(siops_program, INPUTS2, 2021, 6, "spark") == _oracle(INPUTS2, 2021, 6)


def test_a_file_set_that_loses_records_fails_its_reconciliation(tmp_path: Path) -> None:
    """specs/siops/conferencias_despesa_execucao.yaml: with the despesa part's filter leaving
    subfunção 301 out, the files' totals no longer match the ledger's: D0701 at each
    assertion that sees it — 3106200's 2021 subfunção-301 movements (planilha 86_12, its
    README) are empenhado and liquidado, not pago."""
    import shutil

    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from runtime.errors import RunFailed

    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    spec = specs / "despesa_execucao.yaml"
    text = spec.read_text("utf-8")
    old = "filter: no_periodo and funcao == 10 and saude\n"
    assert text.count(old) == 1
    spec.write_text(text.replace(old, old[:-1] + " and subfuncao != 301\n"), "utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "siops", res.files)
    program = runtime.load(tmp_path / "gen" / "siops")
    for backend in ("python", "duckdb"):
        with pytest.raises(RunFailed) as info:
            program.run(ledgers=INPUTS2, params={"exercicio": 2021, "bimestre": 6},
                        select="despesa/*", backend=backend)
        got = [(e.code, e.file, e.line) for e in info.value.errors]
        where = "specs/siops/conferencias_despesa_execucao.yaml"
        assert got == [("D0701", where, line) for line in (14, 18)], backend


def test_a_saude_movement_without_tipo_asps_is_a_gap(siops_program, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The seed's "guia ASPS": a função-10 Saúde movement whose Tipo ASPS is empty is a gap of
    cobertura/guia_asps (D1301, naming its empenho and line: the run fails); with allow_gaps
    it is a warning (D1302), still counted by conferencias/despesa_execucao/guia_asps (D0702),
    and the files are the same."""
    lines = (FIX2 / "despesa_movimento.csv").read_text("utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    i = header.index("tipo_asps")
    target = next(n for n, line in enumerate(lines[1:], 1)
                  if line.split(";")[header.index("funcao")] == "10"
                  and line.split(";")[header.index("saude")] == "S"
                  and line.split(";")[header.index("exercicio")] == "2021")
    cells = lines[target].rstrip("\n").split(";")
    assert cells[i]
    cells[i] = ""
    lines[target] = ";".join(cells) + "\n"
    changed = tmp_path / "despesa_movimento.csv"
    changed.write_text("".join(lines), "utf-8")
    inputs = {**INPUTS2, "despesa_movimento": changed}
    empenho = cells[header.index("empenho")]
    for backend in ("python", "duckdb"):
        with pytest.raises(RunFailed) as failed:
            siops_program.run(ledgers=inputs, params={"exercicio": 2021, "bimestre": 6},
                              select="despesa/*", backend=backend)
        [gap] = failed.value.errors
        assert (gap.code, gap.line) == ("D1301", target + 1)  # the header is line 1
        assert f'empenho="{empenho}"' in gap.message and "guia ASPS" in gap.message
        r = siops_program.run(ledgers=inputs, params={"exercicio": 2021, "bimestre": 6},
                              select="despesa/*", backend=backend, allow_gaps=True)
        assert [w.line for w in r.warnings if w.code == "D1302"] == [target + 1]
        [w] = [w for w in r.warnings if w.code == "D0702"]
        assert "guia_asps" in w.message and " = 1" in w.message, w.message
        assert {k: v for k, v in r.outputs.items() if k.endswith(".IMPT")} == \
            _oracle(INPUTS2, 2021, 6)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_selection_skips_the_parts_of_the_reports_it_leaves_out(siops_program,
                                                                  backend) -> None:  # type: ignore[no-untyped-def]
    """3170206's 2019 fonte 190 is SUGERIDA (its README): the despesa files use it (D0802),
    the restos files do not. `--select 'restos/*'` skips despesa/execucao's part of the
    despesa_movimento scan (its lookups too), so the unconfirmed entry is not used. The
    coverage of the recursos is no report: it lists the entry in both runs (D1301; a
    warning, D1302, with allow_gaps)."""
    from runtime.errors import RunFailed

    ledgers = {**INPUTS, "restos_a_pagar": FIX / "restos_a_pagar.csv"}
    params = {"exercicio": 2019, "bimestre": 3}
    with pytest.raises(RunFailed) as info:
        siops_program.run(ledgers=ledgers, params=params, select="despesa/*", backend=backend)
    assert [e.code for e in info.value.errors] == ["D0802", "D1301"]
    r = siops_program.run(ledgers=ledgers, params=params, select="restos/*", backend=backend,
                          allow_gaps=True)
    assert not [w for w in r.warnings if w.code in ("D0802", "D0803")]
    assert [w.code for w in r.warnings if w.code.startswith("D13")] == ["D1302"]
    assert r.outputs and all("/RP" in k for k in r.outputs if k.endswith(".IMPT"))
