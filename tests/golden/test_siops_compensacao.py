"""The SIOPS compensação files (specs/siops/compensacao_*.yaml: CRP, compensação de RP
cancelados; LNC, limite não cumprido) and the consórcio file (specs/siops/consorcio.yaml, RP3,
only with `gerar_consorcio`), kind `sheets`, over both hand-made fixtures, 2019 and 2021 ×
bimesters 3 and 6: python and duckdb byte for byte, equal to the hand-written oracle
(benchmarks/siops_compensacao_baseline.py), every file snapshotted, the figures the fixture
READMEs give by hand, the reconciliation (specs/siops/conferencias_compensacao.yaml) holding —
and failing when a column loses an exercício —, and the package param's default (a run that
does not give `gerar_consorcio` writes no RP3 and skips its checks)."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.conftest import ImptSnapshot

BIMESTRE = ROOT / "fixtures" / "siops" / "bimestre"
NAMES = ("despesa_movimento", "equivalencia_recursos")
FIXTURES = {m: {n: BIMESTRE / m / f"{n}.csv" for n in NAMES} for m in ("3106200", "3170206")}
RUNS = [(m, y, b) for m in FIXTURES for y in (2019, 2021) for b in (3, 6)]
SELECT = "[c]o[mn]*/*"  # compensacao/* and consorcio/*
STEMS = {"CRP": "Compensacao_Restos_Pagar_Cancelados", "LNC": "Compensacao_Limite_Nao_Cumprido",
         "RP3": "Consorcio_Contrato_Rateio"}
CELL = r"V(\d+):\[>R\$(-?\d+,\d\d)<\]:-\[(\d+)\]\(([^)]*)\)"
LINE = re.compile(rf"^(CRP|LNC|RP3);(\d+);(\d+);((?:{CELL};)+)#L(\d+);#C(\d+);$")


def allow(mun: str, year: int) -> bool:
    """3170206's fonte 190 equivalência is SUGERIDA on purpose (its README); a 2019 run's
    despesa_movimento scan reaches it (the despesa files' part of the scan): D0802 and a gap
    of cobertura/recursos (D1301), both allowed for that run."""
    return mun == "3170206" and year == 2019


def run(program, mun: str, year: int, bim: int, backend: str, *, consorcio: bool | None = True,  # type: ignore[no-untyped-def]
        select: str = SELECT):
    params: dict[str, object] = {"exercicio": year, "bimestre": bim}
    if consorcio is not None:
        params["gerar_consorcio"] = consorcio
    return program.run(ledgers=FIXTURES[mun], params=params, select=select, backend=backend,
                       allow_unconfirmed=allow(mun, year), allow_gaps=allow(mun, year))


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
    from benchmarks.siops_compensacao_baseline import compensacao_files

    want = compensacao_files(FIXTURES[mun], year, bim, gerar_consorcio=True,
                             allow_unconfirmed=allow(mun, year))
    assert want and outputs[(mun, year, bim)] == want


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_files_snapshot(outputs, snapshot, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    for name, data in sorted(outputs[(mun, year, bim)].items()):
        file = Path(name).name[:-5]
        assert data == snapshot.use_extension(ImptSnapshot)(name=f"{mun}_{year}_b{bim}_{file}")


# ---------------------------------------------------------------- the lines, parsed
def parse(files: dict[str, bytes]) -> dict[tuple[str, int], dict[int, Decimal]]:
    """(file code, fonte group) → {column: value} of the values not zero; checks the line's
    shape on the way: the file it is in, V0… in order, #C, the column codes (CRP 101…109,
    LNC 201…209, RP3 301…303), each total column = the year's + the earlier ones', #L
    increasing within a file, CRLF."""
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
            assert ncols == (3 if code == "RP3" else 9)
            base = {"CRP": 100, "LNC": 200, "RP3": 300}[code]
            assert [int(c[2]) for c in cells] == [base + k + 1 for k in range(ncols)]
            values = {int(c[0]): Decimal(c[1].replace(",", ".")) for c in cells}
            if code != "RP3":
                assert all(values[k + 2] == values[k] + values[k + 1] for k in (0, 3, 6)), line
            assert any(values.values()), line  # a line has a value
            out[(code, group)] = {k: v for k, v in values.items() if v}
            markers.append(int(m.group(9)))
        assert markers == sorted(markers), name
    return out


def _d(**cells: str) -> dict[int, Decimal]:
    return {int(k[1:]): Decimal(v) for k, v in cells.items()}


# Hand figures of the fixture READMEs ("Compensação e consórcio"). Columns of CRP/LNC:
# V0/V1/V2 empenhadas do exercício / anteriores / total, V3–V5 liquidadas, V6–V8 pagas.
BH_2019_B3 = {
    ("CRP", 4): _d(V4="600.00", V5="600.00", V7="600.00", V8="600.00"),      # 3181 (2018)
    ("CRP", 10): _d(V0="999.99", V2="999.99", V3="999.99", V5="999.99"),     # 307
    ("LNC", 3): _d(V7="400.00", V8="400.00"),                                # 3182 (2018)
    ("LNC", 7): _d(V0="1750.00", V2="1750.00"),                              # 305
    ("RP3", 3): _d(V0="50000.00", V1="20000.00", V2="20000.00"),             # 301
}
BH_2021_B3 = {
    ("CRP", 3): _d(V7="350.00", V8="350.00"),                                # 4282 (2019)
    ("CRP", 10): _d(V0="1200.00", V2="1200.00", V3="1200.00", V5="1200.00",
                    V6="1200.00", V8="1200.00"),                             # 405
    ("LNC", 86): _d(V4="2500.00", V5="2500.00"),                             # 4281 (2020)
    ("LNC", 90): _d(V0="3000.00", V2="3000.00"),                             # 404
    ("RP3", 87): _d(V0="6000.00"),                                           # 402
}
CO_2019_B3 = {
    ("CRP", 5): _d(V4="1100.00", V5="1100.00"),                              # 1802 (2018)
    ("RP3", 4): _d(V0="45000.00", V1="45000.00"),                            # 105
}
CO_2021 = {("LNC", 4): _d(V7="4321.00", V8="4321.00")}                       # 2001 (2020)


def _with(base: dict, more: dict) -> dict:  # type: ignore[type-arg]
    out = {k: dict(v) for k, v in base.items()}
    for k, v in more.items():
        out[k].update(v)
    return out


HAND = {
    ("3106200", 2019, 3): BH_2019_B3,
    # 3181's payment of 600 is reversed by 100 on 20/08
    ("3106200", 2019, 6): _with(BH_2019_B3, {("CRP", 4): _d(V7="500.00", V8="500.00")}),
    ("3106200", 2021, 3): BH_2021_B3,
    # 405's payment reversed by 200 on 10/11; 4281 paid 2.000 on 10/09
    ("3106200", 2021, 6): _with(BH_2021_B3, {("CRP", 10): _d(V6="1000.00", V8="1000.00"),
                                             ("LNC", 86): _d(V7="2000.00", V8="2000.00")}),
    ("3170206", 2019, 3): CO_2019_B3,
    ("3170206", 2019, 6): _with(CO_2019_B3, {("CRP", 5): _d(V7="1100.00", V8="1100.00")}),
    ("3170206", 2021, 3): CO_2021,
    ("3170206", 2021, 6): CO_2021,
}


@pytest.mark.parametrize("run_", sorted(HAND))
def test_the_lines_are_the_hand_made_figures(outputs, run_) -> None:  # type: ignore[no-untyped-def]
    assert parse(outputs[run_]) == HAND[run_]


# ---------------------------------------------------------------- gerar_consorcio
@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_without_the_param_there_is_no_consorcio(siops_program, outputs, backend) -> None:  # type: ignore[no-untyped-def]
    """`gerar_consorcio` defaults to false (package.yaml): a run that does not give it —
    every COVID and earlier call — writes the same CRP/LNC files, no RP3, and the three
    consórcio assertions are skipped, not compared with zeros."""
    result = run(siops_program, "3106200", 2019, 3, backend, consorcio=None)
    got = impt(result.outputs)
    with_rp3 = outputs[("3106200", 2019, 3)]
    assert sorted(with_rp3) == sorted([*got, "3106200/RP3_Consorcio_Contrato_Rateio.IMPT"])
    assert got == {k: v for k, v in with_rp3.items() if "RP3" not in k}
    outcomes = {o.check.rsplit("/", 1)[1]: o for o in result.outcomes
                if o.check.startswith("conferencias/compensacao/")}
    assert {k for k, o in outcomes.items() if o.skipped} == {
        "consorcio_empenhado", "consorcio_liquidado", "consorcio_pago"}
    assert run(siops_program, "3106200", 2019, 3, backend, consorcio=False).outputs == \
        result.outputs


def test_select_reaches_the_consorcio_node_alone(siops_program) -> None:  # type: ignore[no-untyped-def]
    result = run(siops_program, "3106200", 2019, 3, "python", select="consorcio/rateio")
    assert sorted(impt(result.outputs)) == ["3106200/RP3_Consorcio_Contrato_Rateio.IMPT"]


def test_the_bundle_lists_the_new_files(siops_program, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A complete run (no --select: the bundle is written) of all of 3106200's inputs (its
    account outside the Contas de-para, 199999999, is a gap of cobertura/contas: allowed)."""
    import csv
    import io
    import zipfile

    ledgers = {p.stem: p for p in (BIMESTRE / "3106200").glob("*.csv")}
    result = siops_program.run(ledgers=ledgers, params={"exercicio": 2019, "bimestre": 3,
                                                        "gerar_consorcio": True},
                               allow_gaps=True)
    result.write(tmp_path)
    part = tmp_path / "3106200"
    with zipfile.ZipFile(part / "Siops.zip") as zf:
        names = set(zf.namelist())
    rows = list(csv.reader(io.StringIO((part / "manifesto.csv").read_text("utf-8")),
                           delimiter=";"))
    files = {f"{c}_{s}.IMPT" for c, s in STEMS.items()}
    assert files <= names and files <= {r[0] for r in rows[1:]}
    provenance = (part / "proveniencia.csv").read_text("utf-8")
    assert "parametro.gerar_consorcio;true" in provenance


