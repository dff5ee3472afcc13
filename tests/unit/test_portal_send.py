"""`apura send` against a real local HTTP service layer (tests/portal_server.py): success in
both vocabularies, partial failures, a 401, a 500 then success, a service that goes away
mid-lote (nothing lost, the next send resumes, no record inserted twice: the server counts
inserts per idIntegracao), polling limits, schedules (`--due`, an injected clock), tokens
that never reach the journal or a message, and what the service confirmed (`portal_records`,
the base of the next run's plan). Records are synthetic (runtime/portal_lotes.py); the run of
the kind against the same server: tests/golden/test_portal_lotes_run.py."""

from __future__ import annotations

import datetime
import itertools
import sqlite3
import string
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import Phase
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from runtime.errors import render_all
from runtime.portal_lotes import UNKNOWN
from runtime.portal_lotes import confirmed
from runtime.portal_lotes import content_json
from runtime.portal_lotes import files
from runtime.portal_lotes import plan
from runtime.portal_monitor import find
from runtime.portal_monitor import listing
from runtime.portal_monitor import log_json
from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from runtime.portal_send import deliver
from runtime.portal_settings import DAILY
from runtime.portal_settings import HOURLY
from runtime.portal_settings import Delivery
from runtime.portal_settings import Settings
from runtime.portal_settings import System
from tests.portal_server import Service
from tests.portal_server import Store

TOKEN = "1a2b3c4d-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
FAST = Delivery(timeout=2.0, tries=3, wait=0.01, max_wait=0.02, poll=0.01, poll_limit=5.0)
MEDIA = IndicatorInfo(id="mediaEscola1a5Menores", area="Educação", vertical="Educação",
                      name="Média por escola de 1º à 5º ano - menores valores",
                      system="Educação", table="EDUCACAO_MEDIA_ESCOLA_1A5_MENORES",
                      payload_key="mediaEscolala5Menores")
TMA = IndicatorInfo(id="tmaAgendado", area="Saúde", vertical="Saúde",
                    name="Tempo médio de atendimento agendado", system="Saúde",
                    table="SAUDE_TMA_AGENDADO", payload_key="tmaAgendado")
ENTITY = "3170206"


def rec(info: IndicatorInfo, id_: str, value: str) -> IndicatorRecord:
    return IndicatorRecord(indicator=info.id, entity=ENTITY, exercicio=2019, id_integracao=id_,
                           content=(("exercicio", 2019), ("media", Decimal(value))))


class World:
    """OUT, the state file and one service; `run` plays the kind's part (plan against what
    the state confirmed, write the files)."""

    def __init__(self, tmp: Path, store: Store) -> None:
        self.out = tmp / "out"
        self.state = tmp / "state.sqlite"
        self.store = store
        self.service = Service(store)
        self.echoed: list[str] = []

    def settings(self, token: str = TOKEN, **system: object) -> Settings:
        return Settings(systems=(System(name="Educação", url=self.service.url, token=token,
                                        exercicio=2019),
                                 System(name="Saúde", url=self.service.url, token=token,
                                        schedule=HOURLY, **system)),  # type: ignore[arg-type]
                        delivery=FAST)

    def run(self, records: list[IndicatorRecord], infos=(MEDIA, TMA)) -> None:  # type: ignore[no-untyped-def]
        before, base = confirmed(self.state, "portal_gestor", ENTITY, 2019)
        lotes = plan(infos, records, before, entity=ENTITY, exercicio=2019, base=base)
        for rel, data in files(lotes).items():
            path = self.out / ENTITY / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def confirmed(self) -> dict[tuple[str, str], str]:
        return confirmed(self.state, "portal_gestor", ENTITY, 2019)[0]

    def send(self, settings: Settings | None = None, **kw: object) -> list:  # type: ignore[type-arg]
        return deliver(self.out, self.state, settings or self.settings(), "portal_gestor",
                       echo=self.echoed.append, sleep=lambda s: None, **kw)  # type: ignore[arg-type]

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(self.state)

    def states(self) -> list[tuple[str, str]]:
        with self.db() as db:
            return db.execute("SELECT file, state FROM portal_lotes ORDER BY file").fetchall()

    def results(self) -> list[tuple[str, str, str | None, str | None]]:
        with self.db() as db:
            return db.execute("SELECT id_integracao, status, id_gerado, mensagem FROM "
                              "portal_results ORDER BY id_integracao").fetchall()


