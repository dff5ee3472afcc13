"""The oracle of the SIOPS Receitas file (benchmarks/siops_receita_baseline.py) against what was
worked out by hand: the lines of fixtures/siops/bimestre/3106200/README.md (each natureza's
V0..V7 of 2019 b3/b6 and 2021 b3/b6, summed by hand from receita.csv and the tables, no
script), whole IMPT lines typed out here, the labels, the masks, the money format, the
decisions of specs/siops/tabelas/README.md ("Receitas: o que o e-cidade grava") one by one, and
the receita rows of the 3170206 fixture.

The oracle is the reference a `receita/*` node is checked against, so it must itself be checked
against numbers that did not come from it."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks import siops_receita_baseline as oracle
from tests.conftest import ROOT

TABLES = ROOT / "specs" / "siops" / "2019" / "tabelas"
BIM = ROOT / "fixtures" / "siops" / "bimestre"
BH = "3106200"
FILE = f"{BH}/Receita_Siops.IMPT"
HEAD = ("municipio;entidade;exercicio;data;rubrica;recurso;covid;covid_siops_rec;"
        "previsto_inicial;previsto_atualizado;arrecadado;rubrica_principal;tipo_deducao")


def run(csv_path: Path, exercicio: int, bimestre: int) -> dict[str, bytes]:
    return oracle.receita_files({"receita": csv_path}, TABLES, oracle.year_view(exercicio),
                                exercicio, bimestre)


def values(files: dict[str, bytes]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(natureza as printed, campo, #L) → the eight values as printed."""
    out = {}
    for path, data in files.items():
        assert path.endswith("/Receita_Siops.IMPT"), path
        for raw in data.decode("utf-8").split("\r\n")[:-1]:
            f = raw.split(";")
            assert f[0] == "1" and f[-2:] == ["#C8", ""], raw
            vals = tuple(x.split("[>R$")[1].split("<]")[0] for x in f[3:11])
            out[(f[1], f[2], f[11])] = vals
    return out


_ = "0,00"
# Transcribed from the README tables of 3106200 (hand sums): V0..V7.
HAND = {
    (2019, 3): {
        ("1.1.12.01.00.00", "16", "#L4"): ("20000,00", "20000,00", _, _, _, _, _, _),
        ("1.1.12.02.00.00", "17", "#L5"): ("1000000,00", "1000000,00", "312345,67", "3000,00",
                                           "309345,67", _, "309345,67", _),
        ("1.7.21.01.02.00", "108", "#L88"): ("2000000,00", "2000000,00", "750000,00", _,
                                             "750000,00", "150000,00", "600000,00", _),
        ("1.7.21.33.11.00", "124", "#L103"): ("500000,00", "500000,00", "120000,00", "1500,00",
                                              _, _, "118500,00", _),
    },
    (2019, 6): {
        ("1.1.12.01.00.00", "16", "#L4"): ("20000,00", "20000,00", _, _, _, _, _, _),
        ("1.1.12.02.00.00", "17", "#L5"): ("1000000,00", "1050000,00", "562345,67", "2500,00",
                                           "559845,67", _, "559845,67", "1100000,00"),
        ("1.1.13.05.01.00", "29", "#L12"): (_, _, _, _, _, _, _, "300000,00"),
        ("1.7.21.01.02.00", "108", "#L88"): ("2000000,00", "2000000,00", "1050000,00", _,
                                             "1050000,00", "210000,00", "840000,00", _),
        ("1.7.21.33.11.00", "124", "#L103"): ("500000,00", "500000,00", "180000,00", "1500,00",
                                              _, _, "178500,00", _),
    },
    (2021, 3): {
        ("1.1.12.01.00", "1633", "#L4"): ("50000,00", "50000,00", "20000,00", "1000,00",
                                          "19000,00", _, "19000,00", _),
        ("1.1.18.01.11", "1638", "#L9"): ("800000,00", "800000,00", "250000,50", _, _, _,
                                          "250000,50", _),
        ("1.7.18.01.20", "1741", "#L112"): ("1500000,00", "1500000,00", "580000,00", _, _,
                                            "116000,00", "464000,00", _),
    },
    (2021, 6): {
        ("1.1.12.01.00", "1633", "#L4"): ("50000,00", "50000,00", "35000,00", "1000,00",
                                          "34000,00", _, "34000,00", _),
        ("1.1.18.01.11", "1638", "#L9"): ("800000,00", "800000,00", "350000,50", _, _, _,
                                          "350000,50", "850000,00"),
        ("1.7.18.01.20", "1741", "#L112"): ("1500000,00", "1600000,00", "840000,00", _, _,
                                            "168000,00", "672000,00", "1600000,00"),
    },
}
RUNS = sorted(HAND)


