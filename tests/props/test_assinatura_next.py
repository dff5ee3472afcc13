"""Who signs next (destinatarios.csv `proximo`, `each.next`; seed 001: "o próximo
destinatário ... após o destinatário atual realizar a assinatura"; issue 13: "the next signer
is the first unsigned in order") on random diários — python and duckdb byte-identical, and:

* a row's `assinado_em` is the first signature (by line) of assinatura_destinatario.csv for
  its document and e-mail, or — the professor's row — documento.assinatura_professor;
* the rows marked `proximo` are exactly, per document, the unsigned ones (not Observadores)
  at the least ordem among the unsigned: in "Diário final" (professor 0, coord_turma 1,
  vinculados 2) one position at a time; in "Diário sem limite" (coord_turma 0, no
  professor source configured but the professor's own row 0) all of them at once;
* a document everyone signed has no next signer.

The oracle reads the orders and types from the file (the recipients' own rules are
tests/props/test_assinatura_destinatarios.py's) and the signatures from the generated
records. Random: five people with e-mails, one turma, coordinators with open windows,
signatures on random days, some for people who are no recipient. max_examples 30."""

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
PEOPLE = [f"P{i}" for i in range(5)]

day = st.integers(0, 20).map(lambda n: D0 + dt.timedelta(days=n))
maybe = st.one_of(st.none(), day)
pessoa = st.sampled_from(PEOPLE)
# (relatório, professor, the professor's signature)
doc = st.tuples(st.sampled_from(["Diário final", "Diário sem limite"]),
                st.one_of(st.none(), pessoa), maybe)


def _email(p: str) -> str:
    return f"{p.lower()}@escola.br"


@settings(max_examples=30, deadline=None)
@given(st.lists(doc, min_size=1, max_size=3),
       st.lists(st.tuples(st.integers(0, 2), pessoa), max_size=4),
       st.lists(pessoa, max_size=3, unique=True),
       st.lists(st.tuples(st.integers(0, 3), pessoa, day), max_size=8))
def test_the_next_signers_are_the_unsigned_of_least_order(docs, linked, coords,
                                                          signed) -> None:  # type: ignore[no-untyped-def]
    linked = [(i, p) for i, p in linked if i < len(docs)]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        inputs = {
            "documento": documentos(t / "d.csv", [
                diario(i, rel, D0, idturmadisc="1", codcoligada="1", codfilial="1",
                       idmatrizaplicada="10",
                       **({} if not prof else {"situacao": "em_assinatura",
                                               "inicio_processo": day_text(D0),
                                               "assinatura_professor": day_text(sig)}))
                for i, (rel, prof, sig) in enumerate(docs)]),
            "documento_parametro": write_csv(t / "p.csv", [["documento", "parametro"]]),
            **shipped("relatorio", "etapa", "periodo_letivo"),
            "pessoa": write_csv(t / "pe.csv", [["pessoa", "nome", "email", "login"],
                                          *([p, f"Nome {p}", _email(p), ""] for p in PEOPLE)]),
            "processo_professor": write_csv(t / "pp.csv", [
                ["documento", "pessoa"],
                *([f"D{i}", prof] for i, (_, prof, _) in enumerate(docs) if prof)]),
            "documento_pessoa": write_csv(t / "dp.csv", [
                ["documento", "pessoa"], *([f"D{i}", p] for i, p in linked)]),
            "professor_turma": write_csv(t / "pt.csv", [
                ["idturmadisc", "pessoa", "tipo_professor", "data_inicio", "data_termino"],
                *(["1", p, "Coordenador", "", ""] for p in coords)]),
            "assinatura_destinatario": write_csv(t / "ad.csv", [
                ["documento", "email", "assinado_em"],
                *([f"D{i}", _email(p), day_text(when)] for i, p, when in signed)])}
        got = [PROGRAM.run(ledgers=inputs, params={"data_base": "2024-06-25"},
                           backend=b).outputs for b in ("python", "duckdb")]
    assert got[0] == got[1]
    rows = list(csv.DictReader(io.StringIO(got[0]["destinatarios.csv"].decode("utf-8")),
                               delimiter=";"))
    first_sig: dict[tuple[str, str], dt.date] = {}
    for i, p, when in signed:
        first_sig.setdefault((f"D{i}", _email(p)), when)
    for i, (_, prof, sig) in enumerate(docs):
        d = f"D{i}"
        mine = [r for r in rows if r["documento"] == d]
        for r in mine:
            want = first_sig.get((d, r["email"]))
            if want is None and prof is not None and r["pessoa"] == prof:
                want = sig
            assert r["assinado_em"] == day_text(want), (d, r)
        waiting = [r for r in mine if not r["assinado_em"] and r["tipo"] != "Observador"]
        least = min((int(r["ordem"]) for r in waiting), default=None)
        assert {r["pessoa"] for r in mine if r["proximo"] == "S"} == \
            {r["pessoa"] for r in waiting if int(r["ordem"]) == least}, (d, mine)
        assert all(r["proximo"] in ("S", "N") for r in mine)