@pytest.fixture
def world(tmp_path: Path):  # type: ignore[no-untyped-def]
    w = World(tmp_path, Store(token=TOKEN))
    yield w
    w.service.stop()


def codes(errors: list) -> list[str]:  # type: ignore[type-arg]
    return [e.code for e in errors]


def test_success_then_nothing_to_resend(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.25"), rec(TMA, "T1", "12.00")])
    assert world.send() == []
    assert world.states() == [("lotes/mediaEscola1a5Menores-inclusao-001.json", "executado"),
                              ("lotes/tmaAgendado-inclusao-001.json", "executado")]
    # the server gave ids 1, 2 (the Educação lote, E1 and E2 in order), then 3 (Saúde)
    assert world.results() == [("E1", "sucesso", "1", None), ("E2", "sucesso", "2", None),
                               ("T1", "sucesso", "3", None)]
    assert world.store.inserts == {"E1": 1, "E2": 1, "T1": 1}
    # the exact Decimal reached the service as the run wrote it
    assert world.store.tables["EDUCACAO_MEDIA_ESCOLA_1A5_MENORES"]["E2"][1] == {
        "idIntegracao": "E2", "mediaEscolala5Menores": {"exercicio": 2019, "media": 8.25}}
    asked = len(world.store.requests)
    assert world.send() == []
    assert len(world.store.requests) == asked  # nothing asked again
    assert "já enviado" in world.echoed[-1]


def test_incremental_insert_update_removal_unchanged(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.25")])
    assert world.send() == []
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "9.00")])
    assert world.send() == []
    table = world.store.tables["EDUCACAO_MEDIA_ESCOLA_1A5_MENORES"]
    assert table["E2"][1]["mediaEscolala5Menores"]["media"] == 9.0
    world.run([rec(MEDIA, "E2", "9.00")])
    assert world.send() == []
    assert set(table) == {"E2"}
    before = len(world.store.requests)
    world.run([rec(MEDIA, "E2", "9.00")])
    assert world.send() == []
    assert len(world.store.requests) == before
    methods = [m for m, p in world.store.requests if m != "GET"]
    assert methods == ["POST", "PATCH", "DELETE"]
    assert world.store.inserts == {"E1": 1, "E2": 1}


def test_what_the_service_took_is_confirmed_byte_for_byte(world: World) -> None:
    """Each accepted record's content as the lote carried it, the same bytes content_json
    gives (Decimals with their digits, a negative zero, text in UTF-8); a refused one is not
    confirmed; a removal accepted deletes the row."""
    odd = IndicatorRecord(indicator=MEDIA.id, entity=ENTITY, exercicio=2019, id_integracao="E1",
                          content=(("exercicio", 2019), ("media", Decimal("1234567890123456.10")),
                                   ("zero", Decimal("-0")), ("nada", Decimal("-0.00")),
                                   ("escola", 'EM "Ária" ☃'), ("ativa", True), ("obs", None)))
    world.store.fail_ids = {"E2": "Escola inexistente"}
    world.run([odd, rec(MEDIA, "E2", "8.25"), rec(TMA, "T1", "12.00")])
    assert codes(world.send()) == ["D1606"]
    got = world.confirmed()
    assert got == {("mediaEscola1a5Menores", "E1"): content_json(odd.content),
                   ("tmaAgendado", "T1"): '{"exercicio":2019,"media":12.00}'}
    # written by hand: what the lote carried for E1
    assert got[("mediaEscola1a5Menores", "E1")] == (
        '{"exercicio":2019,"media":1234567890123456.10,"zero":-0,"nada":-0.00,'
        '"escola":"EM \\"Ária\\" ☃","ativa":true,"obs":null}')
    with world.db() as db:
        assert db.execute("SELECT indicator, id_integracao, lote FROM portal_records ORDER BY "
                          "lote").fetchall() == [("mediaEscola1a5Menores", "E1", 1),
                                                 ("tmaAgendado", "T1", 2)]
    # the next run: E1 unchanged (no lote), E2 planned again as an insert, T1 removed
    world.store.fail_ids = {}
    world.run([odd, rec(MEDIA, "E2", "8.25")])
    index = (world.out / ENTITY / "lotes/indice.json").read_text("utf-8")
    assert '"lotes/mediaEscola1a5Menores-inclusao-001.json", "registros": 1' in index
    assert '"lotes/tmaAgendado-exclusao-001.json", "registros": 1' in index
    assert world.send() == []
    assert set(world.confirmed()) == {("mediaEscola1a5Menores", "E1"),
                                      ("mediaEscola1a5Menores", "E2")}
    assert world.store.inserts == {"E1": 1, "E2": 1, "T1": 1}


