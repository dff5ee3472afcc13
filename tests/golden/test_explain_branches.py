"""`apura explain` of a derivation field that is an if-chain (runtime/derivation_branches.py):
each condition tested in order with what it held on the record (true, false, null — null is
not true), the branch taken with its `then` as written and the value, the arms after it not
evaluated, each condition at its own line of the YAML (inside a `>-` or `|` block); for a
`join_texts` of ifs, what each if-argument gave.

On assinatura's fixture (fixtures/assinatura/, as-of 20/06/2024; a record's position in
documentos.csv is its document's order, D01..D11 then D20..D29 — the file's order, so position
n is documento.csv line n + 1), values worked out by hand from the CSVs and
specs/assinatura/documentos.yaml:

* D09 (position 9) situacao_plano: valid (motivos null → `motivos is not null` false), em_
  assinatura (`situacao == "assinado"` false), deadline 19/06 < 20/06: the third condition
  true → "fora do prazo"; the two after it (em assinatura, the else) not evaluated.
* D01 (1) arquivo: Histórico Escolar's configuration is descricao_ra_data
  (configuracoes/historico_escolar.yaml): conditions 2 and 3 false, the fourth taken →
  "Histórico escolar" + "_12345_" + 15/06/2024 as AAAA-MM-DD = "Histórico escolar_12345_
  2024-06-15.pdf"; 2 arms not evaluated.
* D25 (17) inicio_portal: a diário (first condition false) of "Diário personalizado",
  inicio personalizada with inicio_data 25/06/2024 (configuracoes/diario_personalizado.yaml):
  the second condition taken → 25/06/2024; 4 arms not evaluated.
* D03 (3) motivos: the report "Planilha" is not RM Reports (relatorio.csv: N) and D03 has no
  RA parameter: of the 15 if-arguments of join_texts (positions 2..16, the separator is 1),
  exactly argument 6 (`rm_reports == false`) and argument 10 (`... not any(parametros,
  parametro == "RA")`) give a text.
* D06 (6) motivos: "Inexistente" is in no relatorio.csv row: argument 5 (`count(rel) == 0`)
  and 15 (`count(cfg) == 0`) give texts; `rm_reports == false` reads a null rm_reports:
  null, not taken (its else, null, is).

A package built in tmp_path adds what the fixture has not: an if inside a `then` (nested), a
condition that is null and takes the else, and a per-key field over aggregates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import runtime
from compiler.cli import cli
from runtime import explain_derivation
from runtime.explain_render import to_markdown
from tests.buildkit import build
from tests.conftest import ROOT

FIXTURES = ROOT / "fixtures" / "assinatura"
SPEC = "specs/assinatura/documentos.yaml"
PARAMS = {"data_base": "2024-06-20"}


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "assinatura")


def _explain(program: runtime.Program, position: int, field: str) -> dict[str, Any]:
    ledgers = {p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))}
    return explain_derivation.explain(program, ledgers, PARAMS, node="documentos", part=None,
                                      locator=(str(position), field))


def _line(text: str) -> int:
    """The line of documentos.yaml that holds `text` (once)."""
    lines = (ROOT / SPEC).read_text("utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


def _tested(chain: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [(a["condition"], a["holds"], a["taken"]) for a in chain["arms"]]


def test_the_out_of_deadline_branch(program: runtime.Program) -> None:
    t = _explain(program, 9, "situacao_plano")
    assert (t["record"]["line"], t["value"]) == (10, "fora do prazo")
    b = t["branches"]
    assert _tested(b) == [
        ("motivos is not null", False, False),
        ('situacao == "assinado"', False, False),
        ("data_limite is not null and data_limite < $data_base", True, True)]
    taken = b["arms"][-1]
    assert (taken["then"], taken["result"], b["not_evaluated"]) == (
        '"fora do prazo"', "fora do prazo", 2)
    # each condition at its own line of the `>-` block, not the field's header line
    assert [a["source"]["line"] for a in b["arms"]] == [
        _line('if motivos is not null then "inválido"'),
        _line('else if situacao == "assinado" then "assinado"'),
        _line("else if data_limite is not null and data_limite < $data_base")]
    assert t["rule"]["source"]["line"] == _line("situacao_plano: >-")
    assert "data_limite is not null and data_limite < $data_base" in t["decision"]
    text = explain_derivation.render_text(t)
    assert (f"3. data_limite is not null and data_limite < $data_base ({SPEC}:"
            f"{_line('else if data_limite is not null')}:13): verdadeiro ⇒ ramo tomado: "
            '"fora do prazo" = fora do prazo') in text
    assert "(2 ramo(s) seguinte(s) não avaliado(s))" in text
    assert "| 3 | `data\\_limite is not null and data\\_limite \\< $data\\_base` |" \
        in to_markdown(t)


def test_the_file_name_rule_branch(program: runtime.Program) -> None:
    t = _explain(program, 1, "arquivo")
    assert t["value"] == "Histórico escolar_12345_2024-06-15.pdf"
    b = t["branches"]
    assert _tested(b) == [("motivos is not null", False, False),
                          ('regra_nome == "relatorio_data"', False, False),
                          ('regra_nome == "descricao_data"', False, False),
                          ('regra_nome == "descricao_ra_data"', True, True)]
    assert b["arms"][-1]["then"] == ('concat(descricao, "_", ra, "_", date_text(data_geracao, '
                                     '"AAAA-MM-DD"), ".pdf")')
    assert b["not_evaluated"] == 2


def test_the_custom_start_date_branch(program: runtime.Program) -> None:
    t = _explain(program, 17, "inicio_portal")
    assert (t["record"]["line"], t["value"]) == (18, "2024-06-25")
    b = t["branches"]
    assert _tested(b) == [('tipo != "DIARIO_DE_CLASSE"', False, False),
                          ('first(cfg).inicio == "personalizada"', True, True)]
    assert (b["arms"][-1]["then"], b["arms"][-1]["result"], b["not_evaluated"]) == (
        "first(cfg).inicio_data", "2024-06-25", 4)


def test_a_recipient_type_names_its_source_branch(program: runtime.Program) -> None:
    """destinatarios.csv row 2 is D01's P03, reached first through vinculados
    (documento_pessoa.csv) — configured Observador for Histórico Escolar
    (configuracoes/historico_escolar.yaml): `fonte == "professor"` false, `fonte ==
    "vinculados"` taken; the 10 other sources' arms and the else not evaluated."""
    ledgers = {p.stem: str(p) for p in sorted(FIXTURES.glob("*.csv"))}
    t = explain_derivation.explain(program, ledgers, PARAMS, node="destinatarios", part=None,
                                   locator=("2", "tipo"))
    b = t["branches"]
    assert _tested(b) == [('fonte == "professor"', False, False),
                          ('fonte == "vinculados"', True, True)]
    assert (b["arms"][1]["result"], b["not_evaluated"]) == ("Observador", 10)


