"""The Debita oracle (benchmarks/debita_baseline.py) against figures worked out by hand: each
case of fixtures/debita/casos/README.md (the per-discount outcome, the events, the balances,
the import marks, the resumo — transcribed here from the README, which was written from the
CSVs and the rules before the oracle ran), and the seed's results table rebuilt from its four
cells so that it cross-foots.

The oracle is what the `debita` package is checked against, so it must itself be checked
against numbers that did not come from it."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import debita_baseline as oracle  # noqa: E402
import debita_resumo as resumo  # noqa: E402

CASOS = ROOT / "fixtures" / "debita" / "casos"


def table(text: str) -> list[dict[str, str]]:
    lines = text.splitlines()
    head = lines[0].split(";")
    return [dict(zip(head, line.split(";"), strict=True)) for line in lines[1:]]


def run_case(name: str, rule: str = "em_vigor") -> tuple[dict[str, str], oracle.State]:
    state, _ = oracle.run_passos(CASOS / name, rule)
    return oracle.outputs(state), state


def pag(out: dict[str, str]) -> list[tuple[str, str, str, str, str, str]]:
    """(cpf, data_folha, valor, regra, valor_aplicado, valor_saldo) in the file's order."""
    return [(r["cpf"], r["data_folha"], r["valor"], r["regra"], r["valor_aplicado"],
             r["valor_saldo"]) for r in table(out["pagamentos.csv"])]


def res(out: dict[str, str]) -> dict[str, tuple[str, str, str]]:
    return {r["linha"]: (r["debitos"], r["multas"], r["total"])
            for r in table(out["resumo.csv"])}


def sal(out: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(r["cpf"], r["natureza"], r["saldo_nao_vinculado"])
            for r in table(out["saldos.csv"])]


def evs(out: dict[str, str]) -> list[tuple[str, str, str, str]]:
    """(imputacao, data, valor, origem) in the file's order (data, id_evento)."""
    return [(r["imputacao"], r["data"], r["valor"], r["origem"])
            for r in table(out["eventos.csv"])]


Z = "0,00"


def check_resumo(out: dict[str, str], **rows: tuple[str, str, str]) -> None:
    """The named rows as given, every other money row of the partition zero."""
    got = res(out)
    for label in ("aplicado_regra_01", "aplicado_desconto_em_folha", *resumo.UNLINKED):
        if label in got and label not in rows:
            assert got[label] == (Z, Z, Z), label
    for label, want in rows.items():
        assert got[label] == want, label


C1 = "00011111111"


def test_01_uma_imputacao() -> None:
    out, _ = run_case("01_uma_imputacao")
    assert pag(out) == [
        (C1, "05/01/2021", "200,00", "regra_01", Z, "200,00"),
        (C1, "10/01/2021", "50,00", "regra_01", Z, "50,00"),
        (C1, "05/02/2021", "300,00", "regra_01", "300,00", Z),
        (C1, "05/03/2021", "300,00", "regra_01", "300,00", Z),
        (C1, "05/04/2021", "500,00", "regra_01", "400,00", "100,00"),
        (C1, "05/05/2021", "100,00", "regra_02", Z, "100,00")]
    assert evs(out) == [("I01", "05/02/2021", "300,00", "regra_01"),
                        ("I01", "05/03/2021", "300,00", "regra_01"),
                        ("I01", "05/04/2021", "400,00", "regra_01")]
    assert sal(out) == [(C1, "DEBITO", "450,00"), (C1, "TOTAL", "450,00")]
    check_resumo(out, aplicado_regra_01=("1000,00", Z, "1000,00"),
                 nao_vinculado_excedente_ou_anterior=("350,00", Z, "350,00"),
                 nao_vinculado_sem_imputacao=("100,00", Z, "100,00"),
                 total_importado=("1450,00", Z, "1450,00"), registros_importados=("6", "0", "6"),
                 eventos_gerados=("3", "0", "3"), regra_01=("1000,00", Z, "1000,00"),
                 regra_02=("450,00", Z, "450,00"))


