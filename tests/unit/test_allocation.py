"""The `allocation` kind beyond the hand fixture: the largest-remainder split, the priority and
pro-rata policies (the package's spec changed to them, in a temporary copy), the summary fed
the seed's four cells (it cross-foots by construction), and the cap warning D1402. Expected
values are worked out by hand in each test's docstring."""

from __future__ import annotations

import datetime
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from runtime.allocation import pro_rata
from runtime.allocation_report import render_outputs
from runtime.allocation_state import Event
from runtime.allocation_state import Payment
from tests.conftest import ROOT

D = Decimal


def test_pro_rata_by_hand() -> None:
    # 100,00 in three equal parts: 3333 cents each, the cent left to the first (ties: order)
    assert pro_rata(D("100.00"), [("a", D(1)), ("b", D(1)), ("c", D(1))]) == {
        "a": D("33.34"), "b": D("33.33"), "c": D("33.33")}
    # 0,05 by 1:2 → 1,67 and 3,33 cents: floors 1 and 3, the cent to the larger remainder (a)
    assert pro_rata(D("0.05"), [("a", D(1)), ("b", D(2))]) == {"a": D("0.02"), "b": D("0.03")}
    assert pro_rata(D("10.00"), [("a", D(0))]) == {"a": D("0.00")}


@given(st.integers(min_value=0, max_value=10**12),
       st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=8))
def test_pro_rata_parts_sum_to_the_whole(cents: int, weights: list[int]) -> None:
    total = D(cents) / 100
    parts = pro_rata(total, [(str(i), D(w)) for i, w in enumerate(weights)])
    if sum(weights) == 0:
        assert set(parts.values()) == {D("0.00")}
        return
    assert sum(parts.values(), D(0)) == total
    for i, w in enumerate(weights):  # each part within a cent of its exact share
        assert abs(parts[str(i)] - total * w / sum(weights)) < D("0.01")


def test_the_summary_cross_foots_the_seeds_four_cells() -> None:
    """The seed's table (Regra 01: débitos 16.778.599,13, multas 170.760,36; Regra 02:
    débitos 1.698.712,15, multas 351.531,64) with the totals in their places: débitos
    18.477.311,28, multas 522.292,00, Regra 01 16.949.359,49, Regra 02 2.050.243,79, all
    18.999.603,28 (the seed prints the row totals as column totals and vice versa)."""
    node = runtime.load(ROOT / "generated" / "debita").package.node("regras_vigentes")
    day = datetime.date(2022, 1, 5)

    def pay(pid: str, cls: str, amount: str, reason: str) -> Payment:
        return Payment(id=pid, fields=(pid,) * 6, party="1", cls=cls, amount=D(amount),
                       date=day, rule="regra_01" if reason == "excess" else "regra_02",
                       reason=reason)

    pays = {p.id: p for p in (pay("a", "DEBITO", "16778599.13", "excess"),
                              pay("b", "MULTA", "170760.36", "excess"),
                              pay("c", "DEBITO", "1698712.15", "several"),
                              pay("d", "MULTA", "351531.64", "none"))}
    events = [Event(id=f"e{k}", payment=k, target="I", party="1", date=day,
                    amount=pays[k].amount, origin="regra_01") for k in ("a", "b")]
    out = render_outputs(node, pays, events, [])  # type: ignore[arg-type]
    rows = {r.split(";")[0]: r.split(";")[1:] for r in
            out["resumo.csv"].decode().splitlines()[1:]}
    assert rows["regra_01"] == ["16778599,13", "170760,36", "16949359,49"]
    assert rows["regra_02"] == ["1698712,15", "351531,64", "2050243,79"]
    assert rows["total_importado"] == ["18477311,28", "522292,00", "18999603,28"]
    assert rows["registros_importados"] == ["2", "2", "4"]
    assert rows["eventos_gerados"] == ["1", "1", "2"]
    md = out["resumo.md"].decode()
    assert "| total_importado | 18.477.311,28 | 522.292,00 | 18.999.603,28 |" in md


