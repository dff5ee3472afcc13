"""The Restos a Pagar files of SIOPS (specs/siops/restos_*.yaml, kind `sheets`: RP4 inscritos,
RP5/RP6 pagos no exercício / antes dele, RP7/RP8 cancelados no exercício / antes dele) over
both hand-made fixtures, 2019 and 2021 × bimesters 3 and 6: python and duckdb byte for byte,
equal to the hand-written oracle (benchmarks/siops_restos_baseline.py), every file
snapshotted, the figures the fixture READMEs give by hand, and the reconciliation
(specs/siops/conferencias_restos.yaml) holding — and failing when a column loses an origin."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.conftest import ImptSnapshot

BIMESTRE = ROOT / "fixtures" / "siops" / "bimestre"
NAMES = ("restos_a_pagar", "despesa_movimento", "equivalencia_recursos")
FIXTURES = {m: {n: BIMESTRE / m / f"{n}.csv" for n in NAMES} for m in ("3106200", "3170206")}
RUNS = [(m, y, b) for m in FIXTURES for y in (2019, 2021) for b in (3, 6)]
STEMS = {"RP4": "Restos_Pagar_Inscritos", "RP5": "Restos_Pagar_Pagos_Exercicio",
         "RP6": "Restos_Pagar_Pagos_Acumulados", "RP7": "Restos_Pagar_Cancelados_Exercicio",
         "RP8": "Restos_Pagar_Cancelados_Prescritos_Acumulados"}
CELL = r"V(\d+):\[>R\$(-?\d+,\d\d)<\]:-\[(\d+)\]\(([^)]*)\)"
LINE = re.compile(rf"^(RP[4-8]);(\d+);(\d+);((?:{CELL};)+)#L(\d+);#C(\d+);$")


def allow(mun: str, year: int) -> bool:
    """3170206's fonte 190 equivalência is SUGERIDA on purpose (its README); in a 2019 run the
    despesa_movimento scan (which restos/inscritos now reads) reaches it."""
    return mun == "3170206" and year == 2019


def run(program, mun: str, year: int, bim: int, backend: str, select: str = "restos/*"):  # type: ignore[no-untyped-def]
    return program.run(ledgers=FIXTURES[mun], params={"exercicio": year, "bimestre": bim},
                       select=select, backend=backend, allow_unconfirmed=allow(mun, year),
                       allow_gaps=allow(mun, year))


def impt(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in outputs.items() if k.endswith(".IMPT")}


@pytest.fixture(scope="module")
def outputs(siops_program):  # type: ignore[no-untyped-def]
    return {r: impt(run(siops_program, *r, "python").outputs) for r in RUNS}


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_python_and_duckdb_write_the_same_bytes(siops_program, outputs, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    assert outputs[(mun, year, bim)]
    assert impt(run(siops_program, mun, year, bim, "duckdb").outputs) == outputs[(mun, year, bim)]


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_oracle_writes_the_same_bytes(outputs, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.siops_restos_baseline import restos_files

    want = restos_files(FIXTURES[mun], year, bim, allow_unconfirmed=allow(mun, year))
    assert want and outputs[(mun, year, bim)] == want


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_files_snapshot(outputs, snapshot, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    for name, data in sorted(outputs[(mun, year, bim)].items()):
        file = Path(name).name[:-5]
        assert data == snapshot.use_extension(ImptSnapshot)(name=f"{mun}_{year}_b{bim}_{file}")


# ---------------------------------------------------------------- the lines, parsed
def parse(files: dict[str, bytes]) -> dict[tuple[str, int], dict[int, Decimal]]:
    """(file code, fonte group) → {column: value} of the values not zero; checks the line's
    shape on the way: the file it is in, V0… in order, #C = the number of columns, the
    column codes <table>01…, #L in increasing order within a file, CRLF."""
    out: dict[tuple[str, int], dict[int, Decimal]] = {}
    for name, data in sorted(files.items()):
        text = data.decode("utf-8")
        assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
        markers = []
        for line in text.split("\r\n")[:-1]:
            m = LINE.match(line)
            assert m is not None, line
            code, group, ncols = m.group(1), int(m.group(2)), int(m.group(10))
            assert Path(name).name == f"{code}_{STEMS[code]}.IMPT", name
            cells = re.findall(CELL, m.group(4))
            assert [int(c[0]) for c in cells] == list(range(ncols))
            assert ncols == (12 if code == "RP4" else 10)
            assert [int(c[2]) for c in cells] == [int(code[2:]) * 100 + k + 1
                                                  for k in range(ncols)]
            values = {int(c[0]): Decimal(c[1].replace(",", ".")) for c in cells}
            assert any(values.values()), line  # a line has a value
            out[(code, group)] = {k: v for k, v in values.items() if v}
            markers.append(int(m.group(9)))
        assert markers == sorted(markers), name
    return out


