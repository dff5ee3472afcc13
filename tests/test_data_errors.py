"""Run-time data errors (D…): each one positioned in the input (file, line, column), and
rejected rows counted so that accepted + rejected = read.

The package is compiled once from tiny specs into tmp; its ledgers are written per test.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from runtime.errors import DataError
from tests.conftest import ROOT
from tests.conftest import write_package

SPECS = {
    "package.yaml": """\
kind: package
id: dados
partition: municipio
params:
  exercicio: {type: int}
  bimestre: {type: int, min: 1, max: 6}
""",
    "despesa.yaml": """\
kind: ledger
id: despesa
format:
  type: csv
  delimiter: ";"
  decimal: ","
  date: DD/MM/YYYY
  true: S
  false: N
fields:
  municipio: {type: str}
  data: {type: date}
  funcao: {type: int}
  valor: {type: decimal}
  covid: {type: bool}
  recurso: {type: str}
  obs: {type: str, required: false}
derived:
  recurso_siops: lookup(equivalencia, municipio, recurso).recurso_siops
""",
    "equivalencias.yaml": """\
kind: ledger
id: equivalencias
format:
  type: csv
fields:
  municipio: {type: str}
  recurso: {type: str}
  recurso_siops: {type: str}
""",
    "equivalencia.yaml": """\
kind: map
id: equivalencia
source: equivalencias
key: [municipio, recurso]
values: [recurso_siops]
""",
    "quadro.yaml": """\
kind: layout
id: quadro
planilha: 1
source: despesa
filter: year(data) == $exercicio and bimestre(data) <= $bimestre
hit_policy: unique
output:
  format: impt
  file: quadro.IMPT
columns:
  - id: V0
    code: 1
    label: Valor
    value: sum(valor)
rows:
  - ref: "1"
    record_id: "101"
    rule: funcao == 10
  - ref: "2"
    record_id: "102"
    rule: funcao == 20 and recurso_siops == "212"
  - ref: "3"
    record_id: "103"
    rule: valor > 1000
  - ref: "9"
    record_id: "109"
    total_of: leaves
