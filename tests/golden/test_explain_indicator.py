"""`apura explain` of an indicator record (runtime/explain_indicator.py) on the Portal do Gestor
fixture of município 4205407, exercício 2019, mês 6 (fixtures/portal_gestor/4205407/).

Hand-computed from the fixture's lines (line 1 is the header):
* mediaescola1a5menores (avg(nota), 1º–5º ano of 2019, the 5 lowest, ties by escola): EM Dom
  Bosco has one note of série 1–5, nota.csv:15 (6,00; lines 13 and 14 are séries 8 and 9):
  media 6,00, notas 1. EM Castelo Branco (lines 9, 10: 5 + 7 → 6,00) and EM Estrela (16, 17:
  6 + 6 → 6,00) tie with it at 6,00; by escola, Castelo Branco 1st, Dom Bosco 2nd, Estrela 3rd;
  EM Figueira (line 18, 10,00) is the 6th candidate, past the cut of 5.
* tributospendentespagamento, classificação 1 (IPTU: receitas 101 and 117, classificacao.csv
  lines 2 and 3), vencidos até junho e não pagos: lancamento.csv:3 (2.300 − 0) and :4 (200 − 50):
  pendente 2.450,00 = 2.300,00 + 150,00, lancamentos 2. Line 2 (paid in full) is left out by the
  filter (lancado > pago), line 9 by the exercício.
* gastosprevistorealizadolrf (poder E, the package's default): siconfi.csv of mês 6 is lines
  5–7; pessoal = line 6 (660.000,00; the lines 5 and 7 add 0: RCL and the Legislativo), rcl =
  line 5 (1.200.000,00); 660.000 × 100 / 1.200.000 = 55,00 against the LRF maximum of 54 for
  the Executivo: it does not comply.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from runtime import explain_indicator
from runtime.errors import RunFailed
from runtime.indicator import id_integracao
from tests.conftest import ROOT

FIX = ROOT / "fixtures" / "portal_gestor" / "4205407"
PARAMS = {"exercicio": 2019, "mes": 6}
ENTITY = "4205407"


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    got = runtime.load(ROOT / "generated" / "portal_gestor")
    assert isinstance(got, runtime.Program)
    return got


def _inputs() -> dict[str, Path]:
    return {p.stem: p for p in sorted(FIX.glob("*.csv"))}


def _explain(program: runtime.Program, node: str, *locator: str) -> dict:  # type: ignore[type-arg]
    return explain_indicator.explain(program, _inputs(), PARAMS, node=node, part=ENTITY,
                                     locator=locator)


def _lines(records: list[dict]) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(Path(r["source"]["file"]).name, r["source"]["line"]) for r in records]


def test_a_sum_lists_its_records_adding_up_to_the_value(program: runtime.Program) -> None:
    t = _explain(program, "tributospendentespagamento", "1")
    assert t["kind"] == "indicator" and t["partition"] == ENTITY
    assert t["value"]["pendente"] == "2450.00" and t["value"]["lancamentos"] == 2
    pendente, lancamentos = t["reads"]
    assert _lines(pendente["records"]) == [("lancamento.csv", 3), ("lancamento.csv", 4)]
    assert [r["contributed"] for r in pendente["records"]] == ["2300.00", "150.00"]
    assert Decimal(pendente["records_sum"]) == Decimal(t["value"]["pendente"])
    assert lancamentos["records_sum"] == 2
    assert pendente["rule"] == {"text": "sum(lancado - pago)", "source": {
        "file": "specs/portal_gestor/arrecadacao/tributospendentespagamento.yaml", "line": 20,
        "col": 3}}
    # the key came from the classification map: both entries, with their lines
    assert sorted((lk["key"]["receita"], lk["source"]["line"]) for lk in t["lookups"]) == [
        (101, 2), (117, 3)]
    text = explain_indicator.render_text(t)
    assert "soma dos 2 registro(s): 2450,00 (igual ao valor)" in text
    assert "fixtures/portal_gestor/4205407/lancamento.csv:4  150,00" in text


def test_a_ranked_record_with_a_tie(program: runtime.Program) -> None:
    t = _explain(program, "mediaescola1a5menores", "EM Dom Bosco")
    assert t["value"]["posicao"] == 2 and t["value"]["media"] == "6.00"
    assert t["id_integracao"] == id_integracao("mediaescola1a5menores", ENTITY, 2019, "#2")
    media = t["reads"][0]
    assert _lines(media["records"]) == [("nota.csv", 15)]
    assert media["records_sum"] == "6.00" and media["count"] == 1
    assert [(r["position"], r["key"]["escola"]) for r in t["ranking"]] == [
        (1, "EM Castelo Branco"), (2, "EM Dom Bosco"), (3, "EM Estrela"), (4, "EM Ana Neri"),
        (5, "EM Bom Pastor"), (None, "EM Figueira")]
    assert "empate em media = 6,00 com \"EM Castelo Branco\", \"EM Estrela\"" in t["decision"]
    assert "desempate por escola" in t["decision"] and "posição 2 de 5" in t["decision"]
    # the same record by its idIntegracao
    again = _explain(program, "educacao/mediaescola1a5menores", t["id_integracao"])
    assert again["value"] == t["value"]
    assert json.loads(json.dumps(t)) == t  # the tree is JSON as it is (exact strings)


def test_a_ratio_against_its_limit(program: runtime.Program) -> None:
    t = _explain(program, "gastosprevistorealizadolrf")
    assert (t["value"]["pessoal"], t["value"]["rcl"]) == ("660000.00", "1200000.00")
    pessoal, rcl = t["reads"]
    assert [r["contributed"] for r in pessoal["records"]] == ["0", "660000.00", "0"]
    # June's RREO03 RCL, RGF01 E and L (the RREO12 rows of the month are not the LRF's)
    assert _lines(pessoal["records"]) == [("siconfi.csv", 15), ("siconfi.csv", 16),
                                          ("siconfi.csv", 17)]
    assert Decimal(pessoal["records_sum"]) == Decimal("660000.00")
    assert Decimal(rcl["records_sum"]) == Decimal("1200000.00")
    q = t["ratio"]
    assert (q["percentual"], q["limit"], q["limit_field"], q["cumpre"]) == (
        "55.00", "54.00", "limiteMaximo", False)
    assert q["basis"].startswith("LRF (LC 101/2000) art. 20, III")
    assert q["limit_text"] == 'if $poder == "L" then 6 else 54'
    assert "55,00 ≤ 54,00? não cumpre" in t["decision"]


def test_an_unknown_record_names_the_choices(program: runtime.Program) -> None:
    with pytest.raises(RunFailed) as got:
        _explain(program, "mediaescola1a5menores", "EM Dom Bosc")
    (err,) = got.value.errors
    assert err.code == "D1941" and "EM Dom Bosco" in (err.help or "")
    with pytest.raises(RunFailed) as got:
        _explain(program, "mediaescola1a5menore", "x")
    assert [e.code for e in got.value.errors] == ["D1940"]
