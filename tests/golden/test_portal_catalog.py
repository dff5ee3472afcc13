"""`apura catalog portal_gestor` against the seed's own table (section 4 of
fixtures/portal_gestor/seed/000_bcb18133b1166375.txt, a verbatim copy of the seed), parsed
here: every indicator of the seed must be listed with its area, id and vertical exactly as the
seed writes them, and the ones not yet written are named in MISSING (the test fails when that
list is wrong either way). Rows beyond the seed's are the Saúde TMA of its monitoring log:
Saúde area and vertical, their invented ids marked provisional. The names the log shows are
the names of indicators."""

from __future__ import annotations

import csv
import io
import json

from click.testing import CliRunner

from compiler.cli import cli
from tests.conftest import ROOT

SEED = ROOT / "fixtures" / "portal_gestor" / "seed" / "000_bcb18133b1166375.txt"
# The seed's ids that have no indicator spec yet (empty: all 73 are specs).
MISSING: list[str] = []
# The log's indicators the seed's table lacks (ids invented: provisional).
LOG_ONLY = {"tempomedioatendimentoagendado", "tmaagendadounidademaiores",
            "tmaagendadounidademenores", "tmaagendadoprocedimentomaiores",
            "tmaagendadoprocedimentomenores", "tmaprocedimentomenores"}


def seed_table() -> list[tuple[str, str, str]]:
    """(área, indicador, vertical) of section 4, in the seed's order."""
    text = SEED.read_text("utf-8")
    body = text.split("Área do Portal\tIndicador\tVertical Responsável", 1)[1]
    body = body.split("## 5 Configurações", 1)[0]
    rows = [tuple(line.split("\t")) for line in body.splitlines() if line.strip()]
    assert all(len(r) == 3 for r in rows), rows
    return rows  # type: ignore[return-value]


def log_names() -> list[str]:
    """The Indicador column of the seed's Monitoramento de cargas table (section 6)."""
    text = SEED.read_text("utf-8").split("ID lote\tIndicador\tProcesso", 1)[1]
    return [line.split("\t")[1] for line in text.splitlines()
            if line.count("\t") >= 4 and len(line.split("\t")[0]) == 24]


def catalog(fmt: str) -> str:
    got = CliRunner().invoke(cli, ["catalog", "portal_gestor", "--format", fmt])
    assert got.exit_code == 0, got.output
    return got.output


def listed() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(catalog("csv")), delimiter=";"))


def test_the_seed_table_is_parsed() -> None:
    rows = seed_table()
    assert len(rows) == 73
    assert rows[0] == ("Arrecadação", "alvararealizado", "Contábil")
    assert ("Contratos", "powerNumbersContratos.investimentoObras", "Contábil") in rows
    assert rows[-1] == ("Saúde", "gastossaudevencer", "Contábil")


def test_every_seed_row_is_listed_exactly_or_named_missing() -> None:
    by_id = {r["Indicador"]: r for r in listed()}
    seed = seed_table()
    absent = [ident for _, ident, _ in seed if ident not in by_id]
    assert absent == MISSING
    for area, ident, vertical in seed:
        if ident in MISSING:
            continue
        r = by_id[ident]
        assert (r["Área do Portal"], r["Indicador"], r["Vertical Responsável"]) == \
            (area, ident, vertical)


def test_the_rows_beyond_the_seed_are_the_logs_tma() -> None:
    seed_ids = {ident for _, ident, _ in seed_table()}
    extra = {r["Indicador"]: r for r in listed() if r["Indicador"] not in seed_ids}
    assert set(extra) == LOG_ONLY
    for r in extra.values():
        assert (r["Área do Portal"], r["Vertical Responsável"], r["Sistema"]) == \
            ("Saúde", "Saúde", "Saúde")
        assert "id" in r["Provisório"].split(",")


def test_the_logs_names_are_indicator_names() -> None:
    names = {r["Nome"] for r in listed()}
    logged = log_names()
    assert len(logged) == 20
    # the seed lists "Média geral por escola - maiores valores" twice (a seed error): once
    assert logged.count("Média geral por escola - maiores valores") == 2
    assert set(logged) <= names
    assert "Média geral por escola - menores valores" in names  # the other one, inferred


def test_the_only_table_and_key_the_seed_shows() -> None:
    r = next(r for r in listed() if r["Indicador"] == "mediaescola1a5menores")
    assert (r["Nome"], r["Tabela"], r["Chave"]) == (
        "Média por escola de 1º à 5º ano - menores valores",
        "EDUCACAO_MEDIA_ESCOLA_1A5_MENORES", "mediaEscolala5Menores")  # the seed's 'la5', kept
    assert "table" not in r["Provisório"] and "payload_key" not in r["Provisório"]


def test_json_and_md_list_the_same_rows() -> None:
    rows = [(r["Área do Portal"], r["Indicador"], r["Vertical Responsável"], r["Nome"])
            for r in listed()]
    got = json.loads(catalog("json"))
    assert [(x["area"], x["id"], x["vertical"], x["name"]) for x in got] == rows
    assert all(x["description"] for x in got)
    md = catalog("md").splitlines()
    assert len(md) == 2 + len(rows)
    assert md[2].split(" | ")[1:3] == [rows[0][1], rows[0][2]]


def test_a_package_without_indicators_is_said_so() -> None:
    got = CliRunner().invoke(cli, ["catalog", "debita"])
    assert got.exit_code == 1
    assert "não tem indicadores" in got.output
