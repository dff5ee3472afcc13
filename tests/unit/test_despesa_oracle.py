"""The oracle of the SIOPS despesa files (benchmarks/siops_despesa_baseline.py) against what was
worked out by hand: the totals of fixtures/siops/bimestre/3106200/README.md (each (planilha,
element) V0..V6 of 2019 b3/b6 and 2021 b3/b6, summed by hand from the CSV rows and the tables,
no script), full IMPT lines typed out here, the file-name rule, the money format, and the
3170206 fixture's hand totals (its README) and its unconfirmed equivalência.

The oracle is the reference the `sheets` kind is checked against, so it must itself be checked
against numbers that did not come from it."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from benchmarks import siops_despesa_baseline as oracle
from tests.conftest import ROOT

TABLES = ROOT / "specs" / "siops" / "2019" / "tabelas"
BIM = ROOT / "fixtures" / "siops" / "bimestre"
BH = "3106200"


def run(folder: Path, exercicio: int, bimestre: int, **kw: object) -> dict[str, bytes]:
    inputs = {n: folder / f"{n}.csv" for n in oracle.INPUTS if (folder / f"{n}.csv").is_file()}
    return oracle.despesa_files(inputs, TABLES, oracle.year_view(exercicio), exercicio,
                                bimestre, **kw)  # type: ignore[arg-type]


def values(files: dict[str, bytes]) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """(planilha, element, #L) → the seven values as printed, from every line of every file;
    checks on the way that each line sits in the file its planilha names."""
    out = {}
    for path, data in files.items():
        for raw in data.decode("utf-8").split("\r\n")[:-1]:
            f = raw.split(";")
            assert path.split("/")[1].startswith(f"{f[0]}_"), (path, raw)
            vals = tuple(x.split("[>R$")[1].split("<]")[0] for x in f[3:10])
            out[(f[0], f[1].replace(".", ""), f[10])] = vals
    return out


_ = "0,00"
# Transcribed from the README tables of 3106200 (hand sums): V0..V6.
HAND = {
    (2019, 3): {
        ("3_11", "3390140000", "#L135"): (_, _, "4000,00", _, _, _, _),
        ("3_11", "3190110199", "#L28"): ("80000,00", "90000,00", "50000,00", "20000,00",
                                         "20000,00", _, _),
        ("4_12", "3390309900", "#L158"): ("15000,00", "15000,00", "12345,67", "10000,00", _, _,
                                          _),
        ("5_13", "3390399999", "#L188"): (_, _, "8000,00", _, _, _, _),
        ("5_18", "3390369900", "#L172"): (_, _, "700,00", _, _, _, _),
        ("6_14", "3290000000", "#L77"): ("2000,00", "2000,00", "1500,00", _, _, _, _),
        ("7_15", "3190929900", "#L52"): (_, _, "1750,00", _, _, _, _),
        ("10_17", "3390300000", "#L140"): (_, _, "999,99", "999,99", _, _, _),
    },
    (2019, 6): {
        ("3_11", "3390140000", "#L135"): (_, _, "4000,00", _, _, "4000,00", _),
        ("3_11", "3190110199", "#L28"): ("80000,00", "85000,00", "50000,00", "20000,00",
                                         "20000,00", "30000,00", "90000,00"),
        ("4_12", "3390309900", "#L158"): ("15000,00", "15000,00", "12345,67", "10000,00", _,
                                          "2345,67", _),
        ("4_17", "3390309900", "#L158"): (_, _, _, _, _, _, "1000,00"),
        ("5_13", "3390399999", "#L188"): (_, _, "8000,00", _, _, "8000,00", _),
        ("5_18", "3390369900", "#L172"): (_, _, "700,00", "700,00", _, _, _),
        ("6_14", "3290000000", "#L77"): ("2000,00", "2000,00", "1500,00", _, _, "1500,00", _),
        ("7_15", "3190929900", "#L52"): (_, _, "1750,00", _, _, "1750,00", "2500,00"),
        ("8_16", "4490529900", "#L280"): (_, _, "30000,00", _, _, "30000,00", _),
        ("10_17", "3390300000", "#L140"): (_, _, "999,99", "999,99", _, _, _),
    },
    (2021, 3): {
        ("10_18", "3190929900", "#L52"): (_, _, "1200,00", "1200,00", "1200,00", _, _),
        ("86_12", "3390309900", "#L158"): ("45000,00", "45000,00", "40000,00", "15000,00", _,
                                           _, _),
        ("87_13", "3390080000", "#L134"): (_, _, "6000,00", _, _, _, _),
        ("90_16", "3390369900", "#L172"): (_, _, "3000,00", _, _, _, _),
    },
    (2021, 6): {
        ("10_18", "3190929900", "#L52"): (_, _, "1200,00", "1200,00", "1000,00", _, _),
        ("86_12", "3390309900", "#L158"): ("45000,00", "50000,00", "40000,00", "15000,00", _,
                                           "25000,00", "50000,00"),
        ("87_13", "3390080000", "#L134"): (_, _, "6000,00", _, _, "6000,00", _),
        ("88_11", "4490529900", "#L280"): (_, _, "9000,00", _, _, "9000,00", _),
        ("90_16", "3390369900", "#L172"): (_, _, "3000,00", _, _, "3000,00", _),
    },
}
# The file names of each run, typed from nomearqdessiops (accents and spaces by hand).
NAMES = {
    (2019, 3): ["3_11_Desp_Rec_Ordinarios_Administ", "4_12_Desp_Rec_Impostos_Transf_Aten_Basica",
                "5_13_Desp_Rec_Sus_Federal_Assis_Hosp", "5_18_Desp_Rec_Sus_Federal_Inf_Compl",
                "6_14_Desp_Rec_Sus_Estadual_Supor_Prof", "7_15_Desp_Rec_Convenios_Vigil_Sanit",
                "10_17_Desp_Outros_Rec_Alim_Nutr"],
    (2019, 6): ["3_11_Desp_Rec_Ordinarios_Administ", "4_12_Desp_Rec_Impostos_Transf_Aten_Basica",
                "4_17_Desp_Rec_Impostos_Transf_Alim_Nutr",
                "5_13_Desp_Rec_Sus_Federal_Assis_Hosp", "5_18_Desp_Rec_Sus_Federal_Inf_Compl",
                "6_14_Desp_Rec_Sus_Estadual_Supor_Prof", "7_15_Desp_Rec_Convenios_Vigil_Sanit",
                "8_16_Desp_Rec_Oper_Credito_Vigil_Epid", "10_17_Desp_Outros_Rec_Alim_Nutr"],
    (2021, 3): ["10_18_Desp_Outros_Rec_Inf_Compl",
                "86_12_Desp_Rec_Sus_Federal_Custeio_Aten_Basica",
                "87_13_Desp_Rec_Sus_Federal_Custeio_Covid19_Assis_Hosp",
                "90_16_Desp_Rec_Transf_Uniao_lei_173-2020_Vigil_Epid"],
    (2021, 6): ["10_18_Desp_Outros_Rec_Inf_Compl",
                "86_12_Desp_Rec_Sus_Federal_Custeio_Aten_Basica",
                "87_13_Desp_Rec_Sus_Federal_Custeio_Covid19_Assis_Hosp",
                "88_11_Desp_Rec_Sus_Federal_Invest_Administ",
                "90_16_Desp_Rec_Transf_Uniao_lei_173-2020_Vigil_Epid"],
}
RUNS = sorted(HAND)


@pytest.mark.parametrize("run_", RUNS, ids=[f"{e}-b{b}" for e, b in RUNS])
def test_the_oracle_gives_the_hand_sums_of_3106200(run_: tuple[int, int]) -> None:
    files = run(BIM / BH, *run_)
    assert sorted(files) == sorted(f"{BH}/{n}.IMPT" for n in NAMES[run_])
    assert values(files) == HAND[run_]


L = ("V0:[>R${}<]:-[13](Dotação Inicial);V1:[>R${}<]:-[12](Dotação Atualizada);"
     "V2:[>R${}<]:-[9](Despesas Empenhadas);V3:[>R${}<]:-[10](Despesas Liquidadas);"
     "V4:[>R${}<]:-[11](Despesas Pagas);"
     "V5:[>R${}<]:-[14](Inscritas em Restos a Pagar Não Processados);"
     "V6:[>R${}<]:-[8](Despesas Orçadas)")


def test_whole_files_byte_for_byte() -> None:
    b6 = run(BIM / BH, 2019, 6)
    # two lines, in the order of the elements table's #L numbers: #L28 before #L135, though
    # 310 (#L135) comes first in despesa_movimento.csv and "#L135" < "#L28" as text; CRLF after
    # each line, a trailing ';'
    assert b6[f"{BH}/3_11_Desp_Rec_Ordinarios_Administ.IMPT"] == (
        "3_11;3.1.90.11.01.99;381;" + L.format("80000,00", "85000,00", "50000,00", "20000,00",
                                               "20000,00", "30000,00", "90000,00")
        + ";#L28;#C7;\r\n"
        "3_11;3.3.90.14.00.00;496;" + L.format("0,00", "0,00", "4000,00", "0,00", "0,00",
                                               "4000,00", "0,00") + ";#L135;#C7;\r\n"
    ).encode("utf-8")
    # the exceção (3390300100 → 3390300000, a group element) and the fonte outside the table
    assert b6[f"{BH}/10_17_Desp_Outros_Rec_Alim_Nutr.IMPT"] == (
        "10_17;3.3.90.30.00.00;501;" + L.format("0,00", "0,00", "999,99", "999,99", "0,00",
                                                "0,00", "0,00") + ";#L140;#C7;\r\n").encode()
    # a de-para target that is a group element (3290210000 → 3290000000)
    assert b6[f"{BH}/6_14_Desp_Rec_Sus_Estadual_Supor_Prof.IMPT"] == (
        "6_14;3.2.90.00.00.00;432;" + L.format("2000,00", "2000,00", "1500,00", "0,00", "0,00",
                                               "1500,00", "0,00") + ";#L77;#C7;\r\n").encode()
    # a planilha only the next year's budget makes (V6), b6 only
    assert b6[f"{BH}/4_17_Desp_Rec_Impostos_Transf_Alim_Nutr.IMPT"] == (
        "4_17;3.3.90.30.99.00;519;" + L.format("0,00", "0,00", "0,00", "0,00", "0,00", "0,00",
                                               "1000,00") + ";#L158;#C7;\r\n").encode()
    b3 = run(BIM / BH, 2021, 3)
    # 2021: fonte 161 → 90, the file name with 'União' and a space
    assert b3[f"{BH}/90_16_Desp_Rec_Transf_Uniao_lei_173-2020_Vigil_Epid.IMPT"] == (
        "90_16;3.3.90.36.99.00;533;" + L.format("0,00", "0,00", "3000,00", "0,00", "0,00",
                                                "0,00", "0,00") + ";#L172;#C7;\r\n").encode()
    # 2021: the duplicated key 3190920000 still resolves to 3190929900; fonte 148 → 10
    assert b3[f"{BH}/10_18_Desp_Outros_Rec_Inf_Compl.IMPT"] == (
        "10_18;3.1.90.92.99.00;407;" + L.format("0,00", "0,00", "1200,00", "1200,00", "1200,00",
                                                "0,00", "0,00") + ";#L52;#C7;\r\n").encode()


def test_the_labels_are_the_tables() -> None:
    """The oracle spells the column labels as the contract does; they are colunas_despesa's."""
    with open(TABLES / "colunas_despesa.csv", encoding="utf-8", newline="") as fh:
        table = [(r["coluna"], int(r["codigo"]), r["rotulo"]) for r in csv.DictReader(fh)]
    assert table == list(oracle.COLUMNS)


def test_the_elements_order_is_the_file_order() -> None:
    """The oracle orders lines by the number of `linha` (#L<n>); that is the file's order."""
    with open(TABLES / "eledessiops_2019.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["linha"] for r in rows] == [f"#L{i}" for i in range(340)]


@pytest.mark.parametrize(("name", "stem"), [
    ("Desp_Rec_Transf_União_lei 173-2020_Administ", "Desp_Rec_Transf_Uniao_lei_173-2020_Administ"),
    ("Desp_Rec_Ordinarios_Aten_Basica", "Desp_Rec_Ordinarios_Aten_Basica"),
    ("Atenção Básica à Saúde", "Atencao_Basica_a_Saude"),
    ("Vigilância  Epidemiológica", "Vigilancia__Epidemiologica"),  # each space is one '_'
])
def test_the_file_name_rule(name: str, stem: str) -> None:
    assert oracle.file_stem(name) == stem


@pytest.mark.parametrize(("value", "text"), [
    ("0", "0,00"), ("-0.00", "0,00"), ("1234567.8", "1234567,80"), ("-2345.67", "-2345,67"),
    ("0.005", "0,00"), ("0.015", "0,02"), ("-0.004", "0,00"), ("12.345", "12,34"),
])
def test_money(value: str, text: str) -> None:
    assert oracle.money(Decimal(value)) == text


def test_negatives_and_the_missing_entries(tmp_path: Path) -> None:
    """An anulação larger than the empenho prints '-'; a record without an equivalência or a
    natureza without a de-para is an error, not a missing line."""
    head = (BIM / BH / "despesa_movimento.csv").read_text("utf-8").splitlines()[0]
    row = "3106200;FMS;2019;03;900;{d};{t};{v};10;301;{n};{r};S;N;ASPS;;"
    (tmp_path / "equivalencia_recursos.csv").write_bytes(
        (BIM / BH / "equivalencia_recursos.csv").read_bytes())

    def with_rows(*rows: str) -> dict[str, bytes]:
        (tmp_path / "despesa_movimento.csv").write_text("\n".join([head, *rows]) + "\n", "utf-8")
        return run(tmp_path, 2019, 6)

    got = with_rows(row.format(d="10/01/2019", t="EMPENHO", v="100,00", n="3390300000", r="102"),
                    row.format(d="10/02/2019", t="ANULACAO_EMPENHO", v="150,25", n="3390300000",
                               r="102"),
                    row.format(d="10/02/2019", t="OUTRO", v="999,00", n="3390300000", r="102"))
    assert got == {f"{BH}/4_12_Desp_Rec_Impostos_Transf_Aten_Basica.IMPT": (
        "4_12;3.3.90.30.99.00;519;" + L.format("0,00", "0,00", "-50,25", "0,00", "0,00",
                                               "-50,25", "0,00") + ";#L158;#C7;\r\n").encode()}
    with pytest.raises(oracle.OracleError, match="sem equivalência.*recurso 777"):
        with_rows(row.format(d="10/01/2019", t="EMPENHO", v="1,00", n="3390300000", r="777"))
    # 3191920000 enters the de-para in 2021 only
    with pytest.raises(oracle.OracleError, match="sem de-para.*3191920000"):
        with_rows(row.format(d="10/01/2019", t="EMPENHO", v="1,00", n="3191920000", r="102"))
    # out of the period: no lookup, no error, no file
    assert with_rows(row.format(d="10/01/2020", t="EMPENHO", v="1,00", n="3191920000",
                                r="777")) == {}


def v2_total(files: dict[str, bytes]) -> Decimal:
    return sum((Decimal(v[2].replace(",", ".")) for v in values(files).values()), Decimal(0))


def test_the_3170206_fixture() -> None:
    """Its README's hand totals of empenhado (função 10, Saúde); its SUGERIDA equivalência of
    fonte 190 (empenho 107, April 2019) stops 2019 runs, not 2021 ones."""
    fix = BIM / "3170206"
    for bim in (3, 6):
        with pytest.raises(oracle.Unconfirmed, match="190"):
            run(fix, 2019, bim)
    assert v2_total(run(fix, 2019, 3, allow_unconfirmed=True)) == Decimal("205956.05")
    assert v2_total(run(fix, 2019, 6, allow_unconfirmed=True)) == Decimal("213456.05")
    assert v2_total(run(fix, 2021, 3)) == Decimal("65999.99")
    assert v2_total(run(fix, 2021, 6)) == Decimal("58999.99")
