"""destinatarios.csv of the `assinatura` package (seed 001, issue 13) on its fixture
(fixtures/assinatura/, as-of 20/06/2024): python = duckdb byte for byte, snapshotted, and each
recipient rule checked against rows worked out by hand from the fixture files:

* D01 (aluno, RA 12345, "Histórico Escolar": vinculados Observador 1, aluno Assinador 2, pai
  and mae Testemunha 3, resp_academico Validador 4, resp_financeiro Certificado A1/A3 5):
  linked P10 and P03 (documento_pessoa order); the aluno P01; Pai "P" P02; Mãe P03 — already
  linked, so one recipient with the first source's Observador 1 and fontes "vinculados, mae";
  P04 is "Tia" in filiacao (no source) but responsável acadêmico; CFO01 the responsável
  financeiro, with no e-mail: kept, and a warning; P10 an Observador without login: a
  warning (P03 has login maria: none).
* D24 (diário, turma 100, "Diário final", the professor P06 started on 18/06, the window's
  date): P06 first, order 0, Assinador — also linked: "professor, vinculados"; P05 linked
  and Coordenador open-ended (vinculados first: Validador 2); P11's vínculo ended 17/06 and
  P12's starts 19/06 (in force on the run's 20/06, not on the start date): neither; P07
  Coordenador of the comissão of matriz aplicada 10, open mandate; P09 "Membro": not from the
  comissão; Secretário 1 P08 and Secretário 2 P09 of filial 1 (coligada 1), both open-ended.
* D26 (diário, turma 200, "Diário sem limite", all orders 0, not started: windows on 20/06):
  P12 from 19/06 open; P11 ended 19/06: out; P07's mandate 01/01–30/06 (matriz aplicada 20):
  in; P11's from 21/06: out; Secretário 1 P08 of filial 1/2 from 01/07: out; Secretário 2 P09
  01/01/2023–31/12/2024: in.
* The keys (the comissão by the diário's matriz aplicada, the diretores by its coligada +
  filial): D30 (turma 300, "Diário sem limite", not started) shares matriz aplicada 10 and
  filial 1/1 with D24's turma 100, and no comissão or diretor record names turma 300: the
  same comissão as D24 — P07 Coordenador (P09 is a Membro) — and the same secretários P08,
  P09, all ordem 0 (Validador, Testemunha, Testemunha). D31 (turma 400, coligada 2, filial 1,
  matriz 40 with no comissão): only P13, Secretário 1 of 2/1 — not P08/P09 of filial 1 of
  coligada 1, the same CODFILIAL of another coligada.
* Reports with no destinatario_fonte rows (every other document) have no recipients.
* Who signed (assinatura_destinatario.csv, by e-mail; the professor also by
  documento.assinatura_professor) and the next to sign (`each.next`: unsigned, not an
  Observador, the least ordem among those): D24 — P06 signed 18/06, P05 (ordem 2) 19/06, so
  P07 (ordem 3) is next, not the secretários (4); D01 — nobody signed, the Observadores of
  ordem 1 do not sign, so the aluno P01 (2) is next; D26 — all 0 (no ordering): all three at
  once. The signature of D99 (no such document) reaches nobody.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

import runtime
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "assinatura"
BACKENDS = ("python", "duckdb")
HEADER = "documento;ordem;tipo;pessoa;nome;email;fontes;assinado_em;proximo"


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "assinatura")


def _run(program: runtime.Program, backend: str) -> runtime.Result:
    return program.run(ledgers={p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))},
                       params={"data_base": "2024-06-20"}, backend=backend)


@pytest.fixture(scope="module")
def results(program):  # type: ignore[no-untyped-def]
    return {b: _run(program, b) for b in BACKENDS}


def _lines(result: runtime.Result) -> list[str]:
    return result.outputs["destinatarios.csv"].decode("utf-8").splitlines()


def test_back_ends_agree_byte_for_byte(results, snapshot) -> None:  # type: ignore[no-untyped-def]
    assert results["python"].outputs["destinatarios.csv"] == \
        results["duckdb"].outputs["destinatarios.csv"]
    assert results["python"].outputs["destinatarios.csv"] == snapshot


def test_aluno_sources_and_the_dedupe(results) -> None:  # type: ignore[no-untyped-def]
    got = [x for x in _lines(results["python"]) if x.startswith("D01;")]
    assert got == [
        "D01;1;Observador;P10;Otávio Observador;otavio@escola.br;vinculados;;N",
        "D01;1;Observador;P03;Maria Mãe;maria@casa.br;vinculados, mae;;N",
        "D01;2;Assinador;P01;Ana Aluna;ana@escola.br;aluno;;S",
        "D01;3;Testemunha;P02;Paulo Pai;paulo@casa.br;pai;;N",
        "D01;4;Validador;P04;Rita Responsável;rita@casa.br;resp_academico;;N",
        "D01;5;Assinar com Certificado digital A1/A3;CFO01;Financeira Ltda;;resp_financeiro;;N"]


def test_diario_professor_first_windows_on_the_start_date(results) -> None:  # type: ignore[no-untyped-def]
    got = [x for x in _lines(results["python"]) if x.startswith("D24;")]
    assert got == [
        "D24;0;Assinador;P06;Pedro Professor;pedro@escola.br;professor, vinculados;18/06/2024;N",
        "D24;2;Validador;P05;Clara Coordenadora;clara@escola.br;vinculados, coord_turma;"
        "19/06/2024;N",
        "D24;3;Validador;P07;Carla Comissão;carla@escola.br;coord_comissao;;S",
        "D24;4;Testemunha;P08;Sandra Secretária;sandra@escola.br;secretario1;;N",
        "D24;4;Testemunha;P09;Saulo Secretário;saulo@escola.br;secretario2;;N"]


def test_diario_not_started_windows_on_the_run_date(results) -> None:  # type: ignore[no-untyped-def]
    got = [x for x in _lines(results["python"]) if x.startswith("D26;")]
    assert got == [
        "D26;0;Assinador;P12;Nova Coordenadora;nova@escola.br;coord_turma;;S",
        "D26;0;Validador;P07;Carla Comissão;carla@escola.br;coord_comissao;;S",
        "D26;0;Testemunha;P09;Saulo Secretário;saulo@escola.br;secretario2;;S"]


def test_the_next_signer_is_the_first_unsigned_in_order(results) -> None:  # type: ignore[no-untyped-def]
    """Each back end: D24's next is P07 only; D01's the aluno P01; D26's, D30's and D31's
    every recipient (all 0, nobody signed);
    D24's plan carries the signatures and the mark (the JSON of the same rows)."""
    for b in BACKENDS:
        rows = [x.split(";") for x in _lines(results[b])[1:]]
        nxt = {(r[0], r[3]) for r in rows if r[8] == "S"}
        assert nxt == {("D24", "P07"), ("D01", "P01"), ("D26", "P12"), ("D26", "P07"),
                       ("D26", "P09"), ("D30", "P07"), ("D30", "P08"), ("D30", "P09"),
                       ("D31", "P13")}, b
        signed = {(r[0], r[3], r[7]) for r in rows if r[7]}
        assert signed == {("D24", "P06", "18/06/2024"), ("D24", "P05", "19/06/2024")}, b
    d24 = json.loads(results["python"].outputs["planos/D24.json"])["destinatarios"]
    assert [(r["pessoa"], r["assinado_em"], r["proximo"]) for r in d24] == [
        ("P06", "2024-06-18", False), ("P05", "2024-06-19", False), ("P07", None, True),
        ("P08", None, False), ("P09", None, False)]