def test_02_duas_mesma_natureza() -> None:
    out, _ = run_case("02_duas_mesma_natureza")
    p = table(out["pagamentos.csv"])
    assert [(r["natureza"], r["regra"], r["imputacao"], r["valor_saldo"]) for r in p] == [
        ("MULTA", "regra_01", "M02", Z), ("DEBITO", "regra_02", "", "250,00"),
        ("DEBITO", "regra_02", "", "250,00"), ("MULTA", "regra_01", "M02", "50,00")]
    assert [e[2] for e in evs(out)] == ["100,00", "200,00"]
    c = "00022222222"
    assert sal(out) == [(c, "DEBITO", "500,00"), (c, "MULTA", "50,00"), (c, "TOTAL", "550,00")]
    check_resumo(out, aplicado_regra_01=(Z, "300,00", "300,00"),
                 nao_vinculado_mais_de_uma=("500,00", Z, "500,00"),
                 nao_vinculado_excedente_ou_anterior=(Z, "50,00", "50,00"),
                 total_importado=("500,00", "350,00", "850,00"),
                 registros_importados=("2", "2", "4"), eventos_gerados=("0", "2", "2"),
                 regra_01=(Z, "300,00", "300,00"), regra_02=("500,00", "50,00", "550,00"))


def test_03_debito_e_multa() -> None:
    out, _ = run_case("03_debito_e_multa")
    p = table(out["pagamentos.csv"])
    assert [(r["base"], r["natureza"], r["imputacao"], r["valor_aplicado"]) for r in p] == [
        ("SIGRH", "DEBITO", "I03", "300,00"), ("SIGRH", "MULTA", "M03", "200,00"),
        ("SIAPE", "DEBITO", "I03", "400,00")]
    c = "00033333333"
    assert sal(out) == [(c, "DEBITO", Z), (c, "MULTA", Z), (c, "TOTAL", Z)]
    check_resumo(out, aplicado_regra_01=("700,00", "200,00", "900,00"),
                 total_importado=("700,00", "200,00", "900,00"),
                 registros_importados=("2", "1", "3"), eventos_gerados=("2", "1", "3"))


def test_04_solidaria() -> None:
    out, _ = run_case("04_solidaria")
    a, b = "00044444444", "00044444445"
    assert pag(out) == [(a, "05/02/2021", "600,00", "regra_01", "600,00", Z),
                        (b, "05/02/2021", "300,00", "regra_01", "300,00", Z),
                        (b, "05/03/2021", "300,00", "regra_01", "100,00", "200,00")]
    assert {e[0] for e in evs(out)} == {"S04"} and len(evs(out)) == 3
    assert sal(out) == [(a, "DEBITO", Z), (a, "TOTAL", Z), (b, "DEBITO", "200,00"),
                        (b, "TOTAL", "200,00")]
    check_resumo(out, aplicado_regra_01=("1000,00", Z, "1000,00"),
                 nao_vinculado_excedente_ou_anterior=("200,00", Z, "200,00"),
                 total_importado=("1200,00", Z, "1200,00"))


def test_05_segunda_execucao_and_rerun_is_a_no_op() -> None:
    out, state = run_case("05_segunda_execucao")
    assert [r["situacao"] for r in table(out["importacao.csv"])] == [
        "JA_IMPORTADO", "JA_IMPORTADO", "NOVO", "JA_IMPORTADO", "NOVO"]
    assert [(v, a, s) for _, _, v, _, a, s in pag(out)] == [
        ("100,00", "100,00", Z)] * 3 + [("300,00", "300,00", Z), ("700,00", "500,00", "200,00")]
    assert sorted(e[2] for e in evs(out)) == ["100,00"] * 3 + ["300,00", "500,00"]
    check_resumo(out, aplicado_regra_01=("1100,00", Z, "1100,00"),
                 nao_vinculado_excedente_ou_anterior=("200,00", Z, "200,00"),
                 total_importado=("1300,00", Z, "1300,00"), registros_importados=("5", "0", "5"),
                 eventos_gerados=("5", "0", "5"))
    folder = CASOS / "05_segunda_execucao"
    for n in (1, 2):   # both files again: nothing new, every output but the marks unchanged
        oracle.run(state, [folder / f"desconto_{n}.csv"], folder / "imputacao_2.csv",
                   folder / "responsavel.csv")
        again = oracle.outputs(state)
        assert {r["situacao"] for r in table(again["importacao.csv"])} == {"JA_IMPORTADO"}
        assert {k: v for k, v in again.items() if k != "importacao.csv"} == \
            {k: v for k, v in out.items() if k != "importacao.csv"}


