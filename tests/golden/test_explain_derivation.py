"""`apura explain` of a derived field (runtime/explain_derivation.py).

Transparência MG (fixtures/transparencia_mg/convenio_pagamento.csv; line 1 the header): the
convênio 1301777 is lines 5 (OP 2201: financeiro 170.000,00, pendente 0,00) and 6 (OP 2202,
cancelled: financeiro 0,00, pendente −170.000,00).
* The seed's formula (`convenios`), valor_repassado = Σ financeiro − Σ pendente: line 5
  contributes 170.000 − 0 = 170.000,00, line 6 0 − (−170.000) = 170.000,00; the value
  340.000,00 — the portal's wrong figure.
* The correction (`convenios_corrigido`), Σ financeiro − Σ (pendente where financeiro ≠ 0):
  line 5 170.000,00, line 6 0 (its where is false: no financial payment); the value 170.000,00.
* `ordens`, per record: the 1st output record is line 2, the seed's OP 1547 "pendente para o
  banco- aguardando assinatura digital", classified by the situacoes_op table
  (specs/transparencia_mg/tabelas/situacoes_op.csv, the line holding that description).

The seed-001 case (tests/cases/derivation/assinatura/data; line 1 the header): diário 10 (its
1st record, diario.csv:2) reaches the etapas of lines 2–5 of etapa.csv; ordered by data_criacao
descending: 5 (06/02, no término), 4 (05/02), 3 (02/02), 2 (01/02). max_by data_termino: lines 3
and 4 both end on 30/06/2024, the latest; line 4 comes first in the order, so codetapa 3.
Its coordenadores (turma T1, tipo Coordenador, vínculo on 15/06/2024): line 3 (Ana, ends 31/05)
is out, lines 2 (Bruna, open end) and 5 (Davi, ends 30/06) in; by codprofessor the first is
Bruna. sum(etapas, faltas) = 1 + 2 + 0 (null) + 3 = 6.

The assinatura package (fixtures/assinatura/): D09, the 9th document (documento.csv:10),
deadline 19/06/2024, em_assinatura: on 20/06 its status is "fora do prazo" — the rule reads
the parameter data_base (the run's date) — and the field is frozen (incremental.frozen), so
the memória says the file may hold the value of an earlier load.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from runtime import explain_derivation
from runtime.errors import RunFailed
from tests.buildkit import build
from tests.conftest import ROOT

FIXTURE = ROOT / "fixtures" / "transparencia_mg" / "convenio_pagamento.csv"
CASE = ROOT / "tests" / "cases" / "derivation" / "assinatura"


@pytest.fixture(scope="module")
def tmg() -> runtime.Program:
    got = runtime.load(ROOT / "generated" / "transparencia_mg")
    assert isinstance(got, runtime.Program)
    return got


@pytest.fixture(scope="module")
def assinatura(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    got = build(CASE / "specs", CASE, tmp_path_factory.mktemp("gen") / "assinatura")
    assert isinstance(got, runtime.Program)
    return got


def _tmg(program: runtime.Program, node: str, *locator: str) -> dict:  # type: ignore[type-arg]
    return explain_derivation.explain(program, {"convenio_pagamento": str(FIXTURE)}, {},
                                      node=node, part=None, locator=locator)


def _lines(records: list[dict]) -> list[tuple[str, int]]:  # type: ignore[type-arg]
    return [(Path(r["source"]["file"]).name, r["source"]["line"]) for r in records]


@pytest.mark.parametrize(("node", "value", "contributions", "rule"), [
    ("convenios", "340000.00", ["170000.00", "170000.00"],
     ("specs/transparencia_mg/convenios.yaml", None,
      "valor_pago_financeiro - valor_pago_pendente")),
    ("convenios_corrigido", "170000.00", ["170000.00", "0.00"],
     ("specs/transparencia_mg/convenios_corrigido.yaml", None,
      "valor_pago_financeiro - sum(valor_pago_pendente where valor_pago_financeiro != 0)")),
])
def test_the_cancelled_op_under_both_rule_versions(tmg: runtime.Program, node: str, value: str,
                                                   contributions: list[str],
                                                   rule: tuple[str, None, str]) -> None:
    t = _tmg(tmg, node, "1301777", "valor_repassado")
    assert t["kind"] == "derivation" and t["value"] == value
    assert _lines(t["records"]) == [("convenio_pagamento.csv", 5),
                                    ("convenio_pagamento.csv", 6)]
    assert [Decimal(r["contributed"]) for r in t["records"]] == [Decimal(c) for c in
                                                                 contributions]
    assert Decimal(t["records_sum"]) == Decimal(value)
    # the line of `  valor_repassado: ...` in the spec, read from the file
    line = next(i for i, text in enumerate((ROOT / rule[0]).read_text("utf-8").splitlines(), 1)
                if text.startswith("  valor_repassado:"))
    assert (t["rule"]["source"]["file"], t["rule"]["source"]["line"], t["rule"]["text"]) == (
        rule[0], line, rule[2])
    text = explain_derivation.render_text(t)
    assert f"soma dos 2 registro(s): {value.replace('.', ',')} (igual ao valor)" in text


def test_the_correction_says_why_the_pendente_is_out(tmg: runtime.Program) -> None:
    t = _tmg(tmg, "convenios_corrigido", "1301777", "valor_repassado")
    pendente = next(r for r in t["reads"] if "where" in r["records"][0]["fields"])
    assert [r["fields"]["where"] for r in pendente["records"]] == [True, False]
    assert pendente["records"][1]["fields"]["valor_pago_pendente"] == "-170000.00"
    assert Decimal(pendente["records_sum"]) == 0


def test_a_per_record_field_and_its_classify_entry(tmg: runtime.Program) -> None:
    # output position 3: ordens_pagamento.csv is in key order (convênio, ano, número), so the
    # seed's OP 1547 of 2020 comes after 1320/2019 and 1320/2020 of its convênio
    t = _tmg(tmg, "ordens", "3", "etapa")
    assert t["value"] == "Pendente de assinatura digital"
    assert t["record"] == {"file": str(FIXTURE), "line": 2}
    (lk,) = t["lookups"]
    assert lk["map"] == "situacao_op" and lk["hit"]["pendente"] is True
    src = lk["source"]["file"]
    assert src == "specs/transparencia_mg/tabelas/situacoes_op.csv"
    listed = (ROOT / src).read_text("utf-8").splitlines()[lk["source"]["line"] - 1]
    assert listed.startswith("pendente para o banco- aguardando assinatura digital;")


def test_a_related_pick_with_a_tie(assinatura: runtime.Program) -> None:
    inputs = {n: str(CASE / "data" / f"{n}.csv") for n in ("diario", "etapa", "turma_professor")}

    def why(field: str) -> dict:  # type: ignore[type-arg]
        return explain_derivation.explain(assinatura, inputs, {}, node="assinatura_diario",
                                          part=None, locator=("1", field))
    t = why("ultima_etapa")
    assert t["value"] == 3
    (etapas,) = t["reads"]
    assert _lines(etapas["records"]) == [("etapa.csv", 5), ("etapa.csv", 4), ("etapa.csv", 3),
                                         ("etapa.csv", 2)]
    picked = [r["source"]["line"] for r in etapas["records"] if r["fields"].get("escolhido")]
    assert picked == [4]
    assert "empate com" in etapas["decision"] and "etapa.csv:3" in etapas["decision"]
    assert json.loads(json.dumps(t)) == t
    c = why("primeiro_coordenador")["reads"][0]
    assert c["value"] == "Bruna"
    assert [(r["source"]["line"], r["fields"]["na_colecao"]) for r in c["records"]] == [
        (3, False), (2, True), (4, False), (5, True)]
    assert c["collection"]["outer"] == {"data_referencia": "2024-06-15"}
    f = why("faltas")
    assert f["value"] == 6 and f["records_sum"] == 6
    assert [r["contributed"] for r in f["records"]] == [1, 2, 0, 3]


def test_a_field_reading_a_parameter_and_frozen() -> None:
    program = runtime.load(ROOT / "generated" / "assinatura")
    data = ROOT / "fixtures" / "assinatura"
    inputs = {n: str(data / f"{n}.csv") for n in ("documento", "documento_parametro",
                                                  "relatorio", "etapa", "periodo_letivo")}
    t = explain_derivation.explain(program, inputs, {"data_base": "2024-06-20"},
                                   node="documentos", part=None,
                                   locator=("9", "situacao_plano"))
    assert t["value"] == "fora do prazo"
    assert t["record"] == {"file": inputs["documento"], "line": 10}
    assert t["records"][0]["fields"]["_param__data_base"] == "2024-06-20"
    assert any("campo congelado" in n and "congelado_desde" in n for n in t["notes"])


def test_unknown_record_and_field(tmg: runtime.Program) -> None:
    with pytest.raises(RunFailed) as got:
        _tmg(tmg, "convenios", "9999999", "valor_repassado")
    assert [e.code for e in got.value.errors] == ["D1941"]
    with pytest.raises(RunFailed) as got:
        _tmg(tmg, "convenios", "1301777", "valor_repasado")
    (err,) = got.value.errors
    assert err.code == "D1942" and "valor_repassado" in (err.help or "")
