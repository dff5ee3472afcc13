"""The data dictionaries of `transparencia_mg` (seed 003: the labels and tooltips of the
consultas Despesa e Diárias, Restos a Pagar and Convênios de Saída) against the seed itself:
fixtures/transparencia_mg/seed/003_f56a5396a8800dc9.txt is a verbatim copy, parsed here.

* every text a dictionary writes (label, the label it replaces, tooltip, note) occurs in the
  seed byte for byte;
* every tooltip the seed gives (its `__Label:__ text` bullets) is in a dictionary, with that
  label and that text;
* each spelling variant stays where the seed has it ("ao banco" in Despesa, "aos bancos" in
  Restos a Pagar; "Data de Registro" / "Data do Registro" / "Data Registro");
* the files are the same on python and duckdb, snapshotted; the Convênios dictionary shows the
  rule of the valor repassado the run computes (the seed's, or the correction)."""

from __future__ import annotations

import json
import re

import pytest

import runtime
from tests.conftest import ROOT

SEED = (ROOT / "fixtures" / "transparencia_mg" / "seed" /
        "003_f56a5396a8800dc9.txt").read_text("utf-8")
FIXTURE = ROOT / "fixtures" / "transparencia_mg" / "convenio_pagamento.csv"
NAMES = ("convenios", "despesa", "restos")


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "transparencia_mg")


def _dictionaries(program: runtime.Program, select: str | None = None,
                  backend: str = "python") -> dict[str, bytes]:
    out = program.run(ledgers={"convenio_pagamento": str(FIXTURE)}, params={},
                      select=select, backend=backend).outputs
    return {k: v for k, v in out.items() if k.startswith("dicionario_")}


def _docs(program: runtime.Program, select: str | None = None) -> dict[str, dict]:  # type: ignore[type-arg]
    files = _dictionaries(program, select)
    return {n: json.loads(files[f"dicionario_{n}.json"]) for n in NAMES}


def test_back_ends_write_the_same_files(program, snapshot) -> None:  # type: ignore[no-untyped-def]
    python = _dictionaries(program)
    assert sorted(python) == sorted(f"dicionario_{n}.{x}" for n in NAMES for x in ("json", "md"))
    assert python == _dictionaries(program, backend="duckdb")
    assert python == snapshot


def test_every_text_is_the_seeds_byte_for_byte(program) -> None:  # type: ignore[no-untyped-def]
    texts = [c[k] for d in _docs(program).values() for c in d["campos"]
             for k in ("rotulo", "no_lugar_de", "tooltip", "observacao") if c[k] is not None]
    # Convênios: 1 label, 1 tooltip, 1 note; Despesa: 9 labels, 7 replaced, 6 tooltips, 3 notes;
    # Restos: 3 labels, 1 replaced, 1 tooltip, 2 notes
    assert len(texts) == 3 + 25 + 7
    missing = [t for t in texts if t not in SEED]
    assert missing == []


def test_every_tooltip_of_the_seed_is_in_a_dictionary(program) -> None:  # type: ignore[no-untyped-def]
    # the seed's tooltips: bullets "* __Label:__ text" / "- __Label:__ text"
    seed = re.findall(r"^\s*[-*] __(.+?):__ (.+?)\s*$", SEED, flags=re.MULTILINE)
    assert [label for label, _ in seed] == [
        "Valor Pago", "Valor Pago no Ano",
        "Valor Repassado pelo Concedente/Órgão ou Entidade Estadual Parceiro"]
    ours = {(c["rotulo"], c["tooltip"]) for d in _docs(program).values() for c in d["campos"]
            if c["tooltip"] is not None}
    assert set(seed) <= ours


def test_the_next_level_labels_and_their_tooltips(program) -> None:  # type: ignore[no-untyped-def]
    despesa = {c["id"]: c for c in _docs(program)["despesa"]["campos"]}
    # "- Data de Registro (no lugar de Data): Data de registro do documento de empenho." etc.
    for entry, label, replaces, tooltip in (
            ("empenhado_data", "Data de Registro", "Data",
             "Data de registro do documento de empenho."),
            ("empenhado_numero", "Número do Empenho", "Número Documento",
             "Número de identificação do documento de empenho."),
            ("liquidado_data", "Data do Registro", "Data",
             "Data de registro do documento de liquidação."),
            ("pago_data", "Data de Registro", "Data", "Data de registro da ordem de pagamento."),
            ("pago_numero", "Número da Ordem Pagamento", "Número Documento",
             "Número de identificação do documento da ordem de pagamento.")):
        c = despesa[entry]
        assert (c["rotulo"], c["no_lugar_de"], c["tooltip"]) == (label, replaces, tooltip)
        assert f"{label} (no lugar de {replaces}): {tooltip}" in SEED
    situacao = despesa["formulario_pagamento_situacao"]
    assert (situacao["rotulo"], situacao["coluna_depois_de"]) == (
        "Situação da Ordem de Pagamento", "Data Registro")


def test_spelling_variants_stay_in_their_place(program) -> None:  # type: ignore[no-untyped-def]
    docs = _docs(program)
    valor_pago = next(c for c in docs["despesa"]["campos"] if c["id"] == "valor_pago")
    no_ano = next(c for c in docs["restos"]["campos"] if c["id"] == "valor_pago_no_ano")
    assert "pendente de transmissão ao banco e/ou" in valor_pago["tooltip"]
    assert "pendente de transmissão aos bancos e/ou" in no_ano["tooltip"]
    labels = [c["rotulo"] for c in docs["despesa"]["campos"]]
    assert labels.count("Data de Registro") == 2 and labels.count("Data do Registro") == 1
    assert labels.count("Data Registro") == 2


def test_the_valor_repassado_names_the_rule_that_runs(program) -> None:  # type: ignore[no-untyped-def]
    seed_rule = _docs(program)["convenios"]["campos"][0]["valor"]
    assert seed_rule == {"spec": "convenios", "arquivo": "convenios.csv",
                         "coluna": "valor_repassado",
                         "regra": "valor_pago_financeiro - valor_pago_pendente"}
    fixed = _docs(program, "convenios_corrigido,dicionario_*")["convenios"]["campos"][0]["valor"]
    assert fixed["spec"] == "convenios_corrigido"
    assert fixed["regra"] == ("valor_pago_financeiro - sum(valor_pago_pendente where "
                              "valor_pago_financeiro != 0)")


def test_the_markdown_shows_each_text_unchanged(program) -> None:  # type: ignore[no-untyped-def]
    md = _dictionaries(program)["dicionario_restos.md"].decode("utf-8")
    assert md.startswith("# Dicionário de dados — Consulta Restos a Pagar\n")
    assert ("- **Tooltip:** Soma do valor de restos a pagar processados e não processados "
            "referentes aos pagamentos efetuados") in md
    assert "## Situação da Ordem de Pagamento\n" in md