def _d(**cells: str) -> dict[int, Decimal]:
    return {int(k[1:]): Decimal(v) for k, v in cells.items()}


# Hand figures of fixtures/siops/bimestre/3106200/README.md ("Os arquivos de restos esperados").
BH_2019_B3 = {
    ("RP4", 3): _d(V8="1250.00"), ("RP4", 4): _d(V9="2000.00"),
    ("RP4", 5): _d(V0="2500.25", V1="8000.00"), ("RP4", 6): _d(V6="3000.00"),
    ("RP4", 7): _d(V5="4500.00"), ("RP4", 8): _d(V2="6000.00"), ("RP4", 10): _d(V4="300.00"),
    ("RP5", 8): _d(V2="2000.00"), ("RP5", 10): _d(V4="300.00"),
    ("RP6", 3): _d(V8="400.00"), ("RP6", 7): _d(V5="4000.00"), ("RP6", 8): _d(V2="1000.00"),
    ("RP7", 3): _d(V8="100.00"), ("RP8", 7): _d(V5="500.00"),
}
BH_2021_B3 = {
    ("RP4", 3): _d(V8="1250.00"), ("RP4", 4): _d(V9="2000.00"), ("RP4", 6): _d(V8="3000.00"),
    ("RP4", 7): _d(V9="4500.00"), ("RP4", 8): _d(V6="6000.00"),
    ("RP4", 10): _d(V5="8000.00", V8="300.00"), ("RP4", 86): _d(V4="2500.25"),
    ("RP4", 87): _d(V3="9000.00"), ("RP4", 88): _d(V0="1200.00"), ("RP4", 90): _d(V1="750.75"),
    ("RP5", 8): _d(V6="1500.00"), ("RP5", 86): _d(V4="2500.25"), ("RP5", 88): _d(V0="1200.00"),
    ("RP6", 3): _d(V8="400.00"), ("RP6", 6): _d(V8="3000.00"), ("RP6", 7): _d(V9="4000.00"),
    ("RP6", 8): _d(V6="3000.00"), ("RP6", 10): _d(V5="7000.00", V8="300.00"),
    ("RP6", 87): _d(V3="4000.00"), ("RP7", 87): _d(V3="5000.00"),
    ("RP8", 3): _d(V8="100.00"), ("RP8", 7): _d(V9="500.00"), ("RP8", 10): _d(V5="1000.00"),
}


def _plus(base: dict, more: dict) -> dict:  # type: ignore[type-arg]
    out = {k: dict(v) for k, v in base.items()}
    for k, v in more.items():
        out.setdefault(k, {}).update(v)
    return out