def test_the_comissao_by_the_matriz_the_secretarios_by_the_filial(results) -> None:  # type: ignore[no-untyped-def]
    """D30 (another turma, D24's matriz aplicada and filial) gets D24's comissão and
    secretários; D31 (filial 1 of coligada 2) only that filial's Secretário 1 (docstring)."""
    for b in BACKENDS:
        lines = _lines(results[b])
        assert [x for x in lines if x.startswith("D30;")] == [
            "D30;0;Validador;P07;Carla Comissão;carla@escola.br;coord_comissao;;S",
            "D30;0;Testemunha;P08;Sandra Secretária;sandra@escola.br;secretario1;;S",
            "D30;0;Testemunha;P09;Saulo Secretário;saulo@escola.br;secretario2;;S"]
        assert [x for x in lines if x.startswith("D31;")] == [
            "D31;0;Testemunha;P13;Sílvia Secretária;silvia@outra.br;secretario1;;S"]


def test_only_configured_reports_have_recipients(results) -> None:  # type: ignore[no-untyped-def]
    lines = _lines(results["python"])
    assert lines[0] == HEADER
    assert {x.split(";")[0] for x in lines[1:]} == {"D01", "D24", "D26", "D30", "D31"}


def test_missing_email_and_observador_without_login_are_reported(results) -> None:  # type: ignore[no-untyped-def]
    """CFO01 (no e-mail) and P10 (an Observador, no login), both of D01 — line 2 of
    documento.csv — each named with its document, person and sources."""
    for b in BACKENDS:
        warns = sorted((w.code, w.line, w.message.split(" — ")[-1]) for w in results[b].warnings
                       if w.code in ("D1806", "D1807"))
        assert warns == [("D1806", 2, "documento=D01, pessoa=CFO01, fontes=resp_financeiro"),
                         ("D1807", 2, "documento=D01, pessoa=P10, fontes=vinculados")]