def test_partial_failure_records_each_result(world: World) -> None:
    world.store.fail_ids = {"E2": "Escola inexistente"}
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.25")])
    errors = world.send()
    assert codes(errors) == ["D1606"]
    assert "1 de 2 registro(s)" in errors[0].message and "Escola inexistente" in errors[0].message
    assert world.states() == [("lotes/mediaEscola1a5Menores-inclusao-001.json", "parcial")]
    assert world.results() == [("E1", "sucesso", "1", None),
                               ("E2", "erro", None, "Escola inexistente")]


def test_a_bad_token_is_a_401_and_nothing_is_marked(world: World) -> None:
    other = "9f9f9f9f-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
    world.run([rec(MEDIA, "E1", "7.50")])
    errors = world.send(world.settings(token=other))
    assert codes(errors) == ["D1604"]
    assert "Token inválido" in errors[0].message
    assert world.states() == [("lotes/mediaEscola1a5Menores-inclusao-001.json", "pendente")]
    assert world.store.inserts == {}
    # the right token later: the lote goes
    assert world.send() == []
    assert world.store.inserts == {"E1": 1}


def test_a_500_then_success(world: World) -> None:
    world.store.fail_next = [500, 503]
    world.run([rec(MEDIA, "E1", "7.50")])
    assert world.send() == []
    posts = [r for r in world.store.requests if r[0] == "POST"]
    assert len(posts) == 3  # two answered 5xx, retried; the third accepted
    assert world.store.inserts == {"E1": 1}


def test_5xx_on_every_try_leaves_the_lote_pending(world: World) -> None:
    world.store.fail_next = [502] * 3
    world.run([rec(MEDIA, "E1", "7.50")])
    errors = world.send()
    assert codes(errors) == ["D1605"] and "3 tentativa(s)" in errors[0].message
    assert world.states()[0][1] in ("pendente", "enviando")
    assert world.send() == [] and world.store.inserts == {"E1": 1}