HAND = {
    ("3106200", 2019, 3): BH_2019_B3,
    # "o b3 mais": 906 and 903 paid in the second half; the year's own columns of RP4
    ("3106200", 2019, 6): _plus(BH_2019_B3, {
        ("RP5", 5): _d(V1="7000.00"), ("RP5", 6): _d(V6="3000.00"),
        ("RP4", 3): _d(V11="34000.00"), ("RP4", 4): _d(V10="10000.00", V11="2345.67"),
        ("RP4", 5): _d(V10="700.00", V11="8000.00"), ("RP4", 6): _d(V11="1500.00"),
        ("RP4", 7): _d(V11="1750.00"), ("RP4", 8): _d(V11="30000.00"),
        ("RP4", 10): _d(V10="999.99")}),
    ("3106200", 2021, 3): BH_2021_B3,
    ("3106200", 2021, 6): _plus(BH_2021_B3, {
        ("RP5", 4): _d(V9="800.00"), ("RP7", 4): _d(V9="1200.00"), ("RP7", 8): _d(V6="1500.00"),
        ("RP4", 10): _d(V10="200.00"), ("RP4", 86): _d(V10="15000.00", V11="25000.00"),
        ("RP4", 87): _d(V11="6000.00"), ("RP4", 88): _d(V11="9000.00"),
        ("RP4", 90): _d(V11="3000.00")}),
    # fixtures/siops/bimestre/3170206/README.md, restos_a_pagar.csv
    ("3170206", 2019, 6): {
        ("RP4", 3): _d(V11="60000.00"), ("RP4", 4): _d(V2="4000.00", V10="45000.00", V11="3400.00"),
        ("RP4", 5): _d(V1="12000.00", V10="25000.50"), ("RP4", 6): _d(V10="3333.33"),
        ("RP4", 7): _d(V11="7500.00"), ("RP4", 8): _d(V11="2222.22"),
        ("RP5", 4): _d(V2="3000.00"), ("RP5", 5): _d(V1="10000.00"),
        ("RP7", 4): _d(V2="1000.00"), ("RP7", 5): _d(V1="2000.00")},
    ("3170206", 2021, 6): {
        ("RP4", 3): _d(V11="999.99"), ("RP4", 4): _d(V6="4000.00", V11="30000.00"),
        ("RP4", 6): _d(V10="8000.00"), ("RP4", 10): _d(V3="5000.50", V5="12000.00"),
        ("RP5", 10): _d(V3="5000.50"), ("RP6", 4): _d(V6="3000.00"),
        ("RP6", 10): _d(V5="10000.00"), ("RP8", 4): _d(V6="1000.00"),
        ("RP8", 10): _d(V5="2000.00")},
}
# The README's totals per file (3106200), summed by hand apart from the lines above.
TOTALS = {(2019, 3): {"RP4": "27550.25", "RP5": "2300.00", "RP6": "5400.00", "RP7": "100.00",
                      "RP8": "500.00"},
          (2021, 3): {"RP4": "38501.00", "RP5": "5200.25", "RP6": "21700.00", "RP7": "5000.00",
                      "RP8": "1600.00"},
          (2021, 6): {"RP5": "6000.25", "RP7": "7700.00"}}


@pytest.mark.parametrize("run_", sorted(HAND))
def test_the_lines_are_the_hand_made_figures(outputs, run_) -> None:  # type: ignore[no-untyped-def]
    assert parse(outputs[run_]) == HAND[run_]


