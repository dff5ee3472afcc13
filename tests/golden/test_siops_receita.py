"""The SIOPS Receitas file (specs/siops/receita_execucao.yaml for 2019–2020, replaced by
specs/siops/2021/receita_execucao.yaml from 2021 on; kind `sheets`) against the hand-written
oracle (benchmarks/siops_receita_baseline.py, itself checked against the hand figures of
fixtures/siops/bimestre/3106200 in tests/unit/test_receita_oracle.py), on the python and duckdb
back ends.

2019's de-para is keyed by e-cidade's 14-digit estrutural and, in rows derived from it, by the
8-digit STN natureza when every estrutural under it has one target
(specs/siops/2019/tabelas/naturezas_receita.yaml); the município's `equivalencia_rubricas`
wins over the national table."""

from __future__ import annotations

from pathlib import Path

import pytest

import runtime
from benchmarks.siops_receita_baseline import receita_files
from runtime.errors import RunFailed
from tests.conftest import ROOT

BIM = ROOT / "fixtures" / "siops" / "bimestre"
SMALL = ROOT / "fixtures" / "siops" / "small"
TABLES = ROOT / "specs" / "siops" / "2019" / "tabelas"


@pytest.fixture(scope="module")
def views() -> runtime.Views:
    got = runtime.load(ROOT / "generated" / "siops")
    assert isinstance(got, runtime.Views)
    return got


def _apura(views: runtime.Views, fix: Path, year: int, bim: int, backend: str,
           **inputs: Path) -> dict[str, bytes]:
    ledgers = {"receita": fix / "receita.csv",
               "equivalencia_recursos": fix / "equivalencia_recursos.csv", **inputs}
    got = views.run(ledgers=ledgers, params={"exercicio": year, "bimestre": bim},
                    select="receita/*", backend=backend, allow_unconfirmed=True,
                    allow_gaps=True).outputs
    return {k: v for k, v in got.items() if k.endswith(".IMPT")}


def _oracle(fix: Path, year: int, bim: int, **inputs: Path) -> dict[str, bytes]:
    view = 2019 if year < 2021 else 2021
    return receita_files({"receita": fix / "receita.csv", **inputs}, TABLES, view, year, bim)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("fix", "year", "bim"), [
    ("3106200", 2021, 3), ("3106200", 2021, 6), ("3170206", 2021, 6), ("3106200", 2022, 2),
    ("3106200", 2019, 3), ("3106200", 2019, 6), ("3170206", 2019, 6)])
