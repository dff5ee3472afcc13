"""Explain (memória de cálculo) on the hand-made fixture: every record a cell lists is exactly
the one the fixture's README says, derived here from the CSV files without apura, and the
records sum to the value written in the .IMPT output."""

from __future__ import annotations

import csv
import datetime
import json
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import runtime
from runtime.trace import ExplainError
from runtime.trace import Explanation
from tests.conftest import FIXTURES
from tests.conftest import ROOT

SMALL = FIXTURES / "small"
PART = "3170206"
PARAMS = {"exercicio": 2020, "bimestre": 2}
# relative paths: the rendered text names the files as they were given
INPUTS = {n: (SMALL / f"{n}.csv").relative_to(ROOT).as_posix()
          for n in ("despesa", "receita", "equivalencia_recursos")}


# ---------------------------------------------------------------- the fixture, by hand
def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _read(name: str) -> list[tuple[int, dict[str, str]]]:
    """(line number in the file, record); the header is line 1, one record per line."""
    with open(SMALL / f"{name}.csv", encoding="utf-8", newline="") as fh:
        return [(i + 2, row) for i, row in enumerate(csv.DictReader(fh, delimiter=";"))]


EQUIV = {(r["municipio"], r["recurso"]): r for _, r in _read("equivalencia_recursos")}


def _counts(r: dict[str, str]) -> bool:
    """exercicio 2020, data from 01/01/2020 to 30/04/2020, COVID by the record or the map."""
    day, month, year = (int(x) for x in r["data"].split("/"))
    when = datetime.date(year, month, day)
    eq = EQUIV[(r["municipio"], r["recurso"])]
    return (r["exercicio"] == "2020"
            and datetime.date(2020, 1, 1) <= when <= datetime.date(2020, 4, 30)
            and (r["covid"] == "S" or eq["covid"] == "S"))


def _siops(r: dict[str, str]) -> str:
    return EQUIV[(r["municipio"], r["recurso"])]["recurso_siops"]


def despesa(recurso_siops: str, keep: Callable[[dict[str, str]], bool],
            column: str = "V0") -> list[tuple[str, int, Decimal]]:
    """The despesa records of quadro 77/78/79 (by recurso SIOPS) that `keep` accepts."""
    value, cancelled = {"V0": ("empenhado", "anulado_empenho"),
                        "V1": ("liquidado", "anulado_liquidacao"),
                        "V2": ("pago", "anulado_pagamento")}[column]
    return [(INPUTS["despesa"], line, _money(r[value]) - _money(r[cancelled]))
            for line, r in _read("despesa")
            if _counts(r) and r["funcao"] == "10" and _siops(r) == recurso_siops and keep(r)]


def impt_value(result: runtime.Result, layout: str, ref: str, column: str = "V0") -> Decimal:
    """The value of a written row, read back from the .IMPT bytes."""
    lay = result.package.layout(layout)
    text = result.outputs[f"{PART}/{lay.output_file}"].decode("utf-8")
    line = next(x for x in text.split("\r\n") if x.startswith(f"{lay.planilha};{ref};"))
    m = re.search(rf"{column}:\[>R\$(-?\d+,\d\d)<\]", line)
    assert m is not None, line
    return _money(m.group(1))


