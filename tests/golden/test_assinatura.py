"""The `assinatura` package (seed 001, issue 13) on its fixture (fixtures/assinatura/):
documentos.csv on the python and duckdb back ends, byte for byte, snapshotted, and each rule
branch checked against the value worked out by hand from the fixture (as-of 20/06/2024):

* validity — D01 valid; D02 (Matrícula) lacks IDHABILITACAOFILIAL; D03 a non-RM-Reports
  report and no RA (both reasons, in the spec's order); D04 "Relatórios de Gestão" serves no
  aluno; D05 tipo CONTRATO; D06 a report with no RM configuration nor document
  configuration; D07 an aluno from Turma/Disciplina; D28 a per-etapa diário without CODETAPA;
  D29 a diário on a "Relatórios de Alunos" report with an aluno file-name rule;
* file names (AAAA-MM-DD) — descrição + RA + geração (D01 "Histórico escolar_12345_2024-06-15"),
  relatório + geração (D08 "Boletim_2024-06-01"), relatório + assinatura do professor (D24
  "Diário final_2024-06-18"), a diário not signed yet: empty and "aguarda a assinatura do
  professor" (D20), a description with '/' (D11): refused, D1804;
* status — D08 assinado (its deadline 10/06 passed after it was signed); D09 deadline 19/06 <
  20/06: fora do prazo; D10 deadline 20/06, the run's day: still em assinatura; D01 pendente;
* portal — turma/disciplina 100 counts etapas 1–3 (4 is "Notas", 5 not shown on the portal);
  2 and 3 both end 30/06, 3 created later is the last. D20 per etapa 1, data_termino option:
  30/04 → 31/12 (período 10: no data de término, its previsão): shown; D21 etapa 3, the last:
  30/06 > 20/06: not shown; D22 dt. limite conteúdo option, etapa 1: 10/05 → 30/06 (período
  20: its data de término): shown; D23 the same option on etapa 2, tied with 3 but not the
  last: its dt. limite 05/07: not shown; D24 the last etapa's 30/06 is ahead, but the
  professor started on 18/06: shown; D25 custom start 25/06, after the run's day: not shown
  (the seed's "posterior à data atual", read as a start date — README); D27 custom 01/06:
  shown, no limit; D26 not per etapa on turma/disciplina 200: etapa 2 has no data de término,
  so etapa 1 is the last (31/05), limit "nenhuma": shown; D30 and D31 (the same report, turmas
  300 and 400, each with one etapa ending 31/05): the same, shown.
* $CODUSUARIO — only "Diário final" filters by it (relatorio.csv): D24, generated for
  prof.ana, is hers alone (professor_portal); every other diário's is empty (any professor of
  the turma/disciplina), an aluno's too.
* freeze — a run without a state file is load 1: D09, fora do prazo, is frozen since 1; no
  other status is (the runs across a state file: test_assinatura_execucoes.py).
"""

from __future__ import annotations

import datetime

import pytest

import runtime
from runtime.params import convert_param
from runtime.params import today
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "assinatura"
INPUTS = ("documento", "documento_parametro", "relatorio", "etapa", "periodo_letivo")
BACKENDS = ("python", "duckdb")


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "assinatura")


def _run(program: runtime.Program, backend: str, data_base: str = "2024-06-20"
         ) -> runtime.Result:
    return program.run(ledgers={n: str(FIXTURES / f"{n}.csv") for n in INPUTS},
                       params={"data_base": data_base}, backend=backend)


def _rows(result: runtime.Result) -> dict[str, dict[str, str]]:
    lines = result.outputs["documentos.csv"].decode("utf-8").splitlines()
    header = lines[0].split(";")
    assert header == ["documento", "valido", "motivos", "arquivo", "arquivo_pendente",
                      "situacao_plano", "congelado_desde", "etapa_portal", "inicio_portal",
                      "limite_portal", "no_portal", "professor_portal"]
    out = {}
    for line in lines[1:]:
        # a reason list holds "; " and is quoted: split on the quotes first
        parts = line.split('"')
        cells = parts[0].split(";")[:-1] + [parts[1]] + parts[2].split(";")[1:] \
            if len(parts) == 3 else line.split(";")
        out[cells[0]] = dict(zip(header, cells, strict=True))
    return out


def test_back_ends_agree_byte_for_byte(program, snapshot) -> None:  # type: ignore[no-untyped-def]
    got = [_run(program, b) for b in BACKENDS]
    assert got[0].outputs == got[1].outputs
    assert got[0].outputs == snapshot


@pytest.fixture(scope="module")
def rows(program) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    return _rows(_run(program, "duckdb"))


