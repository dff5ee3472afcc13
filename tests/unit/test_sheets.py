"""The `sheets` kind's pieces (compiler/kinds/sheets, runtime/sheets.py): file names, the
element mask, the keyed accumulator, what the compiler can list of a planilha code, and what a
table may put in a line or a file name (S0501, S0502 at the CSV line)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from compiler import check
from runtime.sheets import KeyedRows
from runtime.sheets import file_name
from runtime.sheets import join_code
from runtime.sheets import masked
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "diagnostics" / "S1503_sheet_without_file" / "specs"


def test_file_names_strip_accents_and_keep_the_code() -> None:
    assert file_name("3_11", "Desp_Rec_Ordinários Administ") == \
        "3_11_Desp_Rec_Ordinarios_Administ.IMPT"
    assert file_name("86_12", "Desp Rec Sus Federal Custeio Aten Básica") == \
        "86_12_Desp_Rec_Sus_Federal_Custeio_Aten_Basica.IMPT"
    assert join_code([10, 18]) == "10_18" and join_code(["3", 11]) == "3_11"


def test_the_mask_groups_the_digits() -> None:
    assert masked("3390300000", "9.9.99.99.99.99") == "3.3.90.30.00.00"
    assert masked("4490520000", "9.9.99.99.99.99") == "4.4.90.52.00.00"
    assert masked("3390300000", "") == "3390300000"


def test_keyed_rows_are_made_on_first_use() -> None:
    rows = KeyedRows((0, None))
    rows["3_11;1"][0] += 5
    rows["3_11;1"][0] += 2
    assert rows == {"3_11;1": [7, None]} and rows["x"] == [0, None] and len(rows) == 2


def _package(tmp_path: Path, *edits: tuple[str, str, str]) -> Path:
    """The sound package of the S15xx cases (S1503's with its missing file name put back),
    with some edits (file, old, new)."""
    specs = tmp_path / "specs"
    shutil.copytree(CASE, specs)
    files = specs / "arquivos.csv"
    files.write_text(files.read_text("utf-8") + "10_18,Outros Outras\n", "utf-8")
    for file, old, new in edits:
        text = (specs / file).read_text("utf-8")
        assert old in text
        (specs / file).write_text(text.replace(old, new, 1), "utf-8")
    return specs


def test_the_case_package_is_sound(tmp_path: Path) -> None:
    assert check(_package(tmp_path), base=tmp_path).errors == []


@pytest.mark.parametrize(("edits", "code", "where"), [
    ([("linhas.yaml", "campo: {type: int}", "campo: {type: str}"),
      ("linhas.csv", "3390300000,519,", "3390300000,\"51;9\",")], "S0501", "linhas.csv:2"),
    ([("linhas.csv", "549,#L1", "549,#L9")], "S1505", "linhas.csv:3"),
    ([("arquivos.csv", "3_18,Desp Outras", "3_18,Desp/Outras")], "S0502", "arquivos.csv:3"),
    ([("despesa.yaml", "label: Despesas Empenhadas", "label: \"Despesas; Empenhadas\"")],
     "S0501", "despesa.yaml:6"),
])
def test_what_a_table_puts_in_a_line_is_checked_where_it_is(tmp_path: Path, edits, code,
                                                             where) -> None:  # type: ignore[no-untyped-def]
    [d] = check(_package(tmp_path, *edits), base=tmp_path).errors
    assert (d.code, f"{Path(d.span.file).name}:{d.span.line}") == (code, where)


def test_an_if_lists_both_branches_and_a_literal_part_is_itself(tmp_path: Path) -> None:
    """`if subfuncao == 122 then 11 else 18` can give 11 or 18: with 10_11 gone from the file
    table, the planilha 10_11 (fonte outside the table, subfunção 122) has no file: S1503."""
    [d] = check(_package(tmp_path, ("arquivos.csv", "10_11,Outros Administ\n", "")),
                base=tmp_path).errors
    assert d.code == "S1503" and "'10_11'" in d.message


CHECK = """kind: check
id: conferencia
ledger: gasto
assertions:
  - id: total
    left: {left}
    right: sum(valor)
"""


@pytest.mark.parametrize(("left", "code", "col"), [
    ('total("despesa", "V0")', None, None),
    ('total("despesa", "V0", "3_*") + total("despesa", "V0", "10_*")', None, None),
    ('total("despesas", "V0")', "R0105", 17),
    ('total("despesa", "V9")', "R0105", 28),
    ('total("despesa", valor)', "T0207", 28),
    ('total("despesa")', "T0101", 11),
])
def test_a_check_totals_a_column_of_a_sheets_node(tmp_path: Path, left, code, col) -> None:  # type: ignore[no-untyped-def]
    specs = _package(tmp_path)
    (specs / "conferencia.yaml").write_text(CHECK.format(left=left), "utf-8")
    errors = check(specs, base=tmp_path).errors
    if code is None:
        assert errors == []
    else:
        [d] = errors
        assert (d.code, d.span.file, d.span.line, d.span.col) == (
            code, "specs/conferencia.yaml", 6, col)


def test_an_int_row_key_is_found_in_its_table(tmp_path: Path) -> None:
    """Rows keyed by an int column (a table of fonte groups, say): the key joins the
    accumulator as text and the line is found again under the table's int key — the same
    bytes on python and duckdb."""
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree

    specs = _package(tmp_path, ("linhas.yaml", "codigo: {type: str}", "codigo: {type: int}"),
                     ("linhas.csv", "3390300000,519,#L0\n3390390000,549,#L1",
                      "7,519,#L0\n12,549,#L1"),
                     ("despesa.yaml", ', mask: "9.9.99.99.99.99"', ''),
                     ("despesa.yaml", "row: elemento", "row: subfuncao"))
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen", res.files)
    program = runtime.load(tmp_path / "gen")
    rows = [{"municipio": "1", "fonte": "100", "subfuncao": 12, "elemento": "x",
             "valor": "5,00"}, {"municipio": "1", "fonte": "999", "subfuncao": 7,
                                "elemento": "x", "valor": "1,25"}]
    got = {b: program.run(ledgers={"gasto": rows}, params={}, backend=b).outputs
           for b in ("python", "duckdb")}
    assert got["python"] == got["duckdb"]
    assert got["python"]["1/3_18_Desp_Outras.IMPT"] == \
        b"3_18;12;549;V0:[>R$5,00<]:-[9](Despesas Empenhadas);#L1;#C1;\r\n"
    assert got["python"]["1/10_18_Outros_Outras.IMPT"] == \
        b"10_18;7;519;V0:[>R$1,25<]:-[9](Despesas Empenhadas);#L0;#C1;\r\n"


def test_formula_columns_and_the_file_name_template(tmp_path: Path) -> None:
    """`formula: V0 - V1` columns are computed on each line from the accumulated ones
    (the same on every back end: after the aggregate), a line whose values are all zero is
    not written, and `output.name` names the files ({stem} alone here)."""
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree

    specs = _package(
        tmp_path,
        ("despesa.yaml", "stem: nome}", 'stem: nome, name: "{stem}.IMPT"}'),
        ("despesa.yaml", "  - {id: V0, code: 9, label: Despesas Empenhadas}\n",
         "  - {id: V0, code: 9, label: Despesas Empenhadas}\n"
         "  - {id: V1, code: 10, label: Liquidadas}\n"
         "  - {id: V2, code: 14, label: A liquidar, formula: V0 - V1}\n"),
        ("despesa.yaml", "      V0: sum(valor)\n", "      V0: sum(valor)\n"
         "      V1: sum(valor where subfuncao == 122)\n"))
    res = compile_package(specs, base=tmp_path)
    assert res.errors == []
    write_tree(tmp_path / "gen", res.files)
    program = runtime.load(tmp_path / "gen")
    rows = [{"municipio": "1", "fonte": "100", "subfuncao": 122, "elemento": "3390300000",
             "valor": "5,00"},
            {"municipio": "1", "fonte": "100", "subfuncao": 301, "elemento": "3390390000",
             "valor": "2,50"}]
    got = {b: program.run(ledgers={"gasto": rows}, params={}, backend=b).outputs
           for b in ("python", "duckdb")}
    assert got["python"] == got["duckdb"]
    assert got["python"] == {
        "1/Desp_Administracao.IMPT": b"3_11;3.3.90.30.00.00;519;V0:[>R$5,00<]:-[9](Despesas "
        b"Empenhadas);V1:[>R$5,00<]:-[10](Liquidadas);V2:[>R$0,00<]:-[14](A liquidar);#L0;"
        b"#C3;\r\n",
        "1/Desp_Outras.IMPT": b"3_18;3.3.90.39.00.00;549;V0:[>R$2,50<]:-[9](Despesas "
        b"Empenhadas);V1:[>R$0,00<]:-[10](Liquidadas);V2:[>R$2,50<]:-[14](A liquidar);#L1;"
        b"#C3;\r\n"}


# ---------------------------------------------------------------- runs (python and duckdb)
GASTO = ("municipio;fonte;subfuncao;elemento;valor\n"
         "1;100;122;3390390000;2,00\n"   # fonte 100 → group 3, subfunção 122 → 11: 3_11, #L1
         "1;100;122;3390300000;1,50\n"   # 3_11, #L0
         "1;999;301;3390300000;0,25\n")  # fonte outside the table → 10, 301 → 18: 10_18


def _run_both(tmp_path: Path, specs: Path, gasto: str = GASTO, **kw) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """backend → the outputs of a run over `gasto` (GASTO unless given), or the rendered
    errors of a failed run."""
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from runtime.errors import RunFailed

    result = compile_package(specs, tmp_path)
    assert result.errors == [], [d.message for d in result.errors]
    write_tree(tmp_path / "generated" / "teste", result.files)
    program = runtime.load(tmp_path / "generated" / "teste")
    path = tmp_path / "gasto.csv"
    path.write_text(gasto, "utf-8")
    got: dict[str, object] = {}
    for backend in ("python", "duckdb"):
        try:
            got[backend] = program.run(ledgers={"gasto": str(path)}, params={},
                                       backend=backend, **kw).outputs
        except RunFailed as exc:
            got[backend] = [e.render() for e in exc.errors]
    return got


def _line(code: str, key: str, rid: int, cents: int, marker: int) -> bytes:
    """An IMPT line of the case package, written out by hand (one column, V0)."""
    return (f"{code};{key};{rid};V0:[>R${cents // 100},{cents % 100:02d}<]:-[9](Despesas "
            f"Empenhadas);#L{marker};#C1;\r\n").encode()


def test_the_case_package_writes_its_lines_in_table_order(tmp_path: Path) -> None:
    got = _run_both(tmp_path, _package(tmp_path))
    assert got["python"] == got["duckdb"] == {
        "1/3_11_Desp_Administracao.IMPT": _line("3_11", "3.3.90.30.00.00", 519, 150, 0)
        + _line("3_11", "3.3.90.39.00.00", 549, 200, 1),
        "1/10_18_Outros_Outras.IMPT": _line("10_18", "3.3.90.30.00.00", 519, 25, 0)}


def test_a_rows_map_whose_missing_key_is_null_is_refused(tmp_path: Path) -> None:
    """A row key the rows table lacks must be D0201: with on_missing null the record would
    get a line that is no row of the table (the writer had no entry for it: KeyError)."""
    [d] = check(_package(tmp_path, ("linha.yaml", "on_missing: error", 'on_missing: "null"')),
                base=tmp_path).errors
    assert (d.code, d.span.file, d.span.line) == ("S1501", "specs/despesa.yaml", 4)
    assert "on_missing" in d.message


def test_a_files_map_with_a_status_is_refused(tmp_path: Path) -> None:
    """No record looks a file name up (D0802 could never say a SUGERIDA one was used), so a
    status on the files map is refused rather than written silently (it was a KeyError)."""
    specs = _package(tmp_path, ("arquivo.yaml", "values: [nome]", "values: [nome]\nstatus: st"),
                     ("arquivos.yaml", "  nome: {type: str}",
                      "  nome: {type: str}\n  st: {type: str, required: false}"))
    files = specs / "arquivos.csv"
    files.write_text("codigo,nome,st\n" + "".join(
        line + ",\n" for line in files.read_text("utf-8").splitlines()[1:]), "utf-8")
    [d] = check(specs, base=tmp_path).errors
    assert (d.code, d.span.file, d.span.line) == ("S1501", "specs/despesa.yaml", 3)
    assert "status" in d.message


def test_a_suggested_row_is_written_with_allow_unconfirmed(tmp_path: Path) -> None:
    """The rows map may have a status: a SUGERIDA row used is D0802, or, with
    allow_unconfirmed, written like the others, in table order (it was a KeyError: the writer
    read only the confirmed entries)."""
    specs = _package(tmp_path, ("linha.yaml", "values: [campo, linha]",
                                "values: [campo, linha]\nstatus: st"),
                     ("linhas.yaml", "  linha: {type: str}",
                      "  linha: {type: str}\n  st: {type: str, required: false}"),
                     ("linhas.csv", "codigo,campo,linha\n3390300000,519,#L0\n3390390000,549,#L1",
                      "codigo,campo,linha,st\n3390300000,519,#L0,SUGERIDA\n3390390000,549,#L1,"))
    refused = _run_both(tmp_path, specs)
    assert refused["python"] == refused["duckdb"]
    assert [e.split("erro[", 1)[1][:5] for e in refused["python"]] == ["D0802"]  # type: ignore[union-attr]
    got = _run_both(tmp_path, specs, allow_unconfirmed=True)
    assert got["python"] == got["duckdb"] == {
        "1/3_11_Desp_Administracao.IMPT": _line("3_11", "3.3.90.30.00.00", 519, 150, 0)
        + _line("3_11", "3.3.90.39.00.00", 549, 200, 1),
        "1/10_18_Outros_Outras.IMPT": _line("10_18", "3.3.90.30.00.00", 519, 25, 0)}


def test_a_files_table_keyed_by_int_names_the_files(tmp_path: Path) -> None:
    """A one-part planilha code (the fonte group, an int) and a files table keyed by int: the
    compiler checks the codes as text (str(3) == '3'), so must the writer (it was a KeyError)."""
    specs = _package(tmp_path, ("despesa.yaml", "      - if subfuncao == 122 then 11 else 18\n",
                                ""),
                     ("arquivos.yaml", "codigo: {type: str}", "codigo: {type: int}"),
                     ("arquivos.csv", "3_11,Desp Administração\n3_18,Desp Outras\n10_11,"
                      "Outros Administ\n10_18,Outros Outras\n", "3,Desp Três\n10,Outros\n"))
    got = _run_both(tmp_path, specs)
    assert got["python"] == got["duckdb"] == {
        "1/3_Desp_Tres.IMPT": _line("3", "3.3.90.30.00.00", 519, 150, 0)
        + _line("3", "3.3.90.39.00.00", 549, 200, 1),
        "1/10_Outros.IMPT": _line("10", "3.3.90.30.00.00", 519, 25, 0)}


def test_an_empty_record_id_or_stem_is_written_empty_as_checked(tmp_path: Path) -> None:
    """An optional column's empty cell is null: the compiler checks it as '' (a line's record
    id, a file's stem), and the writer writes '' — never 'None'."""
    specs = _package(tmp_path, ("linhas.yaml", "campo: {type: int}",
                                "campo: {type: int, required: false}"),
                     ("linhas.csv", "3390300000,519,#L0", "3390300000,,#L0"),
                     ("arquivos.yaml", "nome: {type: str}", "nome: {type: str, required: false}"),
                     ("arquivos.csv", "10_18,Outros Outras", "10_18,"))
    got = _run_both(tmp_path, specs)
    assert got["python"] == got["duckdb"] == {
        "1/3_11_Desp_Administracao.IMPT": _line("3_11", "3.3.90.30.00.00", 519, 150, 0)
        .replace(b";519;", b";;") + _line("3_11", "3.3.90.39.00.00", 549, 200, 1),
        "1/10_18_.IMPT": _line("10_18", "3.3.90.30.00.00", 519, 25, 0).replace(b";519;", b";;")}


@pytest.mark.parametrize("cell", ["3;1", "3\u20281"])
def test_a_planilha_code_is_checked_like_the_rest_of_a_line(tmp_path: Path, cell: str) -> None:
    """The code is column 1 of every line of its file: a ';' in it (from a group of the
    table) would add a field and cut the accumulator key wrong; refused at its CSV lines (the
    two codes of the group: <cell>_11, <cell>_18), like a key, record id or marker (S0501)."""
    specs = _package(tmp_path, ("grupos.yaml", "grupo: {type: int}", "grupo: {type: str}"),
                     ("despesa.yaml", "lookup(grupo, fonte).grupo, 10)",
                      'lookup(grupo, fonte).grupo, "10")'),
                     ("grupos.csv", "100,3", f'100,"{cell}"'),
                     ("arquivos.csv", "3_11,", f'"{cell}_11",'), ("arquivos.csv", "3_18,",
                                                                f'"{cell}_18",'))
    got = check(specs, base=tmp_path).errors
    assert [(d.code, f"{Path(d.span.file).name}:{d.span.line}") for d in got] == [
        ("S0501", "arquivos.csv:2"), ("S0501", "arquivos.csv:3")]
    assert all(d.message.startswith("o código de uma planilha") for d in got)


@pytest.mark.parametrize("stem", ["Y", "y"])
def test_two_planilhas_cannot_share_a_file(tmp_path: Path, stem: str) -> None:
    """Two rows of the files table that make one file name — '10_18' + 'Y' and '10' + '18 Y'
    are both 10_18_Y.IMPT; with 'y', one file on Windows and macOS —: one file would overwrite
    the other, so the second (CSV line 6) is refused, naming the first."""
    [d] = check(_package(tmp_path, ("arquivos.csv", "10_18,Outros Outras",
                                    f"10_18,{stem}\n10,18 Y")), base=tmp_path).errors
    assert (d.code, f"{Path(d.span.file).name}:{d.span.line}") == ("S0502", "arquivos.csv:6")
    assert "'10_18' (linha 5)" in d.message


def test_two_ids_that_are_one_name_in_the_code_are_refused(tmp_path: Path) -> None:
    """'despesa/x' and 'despesa_x' are both `despesa_x` in the generated code (the accumulator
    A_despesa_x, the SQL columns _f__despesa_x__p0): the two nodes summed into one accumulator
    (python: 1,50 + a count of 1 = 2,50 in both; duckdb: one of the two), so the second id is
    refused (S0201) — for any kind, as the same id twice is."""
    specs = _package(tmp_path, ("despesa.yaml", "id: despesa", "id: despesa/x"))
    text = (specs / "despesa.yaml").read_text("utf-8")
    (specs / "despesa2.yaml").write_text(text.replace("id: despesa/x", "id: despesa_x")
                                         .replace("sum(valor)", "count()"), "utf-8")
    got = check(specs, base=tmp_path).errors
    assert [(d.code, d.span.file, d.span.line) for d in got] == [
        ("S0201", "specs/despesa2.yaml", 2)]
    assert "'despesa/x'" in got[0].message and "despesa_x" in got[0].message


@pytest.mark.parametrize("group", [None, "despesas"])
def test_two_reports_that_can_run_together_cannot_share_a_file(tmp_path: Path,
                                                               group: str | None) -> None:
    """A second sheets node over the same files table writes the same files: without a
    common alternative_of the run wrote both into one name (the last one won, silently);
    S0503 at the first shared row, as for two layouts. As alternatives, only one runs."""
    specs = _package(tmp_path)
    text = (specs / "despesa.yaml").read_text("utf-8")
    if group is not None:
        text += f"alternative_of: {group}\n"
        (specs / "despesa.yaml").write_text(text, "utf-8")
    (specs / "outra.yaml").write_text(text.replace("id: despesa", "id: outra"), "utf-8")
    got = [(d.code, d.span.file, d.span.line) for d in check(specs, base=tmp_path).errors]
    if group is None:
        assert got == [("S0503", "specs/arquivos.csv", 2)]
    else:
        assert got == []


def test_a_sheets_file_cannot_be_a_layout_file(tmp_path: Path) -> None:
    """A layout writing 3_11_Desp_Administracao.IMPT, as the planilha 3_11 of the sheets node
    does (but for case): S0503 at the files-table row."""
    specs = _package(tmp_path)
    (specs / "quadro.yaml").write_text(
        "kind: layout\nid: quadro\nplanilha: 7\nsource: gasto\nhit_policy: first\n"
        "output: {format: impt, file: 3_11_DESP_Administracao.IMPT}\n"
        "columns:\n  - {id: V0, code: 1, label: Valor, value: sum(valor)}\n"
        "rows:\n  - {ref: \"1\", record_id: \"1\", otherwise: true}\n", "utf-8")
    got = check(specs, base=tmp_path).errors
    assert [(d.code, d.span.file, d.span.line) for d in got] == [
        ("S0503", "specs/arquivos.csv", 2)]
    assert "'quadro'" in got[0].message and "'despesa'" in got[0].message


def test_the_mask_takes_ascii_digits_only(tmp_path: Path) -> None:
    """'3390300000' with superscript or Arabic-Indic digits passes str.isdigit(): S1508 must
    refuse it as it refuses letters ("só dígitos" means 0-9)."""
    [d] = check(_package(tmp_path, ("linhas.csv", "3390390000,", "33903900\u00b2\u00b3,")),
                base=tmp_path).errors
    assert (d.code, f"{Path(d.span.file).name}:{d.span.line}") == ("S1508", "linhas.csv:3")


V1_COLUMN = "label: Despesas Empenhadas}\n  - {id: V1, code: 8, label: Outra}\n"


@pytest.mark.parametrize("second_filter", ["    filter: subfuncao != 122\n", ""])
def test_two_parts_on_one_ledger_check_their_own_lookups_alike(tmp_path: Path,
                                                               second_filter: str) -> None:
    """Two parts read `gasto` (V0 where subfunção 122; V1 the others, or every record): the
    second's value looks fonte 100 up in the files map, which lacks it. Python checks that
    lookup for the records the second part takes (line 3; without its filter, lines 2 and 3):
    D0201. The SQL guards of the second part's scopes named the first part (its filter, its
    key), so duckdb checked the lookup on the first part's records (line 2): no error with
    the second filter (a file written instead), the wrong count without it."""
    second = ("  - source: gasto\n" + second_filter + "    sheet:\n"
              "      - coalesce(lookup(grupo, fonte).grupo, 10)\n"
              "      - if subfuncao == 122 then 11 else 18\n"
              "    row: elemento\n    values:\n"
              '      V1: sum(valor where lookup(arquivo, fonte).nome == "x")\n')
    specs = _package(tmp_path, ("despesa.yaml", "label: Despesas Empenhadas}\n", V1_COLUMN),
                     ("despesa.yaml", "  - source: gasto\n",
                      "  - source: gasto\n    filter: subfuncao == 122\n"),
                     ("despesa.yaml", "      V0: sum(valor)\n", "      V0: sum(valor)\n" + second))
    gasto = ("municipio;fonte;subfuncao;elemento;valor\n"
             "1;100;122;3390300000;1,50\n1;100;301;3390300000;2,00\n")
    got = _run_both(tmp_path, specs, gasto=gasto)
    assert got["python"] == got["duckdb"], got
    [err] = got["python"]  # type: ignore[misc]
    # without a filter the second part takes line 2 too
    which = "(1 registro: linha 3)" if second_filter else "(2 registros: linhas 2, 3)"
    assert f"erro[D0201]: o mapa 'arquivo' não tem entrada para codigo=100 {which}" in err


def test_a_record_two_parts_take_reaches_once(tmp_path: Path) -> None:
    """Both parts take every record of GASTO (3 records): ReadStats.reached counts records that
    reached a report, once each — python counted one per part (6), duckdb 3."""
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree

    second = ("  - source: gasto\n    sheet:\n"
              "      - coalesce(lookup(grupo, fonte).grupo, 10)\n"
              "      - if subfuncao == 122 then 11 else 18\n"
              "    row: elemento\n    values:\n      V1: count()\n")
    specs = _package(tmp_path, ("despesa.yaml", "label: Despesas Empenhadas}\n", V1_COLUMN),
                     ("despesa.yaml", "      V0: sum(valor)\n", "      V0: sum(valor)\n" + second))
    result = compile_package(specs, tmp_path)
    assert result.errors == []
    write_tree(tmp_path / "generated" / "teste", result.files)
    program = runtime.load(tmp_path / "generated" / "teste")
    (tmp_path / "gasto.csv").write_text(GASTO, "utf-8")
    reached = {b: [s.reached for s in program.run(ledgers={"gasto": str(tmp_path / "gasto.csv")},
                                                  params={}, backend=b).inputs
                   if s.name == "gasto"] for b in ("python", "duckdb")}
    assert reached == {"python": [3], "duckdb": [3]}


def test_the_diff_tells_two_parts_on_one_ledger_apart(tmp_path: Path) -> None:
    """`apura diff` keyed a sheets node's parts by their ledger: with two parts on `gasto`
    the first was lost (a dict by key), and a change to its filter was no difference."""
    from compiler import compile_package
    from compiler.diff.compare import differ

    second = ("  - source: gasto\n    sheet:\n"
              "      - coalesce(lookup(grupo, fonte).grupo, 10)\n"
              "      - if subfuncao == 122 then 11 else 18\n"
              "    row: elemento\n    values:\n      V1: count()\n")
    nodes = []
    for n, filt in enumerate(("subfuncao == 122", "subfuncao != 122")):
        specs = _package(tmp_path / str(n),
                         ("despesa.yaml", "label: Despesas Empenhadas}\n", V1_COLUMN),
                         ("despesa.yaml", "  - source: gasto\n",
                          f"  - source: gasto\n    filter: {filt}\n"),
                         ("despesa.yaml", "      V0: sum(valor)\n",
                          "      V0: sum(valor)\n" + second))
        result = compile_package(specs, tmp_path / str(n))
        assert result.errors == [] and result.ir is not None
        nodes.append(next(x for x in result.ir.nodes if x.id == "despesa"))
    _, items = differ("sheets")(*nodes)
    assert [(i.kind, i.status.value, [(a.name, a.old, a.new) for a in i.attrs])
            for i in items] == [("part", "changed", [("filter", "subfuncao == 122",
                                                      "subfuncao != 122")])]


def test_an_omitted_optional_ledger_reaches_nothing_alike(tmp_path: Path) -> None:
    """An optional ledger the run is not given, read by a sheets node (SIOPS: dotacao): no
    files, and ReadStats.reached 0 on both back ends — duckdb left it None (it skips the
    aggregate of an omitted input), python counted 0. (tests/backends/test_limits_parity.py::
    test_the_siops_fixture_reaches_the_same_records_on_every_back_end fails on that.)"""
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree

    specs = _package(tmp_path, ("gasto.yaml", "id: gasto\n", "id: gasto\noptional: true\n"))
    result = compile_package(specs, tmp_path)
    assert result.errors == [], [d.message for d in result.errors]
    write_tree(tmp_path / "generated" / "teste", result.files)
    program = runtime.load(tmp_path / "generated" / "teste")
    got = {}
    for b in ("python", "duckdb"):
        r = program.run(ledgers={}, params={}, backend=b)
        got[b] = (r.outputs, [(s.name, s.reached) for s in r.inputs if s.name == "gasto"])
    assert got == {"python": ({}, [("gasto", 0)]), "duckdb": ({}, [("gasto", 0)])}
