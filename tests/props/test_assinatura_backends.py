"""The assinatura package's documentos.csv on random school data: python and duckdb give
byte-identical files, and what the seed says of every document holds —

* a document is valid exactly when it has no reason; an invalid one has no file name;
* a diário whose signature process has started (or finished) is shown on the portal whatever
  its dates; one that has not is shown only when the run's date lies within its portal
  dates; an aluno's document is never on the portal;
* a valid diário whose report filters by $CODUSUARIO is its user's only (professor_portal),
  and with no user on no professor's portal; any other has no professor_portal;
* the portal etapa of a diário not per etapa (valid or not) is the last counted etapa: the
  greatest data de término among its "Faltas" etapas shown on the portal, ties → the latest
  created (an oracle written here from the generated records).

Random: documents over the fixture's reports (fixtures/assinatura/relatorio.csv) and their
configurations, parameters often missing, etapas with few distinct dates (ties), períodos
with empty dates, the run's date. Cost: both back ends in-process, max_examples 30."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from pathlib import Path

from hypothesis import example
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.conftest import ROOT
from tests.props.school import day_text
from tests.props.school import write_csv

PROGRAM = runtime.load(ROOT / "generated" / "assinatura")
FIXTURES = ROOT / "fixtures" / "assinatura"
D0 = dt.date(2024, 6, 1)
REPORTS = [line.split(";")[0] for line in
           (FIXTURES / "relatorio.csv").read_text("utf-8").splitlines()[1:]]
PER_ETAPA = {"Diário por etapa", "Diário limite"}
CODUSUARIO = {line.split(";")[0] for line in  # reports whose SQL filters by $CODUSUARIO
              (FIXTURES / "relatorio.csv").read_text("utf-8").splitlines()[1:]
              if line.split(";")[5] == "S"}

day = st.integers(0, 30).map(lambda n: D0 + dt.timedelta(days=n))
few = st.sampled_from([D0, D0 + dt.timedelta(days=10), D0 + dt.timedelta(days=20)])
maybe = st.one_of(st.none(), day)
documento = st.tuples(
    st.sampled_from(["ALUNO", "DIARIO_DE_CLASSE", "DIARIO_DE_CLASSE", "OUTRO"]),
    st.sampled_from(["Aluno", "Matrícula no Período Letivo", "Turma/Disciplina"]),
    st.sampled_from([*REPORTS, "Inexistente"]), st.sampled_from([1, 2]),
    st.one_of(st.none(), st.integers(1, 3)), st.sampled_from([10, 20]), maybe,
    st.sampled_from(["nao_enviado", "em_assinatura", "assinado"]), maybe, maybe,
    st.sets(st.sampled_from(["CODCOLIGADA", "RA", "IDPERLET", "IDHABILITACAOFILIAL",
                             "IDTURMADISC", "CODETAPA"])),
    st.sampled_from(["", "prof.ana"]))
# mostly counted etapas over two dates: ties on data de término (and on creation) are common
etapa = st.tuples(st.sampled_from([1, 2]), st.integers(1, 3),
                  st.sampled_from(["Faltas", "Faltas", "Faltas", "Notas"]),
                  st.sampled_from([True, True, True, False]),
                  st.sampled_from([None, D0, D0 + dt.timedelta(days=10)]), maybe, few)
periodo = st.tuples(st.sampled_from([10, 20]), maybe, maybe)


TIE = [(1, 1, "Faltas", True, D0, None, D0),  # two etapas end on D0; the second is newer
       (1, 2, "Faltas", True, D0, None, D0 + dt.timedelta(days=10))]


@settings(max_examples=30, deadline=None)
@example([("DIARIO_DE_CLASSE", "Turma/Disciplina", "Diário final", 1, None, 10, None,
           "nao_enviado", None, None, set(), "")], TIE, [], D0)
@given(st.lists(documento, min_size=1, max_size=6), st.lists(etapa, max_size=8),
       st.lists(periodo, max_size=2, unique_by=lambda p: p[0]), day)
def test_documentos_agree_and_keep_the_seed(docs, etapas, periodos, base) -> None:  # type: ignore[no-untyped-def]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        inputs = {
            "documento": write_csv(t / "d.csv", [
                ["documento", "tipo", "origem", "relatorio", "descricao", "ra", "idturmadisc",
                 "codcoligada", "codfilial", "idmatrizaplicada", "codetapa", "idperlet",
                 "data_geracao", "data_limite", "situacao", "inicio_processo",
                 "assinatura_professor", "usuario"],
                *([f"D{i}", tipo, origem, rel, f"Doc {i}", "123", str(idt), "1", "1", "10",
                   "" if cod is None else str(cod), str(per), day_text(D0), day_text(lim), sit,
                   day_text(ini), day_text(ass), usr]
                  for i, (tipo, origem, rel, idt, cod, per, lim, sit, ini, ass, _, usr)
                  in enumerate(docs))]),
            "documento_parametro": write_csv(t / "p.csv", [
                ["documento", "parametro"],
                *([f"D{i}", p] for i, d in enumerate(docs) for p in sorted(d[10]))]),
            "relatorio": str(FIXTURES / "relatorio.csv"),
            "etapa": write_csv(t / "e.csv", [
                ["idturmadisc", "codetapa", "tipo", "exibe_portal", "data_termino",
                 "dt_limite_conteudo", "data_criacao"],
                *([str(a), str(b), c, "S" if e else "N", day_text(f), day_text(g), day_text(h)]
                  for a, b, c, e, f, g, h in etapas)]),
            "periodo_letivo": write_csv(t / "l.csv", [
                ["idperlet", "data_termino", "previsao_termino"],
                *([str(a), day_text(b), day_text(c)] for a, b, c in periodos)])}
        got = [PROGRAM.run(ledgers=inputs, params={"data_base": base.isoformat()},
                           backend=b).outputs for b in ("python", "duckdb")]
    assert got[0] == got[1]
    rows = list(csv.DictReader(io.StringIO(got[0]["documentos.csv"].decode("utf-8")),
                               delimiter=";"))
    assert len(rows) == len(docs)
    for row, (tipo, _, rel, idt, _, _, _, sit, ini, _, _, usr) in zip(rows, docs, strict=True):
        assert (row["valido"] == "S") == (row["motivos"] == "")
        if tipo == "DIARIO_DE_CLASSE" and rel not in PER_ETAPA:  # valid or not
            counted = [(n, e) for n, e in enumerate(etapas) if e[0] == idt and e[2] == "Faltas"
                       and e[3] and e[4] is not None]
            top = max((e[4] for _, e in counted), default=None)
            tied = [(e[6], n, e[1]) for n, e in counted if e[4] == top]
            # ties: the latest created; equal creation dates: the first in the file
            last = min(tied, key=lambda x: (-x[0].toordinal(), x[1]))[2] if tied else None
            assert row["etapa_portal"] == ("" if last is None else str(last))
        if row["valido"] == "N":
            assert row["arquivo"] == "" and row["no_portal"] == "N"
            continue
        if tipo == "ALUNO":
            assert (row["no_portal"], row["etapa_portal"]) == ("N", "")
            continue
        started = ini is not None or sit in ("em_assinatura", "assinado")
        if rel in CODUSUARIO:  # shown to its user only; no user: to no professor
            assert row["professor_portal"] == usr
            if not usr:
                assert row["no_portal"] == "N"
                continue
        else:
            assert row["professor_portal"] == ""
        if started:
            assert row["no_portal"] == "S"
        else:
            start = dt.datetime.strptime(row["inicio_portal"], "%d/%m/%Y").date() \
                if row["inicio_portal"] else None
            end = dt.datetime.strptime(row["limite_portal"], "%d/%m/%Y").date() \
                if row["limite_portal"] else None
            shown = start is not None and start <= base and (end is None or base <= end)
            assert row["no_portal"] == ("S" if shown else "N")
