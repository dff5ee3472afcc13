"""`apura send` and `apura lotes` from the command line, against the local service layer
(tests/portal_server.py), with lotes written by runtime/portal_lotes.py from synthetic
records (a real run of the kind: tests/golden/test_portal_lotes_run.py)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from click.testing import Result

from compiler.cli import cli
from runtime.portal_lotes import files
from runtime.portal_lotes import plan
from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from tests.portal_server import Service
from tests.portal_server import Store

TOKEN = "1a2b3c4d-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
COMPRAS = IndicatorInfo(id="powerNumbersContratos.licitacoes", area="Contratos",
                        vertical="Compras", name="Licitações em andamento", system="Compras",
                        table="CONTRATOS_LICITACOES", payload_key="licitacoes")


def invoke(*args: str | Path) -> Result:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    store = Store(token=TOKEN)
    service = Service(store)
    records = [IndicatorRecord(indicator=COMPRAS.id, entity="3170206", exercicio=2019,
                               id_integracao=f"L{n}", content=(("exercicio", 2019),
                                                               ("valor", Decimal("1.50"))))
               for n in range(3)]
    for rel, data in files(plan([COMPRAS], records, {}, entity="3170206",
                                exercicio=2019)).items():
        (tmp_path / "out" / "3170206" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / "3170206" / rel).write_bytes(data)
    config = tmp_path / "integracao.yaml"
    config.write_text(f"envio:\n  timeout: 2\n  tentativas: 2\n  espera: 0.01\n"
                      f"  consulta: 0.01\nsistemas:\n  Compras:\n    url: {service.url}\n"
                      f"    token: Bearer {TOKEN}\n", "utf-8")
    yield tmp_path, store, service
    service.stop()


def test_send_then_lotes(world) -> None:  # type: ignore[no-untyped-def]
    tmp, store, service = world
    dry = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite", "--config",
                 "integracao.yaml", "--dry-run")
    assert dry.exit_code == 0 and store.requests == []
    assert dry.stdout.endswith(f"POST {service.url}/CONTRATOS_LICITACOES: a enviar\n")
    sent = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite", "--config",
                  "integracao.yaml")
    assert sent.exit_code == 0, sent.stderr
    assert sent.stdout == ("3170206/lotes/powerNumbersContratos.licitacoes-inclusao-001.json: "
                           "Inclusão de 3 registro(s) → Compras: Sucesso "
                           "(lote 5ca38c9ecc4284012bcae2b9)\n")
    # the Compras screen takes 'Bearer <code>'; the header is 'Bearer <code>' once
    assert store.inserts == {"L0": 1, "L1": 1, "L2": 1}
    listed = invoke("lotes", "--state", "s.sqlite")
    assert listed.exit_code == 0
    row = listed.stdout.splitlines()[1].split("\t")
    assert row[:3] == ["5ca38c9ecc4284012bcae2b9", "Licitações em andamento", "Inclusão"]
    assert row[4] == "Sucesso"
    log = invoke("lotes", "--state", "s.sqlite", "--json", "5ca38c9ecc4284012bcae2b9")
    data = json.loads(log.stdout)
    assert data["statusLote"] == "P" and data["metodo"] == "POST"
    assert [r["status"] for r in data["retorno"]] == ["SUCESSO"] * 3
    assert data["registros"][0]["licitacoes"]["idGerado"] == {"id": 1}
    unknown = invoke("lotes", "--state", "s.sqlite", "--json", "nada")
    assert unknown.exit_code == 1 and "erro[D1610]" in unknown.stderr


def test_a_bad_config_is_positioned_and_sends_nothing(world) -> None:  # type: ignore[no-untyped-def]
    tmp, store, _ = world
    text = (tmp / "integracao.yaml").read_text("utf-8").replace(f"Bearer {TOKEN}", TOKEN)
    (tmp / "integracao.yaml").write_text(text, "utf-8")
    got = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite", "--config",
                 "integracao.yaml")
    assert got.exit_code == 1
    # line 9 of the config written above, after '    token: '
    assert got.stderr.startswith("integracao.yaml:9:12: erro[S1907]: o token do sistema "
                                 "Compras não começa com 'Bearer '")
    assert TOKEN not in got.stderr and TOKEN[:8] not in got.stderr
    assert store.requests == []


def test_a_refused_token_exits_1(world) -> None:  # type: ignore[no-untyped-def]
    tmp, store, _ = world
    store.token = "9f9f9f9f-0e1f-4a5b-8c9d-0e1f2a3b4c5d"
    got = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite", "--config",
                 "integracao.yaml")
    assert got.exit_code == 1 and "erro[D1604]" in got.stderr and "Token inválido" in got.stderr
    assert TOKEN not in got.stderr


def test_lotes_without_a_state_file(world) -> None:  # type: ignore[no-untyped-def]
    got = invoke("lotes", "--state", "nada.sqlite")
    assert got.exit_code == 0 and "nenhum lote" in got.stdout
    assert not Path("nada.sqlite").exists()


def test_a_token_from_the_environment_goes_and_is_never_written(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """`token: {env: NAME}`: the variable holds what the Compras screen takes (`Bearer
    <code>`), the request carries it, and a service that repeats the Authorization header in
    its 500s (store.echo_auth) still leaves no trace of it in the output or the journal."""
    tmp, store, _ = world
    text = (tmp / "integracao.yaml").read_text("utf-8")
    (tmp / "integracao.yaml").write_text(text.replace(f"token: Bearer {TOKEN}",
                                                      "token: {env: PORTAL_TOKEN_COMPRAS}"),
                                         "utf-8")
    missing = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite",
                     "--config", "integracao.yaml")
    assert missing.exit_code == 1 and store.requests == []
    assert missing.stderr.startswith("integracao.yaml:9:18: erro[S1918]: o token do sistema "
                                     "Compras vem da variável de ambiente PORTAL_TOKEN_COMPRAS")
    monkeypatch.setenv("PORTAL_TOKEN_COMPRAS", f"Bearer {TOKEN}")
    store.echo_auth = True
    store.fail_next = [500, 500]  # both tries of the first request (tentativas: 2)
    failed = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite",
                    "--config", "integracao.yaml")
    assert failed.exit_code == 1 and "erro[D1605]" in failed.stderr
    assert "Bearer ***" in failed.stderr  # the service said the header: redacted
    sent = invoke("send", "portal_gestor", "--out", "out", "--state", "s.sqlite", "--config",
                  "integracao.yaml")
    assert sent.exit_code == 0, sent.stderr
    assert store.inserts == {"L0": 1, "L1": 1, "L2": 1}
    log = invoke("lotes", "--state", "s.sqlite", "--json", "5ca38c9ecc4284012bcae2b9")
    for text in (missing.stderr, failed.stdout, failed.stderr, sent.stdout, sent.stderr,
                 log.stdout, (tmp / "s.sqlite").read_bytes().decode("utf-8", "replace")):
        assert TOKEN not in text and TOKEN[:8] not in text


def test_the_tributos_ambiente_chooses_the_service_layer(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Produção sends to `url`, Testes to `url_testes` (provisional): two local services, the
    same lote file; each ambiente's requests reach only its own server, the dry run names it."""
    monkeypatch.chdir(tmp_path)
    info = IndicatorInfo(id="tributospendentespagamento", area="Arrecadação",
                         vertical="Arrecadação", name="Tributos pendentes de pagamento",
                         system="Tributos", table="ARRECADACAO_TRIBUTOS", payload_key="trib")
    record = IndicatorRecord(indicator=info.id, entity="3170206", exercicio=2019,
                             id_integracao="T1", content=(("exercicio", 2019),))
    for rel, data in files(plan([info], [record], {}, entity="3170206", exercicio=2019)).items():
        (tmp_path / "out" / "3170206" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "out" / "3170206" / rel).write_bytes(data)
    prod, testes = Store(token=TOKEN), Store(token=TOKEN)
    services = Service(prod), Service(testes)
    try:
        for ambiente, store, other in (("Testes", testes, prod), ("Produção", prod, testes)):
            Path("integracao.yaml").write_text(
                "envio: {timeout: 2, tentativas: 1, consulta: 0.01}\nsistemas:\n  Tributos:\n"
                f"    url: {services[0].url}\n    url_testes: {services[1].url}\n"
                f"    token: {TOKEN}\n    ambiente: {ambiente}\n", "utf-8")
            state = f"{ambiente[0]}.sqlite"  # a fresh journal: the lote is sent again
            dry = invoke("send", "portal_gestor", "--out", "out", "--state", state,
                         "--config", "integracao.yaml", "--dry-run")
            url = services[1].url if ambiente == "Testes" else services[0].url
            assert dry.exit_code == 0 and f"POST {url}/ARRECADACAO_TRIBUTOS: a enviar" in dry.stdout
            sent = invoke("send", "portal_gestor", "--out", "out", "--state", state,
                          "--config", "integracao.yaml")
            assert sent.exit_code == 0, sent.stderr
            assert store.inserts == {"T1": 1}, ambiente
            assert other.inserts == ({} if ambiente == "Testes" else {"T1": 1})
        assert [m for m, _ in testes.requests if m != "GET"] == ["POST"]
        assert [m for m, _ in prod.requests if m != "GET"] == ["POST"]
    finally:
        for s in services:
            s.stop()
