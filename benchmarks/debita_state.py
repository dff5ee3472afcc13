"""The Debita oracle's state in SQLite (`--state PATH` of benchmarks/debita_baseline.py): the
imported discounts, every event (never deleted) and the latest run's imputations, for one
rule (an allocation's state belongs to the rule that made it; loading another rule's file is
an error). The whole state is rewritten in one transaction at the end of an invocation."""

from __future__ import annotations

import datetime
import sqlite3
from decimal import Decimal
from pathlib import Path

from debita_baseline import Discount
from debita_baseline import Event
from debita_baseline import Imputation
from debita_baseline import OracleError
from debita_baseline import State

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS descontos (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, base TEXT,
  cpf TEXT, rubrica TEXT, competencia TEXT, data_folha TEXT, valor TEXT, natureza TEXT,
  regra TEXT, motivo TEXT, imputacoes TEXT);
CREATE TABLE IF NOT EXISTS eventos (seq INTEGER PRIMARY KEY, id TEXT UNIQUE, id_pagamento TEXT,
  imputacao TEXT, cpf TEXT, data TEXT, valor TEXT, origem TEXT, estorna TEXT);
CREATE TABLE IF NOT EXISTS imputacoes (imputacao TEXT PRIMARY KEY, processo TEXT,
  natureza TEXT, solidaria TEXT, data_imputacao TEXT, valor_atualizado TEXT, situacao TEXT,
  responsaveis TEXT);
"""


def load_state(path: Path, rule: str) -> State:
    """The state of `rule` kept in `path` (a new one if the file does not exist)."""
    state = State(rule=rule)
    if not path.exists():
        return state
    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        row = con.execute("SELECT v FROM meta WHERE k = 'rule'").fetchone()
        if row and row[0] != rule:
            raise OracleError(f"{path}: o estado é da regra {row[0]!r}, não de {rule!r}")
        for r in con.execute("SELECT id, base, cpf, rubrica, competencia, data_folha, valor, "
                             "natureza, regra, motivo, imputacoes FROM descontos ORDER BY seq"):
            state.discounts[r[0]] = Discount(
                r[0], r[1], r[2], r[3], r[4], datetime.date.fromisoformat(r[5]), Decimal(r[6]),
                r[7], r[8], r[9], r[10].split("|") if r[10] else [])
        for r in con.execute("SELECT id, id_pagamento, imputacao, cpf, data, valor, origem, "
                             "estorna FROM eventos ORDER BY seq"):
            state.add_event(Event(r[0], r[1], r[2], r[3], datetime.date.fromisoformat(r[4]),
                                  Decimal(r[5]), r[6], r[7]))
        for r in con.execute("SELECT * FROM imputacoes"):
            state.imputations[r[0]] = Imputation(
                r[0], r[1], r[2], r[3] == "S", datetime.date.fromisoformat(r[4]),
                Decimal(r[5]), r[6], frozenset(r[7].split("|")) if r[7] else frozenset())
    finally:
        con.close()
    return state


def save_state(state: State, path: Path) -> None:
    """Rewrite `path` with the whole state, in one transaction."""
    con = sqlite3.connect(path)
    try:
        with con:
            con.executescript(_SCHEMA)
            for t in ("meta", "descontos", "eventos", "imputacoes"):
                con.execute(f"DELETE FROM {t}")
            con.execute("INSERT INTO meta VALUES ('rule', ?)", (state.rule,))
            con.executemany("INSERT INTO descontos VALUES (NULL,?,?,?,?,?,?,?,?,?,?,?)", (
                (d.id, d.base, d.cpf, d.rubrica, d.competencia, d.data_folha.isoformat(),
                 str(d.valor), d.natureza, d.regra, d.motivo, "|".join(d.imputacoes))
                for d in state.discounts.values()))
            con.executemany("INSERT INTO eventos VALUES (NULL,?,?,?,?,?,?,?,?)", (
                (e.id, e.id_pagamento, e.imputacao, e.cpf, e.data.isoformat(), str(e.valor),
                 e.origem, e.estorna) for e in state.events))
            con.executemany("INSERT INTO imputacoes VALUES (?,?,?,?,?,?,?,?)", (
                (i.imputacao, i.processo, i.natureza, "S" if i.solidaria else "N",
                 i.data_imputacao.isoformat(), str(i.valor_atualizado), i.situacao,
                 "|".join(sorted(i.responsaveis))) for i in state.imputations.values()))
    finally:
        con.close()
