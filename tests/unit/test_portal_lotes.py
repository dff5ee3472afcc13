"""runtime/portal_lotes.py: records → lotes against the previous run's state, with synthetic
indicators (the `indicator` kind is wired in at merge). Expected files are written by hand
from the rules in the module docstring, not produced by the code under test."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from runtime.journal import Journal
from runtime.portal_lotes import content_json
from runtime.portal_lotes import files
from runtime.portal_lotes import plan
from runtime.portal_lotes import previous
from runtime.portal_lotes import save
from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord

MEDIA = IndicatorInfo(id="mediaEscola1a5Menores", area="Educação", vertical="Educação",
                      name="Média por escola de 1º à 5º ano - menores valores",
                      system="Educação", table="EDUCACAO_MEDIA_ESCOLA_1A5_MENORES",
                      payload_key="mediaEscolala5Menores")
IPTU = IndicatorInfo(id="ipturealizado", area="Arrecadação", vertical="Contábil",
                     name="IPTU realizado", system="Sapo", table="ARRECADACAO_IPTU",
                     payload_key="iptuRealizado")


def rec(info: IndicatorInfo, id_: str, **content: object) -> IndicatorRecord:
    return IndicatorRecord(indicator=info.id, entity="3170206", exercicio=2019,
                           id_integracao=id_,
                           content=(("exercicio", 2019), *content.items()))  # type: ignore[arg-type]


def run(db, records, infos=(MEDIA, IPTU)):  # type: ignore[no-untyped-def]
    """One run: plan against the state, then commit (save) as the kind does."""
    lotes = plan(infos, records, previous(db, "portal_gestor", "3170206", 2019),
                 entity="3170206", exercicio=2019)
    with db:
        save(db, "portal_gestor", "3170206", 2019, records)
    return lotes


@pytest.fixture
def db(tmp_path: Path):  # type: ignore[no-untyped-def]
    j = Journal(tmp_path / "state.sqlite")
    yield j.db
    j.close()


def test_insert_update_removal_unchanged(db) -> None:  # type: ignore[no-untyped-def]
    a = rec(IPTU, "A1", valor=Decimal("10.00"))
    b = rec(IPTU, "B2", valor=Decimal("20.00"))
    first = run(db, [a, b])
    assert [(lt.path, lt.processo, lt.metodo, [r[0] for r in lt.records]) for lt in first] == [
        ("lotes/ipturealizado-inclusao-001.json", "Inclusão", "POST", ["A1", "B2"])]
    # B2 changes, A1 stays: one update lote with B2 only
    b2 = rec(IPTU, "B2", valor=Decimal("20.50"))
    second = run(db, [a, b2])
    assert [(lt.path, [r[0] for r in lt.records]) for lt in second] == [
        ("lotes/ipturealizado-alteracao-001.json", ["B2"])]
    # A1 leaves: a removal, written with its idIntegracao only
    third = run(db, [b2])
    assert [(lt.path, lt.metodo) for lt in third] == [
        ("lotes/ipturealizado-exclusao-001.json", "DELETE")]
    body = json.loads(files(third)["lotes/ipturealizado-exclusao-001.json"])
    assert body["registros"] == [{"idIntegracao": "A1"}]
    # the same records again: nothing to send, and the index says so
    fourth = run(db, [b2])
    assert fourth == []
    assert files(fourth) == {"lotes/indice.json": b'{\n  "lotes": []\n}\n'}


def test_a_changed_value_is_an_update_even_if_only_its_places_differ(db) -> None:  # type: ignore[no-untyped-def]
    run(db, [rec(IPTU, "A1", valor=Decimal("10.00"))])
    assert [lt.operation for lt in run(db, [rec(IPTU, "A1", valor=Decimal("10.0"))])] == ["update"]


def test_301_records_are_two_lotes_of_300_and_1() -> None:
    records = [rec(MEDIA, f"R{n:04d}", media=Decimal("7.25")) for n in range(301)]
    lotes = plan([MEDIA], list(reversed(records)), {}, entity="3170206", exercicio=2019)
    assert [(lt.path, len(lt.records)) for lt in lotes] == [
        ("lotes/mediaEscola1a5Menores-inclusao-001.json", 300),
        ("lotes/mediaEscola1a5Menores-inclusao-002.json", 1)]
    # sorted by idIntegracao whatever the input order: R0000..R0299, then R0300
    assert lotes[0].records[0][0] == "R0000" and lotes[1].records[0][0] == "R0300"
    index = json.loads(files(lotes)["lotes/indice.json"])
    assert index == {"lotes": [
        {"arquivo": "lotes/mediaEscola1a5Menores-inclusao-001.json", "registros": 300},
        {"arquivo": "lotes/mediaEscola1a5Menores-inclusao-002.json", "registros": 1}]}


def test_order_indicator_then_operation() -> None:
    prev = {("ipturealizado", "OLD"): '{"exercicio":2019}',
            ("mediaEscola1a5Menores", "M1"): '{"exercicio":2019,"media":1}'}
    records = [rec(MEDIA, "M1", media=2), rec(IPTU, "NEW", valor=Decimal("1.00"))]
    lotes = plan([MEDIA, IPTU], records, prev, entity="3170206", exercicio=2019)
    assert [lt.path for lt in lotes] == ["lotes/ipturealizado-inclusao-001.json",
                                        "lotes/ipturealizado-exclusao-001.json",
                                        "lotes/mediaEscola1a5Menores-alteracao-001.json"]


def test_the_lote_file_bytes_with_exact_decimals() -> None:
    r = rec(MEDIA, "201903061717", media=Decimal("1234567890123456.10"), escola="Escola Ária",
            alunos=31, ativa=True, obs=None, pct=Decimal("-0.005"), grande=Decimal("1E+3"))
    [lote] = plan([MEDIA], [r], {}, entity="3170206", exercicio=2019)
    # by hand: the envelope, then the record wrapped in its payload key, Decimals as their
    # digits (1E+3 without exponent: 1000), text in UTF-8
    assert lote.body().decode("utf-8") == """{
  "indicador": "mediaEscola1a5Menores",
  "nome": "Média por escola de 1º à 5º ano - menores valores",
  "sistema": "Educação",
  "tabela": "EDUCACAO_MEDIA_ESCOLA_1A5_MENORES",
  "chave": "mediaEscolala5Menores",
  "processo": "Inclusão",
  "metodo": "POST",
  "entidade": "3170206",
  "exercicio": 2019,
  "registros": [
    {"idIntegracao": "201903061717", "mediaEscolala5Menores": {
      "exercicio": 2019,
      "media": 1234567890123456.10,
      "escola": "Escola Ária",
      "alunos": 31,
      "ativa": true,
      "obs": null,
      "pct": -0.005,
      "grande": 1000
    }}
  ]
}
"""
    parsed = json.loads(lote.body(), parse_float=Decimal)
    assert parsed["registros"][0]["mediaEscolala5Menores"]["media"] == \
        Decimal("1234567890123456.10")
    assert content_json(r.content) == ('{"exercicio":2019,"media":1234567890123456.10,'
                                       '"escola":"Escola Ária","alunos":31,"ativa":true,'
                                       '"obs":null,"pct":-0.005,"grande":1000}')


def test_previous_is_per_package_entity_and_exercicio(db) -> None:  # type: ignore[no-untyped-def]
    with db:
        save(db, "portal_gestor", "3170206", 2019, [rec(IPTU, "A1", valor=1)])
        save(db, "portal_gestor", "3170206", 2020,
             [IndicatorRecord(indicator="ipturealizado", entity="3170206", exercicio=2020,
                              id_integracao="Z9", content=(("exercicio", 2020),))])
    assert previous(db, "portal_gestor", "3170206", 2019) == {
        ("ipturealizado", "A1"): '{"exercicio":2019,"valor":1}'}
    assert previous(db, "portal_gestor", "9999999", 2019) == {}


@pytest.mark.parametrize("bad, why", [
    (rec(IPTU, "A-1"), "idIntegracao inválido"),
    (rec(IPTU, "A" * 65), "idIntegracao inválido"),
    (IndicatorRecord(indicator="outro", entity="3170206", exercicio=2019, id_integracao="A",
                     content=()), "não está no catálogo"),
    (IndicatorRecord(indicator="ipturealizado", entity="3170206", exercicio=2018,
                     id_integracao="A", content=()), "num plano de"),
])
def test_records_the_kind_must_never_hand_over(bad: IndicatorRecord, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        plan([IPTU], [bad], {}, entity="3170206", exercicio=2019)


def test_a_float_never_reaches_a_lote() -> None:
    with pytest.raises(TypeError):
        content_json((("v", 1.5),))  # type: ignore[arg-type]
