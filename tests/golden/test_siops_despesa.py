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
    README) are empenhado and liquidado, not pago; and they are the SUS federal groups' line."""
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
        assert got == [("D0701", where, line) for line in (
            14, 18, _assertion_line("sus_federal_2021"))], backend  # and their group, 86


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


# ---------------------------------------------------------------- apura explain of a line
# runtime/sheet_explain.py over the same fixture, with paths relative to the repository (as an
# analyst types them); the explained sums are checked against the README's hand sums and
# against the files the duckdb back end writes.
REL = {n: (FIX / f"{n}.csv").relative_to(ROOT).as_posix() for n in INPUTS}


def _explain(siops_program, year: int, bim: int, sheet: str, row: str, column: str):  # type: ignore[no-untyped-def]
    return siops_program.explain(REL, {"exercicio": year, "bimestre": bim}, "despesa/execucao",
                                 "3170206", row, column, sheet=sheet,
                                 allow_unconfirmed=year == 2019, allow_gaps=year == 2019)


@pytest.mark.parametrize(("year", "bim"), [(2019, 3), (2021, 6)])
def test_the_explained_lines_add_up_to_the_hand_made_totals(siops_program, monkeypatch, year,  # type: ignore[no-untyped-def]
                                                            bim) -> None:
    """Every written line's V2 (empenhado), explained: its records add up to it, it is the
    value the duckdb run writes, and the lines' explained sums add up to the README's total
    empenhado (função 10, Saúde)."""
    monkeypatch.chdir(ROOT)
    written = _lines(run(siops_program, year, bim, "duckdb"))
    total = Decimal(0)
    for _, g in written:
        exp = _explain(siops_program, year, bim, g[0], g[1], "V2")
        assert exp.records_sum() == exp.value == Decimal(g[5].replace(",", ".")), g
        assert exp.line.split(";")[:3] == g[:3]
        assert all(r.file == REL["despesa_movimento"] for r in exp.records)
        total += exp.records_sum()
    assert total == EMPENHADO[(year, bim)]


def test_the_2021_atencao_basica_line_is_explained_record_by_record(siops_program,  # type: ignore[no-untyped-def]
                                                                    monkeypatch) -> None:
    """Empenho 201 (README: lines 23–25 of despesa_movimento.csv; natureza 3390300000, whose
    de-para gives the element 3.3.90.30.99.00): V2 50.000 (line 23), V3 20.000 (line 24),
    V5 = 50.000 − 20.000 in the 6th bimester; V0 the 2021 dotação (line 8 of dotacao.csv,
    60.000), V6 the 2022 one (line 10, 65.000)."""
    monkeypatch.chdir(ROOT)

    def amounts(column: str) -> list[tuple[int, Decimal]]:
        exp = _explain(siops_program, 2021, 6, "4_12", "3.3.90.30.99.00", column)
        assert exp.records_sum() == exp.value
        return [(r.line, r.amount) for r in exp.records if r.amount]

    assert amounts("V2") == [(23, Decimal("50000.00"))]
    assert amounts("V3") == [(24, Decimal("20000.00"))]
    assert amounts("V5") == [(23, Decimal("50000.00")), (24, Decimal("-20000.00"))]
    assert amounts("V0") == [(8, Decimal("60000.00"))]
    assert amounts("V6") == [(10, Decimal("65000.00"))]


def test_the_explained_line_snapshot(siops_program, monkeypatch, snapshot) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import DiagnosticsText

    monkeypatch.chdir(ROOT)
    exp = _explain(siops_program, 2021, 6, "4_12_Desp_Rec_Impostos_Transf_Aten_Basica.IMPT",
                   "3390309900", "V5")
    text = exp.render()
    assert text.splitlines()[-1] == ("soma dos 3 registro(s) de entrada: 30000,00 (igual ao "
                                     "valor da célula)")
    # V5 (empenhado − liquidado) reads two derived fields of despesa_movimento.yaml, lines 49
    # and 50 (their expression after `  empenhado: ` / `  liquidado: `, column 14); the
    # filter's no_periodo is line 47
    derived = [x.split(": ", 1)[0].strip() for x in text.splitlines() if "campo derivado" in x]
    assert derived == ["campo derivado no_periodo (specs/siops/despesa_movimento.yaml:47:15)",
                       "campo derivado empenhado (specs/siops/despesa_movimento.yaml:49:14)",
                       "campo derivado liquidado (specs/siops/despesa_movimento.yaml:50:14)"]
    assert text == snapshot.use_extension(DiagnosticsText)