@pytest.mark.parametrize("run_", RUNS, ids=[f"{e}-b{b}" for e, b in RUNS])
def test_the_oracle_gives_the_hand_sums_of_3106200(run_: tuple[int, int]) -> None:
    files = run(BIM / BH / "receita.csv", *run_)
    assert sorted(files) == [FILE]
    assert values(files) == HAND[run_]


L = ("V0:[>R${}<]:-[17](Previsão Inicial das Receitas Brutas (a));"
     "V1:[>R${}<]:-[15](Previsão Atualizada das Receitas Brutas (b));"
     "V2:[>R${}<]:-[18](Receitas Realizadas Brutas (c));"
     "V3:[>R${}<]:-[6](Deduções das Receitas (d));"
     "V4:[>R${}<]:-[20](Receitas Realizadas da base para cálculo do percentual de aplicacao em "
     "ASPS (e) = (c-d));"
     "V5:[>R${}<]:-[5](Dedução Para Formação do FUNDEB (f));"
     "V6:[>R${}<]:-[24](Total Geral das Receitas Liquidas Realizadas (g) = (c-d-f);"
     "V7:[>R${}<]:-[22](Receitas Orçadas)")


def test_whole_files_byte_for_byte() -> None:
    got = run(BIM / BH / "receita.csv", 2019, 6)[FILE]
    # in the order of the lines table (#L4 ITR, #L5 IPTU, #L12 ISS, #L88 FPM, #L103 SUS), the
    # 2019 natureza as 9.9.99.99.99.99, CRLF after each line, a trailing ';', UTF-8
    assert got == (
        "1;1.1.12.01.00.00;16;" + L.format("20000,00", "20000,00", _, _, _, _, _, _)
        + ";#L4;#C8;\r\n"
        "1;1.1.12.02.00.00;17;" + L.format("1000000,00", "1050000,00", "562345,67", "2500,00",
                                           "559845,67", _, "559845,67", "1100000,00")
        + ";#L5;#C8;\r\n"
        # a line only next year's previsão makes (V7), b6 only
        "1;1.1.13.05.01.00;29;" + L.format(_, _, _, _, _, _, _, "300000,00") + ";#L12;#C8;\r\n"
        # V5 is the realized FUNDEB dedução (the redutora's previsão is -400000,00)
        "1;1.7.21.01.02.00;108;" + L.format("2000000,00", "2000000,00", "1050000,00", _,
                                            "1050000,00", "210000,00", "840000,00", _)
        + ";#L88;#C8;\r\n"
        # not in the ASPS base: V4 stays 0 though c - d is 178500,00
        "1;1.7.21.33.11.00;124;" + L.format("500000,00", "500000,00", "180000,00", "1500,00",
                                            _, _, "178500,00", _) + ";#L103;#C8;\r\n"
    ).encode("utf-8")
    assert "Previsão".encode() in got and "Previs\xe3o".encode("latin-1") not in got
    # 2021: 8 digits as 9.9.99.99.99 — no trailing dot (e-cidade 2021/2022 wrote
    # "1.7.18.01.20." with its 10-digit mask)
    b3 = run(BIM / BH / "receita.csv", 2021, 3)[FILE].decode("utf-8").split("\r\n")
    assert b3[2] == ("1;1.7.18.01.20;1741;" + L.format("1500000,00", "1500000,00", "580000,00",
                                                        _, _, "116000,00", "464000,00", _)
                     + ";#L112;#C8;")