def expected_csv(quadro: str, ref: str, column: str = "V0") -> Decimal:
    with open(SMALL / "expected.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter=";"):
            if row["quadro"] == quadro and row["ref"] == ref:
                return _money(row[column])
    raise KeyError((quadro, ref))


def listed(exp: Explanation) -> list[tuple[str, int, Decimal]]:
    return [(r.file, r.line, r.amount) for r in exp.all_records()]


@pytest.fixture(scope="module")
def result(siops_program: runtime.Program) -> runtime.Result:
    import os

    cwd = os.getcwd()
    os.chdir(ROOT)  # the inputs are relative to the repository
    try:
        res = siops_program.run(ledgers=INPUTS, params=PARAMS)
        res.ledgers = {k: str(ROOT / v) for k, v in INPUTS.items()}
    finally:
        os.chdir(cwd)
    return res


@pytest.fixture
def at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def explain(program: runtime.Program, layout: str, ref: str, column: str = "V0") -> Explanation:
    return program.explain(INPUTS, PARAMS, layout, PART, ref, column)


# ---------------------------------------------------------------- rule, otherwise, total, value
@pytest.mark.usefixtures("at_root")
def test_rule_row_lists_exactly_its_records(siops_program: runtime.Program,
                                            result: runtime.Result) -> None:
    exp = explain(siops_program, "covid/77", "9999999013")
    want = despesa("212", lambda r: r["subfuncao"] == "122")
    assert [line for _, line, _ in want] == [2]  # empenho 1001 (README)
    assert listed(exp) == want
    assert exp.records[0].lookups[0].values == (("recurso_siops", "212"), ("covid", True))
    assert exp.records[0].lookups[0].at == f"{INPUTS['equivalencia_recursos']}:7"
    assert exp.records_sum() == exp.value == impt_value(result, "covid/77", "9999999013")
    assert exp.value == expected_csv("77", "9999999013")


@pytest.mark.usefixtures("at_root")
@pytest.mark.parametrize("column", ["V0", "V1", "V2"])
def test_otherwise_row_lists_the_records_no_rule_took(siops_program: runtime.Program,
                                                      result: runtime.Result,
                                                      column: str) -> None:
    exp = explain(siops_program, "covid/77", "9999999028", column)
    assert exp.kind == "otherwise"
    ruled = {"122", "301", "302", "303", "304", "305", "306"}
    want = despesa("212", lambda r: r["subfuncao"] not in ruled, column)
    assert len(want) == 2  # empenhos 1015 and 1016 (README)
    assert listed(exp) == want
    total = sum(a for _, _, a in want)
    assert exp.records_sum() == total == impt_value(result, "covid/77", "9999999028", column)


@pytest.mark.usefixtures("at_root")
def test_first_hit_row_of_quadro_70(siops_program: runtime.Program,
                                    result: runtime.Result) -> None:
    """70/9999999011 takes the 212 receitas that no earlier row (first hit) took."""
    exp = explain(siops_program, "covid/70", "9999999011")
    named = {"PORTARIA_MS_488", "LC_172_2020", "PORTARIA_MS_774", "PORTARIA_MS_395",
             "PORTARIA_MS_430", "PORTARIA_MS_480", "PORTARIA_MS_414", "PORTARIA_MS_568",
             "PORTARIA_MS_827"}
    want = [(INPUTS["receita"], line, _money(r["arrecadado"]))
            for line, r in _read("receita")
            if _counts(r) and _siops(r) == "212" and r["covid_siops_rec"] != "MP_938"
            and r["covid_siops_rec"] not in named]
    assert [line for _, line, _ in want] == [13, 14]  # data lines 12 and 13 (README)
    assert listed(exp) == want
    assert exp.records_sum() == exp.value == impt_value(result, "covid/70", "9999999011")


@pytest.mark.usefixtures("at_root")
def test_totalizer_lists_its_member_rows_and_their_records(siops_program: runtime.Program,
                                                          result: runtime.Result) -> None:
    exp = explain(siops_program, "covid/77", "9999999016")
    assert exp.kind == "total"
    assert [m.ref for m in exp.members] == [f"99999990{n}" for n in range(17, 24)]
    for m in exp.members:
        assert m.value == impt_value(result, "covid/77", m.ref)
    # every subfunção 302 record of quadro 77, whatever its category
    want = despesa("212", lambda r: r["subfuncao"] == "302")
    assert sorted(listed(exp)) == sorted(want)
    # totalizers are not written: compare with the run's value and the hand-made expectation
    assert exp.records_sum() == exp.value == result.cell("covid/77", PART, "9999999016")
    assert exp.value == expected_csv("77", "9999999016")
    assert sum(m.value for m in exp.members) == exp.value


@pytest.mark.usefixtures("at_root")
def test_value_row_says_which_cell_it_reads(siops_program: runtime.Program,
                                           result: runtime.Result) -> None:
    exp = explain(siops_program, "covid/72", "9999999030")
    assert exp.kind == "values"
    assert exp.expression == 'cell("covid/79", "9999999029", "V0")'
    [src] = exp.sources
    assert (src.layout.id, src.ref, src.column_id, src.kind) == \
        ("covid/79", "9999999029", "V0", "total")
    assert src.value == exp.value
    # down to the records: every despesa record of quadro 79 (recurso SIOPS 001)
    want = despesa("001", lambda r: True)
    assert sorted(listed(exp)) == sorted(want)
    assert exp.records_sum() == exp.value == impt_value(result, "covid/72", "9999999030")
    assert exp.value == expected_csv("72", "9999999030") == Decimal("90350.95")
    text = exp.render()
    assert 'linha de valor (specs/siops/covid_72.yaml:16:5): V0 = cell("covid/79", ' in text
    assert "← covid/79 linha 9999999029 (Total) · V0 (Despesas Empenhadas) = 90350,95" in text


# ---------------------------------------------------------------- Result.explain, text, JSON
def test_result_explain_reruns_with_the_same_inputs(result: runtime.Result) -> None:
    exp = result.explain("covid/78", PART, "9999999027", "V1")
    assert exp.value == Decimal("-100.00") == exp.records_sum()  # empenho 1025 (README)
    assert len(exp.records) == 1 and exp.records[0].file.endswith("despesa.csv")


def test_a_duckdb_result_is_explained_on_the_python_back_end(
        siops_program: runtime.Program) -> None:
    pytest.importorskip("duckdb")
    ledgers = {k: ROOT / v for k, v in INPUTS.items()}
    res = siops_program.run(ledgers=ledgers, params=PARAMS, backend="duckdb")
    assert res.backend == "duckdb"
    exp = res.explain("covid/77", PART, "9999999029", "V2")
    assert exp.value == res.cell("covid/77", PART, "9999999029", "V2") == exp.records_sum()
    assert len(exp.all_records()) == 17


def test_rendered_explanation(siops_program: runtime.Program, at_root: None,
                              diag_snapshot: Any) -> None:
    text = explain(siops_program, "covid/77", "9999999014").render()
    assert text.splitlines()[-1] == ("soma dos 1 registro(s) de entrada: 24500,50 (igual ao "
                                     "valor da célula)")
    # the column's `value:` is line 19 of covid_77.yaml, its expression at column 12 (after
    # `    value: `); the filter reads the derived e_covid, line 38 of despesa.yaml (after
    # `  e_covid: `), listed once under the totalizer's one member row
    lines = text.splitlines()
    assert "  coluna V0 (specs/siops/covid_77.yaml:19:12): sum(empenhado - anulado_empenho)" \
        in lines
    derived = [x.strip() for x in lines if "campo derivado" in x]
    assert "campo derivado e_covid (specs/siops/despesa.yaml:38:12): covid or " \
        "lookup(equivalencia, municipio, recurso).covid" in derived
    assert len(derived) == len(set(derived)) == 3  # no_periodo, recurso_siops, e_covid
    assert diag_snapshot == text


@pytest.mark.usefixtures("at_root")
def test_json_is_exact_and_complete(siops_program: runtime.Program) -> None:
    data = json.loads(json.dumps(explain(siops_program, "covid/77", "9999999029").to_dict()))
    assert data["value"] == data["records_sum"] == "396302.00"
    assert data["kind"] == "total" and data["partition"] == PART
    # gerar_consorcio: the run did not give it, its default (package.yaml) is what it used
    assert data["params"] == {"bimestre": 2, "exercicio": 2020, "gerar_consorcio": False}
    leaves = data["members"]
    assert all(m["kind"] in ("rule", "otherwise") for m in leaves)
    records = [r for m in leaves for r in m["records"]]
    assert len(records) == data["all_records"] == 17  # empenhos 1001–1017
    assert sum(Decimal(r["amount"]) for r in records) == Decimal("396302.00")
    assert leaves[0]["rule"] == "subfuncao == 122"
    assert leaves[0]["filter_at"] == "specs/siops/covid_77.yaml:9:9"


def test_in_memory_rows_are_named_and_must_be_reiterable(siops_program: runtime.Program) -> None:
    rows = {}
    for n in INPUTS:
        with open(SMALL / f"{n}.csv", encoding="utf-8", newline="") as fh:
            rows[n] = list(csv.DictReader(fh, delimiter=";"))
    res = siops_program.run(ledgers=rows, params=PARAMS)
    exp = res.explain("covid/77", PART, "9999999013")
    # in-memory rows are numbered from 1 (the first row; there is no header line)
    assert [(r.file, r.line) for r in exp.records] == [("<memória:despesa>", 1)]
    gen = {**rows, "despesa": iter(rows["despesa"])}
    res = siops_program.run(ledgers=gen, params=PARAMS)
    with pytest.raises(ValueError, match="iterador"):
        res.explain("covid/77", PART, "9999999013")


# ---------------------------------------------------------------- mistakes
@pytest.mark.parametrize(("args", "option", "message"), [
    (("covid/99", "9999999013", "V0"), "--layout", "não tem o layout 'covid/99'"),
    (("covid/77", "123", "V0"), "--row", "não tem a linha '123'"),
    (("covid/77", "9999999013", "V7"), "--column", "não tem a coluna 'V7'"),
], ids=["layout", "row", "column"])
def test_unknown_cell(result: runtime.Result, args: tuple[str, str, str], option: str,
                      message: str) -> None:
    layout, ref, column = args
    with pytest.raises(ExplainError) as info:
        result.explain(layout, PART, ref, column)
    assert info.value.option == option and message in str(info.value)


def test_unknown_partition_is_D0407(result: runtime.Result) -> None:
    with pytest.raises(runtime.RunFailed) as info:
        result.explain("covid/77", "3106200", "9999999013")
    [e] = info.value.errors
    assert e.code == "D0407" and e.help == f"partições nas entradas: {PART}"


def test_explain_needs_the_same_inputs_as_a_run(siops_program: runtime.Program,
                                                tmp_path: Path) -> None:
    with pytest.raises(runtime.RunFailed) as info:
        siops_program.explain({"receita": tmp_path / "x.csv"}, PARAMS, "covid/72", PART,
                              "9999999030")
    assert {e.code for e in info.value.errors} == {"D0406"}


# ---------------------------------------------------------------- other aggregates
AGG_LAYOUT = """\
kind: layout
id: quadro
planilha: 1
source: despesa
filter: year(data) == $exercicio and bimestre(data) <= $bimestre
hit_policy: first
output:
  format: impt
  file: quadro.IMPT
columns:
  - {id: V0, code: 1, label: Soma, value: sum(valor where covid)}
  - {id: V1, code: 2, label: Registros, value: count()}
  - {id: V2, code: 3, label: Maior, value: max(valor)}
rows:
  - {ref: "1", record_id: "101", rule: funcao == 10}
  - {ref: "8", record_id: "108", otherwise: true}
  - {ref: "9", record_id: "109", total_of: leaves}
  - ref: "10"
    record_id: "110"
    values:
      V0: cell("quadro", "1", "V0") * 2
      V1: cell("quadro", "8", "V1")
      V2: cell("quadro", "1", "V2")
"""


@pytest.fixture(scope="module")
def agg_program(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    from compiler import compile_package
    from compiler.writer import write_tree
    from tests.conftest import write_package
    from tests.test_data_errors import SPECS

    tmp = tmp_path_factory.mktemp("agg")
    folder = write_package(tmp, {**SPECS, "quadro.yaml": AGG_LAYOUT})
    res = compile_package(folder, base=tmp)
    assert res.errors == [], res.errors
    write_tree(tmp / "gen" / "dados", res.files)
    return runtime.load(tmp / "gen" / "dados")


def test_count_max_and_where_columns(agg_program: runtime.Program, tmp_path: Path) -> None:
    from tests.test_data_errors import EQUIV
    from tests.test_data_errors import GOOD
    from tests.test_data_errors import HEADER

    desp = tmp_path / "despesa.csv"
    desp.write_text("\n".join([HEADER, *GOOD, ""]), "utf-8")  # funcao 10, 20, 10
    equiv = tmp_path / "equivalencias.csv"
    equiv.write_text(EQUIV, "utf-8")
    res = agg_program.run(ledgers={"despesa": desp, "equivalencias": equiv}, params=PARAMS)
    part = "3106200"
    # sum ... where covid: only the covid record adds; the other one is listed with 0
    exp = res.explain("quadro", part, "1", "V0")
    assert [(r.line, r.amount) for r in exp.records] == [(2, Decimal("100.50")),
                                                          (4, Decimal("0"))]
    assert exp.records_sum() == exp.value == Decimal("100.50")
    # count(): one per record
    exp = res.explain("quadro", part, "1", "V1")
    assert [r.amount for r in exp.records] == [1, 1] and exp.records_sum() == exp.value == 2
    # max(): the running value after each record; not a sum
    exp = res.explain("quadro", part, "1", "V2")
    assert [r.amount for r in exp.records] == [Decimal("100.50"), Decimal("100.50")]
    assert exp.value == Decimal("100.50") and exp.records_sum() is None
    assert "registros (2; arquivo:linha  valor corrente):" in exp.render()
    # a totalizer of count columns over leaves (the rule, otherwise and value rows): the value
    # row reads row 8's count, so the record of row 8 (line 3) counts twice, as in the value
    exp = res.explain("quadro", part, "9", "V1")
    assert [m.ref for m in exp.members] == ["1", "8", "10"]
    assert [m.kind for m in exp.members] == ["rule", "otherwise", "values"]
    assert exp.value == exp.records_sum() == 4
    assert sorted(r.line for r in exp.all_records()) == [2, 3, 3, 4]
    # a value row that is not just one cell: its source is shown, no records sum is claimed
    exp = res.explain("quadro", part, "10", "V0")
    assert exp.expression == 'cell("quadro", "1", "V0") * 2'
    assert exp.value == Decimal("201.00") and exp.records_sum() is None
    assert [s.ref for s in exp.sources] == ["1"] and exp.all_records() == []
    assert "soma dos" not in exp.render().splitlines()[-1]
    # the other columns of that row: their own expressions
    exp = res.explain("quadro", part, "10", "V1")
    assert exp.expression == 'cell("quadro", "8", "V1")'
    assert exp.value == exp.records_sum() == 1 and [r.line for r in exp.all_records()] == [3]