def test_a_stalled_request_times_out_and_is_tried_again(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50")])
    quick = Settings(systems=world.settings().systems,
                     delivery=Delivery(timeout=0.2, tries=3, wait=0.01, poll=0.01))
    world.store.slow = [0.5]  # the first POST stalls past the 0.2 s timeout
    assert world.send(quick) == []
    # the client gave up on the stalled POST and tried again; the second POST inserted E1,
    # and the stalled one, served later, found it there (idExistente): E1 was inserted once
    assert world.store.inserts == {"E1": 1}
    assert [m for m, _ in world.store.requests].count("POST") == 2
    world.run([rec(MEDIA, "E1", "7.75")])
    world.store.slow = [0.5] * 3
    errors = world.send(quick)
    assert codes(errors) == ["D1605"] and "timed out" in errors[0].message


def test_the_service_goes_away_before_answering_the_lote(world: World) -> None:
    """The records reached the service, the answer did not: the next send sends again, the
    service answers idExistente, taken as success; no record is inserted twice."""
    world.store.crash = "after_accept"
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.25")])
    errors = world.send()
    assert codes(errors) == ["D1605"]
    assert world.states() == [("lotes/mediaEscola1a5Menores-inclusao-001.json", "enviando")]
    assert world.store.inserts == {"E1": 1, "E2": 1}
    world.service = Service(world.store, world.service.port)  # it comes back
    assert world.send() == []
    assert world.store.inserts == {"E1": 1, "E2": 1}
    assert world.results() == [("E1", "existente", "1", "Já existe um registro com este "
                                "idIntegracao"), ("E2", "existente", "2", "Já existe um "
                                                  "registro com este idIntegracao")]
    assert world.states()[0][1] == "executado"
    # the service holds them, with a content apura cannot vouch for: the next run updates
    assert world.confirmed() == {("mediaEscola1a5Menores", "E1"): UNKNOWN,
                                 ("mediaEscola1a5Menores", "E2"): UNKNOWN}
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.25")])
    assert world.send() == []
    assert [m for m, _ in world.store.requests if m != "GET"][-1] == "PATCH"
    assert world.confirmed()[("mediaEscola1a5Menores", "E2")] == \
        '{"exercicio":2019,"media":8.25}'


def test_the_service_goes_away_while_polling(world: World) -> None:
    """The service accepted the lote (its id journaled) and went away: the next send asks for
    the lote's state, and sends nothing again."""
    world.store.crash = "on_poll"
    world.run([rec(MEDIA, "E1", "7.50")])
    errors = world.send()
    assert codes(errors) == ["D1605"] and "consulta a situação" in (errors[0].help or "")
    assert world.states()[0][1] == "aguardando"
    world.service = Service(world.store, world.service.port)
    before = len(world.store.requests)
    assert world.send() == []
    assert {m for m, _ in world.store.requests[before:]} == {"GET"}
    assert world.store.inserts == {"E1": 1}


def test_a_lote_that_does_not_end_is_asked_again_next_time(world: World) -> None:
    world.store.polls_to_end = 10_000
    world.run([rec(MEDIA, "E1", "7.50")])
    slow = Settings(systems=world.settings().systems,
                    delivery=Delivery(timeout=2, tries=2, wait=0.01, poll=0.01, poll_limit=0.05))
    assert codes(world.send(slow)) == ["D1607"]
    assert world.states()[0][1] == "executando"
    world.store.polls_to_end = 0
    assert world.send() == []
    assert [m for m, _ in world.store.requests].count("POST") == 1


def test_the_seed_vocabulary_and_the_monitor(tmp_path: Path) -> None:
    w = World(tmp_path, Store(token=TOKEN, vocabulary="seed"))
    try:
        w.run([rec(MEDIA, "201903061717", "6.40")])
        assert w.send(clock=lambda: datetime.datetime(2019, 4, 2, 16, 23, 58,
                                                      tzinfo=datetime.UTC)) == []
        assert w.results() == [("201903061717", "sucesso", "1", None)]
        db = w.db()
        text = listing(db)
        # by hand: the seed's columns, the service's id, its dhRecebimento as DD/MM/AAAA
        assert text.splitlines()[:2] == [
            "ID lote\tIndicador\tProcesso\tData e Hora\tStatus",
            "5ca38c9ecc4284012bcae2b9\tMédia por escola de 1º à 5º ano - menores valores\t"
            "Inclusão\t02/04/2019 13:23:58\tSucesso"]
        row = find(db, "5ca38c9ecc4284012bcae2b9")
        assert not isinstance(row, Exception)
        log = log_json(db, row)  # type: ignore[arg-type]
        assert log == """{
  "idLote": "5ca38c9ecc4284012bcae2b9",
  "idDatabase": 3458,
  "idEntidade": 3466,
  "metodo": "POST",
  "tabela": "EDUCACAO_MEDIA_ESCOLA_1A5_MENORES",
  "dhRecebimento": "2019-04-02T13:23:58.722",
  "statusLote": "P",
  "situacao": "Sucesso",
  "retorno": [
    {
      "idIntegracao": "201903061717",
      "status": "SUCESSO"
    }
  ],
  "registros": [
    {
      "idIntegracao": "201903061717",
      "mediaEscolala5Menores": {
        "idGerado": {
          "id": 1
        },
        "exercicio": 2019,
        "media": 6.40
      }
    }
  ]
}
"""
        assert find(db, "ffffffffffffffffffffffff").code == "D1610"  # type: ignore[union-attr]
    finally:
        w.service.stop()


def test_listing_pages_newest_first(world: World) -> None:
    infos = [IndicatorInfo(id=f"ind{n:02d}", area="Educação", vertical="Educação",
                           name=f"Indicador {n:02d}", system="Educação", table=f"T{n}",
                           payload_key="k") for n in range(23)]
    records = [IndicatorRecord(indicator=i.id, entity=ENTITY, exercicio=2019,
                               id_integracao="A", content=(("exercicio", 2019),))
               for i in infos]
    world.run(records, infos)
    tick = itertools.count()  # a clock that moves one second each time it is read
    start = datetime.datetime(2019, 4, 2, 15, 0, tzinfo=datetime.UTC)
    assert world.send(clock=lambda: start + datetime.timedelta(seconds=next(tick))) == []
    first = listing(world.db(), 1).splitlines()
    # 23 lotes sent in id order ind00..ind22: newest first is ind22; 20 a page
    assert first[1].split("\t")[1] == "Indicador 22" and len(first) == 1 + 20 + 1
    assert first[-1].startswith("1-20 de 23")
    second = listing(world.db(), 2).splitlines()
    assert [r.split("\t")[1] for r in second[1:-1]] == ["Indicador 02", "Indicador 01",
                                                        "Indicador 00"]


def test_due_by_the_schedules(world: World) -> None:
    """Saúde hourly (the seed), Educação by hand: --due sends only Saúde, once an hour
    (Brasília time)."""
    world.run([rec(MEDIA, "E1", "7.50"), rec(TMA, "T1", "12.00")])
    at = datetime.datetime(2019, 4, 2, 13, 5, tzinfo=datetime.UTC)  # 10:05 in Brasília
    assert world.send(due=True, dry_run=True, clock=lambda: at) == []
    assert [line.rsplit(": ", 1)[1] for line in world.echoed] == [
        "fora da agenda agora (não seria enviado)", "a enviar"]  # Educação, then Saúde
    assert world.send(due=True, clock=lambda: at) == []
    assert world.states() == [("lotes/tmaAgendado-inclusao-001.json", "executado")]
    world.run([rec(MEDIA, "E1", "7.50"), rec(TMA, "T1", "13.00")])  # a new Saúde lote
    later = at + datetime.timedelta(minutes=50)  # 10:55: the same hour
    assert world.send(due=True, clock=lambda: later) == []
    assert [s for f, s in world.states() if "alteracao" in f] == []
    nxt = at + datetime.timedelta(minutes=56)  # 11:01: a new hour
    assert world.send(due=True, clock=lambda: nxt) == []
    assert ("lotes/tmaAgendado-alteracao-001.json", "executado") in world.states()
    assert not any("media" in f for f, _ in world.states())


def test_every_lote_of_a_due_system_goes_in_one_send(world: World) -> None:
    world.run([rec(TMA, "T1", "1.00")])
    assert world.send() == []
    world.run([rec(TMA, "T2", "2.00")])  # an insert (T2) and a removal (T1): two lotes
    at = datetime.datetime(2019, 4, 3, 13, 5, tzinfo=datetime.UTC)
    assert world.send(due=True, clock=lambda: at) == []
    assert [s for _, s in world.states()] == ["executado"] * 3


def test_daily_schedule(world: World) -> None:
    protocolo = System(name="Saúde", url=world.service.url, token=TOKEN, schedule=DAILY)
    s = Settings(systems=(protocolo,), delivery=FAST)
    world.run([rec(TMA, "T1", "12.00")])
    day = datetime.datetime(2019, 4, 2, 23, 0, tzinfo=datetime.UTC)  # 20:00 in Brasília
    assert world.send(s, due=True, clock=lambda: day) == []
    world.run([rec(TMA, "T1", "13.00")])
    # 02:30 UTC on the 3rd is still the 2nd in Brasília: not due; 03:30 UTC is the 3rd
    assert world.send(s, due=True, clock=lambda: day + datetime.timedelta(hours=3.5)) == []
    assert len(world.states()) == 1
    assert world.send(s, due=True, clock=lambda: day + datetime.timedelta(hours=4.5)) == []
    assert len(world.states()) == 2


def test_a_system_missing_or_of_another_exercicio(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50"), rec(TMA, "T1", "1.00")])
    only_saude = Settings(systems=(System(name="Saúde", url=world.service.url, token=TOKEN),
                                   System(name="Educação", url=world.service.url, token=TOKEN,
                                          exercicio=2020)), delivery=FAST)
    errors = world.send(only_saude)
    assert codes(errors) == ["D1603"] and "exercício 2019" in errors[0].message
    errors = world.send(Settings(systems=(), delivery=FAST))
    assert codes(errors) == ["D1602", "D1602"]


def test_dry_run_sends_nothing(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "7.75")])
    assert world.send(dry_run=True) == []
    assert world.store.requests == []
    assert world.echoed == [
        f"{ENTITY}/lotes/mediaEscola1a5Menores-inclusao-001.json: Inclusão, 2 registro(s) do "
        "indicador mediaEscola1a5Menores (Média por escola de 1º à 5º ano - menores valores), "
        f"sistema Educação → POST {world.service.url}/EDUCACAO_MEDIA_ESCOLA_1A5_MENORES: "
        "a enviar"]