def test_every_plan_follows_the_shipped_schema(results) -> None:  # type: ignore[no-untyped-def]
    """planos/<documento>.json: one per valid document (documentos.csv: valido S), each valid
    against docs/schemas/assinatura_plano.schema.json, the same bytes on both back ends."""
    schema = json.loads((ROOT / "docs" / "schemas" / "assinatura_plano.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    plans = {k: v for k, v in results["python"].outputs.items() if k.startswith("planos/")}
    docs = results["python"].outputs["documentos.csv"].decode("utf-8").splitlines()[1:]
    valid = {f"planos/{x.split(';')[0]}.json" for x in docs if x.split(";")[1] == "S"}
    # 23 documents, 8 invalid: D02–D07, D28, D29 (test_assinatura.py)
    assert set(plans) == valid and len(valid) == 15
    for name, data in plans.items():
        assert results["duckdb"].outputs[name] == data
        errors = [e.message for e in validator.iter_errors(json.loads(data))]
        assert errors == [], name


def test_the_plan_lists_recipients_in_flow_order(results) -> None:  # type: ignore[no-untyped-def]
    """D24's plan: the recipients by ordem (0 the professor, 2, 3, 4, 4 — ties in source
    order); D01's: 1, 1, 2, 3, 4, 5; a document with no configured source has none (D08)."""
    out = results["python"].outputs
    d24 = json.loads(out["planos/D24.json"])
    assert [(r["ordem"], r["pessoa"]) for r in d24["destinatarios"]] == [
        (0, "P06"), (2, "P05"), (3, "P07"), (4, "P08"), (4, "P09")]
    assert (d24["arquivo"], d24["situacao_plano"], d24["processo_iniciado"]) == (
        "Diário final_2024-06-18.pdf", "em assinatura", "2024-06-18")
    d01 = json.loads(out["planos/D01.json"])
    assert [r["ordem"] for r in d01["destinatarios"]] == [1, 1, 2, 3, 4, 5]
    assert json.loads(out["planos/D08.json"])["destinatarios"] == []


def test_explain_a_recipient_by_its_row(program) -> None:  # type: ignore[no-untyped-def]
    """`apura explain assinatura destinatarios:<row>:<field>`: the row is the output's (D01's
    second recipient, P03 — row 2 — reached by vinculados then mae), read from D01's record
    (documento.csv line 2) and D01's configuration of vinculados (Observador); a parameter
    read by a field ($data_base in documentos' situacao_plano: D09, line 10) is explained
    too (D09's deadline 19/06 < 20/06)."""
    from runtime import explain_derivation

    ledgers = {p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))}
    params = {"data_base": "2024-06-20"}
    t = explain_derivation.explain(program, ledgers, params, node="destinatarios", part=None,
                                   locator=("2", "tipo"))
    assert (t["record"]["line"], t["value"]) == (2, "Observador")
    e = explain_derivation.explain(program, ledgers, params, node="destinatarios", part=None,
                                   locator=("2", "email"))
    assert e["value"] == "maria@casa.br"
    s = explain_derivation.explain(program, ledgers, params, node="documentos", part=None,
                                   locator=("9", "situacao_plano"))
    assert (s["record"]["line"], s["value"]) == (10, "fora do prazo")