def test_the_readme_example_is_what_explain_prints(siops_program, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """README "Memória de cálculo": every line of the sheets example but those it shortens
    (with …) is a line apura explain prints for that cell."""
    monkeypatch.chdir(ROOT)
    readme = (ROOT / "README.md").read_text("utf-8")
    block = readme.split("    --sheet 4_12 --row 3.3.90.30.99.00 --column V2\n", 1)[1]
    shown = [x for x in block.split("```", 1)[0].splitlines() if "…" not in x]
    got = _explain(siops_program, 2021, 3, "4_12", "3.3.90.30.99.00", "V2").render()
    assert len(shown) > 15 and [x for x in shown if x not in got.splitlines()] == []


def test_each_lookup_points_at_its_table_line_in_the_specs(siops_program, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A lookup into a table is shown at the spec CSV's line (runtime/origins.py), not the
    compiled copy's: that line, read here without apura, holds the entry's key. Covers the
    natureza de-para, whose copy and spec lines differ (rows the table resolves away)."""
    import csv

    monkeypatch.chdir(ROOT)
    exp = _explain(siops_program, 2021, 6, "4_12", "3.3.90.30.99.00", "V2")
    seen = set()
    for rec in exp.records:
        for lk in (*rec.sheet_lookups, *rec.row_lookups):
            if lk.at is None or not lk.at.startswith("specs/"):
                continue
            file, line = lk.at.rsplit(":", 1)
            text = (ROOT / file).read_text("utf-8").splitlines()[int(line) - 1]
            cells = next(csv.reader([text], delimiter="," if "," in text else ";"))
            # the key's cells, in the CSV's order (booleans written S/N, as the tables do)
            key = [("S" if v else "N") if isinstance(v, bool) else str(v) for _, v in lk.key]
            assert cells[:len(key)] == key, (lk, text)
            seen.add(lk.map)
    assert {"grupo_fonte", "grupo_subfuncao", "natureza_despesa", "elemento_despesa"} <= seen
    assert exp.row_at == "specs/siops/2019/tabelas/eledessiops_2019.csv:160"


def _assertion_line(assertion: str) -> int:
    text = (ROOT / "specs/siops/conferencias_despesa_execucao.yaml").read_text("utf-8")
    return text.splitlines().index(f"  - id: {assertion}") + 1


def test_the_impostos_line_checks_nao_asps_against_the_files(tmp_path: Path) -> None:
    """The seed's ASPS / NÃO ASPS conference in the Impostos fonte (group 4): with 3106200's
    empenho 302 (fonte 102, 2019, 12.345,67 empenhado) marked "Não Aplic. em ASPS", the
    4_* files' total minus the ledger's ASPS is 12.345,67 = its NÃO ASPS; a despesa part that
    leaves NÃO ASPS movements out fails that line (and the totals), at its position."""
    import shutil

    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from runtime.errors import RunFailed

    lines = (FIX2 / "despesa_movimento.csv").read_text("utf-8").splitlines(keepends=True)
    marked = [ln.replace(";102;S;N;ASPS;", ";102;S;S;NAO_ASPS;")
              if ln.startswith("3106200;FMS;2019;03;302;") else ln for ln in lines]
    assert sum(a != b for a, b in zip(lines, marked, strict=True)) == 3
    changed = tmp_path / "despesa_movimento.csv"
    changed.write_text("".join(marked), "utf-8")
    inputs = {**INPUTS2, "despesa_movimento": changed}
    params = {"exercicio": 2019, "bimestre": 3}
    program = runtime.load(ROOT / "generated" / "siops")
    for backend in ("python", "duckdb"):
        r = program.run(ledgers=inputs, params=params, select="despesa/*", backend=backend)
        [o] = [o for o in r.outcomes
               if o.check == "conferencias/despesa_execucao/impostos_nao_asps"]
        assert (o.skipped, o.left, o.right) == (False, Decimal("12345.67"), Decimal("12345.67"))
    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    spec = specs / "despesa_execucao.yaml"
    text = spec.read_text("utf-8")
    old = "filter: no_periodo and funcao == 10 and saude\n"
    assert text.count(old) == 1
    spec.write_text(text.replace(old, old[:-1] + " and not nao_aplicado_asps\n"), "utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "siops", res.files)
    broken = runtime.load(tmp_path / "gen" / "siops")
    for backend in ("python", "duckdb"):
        with pytest.raises(RunFailed) as info:
            broken.run(ledgers=inputs, params=params, select="despesa/*", backend=backend)
        got = {(e.code, e.line) for e in info.value.errors}
        assert ("D0701", _assertion_line("impostos_nao_asps")) in got, backend
        assert ("D0701", _assertion_line("empenhado")) in got