def test_the_receitas_spec_writes_the_oracles_bytes(views, fix, year, bim, backend) -> None:  # type: ignore[no-untyped-def]
    want = _oracle(BIM / fix, year, bim)
    if year == 2022:  # the fixture's 2022 rows are previsões only: V0 and V1 of two lines
        assert len(want[f"{fix}/Receita_Siops.IMPT"].split(b"\r\n")) == 3
    assert want and _apura(views, BIM / fix, year, bim, backend) == want


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_2020_extract_with_stn_codes_finds_its_lines(views, backend) -> None:  # type: ignore[no-untyped-def]
    """The COVID fixture's receita (2020) has 8-digit STN naturezas: 17180311 (SUS) is found
    through the derived rows, as 1.7.21.33.11.00 (e-cidade's 17213311000000, cut to 10), its
    #L103; IPTU 11180111 as 1.1.12.02.00.00."""
    got = _apura(views, SMALL, 2020, 2, backend)
    assert got == _oracle(SMALL, 2020, 2)
    lines = got["3170206/Receita_Siops.IMPT"].decode().split("\r\n")
    assert [ln.split(";")[1] for ln in lines if ln][:2] == ["1.1.12.02.00.00", "1.7.21.33.11.00"]
    assert lines[1].split(";")[2:3] == ["124"] and lines[1].endswith(";#L103;#C8;")


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_the_municipios_equivalencia_wins_and_a_suggested_one_is_d0802(views, backend) -> None:  # type: ignore[no-untyped-def]
    """3170206's equivalencia_rubricas maps the FPM (17180121010000) SUGERIDA: a run that uses
    it stops (D0802, at the entry's line) unless it is allowed; allowed, the file is the
    oracle's with the same equivalência."""
    fix = BIM / "3170206"
    eq = fix / "equivalencia_rubricas.csv"
    with pytest.raises(RunFailed) as exc:
        views.run(ledgers={"receita": fix / "receita.csv", "equivalencia_rubricas": eq,
                           "equivalencia_recursos": fix / "equivalencia_recursos.csv"},
                  params={"exercicio": 2019, "bimestre": 6}, select="receita/*",
                  backend=backend)
    [err] = [e.render() for e in exc.value.errors]
    assert err.startswith(f"{eq.relative_to(ROOT)}:3:1: erro[D0802]") or \
        err.startswith(f"{eq}:3:1: erro[D0802]"), err
    assert _apura(views, fix, 2019, 6, backend, equivalencia_rubricas=eq) == \
        _oracle(fix, 2019, 6, equivalencia_rubricas=eq)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_an_exception_moves_a_rubric_to_another_line(views, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """An equivalência of 11120111010000 (national target 1112010000, #L4: e-cidade's table
    sends it to the ITR line) to ITBI's
    natureza (11120800000000): its values leave the IPTU line for ITBI's (#L9)."""
    eq = tmp_path / "equivalencia_rubricas.csv"
    eq.write_text("municipio;rubrica;rubrica_siops\n3170206;11120111010000;11120800000000\n",
                  "utf-8")
    fix = BIM / "3170206"
    got = _apura(views, fix, 2019, 6, backend, equivalencia_rubricas=eq)
    assert got == _oracle(fix, 2019, 6, equivalencia_rubricas=eq)
    base = _apura(views, fix, 2019, 6, backend)
    [moved] = [ln for ln in got["3170206/Receita_Siops.IMPT"].decode().split("\r\n")
               if ";#L9;" in ln]
    assert moved.startswith("1;1.1.12.08.00.00;23;")
    assert ";#L9;" not in base["3170206/Receita_Siops.IMPT"].decode()


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_an_ambiguous_stn_natureza_is_d0201(views, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """13210011 (rendimentos de aplicação) has seven targets among its 14-digit estruturais:
    it is no row of the derived table, so an 8-digit record of it stops the run at its line."""
    src = (SMALL / "receita.csv").read_text("utf-8").splitlines()
    rec = tmp_path / "receita.csv"
    rec.write_text("\n".join([*src, src[1].replace(";17180311;", ";13210011;")]) + "\n", "utf-8")
    with pytest.raises(RunFailed) as exc:
        views.run(ledgers={"receita": rec,
                           "equivalencia_recursos": SMALL / "equivalencia_recursos.csv"},
                  params={"exercicio": 2020, "bimestre": 2}, select="receita/*",
                  backend=backend)
    [err] = [e.render() for e in exc.value.errors]
    assert f"receita.csv:{len(src) + 1}:1: erro[D0201]" in err
    assert "natureza_ecidade=13210011" in err


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_an_exception_maps_a_rubric_the_national_table_lacks(views, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    """11125001 (IPTU in the 2022 coding) has no 2019 de-para: alone it stops the run
    (D0201); with the município's equivalência to IPTU's natureza (11120200000000) the national
    table is not looked up, and its values join the IPTU line (#L5)."""
    src = (SMALL / "receita.csv").read_text("utf-8").splitlines()
    rec = tmp_path / "receita.csv"
    rec.write_text("\n".join([*src, src[1].replace(";17180311;", ";11125001;")]) + "\n", "utf-8")
    eq = tmp_path / "equivalencia_rubricas.csv"
    eq.write_text("municipio;rubrica;rubrica_siops\n3170206;11125001;11120200000000\n", "utf-8")
    ledgers = {"receita": rec, "equivalencia_recursos": SMALL / "equivalencia_recursos.csv"}
    params = {"exercicio": 2020, "bimestre": 2}
    with pytest.raises(RunFailed) as exc:
        views.run(ledgers=ledgers, params=params, select="receita/*", backend=backend)
    assert [e.code for e in exc.value.errors] == ["D0201"]
    got = views.run(ledgers={**ledgers, "equivalencia_rubricas": eq}, params=params,
                    select="receita/*", backend=backend).outputs
    want = receita_files({"receita": rec, "equivalencia_rubricas": eq}, TABLES, 2019, 2020, 2)
    assert {k: v for k, v in got.items() if k.endswith(".IMPT")} == want
    iptu = [ln for ln in want["3170206/Receita_Siops.IMPT"].decode().split("\r\n")
            if ";#L5;" in ln]
    base = _apura(views, SMALL, 2020, 2, backend)["3170206/Receita_Siops.IMPT"].decode()
    assert iptu and iptu[0] not in base  # the line grew by the moved record's values
