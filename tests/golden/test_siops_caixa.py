"""The Disponibilidade de Caixa file of SIOPS (specs/siops/caixa_disponibilidade.yaml, kind
`sheets`: RP1, one line per fonte group, the saldos of the accounts of the Contas de-para at
the bimester's end) over both hand-made fixtures, 2019 and 2021 × bimesters 3 and 6: python
and duckdb byte for byte, equal to the hand-written oracle (benchmarks/siops_caixa_baseline.py),
every file snapshotted, the figures the fixture READMEs give by hand, the reconciliation
(specs/siops/conferencias_caixa.yaml) holding and failing, and the two errors of the contract:
a recurso of a de-para account with no recursos equivalência (D0201 at the record's line) and
an unconfirmed account entry (D0802)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.conftest import ImptSnapshot

BIMESTRE = ROOT / "fixtures" / "siops" / "bimestre"
NAMES = ("contas", "equivalencia_contas", "equivalencia_recursos")
FIXTURES = {m: {n: BIMESTRE / m / f"{n}.csv" for n in NAMES} for m in ("3106200", "3170206")}
RUNS = [(m, y, b) for m in FIXTURES for y in (2019, 2021) for b in (3, 6)]
FILE = "RP1_Disponibilidade_Caixa.IMPT"
LINE = re.compile(r"^RP1;(\d+);(\d+);V0:\[>R\$(-?\d+,\d\d)<\]:-\[101\]"
                  r"\(Disponibilidade de Caixa Bruta\);#L(\d+);#C1;$")


def run(program, ledgers, year: int, bim: int, backend: str, select: str = "caixa/*",  # type: ignore[no-untyped-def]
        allow_gaps: bool = True):
    """The 3106200 fixture and the generator have an account outside the Contas de-para on
    purpose (199999999): a gap of cobertura/contas (D1301), allowed here (D1302) unless the
    test says otherwise (test_an_account_outside_the_depara_is_left_out)."""
    return program.run(ledgers=ledgers, params={"exercicio": year, "bimestre": bim},
                       select=select, backend=backend, allow_gaps=allow_gaps)


def impt(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in outputs.items() if k.endswith(".IMPT")}


@pytest.fixture(scope="module")
def outputs(siops_program):  # type: ignore[no-untyped-def]
    return {(m, y, b): impt(run(siops_program, FIXTURES[m], y, b, "python").outputs)
            for m, y, b in RUNS}


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_python_and_duckdb_write_the_same_bytes(siops_program, outputs, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    assert list(outputs[(mun, year, bim)]) == [f"{mun}/{FILE}"]
    got = impt(run(siops_program, FIXTURES[mun], year, bim, "duckdb").outputs)
    assert got == outputs[(mun, year, bim)]


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_oracle_writes_the_same_bytes(outputs, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.siops_caixa_baseline import caixa_files

    assert caixa_files(FIXTURES[mun], year, bim) == outputs[(mun, year, bim)]


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_file_snapshots(outputs, snapshot, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    data = outputs[(mun, year, bim)][f"{mun}/{FILE}"]
    assert data == snapshot.use_extension(ImptSnapshot)(name=f"{mun}_{year}_b{bim}_caixa")


# ---------------------------------------------------------------- the lines, parsed
def parse(data: bytes) -> dict[int, Decimal]:
    """fonte group → V0; checks the line's shape on the way (campo 9101 + #L, #L increasing,
    no zero line, CRLF)."""
    text = data.decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    out, markers = {}, []
    for line in text.split("\r\n")[:-1]:
        m = LINE.match(line)
        assert m is not None, line
        group, campo, value, marker = int(m[1]), int(m[2]), m[3], int(m[4])
        assert campo == 9101 + marker, line
        out[group] = Decimal(value.replace(",", "."))
        assert out[group] != 0, line
        markers.append(marker)
    assert markers == sorted(markers)
    return out


def _d(**groups: str) -> dict[int, Decimal]:
    return {int(k[1:]): Decimal(v) for k, v in groups.items()}


# Hand figures: fixtures/siops/bimestre/3106200/README.md and 3170206/README.md, "contas.csv".
HAND = {
    ("3106200", 2019, 3): _d(g3="62500.50", g4="26000.00", g5="10000.00", g6="1500.00",
                             g7="700.00", g10="450.25"),
    ("3106200", 2019, 6): _d(g3="45000.00", g4="20000.00", g5="6000.00", g6="-1000.00"),
    ("3106200", 2021, 3): _d(g3="70000.00", g10="3000.00", g86="25000.00", g87="9000.00",
                             g88="1200.00"),
    ("3106200", 2021, 6): _d(g3="60000.00", g4="-1234.56", g90="750.75"),
    ("3170206", 2019, 3): _d(g4="15000.00", g5="7000.55"),
    ("3170206", 2019, 6): _d(g4="9000.00", g5="-250.00"),
    ("3170206", 2021, 3): _d(g4="18000.00"),
    ("3170206", 2021, 6): _d(g4="21000.00"),
}
# The README's totals (summed by hand apart from the lines).
TOTALS = {("3106200", 2019, 3): "101150.75", ("3106200", 2019, 6): "70000.00",
          ("3106200", 2021, 3): "108200.00", ("3106200", 2021, 6): "59516.19"}


@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_lines_are_the_hand_made_figures(outputs, mun, year, bim) -> None:  # type: ignore[no-untyped-def]
    lines = parse(outputs[(mun, year, bim)][f"{mun}/{FILE}"])
    assert lines == HAND[(mun, year, bim)]
    if (mun, year, bim) in TOTALS:
        assert sum(lines.values()) == Decimal(TOTALS[(mun, year, bim)])


def test_every_fonte_group_has_a_line() -> None:
    """A fonte group the tables can give (grupos_fonte, and the 'senão' 10) with no line in
    linhas_caixa would be a D0201 at run time: the compiler does not list row keys."""
    tables = ROOT / "specs" / "siops"
    for year, lines in ((2019, ["2019/tabelas/linhas_caixa_2019.csv"]),
                        (2021, ["2019/tabelas/linhas_caixa_2019.csv",
                                "2021/tabelas/linhas_caixa_2021.csv"])):
        with (tables / f"{year}/tabelas/grupos_fonte_{year}.csv").open(encoding="utf-8") as f:
            groups = {int(r["grupo"]) for r in csv.DictReader(f)} | {10}
        rows = []
        for rel in lines:
            with (tables / rel).open(encoding="utf-8") as f:
                rows += list(csv.DictReader(f))
        assert groups <= {int(r["grupo"]) for r in rows}, year
        assert [r["linha"] for r in rows] == [f"#L{i}" for i in range(len(rows))]


# ---------------------------------------------------------------- the reconciliation
@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("mun", "year", "bim"), RUNS)
def test_the_caixa_reconciliation_holds(siops_program, mun, year, bim, backend) -> None:  # type: ignore[no-untyped-def]
    result = run(siops_program, FIXTURES[mun], year, bim, backend)
    [got] = [o for o in result.outcomes if o.check == "conferencias/caixa/disponibilidade"]
    assert got.ok and not got.skipped
    assert got.left == sum(HAND[(mun, year, bim)].values()) != 0  # not vacuous


def _bad_copy(tmp_path: Path, mun: str, extra: list[str]) -> dict[str, Path]:
    """The fixture's three files in tmp_path, with lines appended to contas.csv."""
    out = {}
    for name, src in FIXTURES[mun].items():
        out[name] = tmp_path / src.name
        shutil.copyfile(src, out[name])
    with out["contas"].open("a", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in extra))
    return out


