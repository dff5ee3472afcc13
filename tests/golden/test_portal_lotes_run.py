"""The lotes of a real run of `portal_gestor` (fixtures/portal_gestor/4205407, exercício 2019,
mês 6): a snapshot of every lote file, python = duckdb byte for byte, and the incremental
sequence through the real CLI (`apura run` + `apura send` against tests/portal_server.py):
run → send → run unchanged (no lote) → one ledger value changed (an update of exactly that
record) → its source row dropped (a removal) → a record the server refuses → the next run
plans it again. Expected records are worked out by hand from afastamento.csv (below)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import runtime
from compiler.cli import cli
from runtime.coverage import key_text
from runtime.indicator import id_integracao
from runtime.indicator_csv import portal
from tests.conftest import ROOT
from tests.portal_server import Service
from tests.portal_server import Store

FIX = ROOT / "fixtures" / "portal_gestor" / "4205407"
ENTITY = "4205407"
PARAMS = {"exercicio": 2019, "mes": 6}
TOKEN = "1a2b3c4d-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
AFAST = "quantidadeafastamentodias"
# afastamento.csv, jan–jun: Licença saúde 15 + 5 dias (2), Licença-prêmio 30 dias (1)
PREMIO = id_integracao(AFAST, ENTITY, 2019, key_text(("Licença-prêmio",)))
SAUDE = id_integracao(AFAST, ENTITY, 2019, key_text(("Licença saúde",)))


def _inputs(folder: Path = FIX) -> dict[str, Path]:
    return {p.stem: p for p in sorted(folder.glob("*.csv"))}


def _lotes(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in outputs.items() if k.startswith(f"{ENTITY}/lotes/")}


def test_every_lote_of_the_fixture_run(impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    program = runtime.load(ROOT / "generated" / "portal_gestor")
    got = {b: _lotes(program.run(_inputs(), PARAMS, backend=b).outputs)
           for b in ("python", "duckdb")}
    assert got["python"] == got["duckdb"]
    lotes = got["python"]
    index = json.loads(lotes[f"{ENTITY}/lotes/indice.json"])["lotes"]
    # without a state nothing is confirmed: every record an insert, one lote per indicator
    # (none has more than 300 records), as many records as indicadores.csv has
    infos, records = portal(program.run(_inputs(), PARAMS), ENTITY)
    assert [e["arquivo"] for e in index] == [f"lotes/{i}-inclusao-001.json"
                                             for i in sorted(i.id for i in infos)]
    assert {e["arquivo"].split("-")[0][6:]: e["registros"] for e in index} == {
        i.id: sum(r.indicator == i.id for r in records) for i in infos}
    assert len(lotes) == len(index) + 1
    for name, data in sorted(lotes.items()):
        assert data == impt_snapshot(name=name.split("/", 1)[1].replace("/", "_"))


def invoke(*args: str | Path) -> tuple[int, str, str]:
    got = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in got.stdout + got.stderr, got.stderr
    return got.exit_code, got.stdout, got.stderr


CONFIG = """envio: {{timeout: 5, tentativas: 2, espera: 0.01, consulta: 0.01}}
sistemas:
  Sapo: {{url: {url}, token: {t}, exercicio: 2019, poder: E}}
  Folha: {{url: {url}, token: {t}, exercicio: 2019, configuracoes: [1],
           categorias: [Funcionários]}}
  Compras: {{url: {url}, token: Bearer {t}}}
  Patrimônio: {{linha: desktop, url: {url}, token: Bearer {t}, exercicio: 2019}}
  Tributos: {{url: {url}, token: {t}, ambiente: Produção}}
  Estoque: {{url: {url}, token: {t}}}
  Frotas: {{url: {url}, token: {t}}}
  Saúde: {{url: {url}, token: {t}}}
  Educação: {{url: {url}, token: {t}}}