""",
}

HEADER = "municipio;data;funcao;valor;covid;recurso;obs"
GOOD = [
    "3106200;15/01/2020;10;100,50;S;001;",
    "3106200;20/02/2020;20;200,00;N;002;empenho 7",
    "3106200;10/03/2020;10;1,00;N;001;",
]
EQUIV = "municipio;recurso;recurso_siops\n3106200;001;001\n3106200;002;212\n"
PARAMS = {"exercicio": 2020, "bimestre": 2}


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    tmp = tmp_path_factory.mktemp("dados")
    folder = write_package(tmp, SPECS)
    res = compile_package(folder, base=tmp)
    assert res.errors == [] and res.package_id == "dados"
    write_tree(tmp / "gen" / res.package_id, res.files)
    return runtime.load(tmp / "gen" / res.package_id)


def despesa(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "despesa.csv") -> Path:
    path = tmp_path / name
    path.write_text("".join(f"{r}\n" for r in (header, *rows)), encoding="utf-8")
    return path


def inputs(tmp_path: Path, desp: Any, equiv: str = EQUIV) -> dict[str, Any]:
    eq = tmp_path / "equivalencias.csv"
    eq.write_text(equiv, encoding="utf-8")
    return {"despesa": desp, "equivalencias": eq}


def failure(program: runtime.Program, ledgers: Mapping[str, Any],
            params: Mapping[str, Any] = PARAMS, **kw: Any) -> list[DataError]:
    with pytest.raises(runtime.RunFailed) as info:
        program.run(ledgers=ledgers, params=params, **kw)
    return info.value.errors


def only(errors: list[DataError]) -> DataError:
    assert len(errors) == 1, [e.render() for e in errors]
    return errors[0]


def at(e: DataError) -> tuple[str, str, int, int]:
    return (e.code, e.file, e.line, e.col)


def test_the_good_ledger_runs(program: runtime.Program, tmp_path: Path) -> None:
    result = program.run(ledgers=inputs(tmp_path, despesa(tmp_path, *GOOD)), params=PARAMS)
    assert result.cell("quadro", "3106200", "9") == result.cell("quadro", "3106200", "1") \
        + result.cell("quadro", "3106200", "2")
    assert [(s.name, s.read, s.accepted, len(s.rejected)) for s in result.inputs] == \
        [("equivalencias", 2, 2, 0), ("despesa", 3, 3, 0)]


# ---------------------------------------------------------------- D01xx: cells and files
# (code, line 3 of the file = the 2nd data row, the bad cell, its 1-based column in that line)
BAD_CELLS = [
    ("D0101", "3106200;20/02/2020;vinte;200,00;N;002;", "vinte", 20),
    ("D0102", "3106200;20/02/2020;20;200,005;N;002;", "200,005", 23),
    ("D0102", "3106200;20/02/2020;20;duzentos;N;002;", "duzentos", 23),
    ("D0103", "3106200;30/02/2020;20;200,00;N;002;", "30/02/2020", 9),
    ("D0103", "3106200;2020-02-20;20;200,00;N;002;", "2020-02-20", 9),
    ("D0104", "3106200;20/02/2020;20;200,00;X;002;", "X", 30),
]


@pytest.mark.parametrize(("code", "row", "cell", "col"), BAD_CELLS,
                         ids=[f"{c[0]}-{c[2]}" for c in BAD_CELLS])
def test_a_bad_cell_points_at_its_column(program: runtime.Program, tmp_path: Path, code: str,
                                         row: str, cell: str, col: int) -> None:
    path = despesa(tmp_path, GOOD[0], row, GOOD[2])
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == (code, path.as_posix(), 3, col)
    assert e.text == row  # the line as written in the file
    assert e.text[e.col - 1:e.col - 1 + e.width] == cell  # the caret covers the bad cell
    assert f"{path.as_posix()}:3:{col}: erro[{code}]" in e.render()


@pytest.mark.parametrize(("code", "row", "cell", "col"), BAD_CELLS[:1],
                         ids=[f"{c[0]}-{c[2]}" for c in BAD_CELLS[:1]])
def test_rejected_rows_are_counted_when_rejects_are_allowed(
        program: runtime.Program, tmp_path: Path, code: str, row: str, cell: str,
        col: int) -> None:
    path = despesa(tmp_path, GOOD[0], row, GOOD[2], row)
    result = program.run(ledgers=inputs(tmp_path, path), params=PARAMS, allow_rejects=True)
    st = next(s for s in result.inputs if s.name == "despesa")
    assert (st.read, st.accepted, len(st.rejected)) == (4, 2, 2)
    assert st.accepted + len(st.rejected) == st.read
    assert [at(e) for e in result.rejects] == [(code, path.as_posix(), 3, col),
                                              (code, path.as_posix(), 5, col)]
    # the rejected rows count for nothing: only the two good funcao 10 rows are summed
    assert result.cell("quadro", "3106200", "1") == Decimal("101.50")


def test_D0102_too_many_decimals_in_column_4_of_line_4(program: runtime.Program,
                                                       tmp_path: Path) -> None:
    path = despesa(tmp_path, GOOD[0], GOOD[1], "3106200;10/03/2020;10;1,001;N;001;")
    result = program.run(ledgers=inputs(tmp_path, path), params=PARAMS, allow_rejects=True)
    e = only(result.rejects)
    assert at(e) == ("D0102", path.as_posix(), 4, len("3106200;10/03/2020;10;") + 1)
    assert e.field == "valor" and "mais de 2 casas decimais" in e.message
    st = result.inputs[-1]
    assert (st.read, st.accepted, len(st.rejected)) == (3, 2, 1)


def test_quoted_cells_are_located_as_written(program: runtime.Program, tmp_path: Path) -> None:
    row = '"3106200";"20/02/2020";20;"200,005";N;"002";"obs; com ponto e vírgula"'
    path = despesa(tmp_path, GOOD[0], row, GOOD[2])
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0102", path.as_posix(), 3, row.index('"200,005"') + 1)
    assert e.text == row and e.text[e.col - 1:e.col - 1 + e.width] == '"200,005"'


def test_D0105_empty_required_cell(program: runtime.Program, tmp_path: Path) -> None:
    row = "3106200;20/02/2020;20;200,00;N;;empenho 7"
    path = despesa(tmp_path, GOOD[0], row, GOOD[2])
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0105", path.as_posix(), 3, row.index(";;") + 2)
    assert e.field == "recurso"
    result = program.run(ledgers=inputs(tmp_path, path), params=PARAMS, allow_rejects=True)
    st = result.inputs[-1]
    assert st.accepted + len(st.rejected) == st.read == 3


def test_an_empty_optional_cell_is_accepted(program: runtime.Program, tmp_path: Path) -> None:
    result = program.run(ledgers=inputs(tmp_path, despesa(tmp_path, GOOD[0])), params=PARAMS)
    assert result.inputs[-1].rejected == []


def test_D0106_wrong_number_of_columns(program: runtime.Program, tmp_path: Path) -> None:
    path = despesa(tmp_path, GOOD[0], GOOD[1], "3106200;10/03/2020;10")
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0106", path.as_posix(), 4, 1)
    assert "3 coluna(s); esperava 7" in e.message
    result = program.run(ledgers=inputs(tmp_path, path), params=PARAMS, allow_rejects=True)
    st = result.inputs[-1]
    assert (st.read, st.accepted, len(st.rejected)) == (3, 2, 1)


def test_D0107_header_without_a_column(program: runtime.Program, tmp_path: Path) -> None:
    path = despesa(tmp_path, GOOD[0], header=HEADER.replace("funcao;", ""))
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0107", path.as_posix(), 1, 1)
    assert "'funcao'" in e.message


def test_D0107_empty_file(program: runtime.Program, tmp_path: Path) -> None:
    path = tmp_path / "despesa.csv"
    path.write_text("", encoding="utf-8")
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0107", path.as_posix(), 1, 1)


def test_D0107_in_memory_record_without_a_field(program: runtime.Program,
                                                 tmp_path: Path) -> None:
    rows = [dict(zip(HEADER.split(";"), GOOD[0].split(";"), strict=True)),
            {"municipio": "3106200", "data": "20/02/2020"}]
    e = only(failure(program, inputs(tmp_path, rows)))
    assert at(e) == ("D0107", "<memória:despesa>", 2, 1)
    result = program.run(ledgers=inputs(tmp_path, rows), params=PARAMS, allow_rejects=True)
    st = result.inputs[-1]
    assert (st.read, st.accepted, len(st.rejected)) == (2, 1, 1)


def test_D0108_wrong_encoding_points_at_the_byte(program: runtime.Program,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "despesa.csv"
    rows = [GOOD[0]] * 3000 + ["3106200;10/03/2020;10;1,00;N;001;São João"]
    path.write_bytes("\n".join([HEADER, *rows, ""]).encode("latin-1"))
    e = only(failure(program, inputs(tmp_path, path)))
    # line 3002 (header + 3000 rows + this one), column of 'ã' (not the text layer's chunk)
    assert at(e) == ("D0108", path.as_posix(), 3002, len("3106200;10/03/2020;10;1,00;N;001;S") + 1)
    assert "0xe3" in e.message


def test_D0109_missing_file(program: runtime.Program, tmp_path: Path) -> None:
    path = tmp_path / "nao_existe.csv"
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0109", path.as_posix(), 1, 1)
    assert "não existe" in e.message


def test_D0110_malformed_csv(program: runtime.Program, tmp_path: Path) -> None:
    path = despesa(tmp_path, GOOD[0], '3106200;20/02/2020;20;200,00;N;002;"empenho" 7')
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0110", path.as_posix(), 3, 1)
    assert "aspas" in e.message


# ---------------------------------------------------------------- D02xx maps, D03xx hit policy
def test_D0201_record_without_map_entry(program: runtime.Program, tmp_path: Path) -> None:
    path = despesa(tmp_path, GOOD[0], GOOD[1].replace(";002;", ";999;"), GOOD[2])
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0201", path.as_posix(), 3, 1)
    assert e.message == ("o mapa 'equivalencia' não tem entrada para municipio=3106200, "
                         "recurso=999 (1 registro: linha 3)")


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_D0201_one_error_per_missing_key_with_its_count_and_first_lines(
        program: runtime.Program, tmp_path: Path, backend: str) -> None:
    """7,749 records with no equivalência are one error per distinct key (not 7,749 errors),
    at the first record, with the count and the first lines; the same on every back end."""
    missing = GOOD[1].replace(";002;", ";999;")
    other = GOOD[0].replace(";001;", ";777;")
    rows = [GOOD[0], *([missing] * 7749), other, GOOD[2], other]
    path = despesa(tmp_path, *rows)
    errors = failure(program, inputs(tmp_path, path), backend=backend)
    assert [at(e) for e in errors] == [("D0201", path.as_posix(), 3, 1),
                                       ("D0201", path.as_posix(), 7752, 1)]
    assert errors[0].message == ("o mapa 'equivalencia' não tem entrada para municipio=3106200, "
                                 "recurso=999 (7.749 registros; primeiros: linhas 3, 4, 5)")
    assert errors[1].message == ("o mapa 'equivalencia' não tem entrada para municipio=3106200, "
                                 "recurso=777 (2 registros: linhas 7752, 7754)")
    assert errors[0].help == ("inclua a equivalência em 'equivalencias' (regra em "
                              "specs/pkg/equivalencia.yaml:1:1)")


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_no_follow_on_errors_of_a_failed_map_input(program: runtime.Program, tmp_path: Path,
                                                   backend: str) -> None:
    """A comma-delimited map file is D0107 (its header has no 'municipio' column): the lookups
    into the (empty) map it feeds are not reported as well — one error, not 1 + 62."""
    path = despesa(tmp_path, *([GOOD[0], GOOD[1]] * 31))
    led = inputs(tmp_path, path, equiv=EQUIV.replace(";", ","))
    e = only(failure(program, led, backend=backend))
    assert at(e) == ("D0107", (tmp_path / "equivalencias.csv").as_posix(), 1, 1)
    # a bad cell of the ledger itself is still reported: it is not a follow-on error
    bad = despesa(tmp_path, GOOD[0], GOOD[1].replace(";20;", ";vinte;"))
    errors = failure(program, inputs(tmp_path, bad, equiv=EQUIV.replace(";", ",")),
                     backend=backend)
    assert [e.code for e in errors] == ["D0107", "D0101"]


def test_D0202_repeated_map_key(program: runtime.Program, tmp_path: Path) -> None:
    led = inputs(tmp_path, despesa(tmp_path, *GOOD), equiv=EQUIV + "3106200;001;003\n")
    e = only(failure(program, led))
    assert at(e) == ("D0202", (tmp_path / "equivalencias.csv").as_posix(), 4, 1)
    assert "linha 2" in e.message


def test_D0301_record_matches_two_rows(program: runtime.Program, tmp_path: Path) -> None:
    path = despesa(tmp_path, GOOD[0], GOOD[1], GOOD[2].replace(";1,00;", ";5000,00;"))
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0301", path.as_posix(), 4, 1)
    assert "'1'" in e.message and "'3'" in e.message


# ---------------------------------------------------------------- D04xx parameters and inputs
@pytest.mark.parametrize(("code", "params", "where"), [
    ("D0401", {"exercicio": 2020}, "parâmetro bimestre"),
    ("D0402", {"exercicio": "2020x", "bimestre": 2}, "parâmetro exercicio"),
    ("D0403", {"exercicio": 2020, "bimestre": "7"}, "parâmetro bimestre"),
    ("D0404", {**PARAMS, "ano": 2020}, "parâmetro ano"),
], ids=["D0401-missing", "D0402-not-int", "D0403-out-of-range", "D0404-unknown"])
def test_parameter_errors(program: runtime.Program, tmp_path: Path, code: str,
                          params: dict[str, Any], where: str) -> None:
    e = only(failure(program, inputs(tmp_path, despesa(tmp_path, *GOOD)), params=params))
    # a parameter is not in a file: no invented line:col (line 0), none in the rendering
    assert at(e) == (code, where, 0, 0)
    assert e.render().startswith(f"{where}: erro[{code}]: ")


def test_D0405_unknown_input(program: runtime.Program, tmp_path: Path) -> None:
    led = {**inputs(tmp_path, despesa(tmp_path, *GOOD)), "receita": tmp_path / "r.csv"}
    e = only(failure(program, led))
    assert at(e) == ("D0405", "entrada receita", 0, 0)


def test_D0406_missing_input(program: runtime.Program, tmp_path: Path) -> None:
    e = only(failure(program, {"despesa": despesa(tmp_path, *GOOD)}))
    assert at(e) == ("D0406", "entrada equivalencias", 0, 0)


def test_D0407_explain_a_partition_not_in_the_inputs(program: runtime.Program,
                                                     tmp_path: Path) -> None:
    led = inputs(tmp_path, despesa(tmp_path, *GOOD))
    with pytest.raises(runtime.RunFailed) as info:
        program.explain(led, PARAMS, "quadro", "3170206", "1", "V0")
    e = only(info.value.errors)
    assert at(e) == ("D0407", "partição 3170206", 0, 0)
    assert e.help == "partições nas entradas: 3106200"
    # the partition that is there explains fine
    assert program.explain(led, PARAMS, "quadro", "3106200", "1", "V0").value == \
        Decimal("101.50")


def test_D0112_parquet_column_of_another_type(program: runtime.Program, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "despesa.parquet"
    pq.write_table(pa.table({"municipio": ["3106200"], "data": ["15/01/2020"], "funcao": [10],
                             "valor": pa.array([1.5], type=pa.float64()), "covid": [True],
                             "recurso": ["001"], "obs": [None]}), path)
    e = only(failure(program, inputs(tmp_path, path)))
    assert at(e) == ("D0112", path.as_posix(), 1, 1)
    assert e.message == ("o Parquet não tem o esquema do ledger: a coluna 'data' é string; "
                         "esperava date32[day]; a coluna 'valor' é double; esperava "
                         "decimal128(18, 2)")


def test_every_data_error_code_is_tested() -> None:
    """The D codes emitted by the runtime (read from its source, back ends included) all appear
    in a test module (as a string literal, e.g. `"D0101"`, or as the CLI prints it,
    `"erro[D0101]"`)."""
    emitted = set()
    for f in sorted((ROOT / "runtime").rglob("*.py")):
        emitted |= set(re.findall(r'"(D\d{4})"', f.read_text("utf-8")))
    here = set()
    for f in sorted((ROOT / "tests").rglob("test_*.py")):  # "D0101", or "erro[D0101]" as shown
        here |= set(re.findall(r'["\[](D\d{4})["\]]', f.read_text("utf-8")))
    assert len(emitted) >= 19
    assert emitted - here == set()