def test_a_line_that_loses_the_negative_saldos_fails_the_reconciliation(tmp_path: Path) -> None:
    """With V0 summing only positive saldos, 3106200's 2019 b3 file loses the conta credora
    211110100 (−4.000,00 of fonte 102 and −300,00 of fonte 190): D0701 at the assertion."""
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from runtime.errors import RunFailed

    specs = tmp_path / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    spec = specs / "caixa_disponibilidade.yaml"
    text = spec.read_text("utf-8")
    old = "V0: sum(saldo where no_bimestre)"
    assert text.count(old) == 1
    spec.write_text(text.replace(old, "V0: sum(saldo where no_bimestre and saldo > 0)"), "utf-8")
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen" / "siops", res.files)
    program = runtime.load(tmp_path / "gen" / "siops")
    for backend in ("python", "duckdb"):
        with pytest.raises(RunFailed) as info:
            run(program, FIXTURES["3106200"], 2019, 3, backend)
        got = [(e.code, e.file, e.line) for e in info.value.errors]
        assert got == [("D0701", "specs/siops/conferencias_caixa.yaml", 13)], backend
        assert "diferença de 4.300,00" in info.value.errors[0].message


# ---------------------------------------------------------------- the contract's errors
@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_recurso_without_equivalencia_fails_at_its_line(siops_program, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """A de-para account's saldo in recurso 777 (no recursos equivalência) is D0201 at its
    contas.csv line — also dated 30/04, before the bimester's end, where it adds nothing to
    the file (the seed: every recurso moved in those accounts needs its de-para). The same
    recurso in an account outside the Contas de-para (line 9) is not looked up."""
    from runtime.errors import RunFailed

    ledgers = _bad_copy(tmp_path, "3170206", [
        "3170206;FMS;2019;30/04/2019;111110201;777;10,00",   # line 8
        "3170206;FMS;2019;30/06/2019;999999999;777;10,00",   # line 9
    ])
    with pytest.raises(RunFailed) as info:
        run(siops_program, ledgers, 2019, 3, backend)
    [err] = info.value.errors
    assert (err.code, err.file, err.line, err.col) == ("D0201", str(ledgers["contas"]), 8, 1)
    assert "municipio=3170206, recurso=777 (1 registro: linha 8)" in err.message
    assert "'equivalencia'" in err.message
    # the oracle refuses it too, at the same line
    from benchmarks.siops_caixa_baseline import OracleError
    from benchmarks.siops_caixa_baseline import caixa_files

    with pytest.raises(OracleError, match="recurso 777 \\(linha 8\\)"):
        caixa_files(ledgers, 2019, 3)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_an_account_outside_the_depara_is_left_out(siops_program, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """Only the accounts of the Contas de-para count: a saldo of 1.000.000,00 in account
    999999999 at the bimester's end changes nothing (the file is the fixture's) — and the
    account is a gap of cobertura/contas: the run fails at its line (D1301) unless gaps are
    allowed, then it is a warning (D1302)."""
    from runtime.errors import RunFailed

    ledgers = _bad_copy(tmp_path, "3170206",
                        ["3170206;FMS;2019;30/06/2019;999999999;102;1000000,00"])
    result = run(siops_program, ledgers, 2019, 3, backend)
    assert parse(impt(result.outputs)[f"3170206/{FILE}"]) == HAND[("3170206", 2019, 3)]
    assert [(w.code, w.line) for w in result.warnings if w.code == "D1302"] == [("D1302", 8)]
    with pytest.raises(RunFailed) as info:
        run(siops_program, ledgers, 2019, 3, backend, allow_gaps=False)
    [err] = info.value.errors
    assert (err.code, err.file, err.line) == ("D1301", str(ledgers["contas"]), 8)
    assert 'conta="999999999"' in err.message


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_an_unconfirmed_account_entry_fails_the_run(siops_program, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """Account 111110202's entry SUGERIDA: the saldos that used it (lines 3 and 5 of
    contas.csv, 2019) fail the run with D0802 at the entry's line; --allow-unconfirmed lets
    it go on with the same file."""
    from runtime.errors import RunFailed

    ledgers = _bad_copy(tmp_path, "3170206", [])
    eq = ledgers["equivalencia_contas"]
    eq.write_text(eq.read_text("utf-8").replace("111110202;1111102;CONFIRMADA",
                                                "111110202;1111102;SUGERIDA"), "utf-8")
    with pytest.raises(RunFailed) as info:
        run(siops_program, ledgers, 2019, 6, backend)
    [err] = info.value.errors
    assert (err.code, err.file, err.line) == ("D0802", str(eq), 3)
    assert "linhas 3, 5" in err.message
    result = siops_program.run(ledgers=ledgers, params={"exercicio": 2019, "bimestre": 6},
                               select="caixa/*", backend=backend, allow_unconfirmed=True,
                               allow_gaps=True)  # a SUGERIDA entry is a gap too (D1302)
    assert [w.code for w in result.warnings if w.code == "D0803"] == ["D0803"]
    assert parse(result.outputs[f"3170206/{FILE}"]) == HAND[("3170206", 2019, 6)]


# ---------------------------------------------------------------- the bundle
def test_the_bundle_lists_the_caixa_file(siops_program) -> None:  # type: ignore[no-untyped-def]
    """A complete 2019 run (every file set; the COVID quadros start in 2020) of 3106200's
    inputs: the caixa file is in the manifest, with its sha256, and in the zip."""
    import hashlib

    inputs = {n: BIMESTRE / "3106200" / f"{n}.csv" for n in
              ("despesa_movimento", "dotacao", "equivalencia_recursos", "excecoes_natureza",
               "restos_a_pagar", "contas", "equivalencia_contas", "receita")}
    out = siops_program.run(ledgers=inputs, params={"exercicio": 2019, "bimestre": 3},
                            allow_gaps=True).outputs  # the account outside the de-para
    data = out[f"3106200/{FILE}"]
    rows = list(csv.reader(io.StringIO(out["3106200/manifesto.csv"].decode("utf-8")),
                           delimiter=";"))
    [row] = [r for r in rows if r[0] == FILE]
    assert row[1:] == [str(data.count(b"\r\n")), str(len(data)), hashlib.sha256(data).hexdigest()]
    with zipfile.ZipFile(io.BytesIO(out["3106200/Siops.zip"])) as zf:
        assert zf.read(FILE) == data


# ---------------------------------------------------------------- generated ledgers
@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """20,000 rows asked of the generator: 1,000 contas lines of 5 municípios, deterministic."""
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("caixa")
    subprocess.run([sys.executable, str(ROOT / "fixtures/siops/generate_bimestre.py"),
                    "--out", str(out), "--rows", "20000", "--municipios", "5"],
                   check=True, capture_output=True)
    return {n: out / f"{n}.csv" for n in NAMES}


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("year", "bim"), [(2019, 6), (2021, 3)])
def test_generated_ledgers_match_the_oracle(siops_program, generated, year, bim,
                                            backend) -> None:  # type: ignore[no-untyped-def]
    from benchmarks.siops_caixa_baseline import caixa_files

    want = caixa_files(generated, year, bim)
    assert len(want) == 5  # a file per município
    assert impt(run(siops_program, generated, year, bim, backend).outputs) == want