def _given(t: dict[str, Any]) -> dict[int, Any]:
    return {a["position"]: a["value"] for a in t["branches"]["arguments"]
            if a["value"] is not None}


def test_each_invalid_document_reason_is_named_by_its_condition(
        program: runtime.Program) -> None:
    t = _explain(program, 3, "motivos")
    b = t["branches"]
    assert b["call"] == "join_texts"
    assert [a["position"] for a in b["arguments"]] == list(range(2, 17))
    assert _given(t) == {6: "o relatório não é do RM Reports", 10: "falta o parâmetro RA"}
    args = {a["position"]: a for a in b["arguments"]}
    assert _tested(args[6]) == [("rm_reports == false", True, True)]
    assert args[10]["arms"][0]["condition"].endswith('not any(parametros, parametro == "RA")')
    assert args[10]["source"]["line"] == _line('and not any(parametros, parametro == "RA")') - 1
    assert t["value"] == "o relatório não é do RM Reports; falta o parâmetro RA"
    assert t["decision"] == ("join_texts: 2 dos 15 argumentos com if deram valor "
                             "(os argumentos 6, 10)")
    d06 = _explain(program, 6, "motivos")
    assert _given(d06) == {5: "o relatório não está configurado no RM",
                           15: "o relatório não tem configuração de documento"}
    rm = next(a for a in d06["branches"]["arguments"] if a["position"] == 6)
    assert _tested(rm) == [("rm_reports == false", None, False), (None, None, True)]


def test_json_and_html_carry_the_branch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    inputs = [a for p in sorted(FIXTURES.glob("*.csv"))
              for a in ("--input", f"{p.stem}={p.relative_to(ROOT)}")]
    args = ["explain", "assinatura", "documentos:9:situacao_plano", *inputs,
            "--param", "data_base=2024-06-20", "--format"]
    got = CliRunner().invoke(cli, [*args, "json"])
    assert got.exit_code == 0, got.stderr
    b = json.loads(got.stdout)["branches"]
    assert b["arms"][2] == {
        "condition": "data_limite is not null and data_limite < $data_base",
        "source": {"file": SPEC, "line": _line("else if data_limite is not null"), "col": 13},
        "holds": True, "taken": True, "then": '"fora do prazo"', "result": "fora do prazo"}
    page = CliRunner().invoke(cli, [*args, "html"])
    assert page.exit_code == 0, page.stderr
    assert '<tr class="taken"><td>3</td><td><code>data_limite is not null and data_limite ' \
        "&lt; $data_base</code></td>" in page.stdout


