"""The Desconto em Folha event and its reversal (runtime/allocation_events.py and the CLI
commands), on the hand fixture's state after run 1 (fixtures/debita/hand/README.md): cpf
11111111111 has two unlinked débitos of 250,00 (Regra 02, two open débitos I3 and I4); cpf
00000000191 has 300,00 that overflowed I2 (nothing remains of I2). Each refusal, the no-op
repeat, the reversal, and the next run's outputs are checked against hand figures."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

import runtime
from compiler.cli import cli
from runtime.allocation_events import desconto_em_folha
from runtime.allocation_events import estorno
from runtime.allocation_events import unlinked
from tests.conftest import ROOT

HAND = ROOT / "fixtures" / "debita" / "hand"
C1, C2 = "72e6d8675547f2be", "f42f1338c8c0ceb6"  # cpf 11111111111's two débitos (run 1)
B_EXCESS = "8f92d80f97117d08"  # cpf 00000000191's 400,00 of 01/03/2021: 300,00 unlinked
DAY = datetime.date(2021, 3, 10)
TARGETS = {"imputacao": HAND / "imputacao.csv", "responsavel": HAND / "responsavel.csv"}


def _run(program: runtime.Program, state: Path, out: Path, month: str = "run1") -> None:
    program.run_to(out, {"desconto": HAND / month / "desconto.csv", **TARGETS}, {},
                   state=state, rejects=out.parent / f"rej_{out.name}.csv")


@pytest.fixture
def setup(tmp_path: Path) -> tuple[runtime.Program, Path]:
    program = runtime.load(ROOT / "generated" / "debita")
    assert isinstance(program, runtime.Program)
    state = tmp_path / "s.sqlite"
    _run(program, state, tmp_path / "o1")
    return program, state


def _codes(exc: pytest.ExceptionInfo[runtime.RunFailed]) -> list[str]:
    return [e.code for e in exc.value.errors]


def test_listing_shows_the_seeds_fields(setup: tuple[runtime.Program, Path]) -> None:
    program, state = setup
    got = [(u.id, u.natureza, u.rubrica, u.sistema, str(u.valor), u.folha, str(u.saldo))
           for u in unlinked(program, state, "11111111111")]
    assert sorted(got) == sorted([(C1, "DEBITO", "40453", "SIGRH", "250.00", "02/2021", "250.00"),
                                  (C2, "DEBITO", "40453", "SIGRH", "250.00", "02/2021",
                                   "250.00")])
    assert [u.saldo for u in unlinked(program, state, "00000000191")] == [300]


def test_event_repeat_reversal_and_the_next_run(setup: tuple[runtime.Program, Path],
                                               tmp_path: Path) -> None:
    """C's 500,00 to I3 (remaining 800,00): two events; the same again: a no-op; one reversed
    (−250,00); run 2 then shows aplicado_desconto_em_folha 250,00 and the Regra 02 row 250,00
    (was 500,00), everything else as run 2's expected resumo."""
    program, state = setup
    made = desconto_em_folha(program, state, cpf="11111111111", payments=[C1, C2],
                             target="I3", date=DAY, ledgers=TARGETS)
    assert [(e.payment, str(e.amount), new) for e, new in made] == [
        (C1, "250.00", True), (C2, "250.00", True)]
    again = desconto_em_folha(program, state, cpf="11111111111", payments=[C1, C2],
                              target="I3", date=DAY, ledgers=TARGETS)
    assert [new for _, new in again] == [False, False]
    assert unlinked(program, state, "11111111111") == []
    rev, new = estorno(program, state, event=made[0][0].id, date=datetime.date(2021, 3, 15))
    assert new and str(rev.amount) == "-250.00" and rev.origin == "estorno"
    rev2, new2 = estorno(program, state, event=made[0][0].id, date=datetime.date(2021, 3, 15))
    assert rev2 == rev and not new2
    with pytest.raises(runtime.RunFailed) as exc:  # already reversed: not on another date
        estorno(program, state, event=made[0][0].id, date=datetime.date(2021, 4, 1))
    assert _codes(exc) == ["D1406"] and "15/03/2021" in exc.value.errors[0].message
    assert [u.id for u in unlinked(program, state, "11111111111")] == [C1]
    _run(program, state, tmp_path / "o2", "run2")
    resumo = {r.split(";")[0]: r.split(";")[1:]
              for r in (tmp_path / "o2" / "resumo.csv").read_text().splitlines()[1:]}
    assert resumo["aplicado_desconto_em_folha"] == ["250,00", "0,00", "250,00"]
    assert resumo["nao_vinculado_mais_de_uma"] == ["250,00", "0,00", "250,00"]
    assert resumo["total_importado"] == ["3050,00", "180,00", "3230,00"]
    assert resumo["eventos_gerados"] == ["10", "2", "12"]  # 9 + two manual + the reversal
    events = (tmp_path / "o2" / "eventos.csv").read_text().splitlines()
    assert f"{rev.id};{C1};I3;11111111111;15/03/2021;-250,00;estorno" in events


