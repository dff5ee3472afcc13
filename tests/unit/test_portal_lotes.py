"""runtime/portal_lotes.py: records → lotes against what the service confirmed, with
synthetic indicators (the run of the `indicator` kind: tests/golden/test_portal_lotes_run.py).
Expected files are written by hand from the rules in the module docstring, not produced by the
code under test."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from runtime.errors import RunFailed
from runtime.journal import Journal
from runtime.portal_lotes import UNKNOWN
from runtime.portal_lotes import Lote
from runtime.portal_lotes import confirm
from runtime.portal_lotes import confirmed
from runtime.portal_lotes import content_json
from runtime.portal_lotes import files
from runtime.portal_lotes import last_ended
from runtime.portal_lotes import plan
from runtime.portal_lotes import previous
from runtime.portal_lotes import stale
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


def ended(db: sqlite3.Connection, lote: Lote, state: str = "executado") -> int:
    """A journal row for `lote` as `apura send` leaves an ended one (its id)."""
    cur = db.execute(
        "INSERT INTO portal_lotes (package, partition, file, sha256, indicator, name, system, "
        "tabela, processo, exercicio, records, body, url, state, updated_at) VALUES "
        "('portal_gestor', ?, ?, ?, ?, '', '', '', '', ?, 0, '', '', ?, '')",
        (lote.entity, lote.path, hashlib.sha256(lote.body()).hexdigest(), lote.info.id,
         lote.exercicio, state))
    assert cur.lastrowid is not None
    return cur.lastrowid


def accept(db: sqlite3.Connection, lotes: list[Lote], refused: frozenset[str] = frozenset(),
           existing: frozenset[str] = frozenset()) -> None:
    """What `apura send` keeps when every lote ends: each record accepted (its content; None
    for a removal; UNKNOWN for an idExistente) but the `refused` ones."""
    with db:
        for lt in lotes:
            taken = [(i, None if lt.operation == "delete" else UNKNOWN if i in existing
                      else content_json(c)) for i, c in lt.records if i not in refused]
            confirm(db, "portal_gestor", "3170206", 2019, lt.info.id,
                    ended(db, lt, "parcial" if refused else "executado"), taken)


def run(db, records, infos=(MEDIA, IPTU)):  # type: ignore[no-untyped-def]
    """One run planned against what the state confirmed, then a send where all goes."""
    lotes = plan(infos, records, previous(db, "portal_gestor", "3170206", 2019),
                 entity="3170206", exercicio=2019,
                 base=last_ended(db, "portal_gestor", "3170206", 2019))
    accept(db, lotes)
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
    # by hand: the envelope (base 0: planned against nothing ended), then the record wrapped
    # in its payload key, Decimals as their digits (1E+3 without exponent: 1000), text in UTF-8
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
  "base": 0,
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
    a = plan([IPTU], [rec(IPTU, "A1", valor=1)], {}, entity="3170206", exercicio=2019)
    z = IndicatorRecord(indicator="ipturealizado", entity="3170206", exercicio=2020,
                        id_integracao="Z9", content=(("exercicio", 2020),))
    other = plan([IPTU], [z], {}, entity="3170206", exercicio=2020)
    with db:
        confirm(db, "portal_gestor", "3170206", 2019, IPTU.id, ended(db, a[0]),
                [("A1", '{"exercicio":2019,"valor":1}')])
        confirm(db, "portal_gestor", "3170206", 2020, IPTU.id, ended(db, other[0]),
                [("Z9", '{"exercicio":2020}')])
    assert previous(db, "portal_gestor", "3170206", 2019) == {
        ("ipturealizado", "A1"): '{"exercicio":2019,"valor":1}'}
    assert previous(db, "portal_gestor", "9999999", 2019) == {}
    # the base of a plan: the last ended lote of that entity and exercício (ids 1 and 2)
    assert last_ended(db, "portal_gestor", "3170206", 2019) == 1
    assert last_ended(db, "portal_gestor", "3170206", 2020) == 2
    assert last_ended(db, "portal_gestor", "9999999", 2019) == 0


def test_a_refused_record_is_planned_again_and_a_removal_kept_until_confirmed(db) -> None:  # type: ignore[no-untyped-def]
    a, b = rec(IPTU, "A1", valor=Decimal("1.00")), rec(IPTU, "B2", valor=Decimal("2.00"))
    first = plan([IPTU], [a, b], {}, entity="3170206", exercicio=2019)
    accept(db, first, refused=frozenset({"B2"}))
    # B2 was refused: still an insert (not an update of a record the service lacks)
    again = run(db, [a, b], infos=(IPTU,))
    assert [(lt.operation, [r[0] for r in lt.records]) for lt in again] == [("insert", ["B2"])]
    # a removal the service refused stays planned
    gone = plan([IPTU], [b], previous(db, "portal_gestor", "3170206", 2019),
                entity="3170206", exercicio=2019)
    assert [(lt.operation, [r[0] for r in lt.records]) for lt in gone] == [("delete", ["A1"])]
    accept(db, gone, refused=frozenset({"A1"}))
    assert [lt.operation for lt in run(db, [b], infos=(IPTU,))] == ["delete"]
    assert run(db, [b], infos=(IPTU,)) == []


def test_an_existing_record_of_unknown_content_is_updated(db) -> None:  # type: ignore[no-untyped-def]
    a = rec(IPTU, "A1", valor=Decimal("1.00"))
    accept(db, plan([IPTU], [a], {}, entity="3170206", exercicio=2019),
           existing=frozenset({"A1"}))
    assert previous(db, "portal_gestor", "3170206", 2019) == {("ipturealizado", "A1"): UNKNOWN}
    assert [lt.operation for lt in run(db, [a], infos=(IPTU,))] == ["update"]
    assert run(db, [a], infos=(IPTU,)) == []


def test_the_base_makes_a_lote_planned_after_an_ended_one_new_bytes(db) -> None:  # type: ignore[no-untyped-def]
    """Every record refused: the next run plans the same records, and its lote file must not
    be the ended one byte for byte (apura send would take it as already sent)."""
    a = rec(IPTU, "A1", valor=Decimal("1.00"))
    [first] = plan([IPTU], [a], {}, entity="3170206", exercicio=2019)
    accept(db, [first], refused=frozenset({"A1"}))
    [second] = plan([IPTU], [a], previous(db, "portal_gestor", "3170206", 2019),
                    entity="3170206", exercicio=2019,
                    base=last_ended(db, "portal_gestor", "3170206", 2019))
    assert (first.path, first.records) == (second.path, second.records)
    assert b'"base": 0,' in first.body() and b'"base": 1,' in second.body()
    # nothing ended in between: the same bytes (a lote still on its way is resumed)
    [third] = plan([IPTU], [a], {}, entity="3170206", exercicio=2019, base=1)
    assert third.body() == second.body()


def test_confirmed_reads_the_state_file_read_only(tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    assert confirmed(None, "portal_gestor", "3170206", 2019) == ({}, 0)
    assert confirmed(state, "portal_gestor", "3170206", 2019) == ({}, 0)
    assert not state.exists()  # not created
    sqlite3.connect(state).close()  # a state file without the Portal tables (migration 7)
    assert confirmed(state, "portal_gestor", "3170206", 2019) == ({}, 0)
    state.unlink()
    j = Journal(state)
    [lt] = plan([IPTU], [rec(IPTU, "A1", valor=1)], {}, entity="3170206", exercicio=2019)
    with j.db:
        confirm(j.db, "portal_gestor", "3170206", 2019, IPTU.id, ended(j.db, lt),
                [("A1", '{"exercicio":2019,"valor":1}')])
    j.close()
    before = state.read_bytes()
    assert confirmed(state, "portal_gestor", "3170206", 2019) == (
        {("ipturealizado", "A1"): '{"exercicio":2019,"valor":1}'}, 1)
    assert state.read_bytes() == before
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database" * 100)
    with pytest.raises(RunFailed) as got:
        confirmed(bad, "portal_gestor", "3170206", 2019)
    assert [e.code for e in got.value.errors] == ["D0506"]


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


def test_stale_removes_only_the_earlier_lotes_its_index_lists(tmp_path: Path) -> None:
    """An earlier run's index lists three lotes of partition P (one this run writes again)
    and, as a hand-edited index could, a file outside apura's lote names and one outside
    lotes/; a file the index does not list and another partition's lotes are not touched."""
    lotes = tmp_path / "P" / "lotes"
    lotes.mkdir(parents=True)
    names = ["a-inclusao-001.json", "a-alteracao-001.json", "b-exclusao-002.json",
             "LEIAME.txt", "c-inclusao-001.json"]
    for n in names:
        (lotes / n).write_text("{}", "utf-8")
    (tmp_path / "P" / "indicadores.csv").write_text("x", "utf-8")
    listed = [f"lotes/{n}" for n in names[:4]] + ["indicadores.csv", "lotes/../x-inclusao-001.json"]
    (lotes / "indice.json").write_text(json.dumps({"lotes": [{"arquivo": n} for n in listed]}),
                                       "utf-8")
    (tmp_path / "Q" / "lotes").mkdir(parents=True)
    (tmp_path / "Q" / "lotes" / "indice.json").write_text(
        json.dumps({"lotes": [{"arquivo": "lotes/a-inclusao-001.json"}]}), "utf-8")
    (tmp_path / "Q" / "lotes" / "a-inclusao-001.json").write_text("{}", "utf-8")
    outputs = ["P/indicadores.csv", "P/lotes/indice.json", "P/lotes/a-inclusao-001.json"]
    assert stale(tmp_path, outputs) == ["P/lotes/a-alteracao-001.json",
                                        "P/lotes/b-exclusao-002.json"]
    # no earlier index, or one that is not JSON: nothing
    (lotes / "indice.json").write_text("{", "utf-8")
    assert stale(tmp_path, outputs) == []
    assert stale(tmp_path / "novo", outputs) == []