def test_a_refused_lote_and_an_answer_apura_does_not_read(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50")])
    world.store.refuse = 422
    errors = world.send()
    assert codes(errors) == ["D1609"] and "HTTP 422" in errors[0].message \
        and "Tabela desconhecida" in errors[0].message
    assert len([r for r in world.store.requests if r[0] == "POST"]) == 1  # a 4xx: no retry
    world.store.refuse = None
    world.store.garbled = True
    errors = world.send()
    assert codes(errors) == ["D1608"] and "nem 'statusLote'" in errors[0].message
    assert world.states()[0][1] == "aguardando"  # accepted, never marked ended
    world.store.garbled = False
    assert world.send() == []
    assert world.store.inserts == {"E1": 1}


def test_seed_vocabulary_partial(tmp_path: Path) -> None:
    w = World(tmp_path, Store(token=TOKEN, vocabulary="seed", fail_ids={"E1": "Nota inválida"}))
    try:
        w.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.00")])
        assert codes(w.send()) == ["D1606"]
        assert w.states()[0][1] == "parcial"
        # the seed's retorno[].status ERRO with its mensagem; E2's idGerado from registros
        assert w.results() == [("E1", "erro", None, "Nota inválida"),
                               ("E2", "sucesso", "1", None)]
    finally:
        w.service.stop()


@pytest.mark.parametrize("old, new", [("{", "["), ('"exercicio": 2019,\n  "base"',
                                                  '"exercicio": "2019",\n  "base"'),
                                      ('"POST"', '"PUT"'),
                                      ('"entidade": "3170206"', '"entidade": 3170206'),
                                      ('"mediaEscolala5Menores": {', '"outra": {')])
def test_a_lote_file_changed_by_hand_is_reported(world: World, old: str, new: str) -> None:
    world.run([rec(MEDIA, "E1", "7.50")])
    path = world.out / ENTITY / "lotes/mediaEscola1a5Menores-inclusao-001.json"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    assert codes(world.send()) == ["D1601"]
    assert world.store.requests == []


ALNUM = string.ascii_letters + string.digits


@hsettings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.generate],
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.tuples(*[st.text(ALNUM, min_size=n, max_size=n) for n in (8, 4, 4, 4, 12)]),
       right=st.booleans())