def test_06_evento_manual_refusals_repeat_and_reversal() -> None:
    state, refusals = oracle.run_passos(CASOS / "06_evento_manual")
    assert [m.split(" ")[1] for m in refusals] == ["total", "desconto", "cpf", "desconto",
                                                   "desconto", "evento", "evento"]
    assert "excede" in refusals[0] and "não é do cpf" in refusals[1]
    assert "não é responsável" in refusals[2] and "não vinculado" in refusals[3]
    assert "estornado: registre-o com outra data" in refusals[4]
    assert "já foi estornado" in refusals[5] and "Desconto em Folha" in refusals[6]
    out = oracle.outputs(state)
    got = evs(out)
    assert [e[1] for e in got] == sorted((e[1] for e in got),
                                         key=lambda d: (d[6:], d[3:5], d[:2]))
    assert sorted(got) == sorted([
        ("I07", "05/02/2021", "150,00", "regra_01"),
        ("I06A", "10/05/2021", "100,00", "desconto_em_folha"),
        ("I06A", "10/05/2021", "200,00", "desconto_em_folha"),
        ("I06A", "15/05/2021", "-200,00", "estorno"),
        ("I06B", "20/05/2021", "200,00", "desconto_em_folha"),
        ("I06B", "20/05/2021", "400,00", "desconto_em_folha")])
    p = table(out["pagamentos.csv"])
    assert [(r["regra"], r["imputacao"], r["valor_aplicado"], r["valor_saldo"]) for r in p] == [
        ("regra_02", "", "100,00", Z), ("regra_02", "", "200,00", Z),
        ("regra_02", "", "400,00", Z), ("regra_01", "I07", "150,00", Z)]
    assert state.remaining(state.imputations["I06A"]) == Decimal("400")
    assert state.remaining(state.imputations["I06B"]) == Decimal("400")
    check_resumo(out, aplicado_regra_01=("150,00", Z, "150,00"),
                 aplicado_desconto_em_folha=("700,00", Z, "700,00"),
                 total_importado=("850,00", Z, "850,00"), registros_importados=("4", "0", "4"),
                 eventos_gerados=("6", "0", "6"), regra_01=("850,00", Z, "850,00"),
                 regra_02=(Z, Z, Z))


def test_07_rubrica_desconhecida() -> None:
    """Lines 3-4: rubrics outside the map (the id they would have had); lines 6-7: cells
    the reader rejects (31/02/2020 is no date, 12.50 no money in the decimal-comma dialect):
    no id."""
    out, state = run_case("07_rubrica_desconhecida")
    marks = table(out["importacao.csv"])
    assert [(r["linha"], r["situacao"]) for r in marks] == [
        ("2", "NOVO"), ("3", "REJEITADO"), ("4", "REJEITADO"), ("5", "NOVO"),
        ("6", "REJEITADO"), ("7", "REJEITADO")]
    assert [bool(r["id_pagamento"]) for r in marks] == [True, True, True, True, False, False]
    assert len(state.rejected) == 4 and "'40667'" in state.rejected[0]
    check_resumo(out, aplicado_regra_01=("130,00", Z, "130,00"),
                 total_importado=("130,00", Z, "130,00"), registros_importados=("2", "0", "2"))