def test_refusals(setup: tuple[runtime.Program, Path]) -> None:
    program, state = setup
    cases = [  # (cpf, payments, target, code)
        ("11111111111", ["0000000000000000"], "I3", "D1403"),   # not imported
        ("11111111111", [B_EXCESS], "I3", "D1403"),             # not the cpf's
        ("00011122233", ["3e40c12003cbe018"], "I1", "D1403"),   # fully applied: not unlinked
        ("11111111111", [C1], "I9", "D1404"),                   # no such imputation
        ("11111111111", [C1], "I1", "D1404"),                   # the cpf is not responsible
        ("00000000191", [B_EXCESS], "I2", "D1405"),             # 300,00 > 0,00 remaining
    ]
    for cpf, pays, target, code in cases:
        with pytest.raises(runtime.RunFailed) as exc:
            desconto_em_folha(program, state, cpf=cpf, payments=pays, target=target, date=DAY,
                              ledgers=TARGETS)
        assert _codes(exc) == [code], (cpf, pays, target)
    with pytest.raises(runtime.RunFailed) as exc:  # a Regra 01 event is not reversed
        estorno(program, state, event="15e669264df113aa", date=DAY)
    assert _codes(exc) == ["D1406"]
    # nothing was recorded by the refusals
    assert len(unlinked(program, state, "11111111111")) == 2


def test_cli(setup: tuple[runtime.Program, Path]) -> None:
    _, state = setup
    pkg = str(ROOT / "generated" / "debita")
    runner = CliRunner()
    got = runner.invoke(cli, ["descontos", pkg, "--cpf", "00000000191", "--state", str(state)])
    assert got.exit_code == 0
    assert got.stdout.splitlines()[1] == f"{B_EXCESS};DEBITO;00840;SIAPE;400,00;03/2021;300,00"
    base = ["desconto-em-folha", pkg, "--state", str(state), "--cpf", "00000000191",
            "--imputacao", "I2", "--pagamento", B_EXCESS,
            "--input", f"imputacao={TARGETS['imputacao']}",
            "--input", f"responsavel={TARGETS['responsavel']}"]
    got = runner.invoke(cli, [*base, "--data", "10/03/2021"])
    assert got.exit_code == 1 and "erro[D1405]" in got.stderr and "Traceback" not in got.stderr
    got = runner.invoke(cli, [*base, "--data", "31/02/2021"])
    assert got.exit_code == 2 and "não é uma data" in got.stderr


def test_explain_a_discount_and_an_event(setup: tuple[runtime.Program, Path]) -> None:
    """cpf 33333333333's 350,00 (run 1, line 10): one open débito, I7, with 300,00 left after
    F's 300,00 of 01/02/2021: 300,00 applied, 50,00 overflow (README of the fixture)."""
    _, state = setup
    pkg = str(ROOT / "generated" / "debita")
    got = CliRunner().invoke(cli, ["explain", pkg, "--state", str(state),
                                   "--pagamento", "d2639932dba2efe5"])
    assert got.exit_code == 0, got.stderr
    lines = got.stdout.splitlines()
    assert lines[0] == "Memória da alocação: pacote debita · regras_vigentes"
    assert lines[2].endswith("fixtures/debita/hand/run1/desconto.csv:10")
    assert lines[3].startswith("  regra regra_01 (specs/debita/regras_vigentes.yaml:")
    assert lines[3].endswith('imputações abertas de DEBITO do cpf: "I7" (restava 300,00)')
    assert lines[4].endswith('→ imputação "I7": 300,00; restava 300,00, ficou 0,00')
    assert lines[5] == ('  não vinculado: 50,00 (excedente do limite de "I7": todo o que '
                        'restava foi aplicado)')
    assert lines[6] == "  aplicado 300,00 + saldo 50,00 = valor 350,00"
    ev = CliRunner().invoke(cli, ["explain", pkg, "--state", str(state),
                                  "--evento", "5dedbdd099768ba7"])
    assert ev.exit_code == 0 and ev.stdout.splitlines()[2:] == lines[1:]
    two = CliRunner().invoke(cli, ["explain", pkg, "--state", str(state),
                                   "--pagamento", C1])
    assert '"I3" (restava 800,00), "I4" (restava 700,00)' in two.stdout
    missing = CliRunner().invoke(cli, ["explain", pkg, "--state", str(state),
                                       "--pagamento", "0" * 16])
    assert missing.exit_code == 1 and "não está no estado" in missing.stderr
    usage = CliRunner().invoke(cli, ["explain", pkg, "--row", "1"])
    assert usage.exit_code == 2 and "--layout" in usage.stderr