def test_tokens_never_reach_the_journal_or_a_message(tmp_path_factory, parts, right) -> None:  # type: ignore[no-untyped-def]
    """A careless service repeats the Authorization header in its error messages (a 401 for a
    wrong token, a 500 for the right one): the journal, the errors and the output never
    hold the token."""
    token = "-".join(parts)
    store = Store(token=token if right else TOKEN, echo_auth=True, fail_next=[500] * 3)
    w = World(tmp_path_factory.mktemp("send"), store)
    try:
        w.run([rec(MEDIA, "E1", "7.50")])
        errors = w.send(w.settings(token=token))
        assert codes(errors) == (["D1605"] if right else ["D1604"])
        text = render_all(errors) + "\n".join(w.echoed)
        assert "***" in text  # the echoed header was redacted
        dump = "\n".join(w.db().iterdump())
        # the whole token and a piece of it with its dash (a bare 12-letter part may be a
        # word the journal holds anyway: hypothesis found 'idIntegracao')
        for piece in (token, f"{parts[3]}-{parts[4]}", f"{parts[0]}-{parts[1]}"):
            assert piece not in text and piece not in dump
    finally:
        w.service.stop()


def test_interpret_both_vocabularies_by_hand() -> None:
    """runtime/portal_service.interpret on answers written by hand from the two vocabularies."""
    from runtime.portal_service import RecordResult
    from runtime.portal_service import ServiceError
    from runtime.portal_service import interpret

    got = interpret({"id": "x", "situacao": "EXECUTADO", "retorno": []}, ["A", "B"])
    assert (got.state, got.results) == ("executado", (RecordResult("A", "sucesso"),
                                                      RecordResult("B", "sucesso")))
    got = interpret({"id": "x", "situacao": "ERRO", "retorno": [
        {"idIntegracao": "A", "mensagem": "campo obrigatório"}]}, ["A", "B"])
    assert got.state == "erro" and [r.status for r in got.results] == ["erro", "erro"]
    assert got.results[1].mensagem == "o serviço não informou o resultado deste registro"
    got = interpret({"id": "x", "situacao": "EXECUTANDO", "retorno": []}, ["A"])
    assert (got.state, got.results) == ("executando", ())
    seed = {"idLote": "5ca38c9ecc4284012bcae2b9", "metodo": "PATCH", "statusLote": "P",
            "dhRecebimento": "2019-04-02T13:23:58.722",
            "retorno": [{"idIntegracao": "201903061717", "status": "SUCESSO"}],
            "registros": [{"mediaEscolala5Menores": {"idGerado": {"id": 1}, "exercicio": 2019},
                           "idIntegracao": "201903061717"}]}
    got = interpret(seed, ["201903061717"])
    assert (got.state, got.id_lote, got.received_at) == (
        "executado", "5ca38c9ecc4284012bcae2b9", "2019-04-02T13:23:58.722")
    assert got.results == (RecordResult("201903061717", "sucesso", "1"),)
    with pytest.raises(ServiceError, match="situação desconhecida"):
        interpret({"situacao": "CANCELADO"})