def test_every_reason_of_an_invalid_document(rows) -> None:  # type: ignore[no-untyped-def]
    reasons = {d: r["motivos"] for d, r in rows.items() if r["valido"] == "N"}
    assert reasons == {
        "D02": "falta o parâmetro IDHABILITACAOFILIAL",
        "D03": "o relatório não é do RM Reports; falta o parâmetro RA",
        "D04": "o tipo de relatório 'Relatórios de Gestão' não serve a documento de aluno",
        "D05": "tipo de documento 'CONTRATO' não é ALUNO nem DIARIO_DE_CLASSE",
        "D06": "o relatório não está configurado no RM; o relatório não tem configuração de "
               "documento",
        "D07": "a origem 'Turma/Disciplina' não gera documento de aluno",
        "D28": "falta o parâmetro CODETAPA (relatório por etapa)",
        "D29": "o tipo de relatório 'Relatórios de Alunos' não serve a diário de classe; a "
               "regra de nome 'relatorio_data' não serve a este tipo",
    }
    assert all(rows[d]["situacao_plano"] == "inválido" and rows[d]["arquivo"] == ""
               for d in reasons)


def test_file_names_by_the_configured_rule(rows) -> None:  # type: ignore[no-untyped-def]
    assert rows["D01"]["arquivo"] == "Histórico escolar_12345_2024-06-15.pdf"
    assert rows["D08"]["arquivo"] == "Boletim_2024-06-01.pdf"
    assert rows["D24"]["arquivo"] == "Diário final_2024-06-18.pdf"
    assert (rows["D20"]["arquivo"], rows["D20"]["arquivo_pendente"]) == (
        "", "aguarda a assinatura do professor")


def test_a_name_no_file_system_holds_is_refused(program) -> None:  # type: ignore[no-untyped-def]
    for backend in BACKENDS:
        result = _run(program, backend)
        warns = [(w.code, w.line) for w in result.warnings if w.code == "D1804"]
        assert warns == [("D1804", 12)]  # D11, "Histórico 1/2": line 12 of documento.csv
        assert _rows(result)["D11"]["arquivo"] == ""


def test_status_as_of_the_run(rows) -> None:  # type: ignore[no-untyped-def]
    got = {d: rows[d]["situacao_plano"] for d in ("D01", "D08", "D09", "D10", "D24")}
    assert got == {"D01": "pendente", "D08": "assinado", "D09": "fora do prazo",
                   "D10": "em assinatura", "D24": "em assinatura"}


def test_codusuario_reports_are_their_users_only(rows) -> None:  # type: ignore[no-untyped-def]
    assert {d: r["professor_portal"] for d, r in rows.items() if r["professor_portal"]} == {
        "D24": "prof.ana"}


def test_fora_do_prazo_is_frozen_since_the_load(rows) -> None:  # type: ignore[no-untyped-def]
    assert {d: r["congelado_desde"] for d, r in rows.items() if r["congelado_desde"]} == {
        "D09": "1"}


def test_professor_portal_dates(rows) -> None:  # type: ignore[no-untyped-def]
    got = {d: (rows[d]["etapa_portal"], rows[d]["inicio_portal"], rows[d]["limite_portal"],
               rows[d]["no_portal"]) for d in ("D20", "D21", "D22", "D23", "D24", "D25",
                                               "D26", "D27", "D30", "D31")}
    assert got == {
        "D20": ("1", "30/04/2024", "31/12/2024", "S"),
        "D21": ("3", "30/06/2024", "31/12/2024", "N"),
        "D22": ("1", "10/05/2024", "30/06/2024", "S"),
        "D23": ("2", "05/07/2024", "30/06/2024", "N"),
        "D24": ("3", "30/06/2024", "31/12/2024", "S"),
        "D25": ("3", "25/06/2024", "30/07/2024", "N"),
        "D26": ("1", "31/05/2024", "", "S"),
        "D27": ("1", "01/06/2024", "", "S"),
        "D30": ("1", "31/05/2024", "", "S"),
        "D31": ("1", "31/05/2024", "", "S"),
    }
    assert rows["D01"]["no_portal"] == "N"  # an aluno's document is not on the portal


def test_the_as_of_date_is_a_parameter(program) -> None:  # type: ignore[no-untyped-def]
    # on 25/06 the custom start date is reached (D25 shows) and D10's deadline has passed
    later = _rows(_run(program, "python", "2024-06-25"))
    assert (later["D25"]["no_portal"], later["D10"]["situacao_plano"]) == ("S", "fora do prazo")


def test_hoje_is_today_in_sao_paulo() -> None:
    assert convert_param("date", "hoje") == today()
    assert abs(today() - datetime.date.today()) <= datetime.timedelta(days=1)