@pytest.mark.parametrize(("year", "bim"), sorted(TOTALS))
def test_the_files_add_up_to_the_hand_made_totals(outputs, year, bim) -> None:  # type: ignore[no-untyped-def]
    lines = parse(outputs[("3106200", year, bim)])
    for code, total in TOTALS[(year, bim)].items():
        got = sum(v for (c, _), cells in lines.items() if c == code
                  for k, v in cells.items() if k < 10)
        assert got == Decimal(total), code


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_current_year_columns_are_the_6th_bimester_only(outputs, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    lines = parse(outputs[(mun, year, bim)])
    current = [cells for (code, _), cells in lines.items() if code == "RP4" and
               (10 in cells or 11 in cells)]
    assert bool(current) == (bim == 6)
    # an RP of E-1 is inscribed on 31/12/E-1: nothing of it can be paid or cancelled before E
    assert not [k for (code, _), cells in lines.items() if code in ("RP6", "RP8")
                for k in cells if k in (0, 1)]


def test_every_fonte_group_has_a_line() -> None:
    """A fonte group the planilha tables can give (grupos_fonte, and the 'senão' 10) with no
    line in linhas_restos would be a D0201 at run time: the compiler does not list row keys."""
    tables = ROOT / "specs" / "siops"
    for year, lines in ((2019, ["2019/tabelas/linhas_restos_2019.csv"]),
                        (2021, ["2019/tabelas/linhas_restos_2019.csv",
                                "2021/tabelas/linhas_restos_2021.csv"])):
        with (tables / f"{year}/tabelas/grupos_fonte_{year}.csv").open(encoding="utf-8") as f:
            groups = {int(r["grupo"]) for r in csv.DictReader(f)} | {10}
        rows = []
        for rel in lines:
            with (tables / rel).open(encoding="utf-8") as f:
                rows += list(csv.DictReader(f))
        assert groups <= {int(r["grupo"]) for r in rows}, year
        assert [r["linha"] for r in rows] == [f"#L{i}" for i in range(len(rows))]


# ---------------------------------------------------------------- the reconciliation
# A selection of both file sets ('[dr]es*/*' = despesa/* and restos/*) so that the assertion
# linking RP4 V11 to the despesa files' V5 is evaluated; 2021 would also need the COVID inputs
# in a complete run.
@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_restos_reconciliation_holds(siops_program, mun, year, bim, backend) -> None:  # type: ignore[no-untyped-def]
    result = run(siops_program, mun, year, bim, backend, select="[dr]es*/*")
    got = {o.check: o for o in result.outcomes if o.check.startswith("conferencias/restos/")}
    assert len(got) == 7 and not any(o.skipped for o in got.values())
    assert all(o.ok for o in got.values()), [o for o in got.values() if not o.ok]
    # not vacuous: every fixture run has restos inscribed (the README's figures)
    assert got["conferencias/restos/inscritos"].left > 0


def test_a_column_that_loses_an_origin_fails_the_reconciliation(tmp_path: Path) -> None:
    """With "anteriores" of RP4 narrowed to E-5 alone, 3106200's empenho 901 (2012, processado,
    1.000,00 inscritos) falls out of every column: the two inscritos assertions fail (D0701),
    the others hold."""
    import shutil

    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from runtime.errors import RunFailed

    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    spec = specs / "restos_inscritos.yaml"
    text = spec.read_text("utf-8")
    old = "exercicio_origem <= $exercicio - 5)"
    assert text.count(old) == 2
    spec.write_text(text.replace(old, "exercicio_origem == $exercicio - 5)"), "utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "siops", res.files)
    program = runtime.load(tmp_path / "gen" / "siops")
    for backend in ("python", "duckdb"):
        with pytest.raises(RunFailed) as info:
            run(program, "3106200", 2019, 3, backend)
        got = [(e.code, e.file, e.line) for e in info.value.errors]
        where = "specs/siops/conferencias_restos.yaml"
        assert got == [("D0701", where, line) for line in (15, 24)], backend
        assert "diferença de -1.000,00" in info.value.errors[0].message


# ---------------------------------------------------------------- generated ledgers
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """20,000 generated movements and 2,000 restos lines of 5 municípios, deterministic."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("restos")
    subprocess.run([sys.executable, str(ROOT / "fixtures/siops/generate_bimestre.py"),
                    "--out", str(out), "--rows", "20000", "--municipios", "5"],
                   check=True, capture_output=True)
    return {n: out / f"{n}.csv" for n in NAMES}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("year", "bim"), [(2019, 6), (2021, 3)])
def test_generated_ledgers_match_the_oracle(siops_program, generated, year, bim,
                                            backend) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.siops_restos_baseline import restos_files

    want = restos_files(generated, year, bim)
    assert len({k.split("/")[0] for k in want}) == 5  # files of 5 municípios
    got = siops_program.run(ledgers=generated, params={"exercicio": year, "bimestre": bim},
                            select="restos/*", backend=backend).outputs
    assert impt(got) == want