SPEC = ROOT / "specs" / "debita"


def _variant(tmp: Path, edits: list[tuple[str, str]]) -> runtime.Program:
    specs = tmp / "specs" / "debita"
    shutil.copytree(SPEC, specs)
    path = specs / "regras_vigentes.yaml"
    text = path.read_text("utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text, "utf-8")
    res = compile_package(specs, base=tmp)
    assert [d.code for d in res.errors] == []
    write_tree(tmp / "gen" / "debita", res.files)
    got = runtime.load(tmp / "gen" / "debita")
    assert isinstance(got, runtime.Program)
    return got


IMPUTACOES = [  # X is responsible for all three; D2 is solidary with Y
    {"imputacao": "M1", "processo": "p", "natureza": "MULTA", "solidaria": "N",
     "data_imputacao": "01/01/2021", "valor_atualizado": "100,00", "situacao": "ABERTA"},
    {"imputacao": "D1", "processo": "p", "natureza": "DEBITO", "solidaria": "N",
     "data_imputacao": "01/06/2020", "valor_atualizado": "300,00", "situacao": "ABERTA"},
    {"imputacao": "D2", "processo": "p", "natureza": "DEBITO", "solidaria": "S",
     "data_imputacao": "01/01/2020", "valor_atualizado": "1000,00", "situacao": "ABERTA"},
]
RESPONSAVEIS = [{"imputacao": i, "cpf": "X"} for i in ("M1", "D1", "D2")] + [
    {"imputacao": "D2", "cpf": "Y"}]
DESCONTOS = [
    {"base": "SIGRH", "cpf": "X", "rubrica": "40453", "competencia": "02/2021",
     "data_folha": "05/02/2021", "valor": "500,00"},
    {"base": "SIGRH", "cpf": "X", "rubrica": "40667", "competencia": "02/2021",
     "data_folha": "05/02/2021", "valor": "150,00"},
]


def _pagamentos(result: runtime.Result) -> dict[tuple[str, str], list[str]]:
    lines = result.outputs["pagamentos.csv"].decode().splitlines()[1:]
    return {(r[3], r[6]): [r[8], r[9], r[10], r[11]] for r in (x.split(";") for x in lines)}


def test_priority_orders_the_targets(tmp_path: Path) -> None:
    """The earlier rule's order (non-solidary débitos before solidary ones, oldest first),
    the class restricting the targets: the débito of 500,00 pays D1's 300,00 then 200,00 of
    D2 (two events, `D1|D2`); the multa of 150,00 pays M1's 100,00 and 50,00 stays."""
    program = _variant(tmp_path, [
        ("policy: single", 'policy: priority\norder:\n  - if solidaria == "N" then 1 else 2\n'
         "  - data_imputacao"),
        ("decided: regra_01, unlinked: regra_02, origin: regra_01",
         "decided: regra_anterior, unlinked: regra_02, origin: regra_anterior")])
    result = program.run({"desconto": DESCONTOS, "imputacao": IMPUTACOES,
                          "responsavel": RESPONSAVEIS}, {})
    assert _pagamentos(result) == {
        ("40453", "500,00"): ["regra_anterior", "D1|D2", "500,00", "0,00"],
        ("40667", "150,00"): ["regra_anterior", "M1", "100,00", "50,00"]}
    events = [r.split(";")[2:] for r in result.outputs["eventos.csv"].decode().splitlines()[1:]]
    assert sorted((e[0], e[3]) for e in events) == [("D1", "300,00"), ("D2", "200,00"),
                                                   ("M1", "100,00")]


def test_pro_rata_splits_by_what_remains(tmp_path: Path) -> None:
    """Pro rata over D1 (remaining 300,00) and D2 (1000,00): 50000 cents × 300/1300 =
    11538,46 → 11538, × 1000/1300 = 38461,54 → 38461; the cent left goes to the larger
    remainder (D2's ,54 > D1's ,46): D1 115,38, D2 384,62, summing to 500,00."""
    program = _variant(tmp_path, [("policy: single", "policy: pro_rata")])
    result = program.run({"desconto": DESCONTOS[:1], "imputacao": IMPUTACOES,
                          "responsavel": RESPONSAVEIS}, {})
    events = [r.split(";")[2:] for r in result.outputs["eventos.csv"].decode().splitlines()[1:]]
    assert sorted((e[0], e[3]) for e in events) == [("D1", "115,38"), ("D2", "384,62")]
    assert _pagamentos(result)[("40453", "500,00")] == ["regra_01", "D1|D2", "500,00", "0,00"]


def test_single_leaves_two_open_unlinked() -> None:
    """The rules in force: X has two open débitos → Regra 02, nothing linked; one multa →
    Regra 01 on M1 (100,00; 50,00 overflows)."""
    program = runtime.load(ROOT / "generated" / "debita")
    result = program.run({"desconto": DESCONTOS, "imputacao": IMPUTACOES,
                          "responsavel": RESPONSAVEIS}, {})
    assert _pagamentos(result) == {
        ("40453", "500,00"): ["regra_02", "", "0,00", "500,00"],
        ("40667", "150,00"): ["regra_01", "M1", "100,00", "50,00"]}


def test_a_cap_below_what_was_applied_is_reported(tmp_path: Path) -> None:
    """Run 1 applies 100,00 to M1; run 2 says M1's valor_atualizado is 80,00: D1402, nothing
    undone (the event stays), nothing more applied."""
    program = runtime.load(ROOT / "generated" / "debita")
    state = tmp_path / "s.sqlite"
    ins = {"desconto": DESCONTOS[1:], "imputacao": IMPUTACOES, "responsavel": RESPONSAVEIS}
    program.run_to(tmp_path / "o1", ins, {}, state=state)
    lower = [dict(i, valor_atualizado="80,00") if i["imputacao"] == "M1" else i
             for i in IMPUTACOES]
    more = [dict(DESCONTOS[1], competencia="03/2021", data_folha="05/03/2021")]
    rec = program.run_to(tmp_path / "o2", {**ins, "desconto": more, "imputacao": lower}, {},
                         state=state)
    assert [(w.code, w.line) for w in rec.result.warnings] == [("D1402", 1)]
    assert "80,00" in rec.result.warnings[0].message
    events = (tmp_path / "o2" / "eventos.csv").read_text().splitlines()[1:]
    assert [e.split(";")[2] for e in events] == ["M1"]


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_in_memory_rows_on_both_back_ends(backend: str) -> None:
    program = runtime.load(ROOT / "generated" / "debita")
    ins = {"desconto": DESCONTOS, "imputacao": IMPUTACOES, "responsavel": RESPONSAVEIS}
    a = program.run(ins, {}, backend=backend).outputs
    b = program.run(ins, {}).outputs
    assert a == b


def test_a_target_twice_fails_the_run() -> None:
    program = runtime.load(ROOT / "generated" / "debita")
    twice = [*IMPUTACOES, dict(IMPUTACOES[1], valor_atualizado="999,00")]
    with pytest.raises(runtime.RunFailed) as exc:
        program.run({"desconto": DESCONTOS, "imputacao": twice,
                     "responsavel": RESPONSAVEIS}, {})
    assert [(e.code, e.line) for e in exc.value.errors] == [("D1407", 4)]
    assert '"D1"' in exc.value.errors[0].message and "linha 2" in exc.value.errors[0].message


def test_apura_diff_of_the_two_rules() -> None:
    from click.testing import CliRunner

    from compiler.cli import cli

    got = CliRunner().invoke(cli, ["diff", str(SPEC / "regras_vigentes.yaml"),
                                   str(SPEC / "regra_anterior.yaml")])
    assert got.exit_code == 1, got.output
    assert "alocação regras_vigentes → regra_anterior" in got.stdout
    assert ": policy: single → priority" in got.stdout
    assert "summary:" in got.stdout and "aplicado_regra_anterior" in got.stdout