"""


class Project:
    """The fixture's ledgers in a folder the test edits, OUT per back end, one state file."""

    def __init__(self, tmp: Path, url: str) -> None:
        self.tmp = tmp
        self.ledgers = tmp / "ledgers"
        self.ledgers.mkdir()
        for p in FIX.glob("*.csv"):
            (self.ledgers / p.name).write_bytes(p.read_bytes())
        self.state = tmp / "s.sqlite"
        self.config = tmp / "integracao.yaml"
        self.config.write_text(CONFIG.format(url=url, t=TOKEN), "utf-8")

    def edit(self, old: str, new: str) -> None:
        path = self.ledgers / "afastamento.csv"
        text = path.read_text("utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), "utf-8")

    def run(self) -> list[dict[str, object]]:
        """Both back ends against the same state: the same lote bytes; the python run's
        lotes (index order), each file parsed."""
        written = {}
        for backend in ("python", "duckdb"):
            args: list[str | Path] = ["run", ROOT / "generated" / "portal_gestor"]
            for name, path in _inputs(self.ledgers).items():
                args += ["--input", f"{name}={path}"]
            code, _, err = invoke(*args, "--param", "exercicio=2019", "--param", "mes=6",
                                  "--out", self.tmp / backend, "--state", self.state,
                                  "--backend", backend)
            assert code == 0, err
            folder = self.tmp / backend / ENTITY
            index = json.loads((folder / "lotes/indice.json").read_text("utf-8"))["lotes"]
            written[backend] = {e["arquivo"]: (folder / e["arquivo"]).read_bytes()
                                for e in index}
        assert written["python"] == written["duckdb"]
        return [json.loads(data) for data in written["python"].values()]

    def lote_files(self) -> dict[str, list[str]]:
        """What OUT/<entity>/lotes/ holds after the last run, per back end."""
        return {b: sorted(p.name for p in (self.tmp / b / ENTITY / "lotes").iterdir())
                for b in ("python", "duckdb")}

    def send(self) -> tuple[int, str, str]:
        return invoke("send", "portal_gestor", "--out", self.tmp / "python", "--state",
                      self.state, "--config", self.config)


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = Store(token=TOKEN, polls_to_end=0)
    service = Service(store)
    yield Project(tmp_path, service.url), store
    service.stop()


def _afast(lote: dict[str, object]) -> list[object]:
    assert lote["indicador"] == AFAST
    return lote["registros"]  # type: ignore[return-value]


def test_incremental_runs_through_the_cli(project) -> None:  # type: ignore[no-untyped-def]
    p, store = project
    first = p.run()
    assert len(first) == 79 and {lt["processo"] for lt in first} == {"Inclusão"}
    # a file of someone else's in lotes/ (apura did not write it: it stays through every run)
    for backend in ("python", "duckdb"):
        (p.tmp / backend / ENTITY / "lotes" / "LEIAME.txt").write_text("anotação", "utf-8")
    code, out, err = p.send()
    assert code == 0, err
    inserted = dict(store.inserts)
    assert len(inserted) == sum(len(lt["registros"]) for lt in first)  # type: ignore[arg-type]
    assert set(inserted.values()) == {1}
    # the same ledgers again: the service has it all, nothing to send — and no lote file of
    # the first run stays beside the (empty) index
    assert p.run() == []
    assert p.lote_files() == {b: ["LEIAME.txt", "indice.json"] for b in ("python", "duckdb")}
    before = len(store.requests)
    assert p.send()[0] == 0 and len(store.requests) == before
    # Licença-prêmio 30 → 31 dias: an update of that record alone
    p.edit("4205407;102;Licença-prêmio;01/04/2019;30", "4205407;102;Licença-prêmio;01/04/2019;31")
    [update] = p.run()
    assert (update["processo"], update["metodo"]) == ("Alteração", "PATCH")
    assert p.lote_files() == {b: ["LEIAME.txt", "indice.json", f"{AFAST}-alteracao-001.json"]
                              for b in ("python", "duckdb")}
    assert _afast(update) == [{"idIntegracao": PREMIO, AFAST: {
        "exercicio": 2019, "motivo": "Licença-prêmio", "dias": 31, "afastamentos": 1}}]
    assert p.send()[0] == 0
    assert store.tables[str(update["tabela"])][PREMIO][1][AFAST]["dias"] == 31
    # its only source row dropped: a removal of that record
    p.edit("4205407;102;Licença-prêmio;01/04/2019;31\n", "")
    [removal] = p.run()
    assert p.lote_files()["python"] == ["LEIAME.txt", "indice.json", f"{AFAST}-exclusao-001.json"]
    assert (removal["processo"], _afast(removal)) == ("Exclusão", [{"idIntegracao": PREMIO}])
    assert p.send()[0] == 0 and PREMIO not in store.tables[str(removal["tabela"])]
    assert p.run() == []
    # Licença saúde 5 → 6 dias, refused by the service: the next run plans it again
    p.edit("4205407;101;Licença saúde;01/06/2019;5", "4205407;101;Licença saúde;01/06/2019;6")
    store.fail_ids = {SAUDE: "Motivo desconhecido"}
    [refused] = p.run()
    code, _, err = p.send()
    assert code == 1 and "erro[D1606]" in err and "Motivo desconhecido" in err
    store.fail_ids = {}
    [again] = p.run()
    assert again["registros"] == refused["registros"] == [{"idIntegracao": SAUDE, AFAST: {
        "exercicio": 2019, "motivo": "Licença saúde", "dias": 21, "afastamentos": 2}}]
    assert again["base"] != refused["base"]  # new bytes: not taken as the ended lote
    assert p.send()[0] == 0
    assert store.tables[str(again["tabela"])][SAUDE][1][AFAST]["dias"] == 21
    assert p.run() == []
    assert store.inserts == inserted  # no record inserted twice


def test_a_selection_plans_no_removal_of_what_it_did_not_compute(tmp_path: Path) -> None:
    """The state confirms an afastamento record; a run of the Saúde TMA alone (--select) plans
    their inserts and nothing for quantidadeafastamentodias (no removal)."""
    import hashlib

    from runtime.journal import Journal
    from runtime.portal_lotes import confirm

    state = tmp_path / "s.sqlite"
    j = Journal(state)
    with j.db:
        cur = j.db.execute(
            "INSERT INTO portal_lotes (package, partition, file, sha256, indicator, name, "
            "system, tabela, processo, exercicio, records, body, url, state, updated_at) VALUES "
            "('portal_gestor', ?, 'lotes/x.json', ?, ?, '', '', '', '', 2019, 1, '', '', "
            "'executado', '')", (ENTITY, hashlib.sha256(b"x").hexdigest(), AFAST))
        confirm(j.db, "portal_gestor", ENTITY, 2019, AFAST, int(cur.lastrowid or 0),
                [(PREMIO, '{"exercicio":2019}')])
    j.close()
    program = runtime.load(ROOT / "generated" / "portal_gestor")
    inputs = {"atendimento": FIX / "atendimento.csv"}
    part = program.run(inputs, PARAMS, select="saude/t*", allocation_state=state)
    index = json.loads(part.outputs[f"{ENTITY}/lotes/indice.json"])["lotes"]
    assert index and all(e["arquivo"].startswith(("lotes/tempo", "lotes/tma")) for e in index)
    assert all("-inclusao-" in e["arquivo"] for e in index)
    # the whole package against the same state: that record is an update (the confirmed
    # content differs from the computed one), planned on base 1 (the ended lote)
    full = program.run(_inputs(), PARAMS, allocation_state=state)
    lote = json.loads(full.outputs[f"{ENTITY}/lotes/{AFAST}-alteracao-001.json"])
    assert lote["base"] == 1 and [r["idIntegracao"] for r in lote["registros"]] == [PREMIO]


def test_an_update_of_a_record_the_service_lost_is_inserted_again(project) -> None:  # type: ignore[no-untyped-def]
    """The service loses a confirmed record (removed there by hand); the next change of it is
    an Alteração the service answers "Registro não encontrado" (tests/portal_server.py): the
    send journals it `ausente` and D1611, the next run plans it as an Inclusão, and the send
    after that puts it back — instead of a PATCH that would fail on every run."""
    import sqlite3

    p, store = project
    first = p.run()
    assert p.send()[0] == 0
    [tabela] = {str(lt["tabela"]) for lt in first if lt["indicador"] == AFAST}
    del store.tables[tabela][PREMIO]
    p.edit("4205407;102;Licença-prêmio;01/04/2019;30", "4205407;102;Licença-prêmio;01/04/2019;31")
    [update] = p.run()
    assert update["metodo"] == "PATCH" and [r["idIntegracao"] for r in _afast(update)] == [PREMIO]
    code, out, err = p.send()
    assert code == 1 and "erro[D1611]" in err and "Registro não encontrado" in err, err
    assert "erro[D1606]" not in err and "1 ausente(s) no serviço" in out
    db = sqlite3.connect(p.state)
    got = db.execute("SELECT status, mensagem FROM portal_results WHERE id_integracao = ? "
                     "ORDER BY lote DESC LIMIT 1", (PREMIO,)).fetchone()
    assert got == ("ausente", "Registro não encontrado")
    assert db.execute("SELECT count(*) FROM portal_records WHERE id_integracao = ?",
                      (PREMIO,)).fetchone() == (0,)
    db.close()
    [insert] = p.run()
    assert (insert["processo"], insert["metodo"]) == ("Inclusão", "POST")
    assert _afast(insert) == [{"idIntegracao": PREMIO, AFAST: {
        "exercicio": 2019, "motivo": "Licença-prêmio", "dias": 31, "afastamentos": 1}}]
    assert p.send()[0] == 0
    assert store.tables[tabela][PREMIO][1][AFAST]["dias"] == 31
    assert store.inserts[PREMIO] == 2  # once at first, once after the service lost it
    assert p.run() == []