def test_the_labels_are_the_tables() -> None:
    """The oracle spells the column labels as e-cidade does; they are colunas_receita's."""
    with open(TABLES / "colunas_receita.csv", encoding="utf-8", newline="") as fh:
        table = [(r["coluna"], int(r["codigo"]), r["rotulo"]) for r in csv.DictReader(fh)]
    assert table == list(oracle.COLUMNS)
    # [24]: the label opens "(c-d-f" and does not close it; the ')' written after it is the
    # format's, so the line has "(g) = (c-d-f)" and one '(' more than ')' in that cell
    assert oracle.COLUMNS[6][2].count("(") == 2 and oracle.COLUMNS[6][2].count(")") == 1


def test_the_lines_order_is_the_file_order() -> None:
    for year in ("2019", "2021"):
        folder = TABLES.parent.parent / year / "tabelas"
        with open(folder / f"elerecsiops_{year}.csv", encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
        assert [r["linha"] for r in rows] == [f"#L{i}" for i in range(len(rows))]


@pytest.mark.parametrize(("code", "view", "text"), [
    ("1112020000", 2019, "1.1.12.02.00.00"), ("7112040000", 2019, "7.1.12.04.00.00"),
    ("11180111", 2021, "1.1.18.01.11"), ("17180120", 2021, "1.7.18.01.20"),
])
def test_the_mask_per_year(code: str, view: int, text: str) -> None:
    assert oracle.natureza_text(code, view) == text
    with pytest.raises(oracle.OracleError):
        oracle.natureza_text(code, 2021 if view == 2019 else 2019)


@pytest.mark.parametrize(("value", "text"), [
    ("0", "0,00"), ("-0.00", "0,00"), ("1234567.8", "1234567,80"), ("-2345.67", "-2345,67"),
    ("0.005", "0,00"), ("0.015", "0,02"), ("12.345", "12,34"),
])
def test_money(value: str, text: str) -> None:
    assert oracle.money(Decimal(value)) == text


def _rows(tmp_path: Path, *rows: str, header: str = HEAD) -> Path:
    p = tmp_path / "receita.csv"
    p.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return p


def _one(files: dict[str, bytes]) -> tuple[str, ...]:
    (got,) = values(files).values()
    return got


def test_the_redutora_rules(tmp_path: Path) -> None:
    """2019 FPM (17180121010000 → 1721010200, ASPS base) and four redutoras: FUNDEB (05),
    restituição (01), one without a type, one whose estorno is positive; a principal row that
    carries a type by mistake is not a redutora."""
    r = "3106200;PM;2019;{d};{rub};102;N;;{pi};{pa};{arr};{pr};{t}"
    fpm, red = "17180121010000", "95171801210100"
    got = _one(run(_rows(
        tmp_path,
        r.format(d="01/01/2019", rub=fpm, pi="100,00", pa="120,00", arr="1000,00", pr="",
                 t="05"),
        r.format(d="02/01/2019", rub=red, pi="-20,00", pa="-24,00", arr="-200,00", pr=fpm,
                 t="05"),
        r.format(d="03/01/2019", rub=red, pi="0,00", pa="0,00", arr="-10,00", pr=fpm, t="01"),
        r.format(d="04/01/2019", rub=red, pi="0,00", pa="0,00", arr="-5,00", pr=fpm, t=""),
        r.format(d="05/01/2019", rub=red, pi="0,00", pa="0,00", arr="3,00", pr=fpm, t="01")),
        2019, 1))
    # V0/V1 without the redutora's previsão; c = 1000; d = 10 + 5 - 3 = 12; f = 200;
    # e = c - d = 988; g = c - d - f = 788
    assert got == ("100,00", "120,00", "1000,00", "12,00", "988,00", "200,00", "788,00", _)


def test_the_redutora_line_is_its_principal(tmp_path: Path) -> None:
    """The redutora's own rubric needs no de-para (91171803110100 has none); the line is the
    principal's. A rubric without a de-para is an error — for a principal rubric too."""
    with open(TABLES / "naturrecsiops_2019.csv", encoding="utf-8", newline="") as fh:
        keys = {r["natureza_ecidade"] for r in csv.DictReader(fh)}
    assert "91171803110100" not in keys and "17180311010000" in keys
    r = "3106200;FMS;2019;10/02/2019;{rub};155;N;;0,00;0,00;{arr};{pr};01"
    got = run(_rows(tmp_path, r.format(rub="91171803110100", arr="-7,00", pr="17180311010000")),
              2019, 1)
    assert list(values(got)) == [("1.7.21.33.11.00", "124", "#L103")]
    with pytest.raises(oracle.OracleError, match="sem de-para.*91171803110100"):
        run(_rows(tmp_path, r.format(rub="91171803110100", arr="-7,00", pr="")), 2019, 1)
    # 99900000 has a de-para entry without a target (naturrecsiops_2022.csv, last line)
    r21 = "3106200;PM;2021;10/02/2021;99900000;100;N;;0,00;0,00;1,00;;"
    with pytest.raises(oracle.OracleError, match="sem linha.*99900000"):
        run(_rows(tmp_path, r21), 2021, 1)


def test_scope_and_the_optional_columns(tmp_path: Path) -> None:
    """Without rubrica_principal and tipo_deducao (the COVID contract) every row is ordinary;
    out of the period, no lookup: no error, no file; next year's rows only in the 6th."""
    head = HEAD.rsplit(";", 2)[0]
    r = "3106200;PM;{e};{d};{rub};100;N;;{pi};{pi};{arr}"
    rows = (r.format(e=2019, d="30/04/2019", rub="11180111010000", pi="10,00", arr="-4,00"),
            r.format(e=2019, d="01/05/2019", rub="00000000000000", pi="1,00", arr="1,00"),
            r.format(e=2020, d="01/01/2020", rub="11180111010000", pi="7,00", arr="9,00"))
    got = _one(run(_rows(tmp_path, *rows[:1], rows[2], header=head), 2019, 2))
    assert got == ("10,00", "10,00", "-4,00", _, "-4,00", _, "-4,00", _)
    assert run(_rows(tmp_path, rows[1], rows[2], header=head), 2019, 2) == {}
    got = _one(run(_rows(tmp_path, rows[0], rows[2], header=head), 2019, 6))
    assert got[7] == "7,00" and got[2] == "-4,00"
    with pytest.raises(oracle.OracleError, match="sem de-para.*00000000000000"):
        run(_rows(tmp_path, rows[1], header=head), 2019, 6)


def test_the_3170206_fixture() -> None:
    """Its receita rows (README: IPTU and FPM with the FUNDEB redutora in 2019; in 2021 the
    redutoras carry the principal's own natureza), summed by hand."""
    fix = BIM / "3170206" / "receita.csv"
    assert values(run(fix, 2019, 3)) == {
        # 11120111010000 → 1112010000 (the de-para says ITR), 40000 + 35000
        ("1.1.12.01.00.00", "16", "#L4"): ("500000,00", "500000,00", "75000,00", _,
                                           "75000,00", _, "75000,00", _),
        ("1.7.21.01.02.00", "108", "#L88"): ("800000,00", "800000,00", "120000,00", _,
                                             "120000,00", "24000,00", "96000,00", _)}
    assert values(run(fix, 2021, 6)) == {
        # the restituição of 30/11 (tipo 01): b6 only
        ("1.1.12.01.00", "1633", "#L4"): ("300000,00", "300000,00", "60000,00", "1200,00",
                                          "58800,00", _, "58800,00", _),
        ("1.7.18.01.20", "1741", "#L112"): ("900000,00", "900000,00", "150000,00", _, _,
                                            "30000,00", "120000,00", _)}