def _id(line: str, n: int = 1) -> str:
    """A discount's id by DEBITA.md's recipe, by hashlib directly."""
    import hashlib
    return hashlib.sha256(f"{line}|{n}".encode()).hexdigest()[:16]


def _why(program: runtime.Program, state: Path, pid: str, rule: str | None = None) -> str:
    from runtime.allocation_explain import explain
    got = [x for x in explain(program, state, payment=pid, rule=rule).splitlines()
           if x.startswith("  não vinculado: ")]
    assert len(got) == 1
    return got[0]


def test_explain_tells_the_cap_from_the_date(tmp_path: Path) -> None:
    """fixtures/debita/casos/01 (its README, by hand): I01 (DÉBITO, 10/01/2021, 1.000,00) is
    00011111111's only open imputation. 200,00 of 05/01/2021 is dated before it and 50,00 of
    10/01/2021 on it: nothing applied; 500,00 of 05/04/2021 found 400,00 left: 100,00
    overflow. All three are the same summary row (excedente_ou_anterior); the explain says
    which."""
    program = runtime.load(ROOT / "generated" / "debita")
    assert isinstance(program, runtime.Program)
    case = ROOT / "fixtures" / "debita" / "casos" / "01_uma_imputacao"
    state = tmp_path / "s.sqlite"
    program.run_to(tmp_path / "out", {n: case / f"{n}.csv" for n in
                                      ("desconto", "imputacao", "responsavel")}, {}, state=state)
    row = "SIGRH|00011111111|40453|{}|{}|{}"
    before = _id(row.format("12/2020", "05/01/2021", "200,00"))
    same_day = _id(row.format("01/2021", "10/01/2021", "50,00"))
    over = _id(row.format("04/2021", "05/04/2021", "500,00"))
    assert _why(program, state, before) == ('  não vinculado: 200,00 (data igual ou anterior à '
                                            'da imputação "I01")')
    assert _why(program, state, same_day) == ('  não vinculado: 50,00 (data igual ou anterior à '
                                              'da imputação "I01")')
    assert _why(program, state, over) == ('  não vinculado: 100,00 (excedente do limite de '
                                          '"I01": todo o que restava foi aplicado)')


def test_explain_both_reasons_under_the_earlier_rule(tmp_path: Path) -> None:
    """The earlier rule, by hand: cpf 00000000077 has D1 (DÉBITO, 01/01/2020, 100,00) and D2
    (DÉBITO, 01/06/2020, 500,00), both open. Its 300,00 of 05/03/2020 pays D1 its 100,00 (D1
    filled) and cannot pay D2, dated after it: 200,00 unlinked for both reasons."""
    program = runtime.load(ROOT / "generated" / "debita")
    assert isinstance(program, runtime.Program)
    (tmp_path / "imputacao.csv").write_text(
        "imputacao;processo;natureza;solidaria;data_imputacao;valor_atualizado;situacao\n"
        "D1;P1;DEBITO;N;01/01/2020;100,00;ABERTA\nD2;P2;DEBITO;N;01/06/2020;500,00;ABERTA\n")
    (tmp_path / "responsavel.csv").write_text("imputacao;cpf\nD1;00000000077\nD2;00000000077\n")
    (tmp_path / "desconto.csv").write_text("base;cpf;rubrica;competencia;data_folha;valor\n"
                                           "SIGRH;00000000077;40453;03/2020;05/03/2020;300,00\n")
    state = tmp_path / "s.sqlite"
    program.run_to(tmp_path / "out", {n: tmp_path / f"{n}.csv" for n in
                                      ("desconto", "imputacao", "responsavel")}, {},
                   state=state, select="regra_anterior")
    pid = _id("SIGRH|00000000077|40453|03/2020|05/03/2020|300,00")
    assert _why(program, state, pid, "regra_anterior") == (
        '  não vinculado: 200,00 (excedente do limite de "D1": todo o que restava foi '
        'aplicado; data igual ou anterior à da imputação "D2")')