# ---------------------------------------------------------------- the reconciliation
@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_reconciliation_holds(siops_program, mun, year, bim, backend) -> None:  # type: ignore[no-untyped-def]
    result = run(siops_program, mun, year, bim, backend)
    got = {o.check: o for o in result.outcomes
           if o.check.startswith("conferencias/compensacao/")}
    assert len(got) == 9 and not any(o.skipped for o in got.values())
    assert all(o.ok for o in got.values()), [o for o in got.values() if not o.ok]
    # not vacuous: every run has a compensação paid or liquidated (the README's figures)
    assert any(o.left != 0 for o in got.values())


def test_a_column_that_loses_an_exercicio_fails_the_reconciliation(tmp_path: Path) -> None:
    """With CRP's "anteriores" pagas narrowed to E-1, 3106200's empenho 4282 (of 2019, paid
    350,00 in 2021) falls out of every column of a 2021 run: rp_cancelados_pago fails (D0701),
    the other assertions hold."""
    import shutil

    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from runtime.errors import RunFailed

    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    spec = specs / "compensacao_rp_cancelados.yaml"
    text = spec.read_text("utf-8")
    old = "V7: sum(pago where exercicio < $exercicio)"
    assert text.count(old) == 1
    spec.write_text(text.replace(old, "V7: sum(pago where exercicio == $exercicio - 1)"),
                    "utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "siops", res.files)
    program = runtime.load(tmp_path / "gen" / "siops")
    assert run(program, "3106200", 2019, 3, "python").outputs  # 2018 is E-1 there: it holds
    for backend in ("python", "duckdb"):
        with pytest.raises(RunFailed) as info:
            run(program, "3106200", 2021, 3, backend)
        got = [(e.code, e.file) for e in info.value.errors]
        assert got == [("D0701", "specs/siops/conferencias_compensacao.yaml")], backend
        assert "rp_cancelados_pago" in info.value.errors[0].message
        assert "diferença de -350,00" in info.value.errors[0].message


# ---------------------------------------------------------------- generated ledgers
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """20,000 generated movements of 5 municípios plus 2,000 of compensação (--compensacao:
    empenhos of the year and of the two before, both options, Não Aplic. S and N, contratos
    de rateio), deterministic."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("compensacao")
    subprocess.run([sys.executable, str(ROOT / "fixtures/siops/generate_bimestre.py"),
                    "--out", str(out), "--rows", "20000", "--municipios", "5", "--compensacao"],
                   check=True, capture_output=True)
    return {n: out / f"{n}.csv" for n in NAMES}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("year", "bim"), [(2019, 6), (2021, 3)])
def test_generated_ledgers_match_the_oracle(siops_program, generated, year, bim,
                                            backend) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.siops_compensacao_baseline import compensacao_files

    want = compensacao_files(generated, year, bim, gerar_consorcio=True)
    assert {Path(k).name[:3] for k in want} == {"CRP", "LNC", "RP3"}
    assert len({k.split("/")[0] for k in want}) == 5  # files of 5 municípios
    got = siops_program.run(ledgers=generated, params={"exercicio": year, "bimestre": bim,
                                                       "gerar_consorcio": True},
                            select=SELECT, backend=backend).outputs
    assert impt(got) == want
    lines = [line for data in want.values() for line in data.decode().split("\r\n") if line]
    # both exercício columns get values: the generated "empenhos anteriores" reach them
    assert any(re.search(r"V1:\[>R\$(?!0,00)", ln) for ln in lines if ln.startswith("CRP"))
    assert any(re.search(r"V0:\[>R\$(?!0,00)", ln) for ln in lines if ln.startswith("LNC"))