def test_08_quitada() -> None:
    out, _ = run_case("08_quitada")
    assert [(r["cpf"], r["regra"], r["imputacao"]) for r in table(out["pagamentos.csv"])] == [
        ("00088888888", "regra_01", "I08B"), ("00088888889", "regra_02", "")]
    check_resumo(out, aplicado_regra_01=("200,00", Z, "200,00"),
                 nao_vinculado_sem_imputacao=("300,00", Z, "300,00"),
                 total_importado=("500,00", Z, "500,00"), eventos_gerados=("1", "0", "1"))


def test_09_valor_abaixo_do_aplicado() -> None:
    out, state = run_case("09_valor_abaixo_do_aplicado")
    assert state.warnings == ["imputação I09: valor_atualizado 600,00 abaixo do já aplicado "
                              "800,00 (nada é desfeito)"]
    assert [e[2] for e in evs(out)] == ["400,00", "400,00"]
    assert pag(out)[-1][3:] == ("regra_02", Z, "100,00")
    check_resumo(out, aplicado_regra_01=("800,00", Z, "800,00"),
                 nao_vinculado_sem_imputacao=("100,00", Z, "100,00"),
                 total_importado=("900,00", Z, "900,00"), eventos_gerados=("2", "0", "2"))


def test_10_regra_anterior() -> None:
    """Débito discounts pay only débitos (M10 gets nothing): D10A, D10B, then S10."""
    out, _ = run_case("10_regra_anterior", "anterior")
    p = table(out["pagamentos.csv"])
    assert [(r["imputacao"], r["valor_aplicado"], r["valor_saldo"]) for r in p] == [
        ("D10A", "120,00", Z), ("D10A|D10B|S10", "600,00", Z), ("S10", "80,00", "320,00"),
        ("", Z, "50,00")]
    assert {r["regra"] for r in p} == {"regra_anterior"}
    assert sorted((e[0], e[2]) for e in evs(out) if e[1] == "05/02/2020") == [
        ("D10A", "80,00"), ("D10B", "100,00"), ("S10", "420,00")]
    assert "M10" not in {e[0] for e in evs(out)}
    assert sal(out) == [("00010101010", "DEBITO", "320,00"), ("00010101010", "TOTAL", "320,00"),
                        ("00010101011", "DEBITO", "50,00"), ("00010101011", "TOTAL", "50,00")]
    got = res(out)
    assert "aplicado_regra_01" not in got
    assert got["aplicado_regra_anterior"] == ("800,00", Z, "800,00")
    assert got["nao_vinculado_excedente_ou_anterior"] == ("320,00", Z, "320,00")
    assert got["nao_vinculado_sem_imputacao"] == ("50,00", Z, "50,00")
    assert got["total_importado"] == ("1170,00", Z, "1170,00")
    assert got["eventos_gerados"] == ("5", "0", "5")
    # the seed's view named after the rule: applied 800,00; unlinked 320,00 + 50,00
    assert list(got)[-2:] == ["regra_anterior", "nao_vinculado"]
    assert got["regra_anterior"] == ("800,00", Z, "800,00")
    assert got["nao_vinculado"] == ("370,00", Z, "370,00")


def test_10_same_inputs_under_the_rules_in_force() -> None:
    out, _ = run_case("10_regra_anterior", "em_vigor")
    assert [(r["regra"], r["imputacao"]) for r in table(out["pagamentos.csv"])] == [
        ("regra_02", "")] * 3 + [("regra_01", "S10")]
    check_resumo(out, aplicado_regra_01=("50,00", Z, "50,00"),
                 nao_vinculado_mais_de_uma=("1120,00", Z, "1120,00"),
                 total_importado=("1170,00", Z, "1170,00"), eventos_gerados=("1", "0", "1"))


# ---------------------------------------------------------------- the seed's table
D = Decimal
SEED_CELLS = (D("16778599.13"), D("170760.36"), D("1698712.15"), D("351531.64"))


