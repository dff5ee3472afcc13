"""Explain (memória de cálculo) of a `sheets` cell (runtime/sheet_explain.py) on the small
package of the S15xx cases (tests/unit/test_sheets.py `_package`): the records a line lists are
the ones the ledger below puts there, worked out by hand from its five lines and the case's
tables (grupos.csv: fonte 100 → grupo 3, else null → 10; subfunção 122 → 11, else 18;
linhas.csv: 3390300000 → campo 519 #L0, 3390390000 → campo 549 #L1), and the explained value
is the one the python and duckdb runs write."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from runtime.errors import RunFailed
from runtime.sheet_explain import SheetExplanation
from runtime.trace import ExplainError
from tests.unit.test_sheets import _package

# gasto.csv, line by line (the header is line 1):
GASTO = ("municipio;fonte;subfuncao;elemento;valor\n"
         "1;100;122;3390390000;2,00\n"   # 2: 3_11, 3.3.90.39.00.00 (#L1)
         "1;100;122;3390300000;1,50\n"   # 3: 3_11, 3.3.90.30.00.00 (#L0)
         "1;100;122;3390300000;0,75\n"   # 4: 3_11, 3.3.90.30.00.00: that line is 1,50 + 0,75
         "1;999;301;3390300000;0,25\n"   # 5: fonte outside the table → 10, 301 → 18: 10_18
         "1;999;301;3390390000;1,00\n"   # 6: 10_18, 3.3.90.39.00.00 ...
         "1;999;301;3390390000;-1,00\n")  # 7: ... and back to zero: that line is not written


def _program(tmp_path: Path, *edits: tuple[str, str, str]) -> tuple[runtime.Program, Path]:
    from compiler import compile_package
    from compiler.writer import write_tree

    specs = _package(tmp_path, *edits)
    res = compile_package(specs, base=tmp_path)
    assert res.errors == [], [d.message for d in res.errors]
    write_tree(tmp_path / "gen", res.files)
    gasto = tmp_path / "gasto.csv"
    gasto.write_text(GASTO, "utf-8")
    return runtime.load(tmp_path / "gen"), gasto


@pytest.fixture
def case(tmp_path: Path) -> tuple[runtime.Program, dict[str, str]]:
    program, gasto = _program(tmp_path)
    return program, {"gasto": str(gasto)}


def _explain(case, sheet: str, row: str, column: str = "V0") -> SheetExplanation:  # type: ignore[no-untyped-def]
    program, ledgers = case
    exp = program.explain(ledgers, {}, "despesa", "1", row, column, sheet=sheet)
    assert isinstance(exp, SheetExplanation)
    return exp


def test_a_line_lists_exactly_its_records(case) -> None:  # type: ignore[no-untyped-def]
    exp = _explain(case, "3_11", "3.3.90.30.00.00")
    gasto = case[1]["gasto"]
    assert exp.value == Decimal("2.25") == exp.records_sum()  # 1,50 + 0,75 (lines 3 and 4)
    assert [(r.file, r.line, r.amount) for r in exp.records] == [
        (gasto, 3, Decimal("1.50")), (gasto, 4, Decimal("0.75"))]
    assert (exp.code, exp.key, exp.record_id, exp.marker) == ("3_11", "3390300000", 519, "#L0")
    assert exp.file == "3_11_Desp_Administracao.IMPT" and exp.written
    rec = exp.records[0]
    assert rec.fields == (("valor", Decimal("1.50")),) and rec.codes == (3, 11)
    assert rec.row == "3390300000"
    [fonte] = rec.sheet_lookups  # the code's part 1; part 2 (an if) looks nothing up
    assert (fonte.map, fonte.key, fonte.values) == ("grupo", (("fonte", "100"),),
                                                    (("grupo", 3),))
    assert fonte.at == "specs/grupos.csv:2"  # the spec's CSV (runtime/origins.py)
    [linha] = rec.row_lookups
    assert (linha.map, linha.values) == ("linha", (("campo", 519), ("linha", "#L0")))
    assert linha.at == exp.row_at == "specs/linhas.csv:2"
    assert exp.file_at == "specs/arquivos.csv:2"


def test_the_row_masked_or_not_and_the_sheet_by_file_name(case) -> None:  # type: ignore[no-untyped-def]
    a = _explain(case, "3_11", "3.3.90.39.00.00")
    b = _explain(case, "1/3_11_Desp_Administracao.IMPT", "3390390000")
    assert a.to_dict() == b.to_dict()
    assert a.value == Decimal("2.00") and [r.line for r in a.records] == [2]


def test_the_explained_line_is_the_line_each_back_end_writes(case) -> None:  # type: ignore[no-untyped-def]
    program, ledgers = case
    exp = _explain(case, "3_11", "3.3.90.30.00.00")
    assert exp.line == ("3_11;3.3.90.30.00.00;519;V0:[>R$2,25<]:-[9](Despesas Empenhadas);"
                        "#L0;#C1;")
    for backend in ("python", "duckdb"):
        result = program.run(ledgers, {}, backend=backend)
        text = result.outputs["1/3_11_Desp_Administracao.IMPT"].decode("utf-8")
        assert exp.line in text.split("\r\n"), backend
        again = result.explain("despesa", "1", "3390300000", "V0", sheet="3_11")
        assert isinstance(again, SheetExplanation) and again.value == exp.value


def test_a_line_of_zeros_is_explained_and_not_written(case) -> None:  # type: ignore[no-untyped-def]
    exp = _explain(case, "10_18", "3.3.90.39.00.00")
    assert exp.value == 0 == exp.records_sum() and not exp.written
    assert [(r.line, r.amount) for r in exp.records] == [(6, Decimal("1.00")),
                                                         (7, Decimal("-1.00"))]
    text = exp.render()
    assert "(linha não escrita: todos os valores são zero)" in text
    assert text.splitlines()[-1] == ("soma dos 2 registro(s) de entrada: 0,00 (igual ao valor "
                                     "da célula)")


def test_the_text_names_the_line_the_expression_and_the_records(case) -> None:  # type: ignore[no-untyped-def]
    lines = _explain(case, "10_18", "3390300000").render().splitlines()
    gasto = case[1]["gasto"]
    assert lines[:2] == ["Memória de cálculo: pacote teste · despesa · municipio 1",
                         "despesa planilha 10_18 linha 3.3.90.30.00.00 · V0 (Despesas "
                         "Empenhadas) = 0,25"]
    # the 4th entry of arquivos.csv: the one _package appends
    assert lines[2] == "  arquivo 10_18_Outros_Outras.IMPT  (specs/arquivos.csv:5)"
    assert lines[3] == "  linha #L0, record_id 519  (specs/linhas.csv:2)"
    assert lines[4] == ("    10_18;3.3.90.30.00.00;519;V0:[>R$0,25<]:-[9](Despesas "
                        "Empenhadas);#L0;#C1;")
    assert lines[5] == "  coluna V0 (specs/despesa.yaml:14:11): sum(valor)"
    assert lines[6] == "  parte 1 de 1: fonte 'gasto'"
    assert lines[7] == ("  planilha: coalesce(lookup(grupo, fonte).grupo, 10) (specs/despesa"
                        ".yaml:10:9) _ if subfuncao == 122 then 11 else 18 (specs/despesa.yaml:"
                        "11:9)")
    assert lines[8] == "  linha (specs/despesa.yaml:12:10): elemento"
    assert lines[9:12] == ["  registros (1; arquivo:linha  valor  campos):",
                           f"    {gasto}:5  0,25  valor=0.25",
                           "      planilha 10_18 (partes 10, 18):"]
    assert lines[12] == '        grupo[fonte="999"] → sem entrada'
    assert lines[13] == "      linha 3.3.90.30.00.00:"
    assert lines[14] == ('        linha[codigo="3390300000"] → campo=519, linha="#L0"  '
                         '(specs/linhas.csv:2)')
    assert lines[15:] == ["soma dos 1 registro(s) de entrada: 0,25 (igual ao valor da célula)"]


def test_json_is_the_same_tree_with_exact_decimals(case) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(_explain(case, "3_11", "3390300000").to_dict()))
    assert data["kind"] == "sheets" and data["layout"] == "despesa"
    assert (data["sheet"], data["row"], data["row_masked"], data["marker"]) == (
        "3_11", "3390300000", "3.3.90.30.00.00", "#L0")
    assert data["value"] == data["records_sum"] == "2.25" and data["all_records"] == 2
    assert data["column_expression"] == "sum(valor)"
    assert data["column_at"] == "specs/despesa.yaml:14:11"
    assert [(r["line"], r["amount"], r["fields"], r["sheet_parts"]) for r in data["records"]] \
        == [(3, "1.50", {"valor": "1.50"}, [3, 11]), (4, "0.75", {"valor": "0.75"}, [3, 11])]
    assert data["records"][0]["row_lookups"][0]["values"] == {"campo": 519, "linha": "#L0"}


# ---------------------------------------------------------------- a formula column
FORMULA = (
    ("despesa.yaml", "  - {id: V0, code: 9, label: Despesas Empenhadas}\n",
     "  - {id: V0, code: 9, label: Despesas Empenhadas}\n"
     "  - {id: V1, code: 10, label: Liquidadas}\n"
     "  - {id: V2, code: 14, label: A liquidar, formula: V0 - V1}\n"),
    ("despesa.yaml", "      V0: sum(valor)\n", "      V0: sum(valor)\n"
     "      V1: sum(valor where elemento == \"3390390000\")\n"))


def test_a_formula_column_is_explained_term_by_term(tmp_path: Path) -> None:
    """V2 = V0 − V1 on 3_11's line 3.3.90.39.00.00: V0 = 2,00 (line 2), V1 = 2,00 (the same
    record: its elemento is 3390390000), so V2 = 0,00; on 3.3.90.30.00.00, V1 takes nothing and
    V2 = V0 = 2,25 (lines 3 and 4): its records are listed under V1 too, adding 0 (their
    elemento says why)."""
    program, gasto = _program(tmp_path, *FORMULA)
    exp = program.explain({"gasto": str(gasto)}, {}, "despesa", "1", "3390300000", "V2",
                          sheet="3_11")
    assert isinstance(exp, SheetExplanation) and exp.is_formula
    assert exp.value == Decimal("2.25") == exp.records_sum()
    [(s0, v0), (s1, v1)] = exp.terms
    assert (s0, v0.column_id, v0.value) == (1, "V0", Decimal("2.25"))
    assert (s1, v1.column_id, v1.value) == (-1, "V1", Decimal("0"))
    assert [r.line for r in v0.records] == [3, 4]
    assert [(r.line, r.amount, r.fields[1]) for r in v1.records] == [
        (3, 0, ("elemento", "3390300000")), (4, 0, ("elemento", "3390300000"))]
    text = exp.render()
    assert "  coluna V2 (fórmula, specs/despesa.yaml:8:5): V0 - V1\n" in text
    assert "  + V0 (Despesas Empenhadas) = 2,25\n" in text
    assert "  − V1 (Liquidadas) = 0,00\n" in text
    assert "      coluna V1 (specs/despesa.yaml:17:11): sum(valor where elemento == " \
        "\"3390390000\")\n" in text
    assert "  fórmula: 2,25 − 0,00 = 2,25\n" in text
    assert text.endswith("soma dos 2 registro(s) de entrada, com os sinais da fórmula: 2,25 "
                         "(igual ao valor da célula)\n")
    zero = program.explain({"gasto": str(gasto)}, {}, "despesa", "1", "3390390000", "V2",
                           sheet="3_11")
    assert zero.value == 0 == zero.records_sum()
    assert [(t.column_id, [r.line for r in t.records]) for _, t in zero.terms] == [
        ("V0", [2]), ("V1", [2])]
    data = json.loads(json.dumps(exp.to_dict()))
    assert data["column_kind"] == "formula" and data["formula"] == "V0 - V1"
    assert [(t["sign"], t["column"], t["value"]) for t in data["terms"]] == [
        (1, "V0", "2.25"), (-1, "V1", "0")]
    written = program.run({"gasto": str(gasto)}, {}, backend="duckdb").outputs
    assert exp.line in written["1/3_11_Desp_Administracao.IMPT"].decode().split("\r\n")


# ---------------------------------------------------------------- mistakes
@pytest.mark.parametrize(("sheet", "row", "column", "code", "message", "help"), [
    ("3_1", "3390300000", "V0", "D0410", "'despesa' não tem a planilha '3_1'",
     "você quis dizer '3_11'? planilhas com linhas nesta partição: 10_18, 3_11"),
    ("10_11", "3390300000", "V0", "D0411",
     "nenhum registro da partição 1 chegou à planilha '10_11' de 'despesa'",
     "planilhas com linhas nesta partição: 10_18, 3_11"),
    ("3_11", "3.3.90.30.00.01", "V0", "D0412", "'3.3.90.30.00.01' não é uma linha de 'despesa'",
     "você quis dizer '3.3.90.30.00.00'? linhas da planilha 3_11 nesta partição: "
     "3.3.90.30.00.00, 3.3.90.39.00.00"),
    ("3_18", "3390300000", "V0", "D0411", "chegou à planilha '3_18'",
     "planilhas com linhas nesta partição: 10_18, 3_11"),
    ("10_18", "3.3.90.39.00.00", "V0", None, None, None),  # all zero, but reached: explained
    ("3_11", "3390300000", "V1", "D0414", "'despesa' não tem a coluna 'V1'",
     "colunas: V0"),
], ids=["sheet", "sheet-empty", "row", "other-sheet-empty", "zeros", "column"])
def test_an_unknown_planilha_row_or_column(case, sheet, row, column, code, message,  # type: ignore[no-untyped-def]
                                           help) -> None:
    if code is None:
        assert _explain(case, sheet, row, column).value == 0
        return
    with pytest.raises(RunFailed) as info:
        _explain(case, sheet, row, column)
    [e] = info.value.errors
    assert (e.code, e.line) == (code, 0) and message in e.message and e.help == help
    assert not info.value.usage  # exit 1 on the command line, as data errors


def test_a_row_of_the_table_no_record_reached_is_D0413(tmp_path: Path) -> None:
    program, gasto = _program(tmp_path)
    gasto.write_text("municipio;fonte;subfuncao;elemento;valor\n1;999;301;3390300000;0,25\n",
                     "utf-8")
    with pytest.raises(RunFailed) as info:
        program.explain({"gasto": str(gasto)}, {}, "despesa", "1", "3390390000", "V0",
                        sheet="10_18")
    [e] = info.value.errors
    assert (e.code, e.file) == ("D0413", "linha 3.3.90.39.00.00")
    assert e.message == ("nenhum registro chegou à linha '3.3.90.39.00.00' da planilha "
                         "'10_18' de 'despesa'")
    assert e.help == "linhas da planilha 10_18 nesta partição: 3.3.90.30.00.00"


def test_a_sheets_cell_needs_its_planilha(case) -> None:  # type: ignore[no-untyped-def]
    program, ledgers = case
    with pytest.raises(ExplainError) as info:
        program.explain(ledgers, {}, "despesa", "1", "3390300000", "V0")
    assert info.value.option == "--sheet" and "informe a planilha" in info.value.message
    with pytest.raises(ExplainError) as info:
        program.explain(ledgers, {}, "despesas", "1", "3390300000", "V0", sheet="3_11")
    assert info.value.option == "--layout" and info.value.help == \
        "você quis dizer 'despesa'? layouts: despesa"


def test_a_siops_formula_column_is_explained(siops_program: runtime.Program,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """specs/siops/2021/receita_execucao.yaml, V6 = V2 − V3 − V5, on the FPM line of the hand-made
    fixture (fixtures/siops/bimestre/3170206/receita.csv): line 6 arrecada 150.000 (V2), line 7
    is its FUNDEB deduction of 30.000 (tipo 05: V5, not V3), so V6 = 150.000 − 0 − 30.000; the
    duckdb run writes that number."""
    from tests.conftest import ROOT

    monkeypatch.chdir(ROOT)
    fix = "fixtures/siops/bimestre/3170206"
    ledgers = {n: f"{fix}/{n}.csv" for n in ("receita", "equivalencia_recursos")}
    params = {"exercicio": 2021, "bimestre": 6}
    exp = siops_program.explain(ledgers, params, "receita/execucao", "3170206",
                                "1.7.18.01.20", "V6", sheet="Receita_Siops.IMPT")
    assert isinstance(exp, SheetExplanation)
    assert exp.value == Decimal("120000.00") == exp.records_sum()
    got = [(sign, t.column_id, t.value, [(r.line, r.amount) for r in t.records if r.amount])
           for sign, t in exp.terms]
    assert got == [(1, "V2", Decimal("150000.00"), [(6, Decimal("150000.00"))]),
                   (-1, "V3", Decimal("0"), []),
                   (-1, "V5", Decimal("30000.00"), [(7, Decimal("30000.00"))])]
    assert "  fórmula: 150000,00 − 0,00 − 30000,00 = 120000,00\n" in exp.render()
    written = siops_program.run(ledgers, params, select="receita/*", backend="duckdb").outputs
    assert exp.line in written["3170206/Receita_Siops.IMPT"].decode("utf-8").split("\r\n")
    assert ";V6:[>R$120000,00<]:" in exp.line


def test_an_int_row_key_is_explained_as_the_line_prints_it(tmp_path: Path) -> None:
    """Rows keyed by an int column (as the restos files' fonte groups): `--row 12` finds the
    table's int key 12 (test_sheets: the accumulator joins it as text)."""
    program, gasto = _program(
        tmp_path, ("linhas.yaml", "codigo: {type: str}", "codigo: {type: int}"),
        ("linhas.csv", "3390300000,519,#L0\n3390390000,549,#L1", "7,519,#L0\n12,549,#L1"),
        ("despesa.yaml", ', mask: "9.9.99.99.99.99"', ''),
        ("despesa.yaml", "row: elemento", "row: subfuncao"))
    gasto.write_text("municipio;fonte;subfuncao;elemento;valor\n1;100;12;x;5,00\n", "utf-8")
    exp = program.explain({"gasto": str(gasto)}, {}, "despesa", "1", "12", "V0", sheet="3_18")
    assert isinstance(exp, SheetExplanation)
    assert (exp.value, exp.key, exp.marker, [r.line for r in exp.records]) == (
        Decimal("5.00"), "12", "#L1", [2])
    assert exp.records[0].row == 12 and exp.row_at == "specs/linhas.csv:3"
