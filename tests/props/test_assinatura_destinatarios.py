"""destinatarios.csv on random school data (diários of "Diário final" and "Diário sem
limite", fixtures' configurations): python and duckdb give byte-identical outputs, and what
the seed says of the recipients holds —

* the professor who started a diário's process is its first recipient, ordem 0, Assinador;
* every (document, source, person) the file lists — each source of a row's `fontes` — is a
  record of that source whose window contains the reference date (the day the process
  started, else the run's date; an empty start or end is open), and every such record is
  listed: an oracle written here from the generated records, per the configured sources
  ("Diário sem limite" configures no `vinculados`);
* one row per (document, e-mail): a person's e-mail is unique here, so a person reached twice
  is one row; a person without e-mail is never merged.

Random: six people (name or e-mail often missing), windows over a month with empty ends,
coordinators and other tipos/funções/cargos, the run's date; each diário's turma/disciplina,
matriz aplicada and coligada + filial drawn apart (two turmas share a matriz or a filial,
one filial number in two coligadas; a key left empty reaches nobody), the comissão keyed by
the matriz, the diretores by coligada + filial. Cost: both back ends
in-process, max_examples 30."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.conftest import ROOT
from tests.props.school import day_text
from tests.props.school import diario
from tests.props.school import documentos
from tests.props.school import shipped
from tests.props.school import write_csv

PROGRAM = runtime.load(ROOT / "generated" / "assinatura")
D0 = dt.date(2024, 6, 1)
PEOPLE = [f"P{i}" for i in range(6)]
# the sources each report configures (specs/assinatura/configuracoes/)
CONFIGURED = {"Diário final": {"vinculados", "coord_turma", "coord_comissao", "secretario1",
                               "secretario2"},
              "Diário sem limite": {"coord_turma", "coord_comissao", "secretario1",
                                    "secretario2"}}

day = st.integers(0, 30).map(lambda n: D0 + dt.timedelta(days=n))
maybe = st.one_of(st.none(), day)
pessoa = st.sampled_from(PEOPLE)
people = st.lists(st.tuples(st.booleans(), st.booleans()), min_size=6, max_size=6)
key = st.sampled_from([1, 2])
# (turma/disciplina, matriz aplicada, (coligada, filial)): drawn apart, so the same matriz or
# filial serves two turmas; an empty matriz or coligada/filial cell matches no record
doc = st.tuples(st.sampled_from(sorted(CONFIGURED)),
                st.tuples(key, st.one_of(st.none(), key),
                          st.one_of(st.none(), st.tuples(key, key))),
                maybe, st.one_of(st.none(), pessoa))
window = st.tuples(pessoa, maybe, maybe)
turma = st.tuples(key, window, st.sampled_from(["Coordenador", "Titular"]))
comissao = st.tuples(key, window, st.sampled_from(["Coordenador", "Membro"]))
diretor = st.tuples(st.tuples(key, key), window,
                    st.sampled_from(["Secretário 1", "Secretário 2", "Diretor"]))


def _s(x: int | None) -> str:
    return "" if x is None else str(x)


def _within(x: dt.date, start: dt.date | None, end: dt.date | None) -> bool:
    return (start is None or start <= x) and (end is None or x <= end)


@settings(max_examples=30, deadline=None)
@given(people, st.lists(doc, min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(0, 3), pessoa), max_size=4),
       st.lists(turma, max_size=6), st.lists(comissao, max_size=4),
       st.lists(diretor, max_size=4), day)
def test_recipients_agree_and_keep_the_seed(who, docs, linked, turmas, comissoes, diretores,
                                            base) -> None:  # type: ignore[no-untyped-def]
    linked = [(i, p) for i, p in linked if i < len(docs)]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        inputs = {
            "documento": documentos(t / "d.csv", [
                diario(i, rel, D0, idturmadisc=str(idt), idmatrizaplicada=_s(mat),
                       inicio_processo=day_text(ini),
                       **({} if fil is None else {"codcoligada": str(fil[0]),
                                                  "codfilial": str(fil[1])}))
                for i, (rel, (idt, mat, fil), ini, _) in enumerate(docs)]),
            "documento_parametro": write_csv(t / "p.csv", [["documento", "parametro"]]),
            **shipped("relatorio", "etapa", "periodo_letivo"),
            "pessoa": write_csv(t / "pe.csv", [
                ["pessoa", "nome", "email", "login"],
                *([p, f"Nome {p}" if n else "", f"{p.lower()}@escola.br" if e else "", ""]
                  for p, (n, e) in zip(PEOPLE, who, strict=True))]),
            "processo_professor": write_csv(t / "pp.csv", [
                ["documento", "pessoa"],
                *([f"D{i}", prof] for i, (_, _, _, prof) in enumerate(docs) if prof)]),
            "documento_pessoa": write_csv(t / "dp.csv", [
                ["documento", "pessoa"], *([f"D{i}", p] for i, p in linked)]),
            "professor_turma": write_csv(t / "pt.csv", [
                ["idturmadisc", "pessoa", "tipo_professor", "data_inicio", "data_termino"],
                *([str(i), p, tp, day_text(a), day_text(b)] for i, (p, a, b), tp in turmas)]),
            "comissao_coordenadora": write_csv(t / "cc.csv", [
                ["idmatrizaplicada", "pessoa", "funcao", "inicio_mandato", "termino_mandato"],
                *([str(m), p, f, day_text(a), day_text(b)] for m, (p, a, b), f in comissoes)]),
            "diretor_filial": write_csv(t / "df.csv", [
                ["codcoligada", "codfilial", "pessoa", "cargo", "data_inicio", "data_fim"],
                *([str(c), str(f), p, cargo, day_text(a), day_text(b)]
                  for (c, f), (p, a, b), cargo in diretores)])}
        got = [PROGRAM.run(ledgers=inputs, params={"data_base": base.isoformat()},
                           backend=b).outputs for b in ("python", "duckdb")]
    assert got[0] == got[1]
    rows = list(csv.DictReader(io.StringIO(got[0]["destinatarios.csv"].decode("utf-8")),
                               delimiter=";"))
    email = {p: f"{p.lower()}@escola.br" if e else "" for p, (_, e) in zip(PEOPLE, who,
                                                                          strict=True)}
    expected: set[tuple[str, str, str]] = set()
    for i, (rel, (idt, mat, fil), ini, prof) in enumerate(docs):
        d = f"D{i}"
        mine = [r for r in rows if r["documento"] == d]
        if prof:  # the professor: first, ordem 0, Assinador
            assert (mine[0]["pessoa"], mine[0]["ordem"], mine[0]["tipo"]) == (prof, "0",
                                                                               "Assinador")
            expected.add((d, "professor", prof))
        ref = ini or base
        sources = CONFIGURED[rel]
        if "vinculados" in sources:
            expected |= {(d, "vinculados", p) for j, p in linked if j == i}
        for k, (p, a, b), tp in turmas:  # the turma/disciplina's
            if k == idt and tp == "Coordenador" and _within(ref, a, b):
                expected.add((d, "coord_turma", p))
        for m, (p, a, b), f in comissoes:  # the matriz aplicada's (none: nobody)
            if m == mat and f == "Coordenador" and _within(ref, a, b):
                expected.add((d, "coord_comissao", p))
        for k, (p, a, b), c in diretores:  # the filial's, coligada + filial (none: nobody)
            for cargo, src in (("Secretário 1", "secretario1"), ("Secretário 2", "secretario2")):
                if k == fil and c == cargo and _within(ref, a, b):
                    expected.add((d, src, p))
        keys = [r["email"] for r in mine if r["email"]]
        assert len(keys) == len(set(keys))  # one row per (document, e-mail)
    listed = {(r["documento"], s, r["pessoa"]) for r in rows for s in r["fontes"].split(", ")}
    # a merged row names its first source's person; the e-mail is the person's, so the
    # merged sources reached that same person
    assert listed == expected
    for r in rows:
        assert r["email"] == email[r["pessoa"]]