def test_seed_table_cross_foots_from_its_four_cells() -> None:
    """Regra 01 / Regra 02 × Débitos / Multas as the seed's table prints them; every total
    here was added by hand: 16.778.599,13 + 170.760,36 = 16.949.359,49; 1.698.712,15 +
    351.531,64 = 2.050.243,79; 16.778.599,13 + 1.698.712,15 = 18.477.311,28; 170.760,36 +
    351.531,64 = 522.292,00; grand total 18.999.603,28."""
    rows = resumo.seed_view(*SEED_CELLS)
    got = {r.label: (r.debitos, r.multas, r.total) for r in rows}
    assert got == {"regra_01": (D("16778599.13"), D("170760.36"), D("16949359.49")),
                   "regra_02": (D("1698712.15"), D("351531.64"), D("2050243.79")),
                   "total": (D("18477311.28"), D("522292.00"), D("18999603.28"))}
    # the seed prints the row totals where the column totals go, and vice versa
    printed_total_column = (D("18477311.28"), D("522292.00"))
    printed_total_row = (D("16949359.49"), D("2050243.79"))
    assert printed_total_column == (got["total"][0], got["total"][1])
    assert printed_total_row == (got["regra_01"][2], got["regra_02"][2])
    # the prose's three figures are misspellings: with them nothing adds up to the total
    prose = (D("16778559.13"), D("170760.36"), D("1698712.15"), D("351351.64"))
    assert sum(prose) != D("18999603.28") and sum(SEED_CELLS) == D("18999603.28")


def test_seed_cells_through_the_resumo_and_markdown() -> None:
    cells = {"aplicado_regra_01": SEED_CELLS[:2],
             "nao_vinculado_mais_de_uma": SEED_CELLS[2:]}
    rows = resumo.resumo_rows("aplicado_regra_01", cells, (0, 0), (0, 0))
    csv_rows = {r["linha"]: (r["debitos"], r["multas"], r["total"])
                for r in table(resumo.resumo_csv(rows))}
    assert csv_rows["total_importado"] == ("18477311,28", "522292,00", "18999603,28")
    assert csv_rows["regra_01"] == ("16778599,13", "170760,36", "16949359,49")
    assert csv_rows["regra_02"] == ("1698712,15", "351531,64", "2050243,79")
    md = resumo.resumo_md(rows)
    assert "| total_importado | 18.477.311,28 | 522.292,00 | 18.999.603,28 |" in md
    assert "| regra_02 | 1.698.712,15 | 351.531,64 | 2.050.243,79 |" in md


@pytest.mark.parametrize(("value", "plain", "br"), [
    (D("0"), "0,00", "0,00"), (D("-0.001"), "0,00", "0,00"), (D("1234.5"), "1234,50", "1.234,50"),
    (D("-1234567.891"), "-1234567,89", "-1.234.567,89"), (D("999.995"), "1000,00", "1.000,00")])
def test_money_text(value: Decimal, plain: str, br: str) -> None:
    assert (resumo.money(value), resumo.money_br(value)) == (plain, br)


def test_ids_follow_the_contract_text() -> None:
    """DEBITA.md's id recipe, by hashlib directly (not through the oracle's helpers)."""
    import hashlib
    out, _ = run_case("07_rubrica_desconhecida")
    first = table(out["importacao.csv"])[0]["id_pagamento"]
    text = "SIGRH|00077777777|40453|02/2020|05/02/2020|100,00|1"
    assert first == hashlib.sha256(text.encode()).hexdigest()[:16]