def test_a_send_while_another_holds_the_state_file_is_refused(world: World) -> None:
    from runtime.lifecycle import state_lock
    from runtime.lock import Busy
    from runtime.lock import RunLock

    world.run([rec(MEDIA, "E1", "7.50")])
    other = RunLock(state_lock(world.state), "o arquivo de estado", "D0506")
    other.acquire()
    try:
        with pytest.raises(Busy) as got:
            world.send()
        assert [e.code for e in got.value.errors] == ["D0503"]
    finally:
        other.release()
    assert world.store.requests == []
    assert world.send() == []


def test_which_refused_updates_are_lost_records() -> None:
    from runtime.portal_service import RecordResult
    from runtime.portal_service import lost

    def said(text: str | None, status: str = "erro") -> RecordResult:
        return RecordResult("E1", status, mensagem=text)
    assert lost("PATCH", said("Registro não encontrado"))
    assert lost("PATCH", said("REGISTRO NAO ENCONTRADO (idIntegracao E1)"))
    assert lost("PATCH", said("Record not found"))
    assert not lost("PATCH", said("Escola não encontrada"))  # the content, not the record
    assert not lost("POST", said("Registro não encontrado"))
    assert not lost("DELETE", said("Registro não encontrado"))
    assert not lost("PATCH", said(None))
    assert not lost("PATCH", said("Registro não encontrado", "sucesso"))


def test_an_update_the_service_cannot_find_is_planned_as_an_insert(world: World) -> None:
    world.run([rec(MEDIA, "E1", "7.50"), rec(MEDIA, "E2", "8.25")])
    assert world.send() == []
    del world.store.tables["EDUCACAO_MEDIA_ESCOLA_1A5_MENORES"]["E1"]  # the service lost E1
    world.run([rec(MEDIA, "E1", "7.75"), rec(MEDIA, "E2", "9.00")])
    errors = world.send()
    assert codes(errors) == ["D1611"]
    assert "1 de 2 registro(s) da Alteração" in errors[0].message
    assert "Registro não encontrado" in errors[0].message
    # the results of both lotes (E1 and E2 of the insert, ids 1 and 2; then the update)
    assert sorted(world.results(), key=str) == sorted([
        ("E1", "ausente", None, "Registro não encontrado"), ("E1", "sucesso", "1", None),
        ("E2", "sucesso", "2", None), ("E2", "sucesso", "2", None)], key=str)
    # E1 is no longer confirmed, E2 is with its new content
    assert world.confirmed() == {("mediaEscola1a5Menores", "E2"):
                                 '{"exercicio":2019,"media":9.00}'}
    with world.db() as db:
        row = find(db, "5ca38c9ecc4284012bcae2ba")  # the test server's second lote id
        assert isinstance(row, sqlite3.Row)
        log = log_json(db, row)
    assert '"status": "ERRO"' in log and '"mensagem": "Registro não encontrado"' in log
    world.run([rec(MEDIA, "E1", "7.75"), rec(MEDIA, "E2", "9.00")])
    index = (world.out / ENTITY / "lotes/indice.json").read_text("utf-8")
    assert '"lotes/mediaEscola1a5Menores-inclusao-001.json", "registros": 1' in index
    assert "alteracao" not in index
    assert world.send() == []
    assert world.store.tables["EDUCACAO_MEDIA_ESCOLA_1A5_MENORES"]["E1"][1][
        "mediaEscolala5Menores"]["media"] == 7.75
    assert world.store.inserts == {"E1": 2, "E2": 1}  # E1 again only because it was lost