PACKAGE = {
    "package.yaml": "kind: package\nid: ramos\nparams:\n  data_base: {type: date}\n",
    "pessoa.yaml": (
        "kind: ledger\nid: pessoa\n"
        'format: {type: csv, delimiter: ";", decimal: ",", date: DD/MM/YYYY}\n'
        "fields:\n  pessoa: {type: str}\n  grupo: {type: str}\n"
        "  pontos: {type: int, required: false}\n  desde: {type: date}\n"),
    "faixas.yaml": (
        "kind: derivation\nid: faixas\nledger: pessoa\nfields:\n  pessoa: pessoa\n"
        "  faixa: >-\n"
        '    if pontos is null then "sem pontos"\n'
        "    else if pontos >= 5\n"
        '      then (if desde < $data_base then "alta antiga" else "alta nova")\n'
        '    else "baixa"\n'
        '  nivel: if pontos >= 5 then "alto" else "baixo"\n'
        "output: {file: faixas.csv}\n"),
    "grupos.yaml": (
        "kind: derivation\nid: grupos\nledger: pessoa\nper: [grupo]\nfields:\n"
        "  situacao: |\n"
        '    if sum(pontos) >= 10 then "meta"\n'
        '    else if count() >= 2 then "quase"\n'
        '    else "longe"\n'
        "output: {file: grupos.csv}\n"),
}
# 20/06/2024: P1 7 pontos since 01/01 (≥ 5, before the day: alta antiga); P2 5 since the day
# itself (≥ 5, not before: alta nova); P3 no pontos (sem pontos; nivel: `null >= 5` is null,
# the else: baixo); P4 2 (baixa). Group A 7 + 5 = 12 ≥ 10: meta; B 2 (P3's null left out),
# 2 records: quase.
DATA = "pessoa;grupo;pontos;desde\nP1;A;7;01/01/2024\nP2;A;5;20/06/2024\nP3;B;;01/02/2024\n" \
    "P4;B;2;01/03/2024\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[runtime.Program, Path]:
    base = tmp_path_factory.mktemp("ramos")
    (base / "specs").mkdir()
    for name, text in PACKAGE.items():
        (base / "specs" / name).write_text(text, "utf-8")
    (base / "pessoa.csv").write_text(DATA, "utf-8")
    return build(base / "specs", base, base / "gen" / "ramos"), base / "pessoa.csv"


def _small(built: tuple[runtime.Program, Path], node: str, *locator: str) -> dict[str, Any]:
    program, data = built
    return explain_derivation.explain(program, {"pessoa": str(data)}, PARAMS, node=node,
                                      part=None, locator=locator)


def test_an_if_inside_a_then_is_followed(built: tuple[runtime.Program, Path]) -> None:
    spec_lines = PACKAGE["faixas.yaml"].splitlines()
    t = _small(built, "faixas", "2", "faixa")
    assert t["value"] == "alta nova"
    b = t["branches"]
    assert _tested(b) == [("pontos is null", False, False), ("pontos >= 5", True, True)]
    assert b["arms"][1]["source"]["line"] == spec_lines.index("    else if pontos >= 5") + 1
    inner = b["arms"][1]["inner"]
    assert _tested(inner) == [("desde < $data_base", False, False), (None, None, True)]
    assert (inner["arms"][1]["then"], inner["arms"][1]["result"]) == ('"alta nova"',
                                                                      "alta nova")
    assert "; dentro dele, o else" in t["decision"]
    p1 = _small(built, "faixas", "1", "faixa")["branches"]["arms"][1]["inner"]
    assert _tested(p1) == [("desde < $data_base", True, True)]
    assert p1["not_evaluated"] == 1
    text = explain_derivation.render_text(_small(built, "faixas", "2", "faixa"))
    assert "   1. desde < $data_base" in text  # the nested chain, indented under its arm


def test_a_null_condition_is_not_true(built: tuple[runtime.Program, Path]) -> None:
    t = _small(built, "faixas", "3", "nivel")
    assert t["value"] == "baixo"
    assert _tested(t["branches"]) == [("pontos >= 5", None, False), (None, None, True)]
    assert "1. pontos >= 5 " in explain_derivation.render_text(t)
    assert ": nulo" in explain_derivation.render_text(t)


def test_a_per_key_field_over_aggregates(built: tuple[runtime.Program, Path]) -> None:
    spec_lines = PACKAGE["grupos.yaml"].splitlines()
    b = _small(built, "grupos", "B", "situacao")["branches"]
    assert _tested(b) == [("sum(pontos) >= 10", False, False), ("count() >= 2", True, True)]
    assert [a["source"]["line"] for a in b["arms"]] == [
        spec_lines.index('    if sum(pontos) >= 10 then "meta"') + 1,
        spec_lines.index('    else if count() >= 2 then "quase"') + 1]
    a = _small(built, "grupos", "A", "situacao")["branches"]
    assert _tested(a) == [("sum(pontos) >= 10", True, True)]
    assert (a["arms"][0]["result"], a["not_evaluated"]) == ("meta", 2)