def test_cli_state_file_across_invocations(tmp_path: Path) -> None:
    """Two CLI invocations on one --state = one invocation with both runs."""
    f = CASOS / "05_segunda_execucao"
    runs = [["--run", f"desconto={f}/desconto_{n}.csv", f"imputacao={f}/imputacao_{n}.csv",
             f"responsavel={f}/responsavel.csv"] for n in (1, 2)]
    cmd = [sys.executable, str(ROOT / "benchmarks" / "debita_baseline.py")]
    state = tmp_path / "estado.sqlite"
    for r in runs:
        subprocess.run([*cmd, "--state", str(state), "--out", str(tmp_path / "a"), *r],
                       check=True)
    subprocess.run([*cmd, "--out", str(tmp_path / "b"), *runs[0], *runs[1]], check=True)
    for name in ("pagamentos.csv", "eventos.csv", "saldos.csv", "importacao.csv",
                 "resumo.csv", "resumo.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    bad = subprocess.run([*cmd, "--state", str(state), "--rule", "anterior", "--out",
                          str(tmp_path / "c"), *runs[0]], capture_output=True, text=True)
    assert bad.returncode == 1 and "é da regra 'em_vigor'" in bad.stderr


def test_cli_steps_one_invocation_each_equal_run_passos(tmp_path: Path) -> None:
    """Case 06 step by step through the CLI on one --state (events, refusals and reversals
    saved and loaded): the same files as run_passos in memory; a refused step exits 1."""
    folder = CASOS / "06_evento_manual"
    cmd = [sys.executable, str(ROOT / "benchmarks" / "debita_baseline.py"), "--state",
           str(tmp_path / "estado.sqlite"), "--out", str(tmp_path / "out")]
    for text in (folder / "passos.txt").read_text(encoding="utf-8").splitlines():
        words = text.split()
        if not words or words[0].startswith("#"):
            continue
        refuse = words[0] == "recusa"
        words = words[2:] if refuse else words   # recusa CODE STEP ...
        done = subprocess.run([*cmd, "--" + words[0], *words[1:]], cwd=folder,
                              capture_output=True, text=True)
        assert done.returncode == (1 if refuse else 0), (text, done.stderr)
    state, _ = oracle.run_passos(folder)
    want = oracle.outputs(state)
    for name, text in want.items():
        if name != "importacao.csv":   # the CLI's last invocation ran no --run
            assert (tmp_path / "out" / name).read_text(encoding="utf-8") == text, name


def test_11_solidaria_evento_e_esgotamento() -> None:
    state, refusals = oracle.run_passos(CASOS / "11_solidaria_evento_e_esgotamento")
    assert len(refusals) == 1 and "300,00 excede" in refusals[0] and "(250,00)" in refusals[0]
    out = oracle.outputs(state)
    a, b = "00011000011", "00011000012"
    assert pag(out) == [(a, "05/02/2021", "300,00", "regra_02", "300,00", Z),
                        (a, "06/04/2021", "80,00", "regra_01", "80,00", Z),
                        (b, "05/02/2021", "150,00", "regra_01", "150,00", Z),
                        (b, "05/03/2021", "100,00", "regra_01", "100,00", Z),
                        (b, "05/04/2021", "100,00", "regra_01", "50,00", "50,00")]
    assert evs(out) == [("S11", "05/02/2021", "150,00", "regra_01"),
                        ("S11", "05/03/2021", "100,00", "regra_01"),
                        ("S11", "05/04/2021", "50,00", "regra_01"),
                        ("D11", "06/04/2021", "80,00", "regra_01"),
                        ("S11", "10/04/2021", "300,00", "desconto_em_folha")]
    assert state.remaining(state.imputations["S11"]) == 0
    assert sal(out) == [(a, "DEBITO", Z), (a, "TOTAL", Z), (b, "DEBITO", "50,00"),
                        (b, "TOTAL", "50,00")]
    assert [r["situacao"] for r in table(out["importacao.csv"])] == ["NOVO", "NOVO"]
    check_resumo(out, aplicado_regra_01=("380,00", Z, "380,00"),
                 aplicado_desconto_em_folha=("300,00", Z, "300,00"),
                 nao_vinculado_excedente_ou_anterior=("50,00", Z, "50,00"),
                 total_importado=("730,00", Z, "730,00"), registros_importados=("5", "0", "5"),
                 eventos_gerados=("5", "0", "5"), regra_01=("680,00", Z, "680,00"),
                 regra_02=("50,00", Z, "50,00"))