def test_a_plan_name_no_file_system_holds_is_not_written(program, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """D01 renamed "D/01" (documento.csv line 2, and its parameters, so it stays valid): its
    plan would be planos/D/01.json — refused (D1805 at line 2), the other 14 plans written,
    on both back ends alike."""
    ledgers = {p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))}
    for name in ("documento", "documento_parametro"):
        text = (FIXTURES / f"{name}.csv").read_text("utf-8").replace("\nD01;", "\nD/01;")
        (tmp_path / f"{name}.csv").write_text(text, "utf-8")
        ledgers[name] = str(tmp_path / f"{name}.csv")
    for b in BACKENDS:
        r = program.run(ledgers=ledgers, params={"data_base": "2024-06-20"}, backend=b)
        assert [(w.code, w.line) for w in r.warnings if w.code == "D1805"] == [("D1805", 2)]
        plans = sorted(k for k in r.outputs if k.startswith("planos/"))
        assert len(plans) == 14 and not any("D/01" in k or k == "planos/D01.json"
                                            for k in plans)


def test_explain_a_row_made_of_several(program) -> None:  # type: ignore[no-untyped-def]
    """Explain gives the value the file holds where steps over several rows made it: D24's
    rows are 7–11 (P06, P05, P07, P08, P09). Row 10 (P08, ordem 4): its expression says
    unsigned and no Observador, but `next` keeps the least order of the candidates 9 (3),
    10 (4), 11 (4) — so false, and the decision says so; row 7's fontes lists both merged
    rows (professor, vinculados); row 8's assinado_em reads its signature record
    (assinatura_destinatario.csv line 2, D24 and clara@escola.br) and its person
    (pessoa.csv line 6)."""
    from runtime import explain_derivation

    ledgers = {p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))}
    params = {"data_base": "2024-06-20"}

    def ex(row: str, field: str) -> dict:  # type: ignore[type-arg]
        return explain_derivation.explain(program, ledgers, params, node="destinatarios",
                                          part=None, locator=(row, field))

    p08 = ex("10", "proximo")
    assert p08["value"] is False
    assert "9 (ordem 3), 10 (ordem 4), 11 (ordem 4)" in p08["decision"]
    assert "menor ordem (3)" in p08["decision"] and "vem depois" in p08["decision"]
    assert ex("9", "proximo")["value"] is True
    f = ex("7", "fontes")
    assert f["value"] == "professor, vinculados"
    assert any("dedupe" in n for n in f["notes"])
    a = ex("8", "assinado_em")
    assert a["value"] == "2024-06-19"
    withs = {t["title"].split(" (")[0]: t["records"] for t in a["reads"]
             if t["title"].startswith("with ")}
    assert [r["source"] for r in withs["with assinatura_destinatario"]] == [
        {"file": str(FIXTURES / "assinatura_destinatario.csv"), "line": 2}]
    assert [r["source"]["line"] for r in withs["with pessoa"]] == [6]


def test_a_diario_without_matriz_or_filial_is_reported(program, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """D30 (documento.csv line 23 — the 22nd document) with its idmatrizaplicada and codfilial
    emptied: its comissão and secretários cannot be reached (D30 then has no recipients) and
    the run says so — one D1803 at line 23 naming D30, on both back ends; the fixture as
    shipped has none."""
    ledgers = {p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))}
    lines = (FIXTURES / "documento.csv").read_text("utf-8").splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(";")
    at = [i for i, line in enumerate(lines) if line.startswith("D30;")]
    assert at == [22]
    cells = lines[22].rstrip("\n").split(";")
    for col in ("idmatrizaplicada", "codfilial"):
        cells[header.index(col)] = ""
    lines[22] = ";".join(cells) + "\n"
    (tmp_path / "documento.csv").write_text("".join(lines), "utf-8")
    for b in BACKENDS:
        shipped = program.run(ledgers=ledgers, params={"data_base": "2024-06-20"}, backend=b)
        assert not [w for w in shipped.warnings if "diario_sem_matriz_ou_filial" in w.message]
        r = program.run(ledgers={**ledgers, "documento": str(tmp_path / "documento.csv")},
                        params={"data_base": "2024-06-20"}, backend=b)
        got = [(w.code, w.line) for w in r.warnings if "diario_sem_matriz_ou_filial" in w.message]
        assert got == [("D1803", 23)], b
        assert not [x for x in _lines(r) if x.startswith("D30;")]
