"""The `table` kind (compiler/kinds/table): a CSV shipped with the specs, read at compile time,
its normalized copy in generated/<pkg>/tables/ read by every back end as a map's source; the
copy's sha256 checked at run time (D1001); a table refused as an input (D1002); the spec hash,
`compile --check`, the journal and `apura diff` covering the tables."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

import runtime
from compiler import check
from compiler import compile_package
from compiler.project import staleness
from compiler.writer import diff_tree
from compiler.writer import write_tree
from runtime.errors import RunFailed
from tests.backends.conftest import outcome
from tests.cli.test_cli import invoke
from tests.conftest import ROOT

CASE = ROOT / "tests" / "cases" / "tables" / "pkg"
PARAMS = {"exercicio": 2020}


def project(tmp_path: Path) -> Path:
    """A copy of the case package as a project (specs/tabelas), compiled into generated/."""
    root = tmp_path / "proj"
    shutil.copytree(CASE / "specs", root / "specs")
    (root / "generated").mkdir()
    compile_into(root)
    return root


def compile_into(root: Path) -> dict[str, str]:
    result = compile_package(root / "specs" / "tabelas", root)
    assert result.errors == [], result.errors
    write_tree(root / "generated" / "tabelas", result.files)
    return result.files


def ledgers() -> dict[str, object]:
    return {"gasto": str(CASE / "gasto.csv")}


def test_the_copy_is_normalized_and_declared_with_its_sha256(tmp_path: Path) -> None:
    root = project(tmp_path)
    gen = root / "generated" / "tabelas"
    copy = (gen / "tables" / "elementos.csv").read_bytes()
    assert copy == ("natureza;elemento;grupo;descricao\n33903000;33903000;3;Material de consumo\n"
                    '33903900;33903900;3;"Outros serviços; de terceiros"\n'
                    '31901100;31901100;4;"Vencimentos ""fixos"""\n44905200;44905200;5;\n'
                    ).encode()
    index = json.loads((gen / "tables" / "index.json").read_text("utf-8"))
    assert index["tables"]["elementos"] == {
        "file": "tables/elementos.csv", "rows": 4, "sha256": hashlib.sha256(copy).hexdigest(),
        "from": ["specs/tabelas/dados/elementos.csv"],
        # where the copy's rows are (apura explain): its lines 2–5 are the CSV's lines 2–5
        "lines": [[2, 0, 2, 4]]}
    module = (gen / "__init__.py").read_text("utf-8")
    assert f"sha256={hashlib.sha256(copy).hexdigest()!r}" in module
    # no row of the table is code: its values appear nowhere in the module or the SQL
    for text in [module, *(p.read_text("utf-8") for p in gen.rglob("*.sql"))]:
        assert "Material de consumo" not in text and "44905200" not in text
    # the header lists the CSV with the specs; the hash covers it
    assert "#   specs/tabelas/dados/elementos.csv\n" in module


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_a_map_over_a_table_looks_up_the_same_on_every_back_end(tmp_path: Path,
                                                                backend: str) -> None:
    root = project(tmp_path)
    program = runtime.load(root / "generated" / "tabelas")
    assert program.required_inputs() == ["gasto"] and program.tables_read() == ["elementos"]
    got = outcome(program, ledgers(), PARAMS, backend)
    assert got == outcome(program, ledgers(), PARAMS, "python")
    result = program.run(ledgers(), PARAMS, backend=backend)
    # grupo 3: 10,00 + 5,50; grupo 4: 7,25; the otherwise row: 44905200 (grupo 5) and 99999999
    assert [result.cell("quadro/1", "1", r) for r in ("3", "4", "x", "t")] == \
        [Decimal("15.50"), Decimal("7.25"), Decimal("0.00"), Decimal("22.75")]
    assert [result.cell("quadro/1", "2", r) for r in ("3", "4", "x")] == \
        [Decimal("0.00"), Decimal("0.00"), Decimal("3.00")]
    # the table is read like an input and counted as one
    assert [(s.name, s.read) for s in result.inputs] == [("elementos", 4), ("gasto", 5)]


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_an_edited_copy_is_refused(tmp_path: Path, backend: str) -> None:
    root = project(tmp_path)
    copy = root / "generated" / "tabelas" / "tables" / "elementos.csv"
    program = runtime.load(root / "generated" / "tabelas")
    copy.write_bytes(copy.read_bytes().replace(b";5;", b";4;"))
    with pytest.raises(RunFailed) as exc:
        program.run(ledgers(), PARAMS, backend=backend)
    [err] = exc.value.errors
    assert err.code == "D1001" and not exc.value.usage
    assert "a cópia da tabela 'elementos' no pacote compilado não é a que o apura gerou" in \
        err.render()
    copy.unlink()
    with pytest.raises(RunFailed) as exc:
        program.run(ledgers(), PARAMS, backend=backend)
    assert [e.code for e in exc.value.errors] == ["D1001"]
    assert "(o arquivo não existe)" in exc.value.errors[0].message


def test_a_table_given_as_input_is_a_usage_error(tmp_path: Path) -> None:
    root = project(tmp_path)
    program = runtime.load(root / "generated" / "tabelas")
    with pytest.raises(RunFailed) as exc:
        program.run({**ledgers(), "elementos": str(CASE / "gasto.csv")}, PARAMS)
    assert [e.code for e in exc.value.errors] == ["D1002"] and exc.value.usage
    os.chdir(tmp_path)
    try:
        result = invoke("run", root / "generated" / "tabelas", "--input",
                        f"gasto={CASE / 'gasto.csv'}", "--input",
                        f"elementos={CASE / 'gasto.csv'}", "--param", "exercicio=2020",
                        "--out", tmp_path / "out", "--state", tmp_path / "s.sqlite")
    finally:
        os.chdir(ROOT)
    assert result.exit_code == 2
    assert "entrada elementos: erro[D1002]: 'elementos' é uma tabela que vem com o pacote" in \
        result.stderr
    # an unknown input does not list the tables among the package's inputs
    with pytest.raises(RunFailed) as exc:
        program.run({**ledgers(), "outra": "x.csv"}, PARAMS)
    assert exc.value.errors[0].help == "entradas do pacote: gasto"


def test_the_journal_records_the_table_read(tmp_path: Path) -> None:
    root = project(tmp_path)
    program = runtime.load(root / "generated" / "tabelas")
    state = tmp_path / "s.sqlite"
    rec = program.run_to(tmp_path / "out", ledgers(), PARAMS, state=state)
    copy = root / "generated" / "tabelas" / "tables" / "elementos.csv"
    with sqlite3.connect(state) as db:
        rows = db.execute("SELECT name, path, sha256, rows_read FROM run_inputs WHERE run_id = ?"
                          " ORDER BY name", (rec.run_id,)).fetchall()
    assert rows[0][0] == "elementos" and Path(rows[0][1]).resolve() == copy.resolve()
    assert rows[0][2:] == (hashlib.sha256(copy.read_bytes()).hexdigest(), 4)
    assert rows[1][0] == "gasto"


def test_editing_the_csv_makes_the_package_stale(tmp_path: Path) -> None:
    root = project(tmp_path)
    gen = root / "generated" / "tabelas"
    before = check(root / "specs" / "tabelas", base=root).ir
    assert before is not None
    assert staleness(gen, root) == ""
    csv_file = root / "specs" / "tabelas" / "dados" / "elementos.csv"
    csv_file.write_bytes(csv_file.read_bytes().replace(b"Material de consumo",
                                                       b"Material de Consumo"))
    after = compile_package(root / "specs" / "tabelas", root)
    assert after.ir is not None and after.ir.spec_hash != before.spec_hash
    assert "foi compilado de outra versão" in staleness(gen, root)
    checked = invoke("--project", root, "compile", root / "specs" / "tabelas", "--out",
                     root / "generated", "--check")
    assert checked.exit_code == 1 and "tables/elementos.csv (compilado)" in checked.stdout
    shown = diff_tree(gen, after.files, "generated/tabelas")
    assert "-33903000;33903000;3;Material de consumo" in shown  # the copy is compared
    assert "+33903000;33903000;3;Material de Consumo" in shown
    compile_into(root)
    assert staleness(gen, root) == "" and diff_tree(gen, after.files, "g") == ""


def test_copies_of_removed_tables_are_removed_and_foreign_files_kept(tmp_path: Path) -> None:
    root = project(tmp_path)
    tables = root / "generated" / "tabelas" / "tables"
    (tables / "minha_nota.csv").write_text("não é do apura\n", "utf-8")
    specs = root / "specs" / "tabelas"
    (specs / "elemento.yaml").unlink()
    (specs / "quadro.yaml").write_text((specs / "quadro.yaml").read_text("utf-8").replace(
        "lookup(elemento, natureza).grupo", "natureza").replace('== 3"', '== \\"3\\""')
        .replace('== 4"', '== \\"4\\""'), "utf-8")
    (specs / "elementos.yaml").unlink()
    files = compile_into(root)
    assert not (tables / "elementos.csv").exists() and not (tables / "index.json").exists()
    assert (tables / "minha_nota.csv").read_text("utf-8") == "não é do apura\n"
    assert "tables/minha_nota.csv: arquivo que o apura não gerou" in \
        diff_tree(root / "generated" / "tabelas", files, "generated/tabelas")


def test_a_symbolic_link_out_of_the_package_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    shutil.copytree(CASE / "specs", root / "specs")
    outside = tmp_path / "fora.csv"
    shutil.copy(root / "specs" / "tabelas" / "dados" / "elementos.csv", outside)
    link = root / "specs" / "tabelas" / "dados" / "elementos.csv"
    link.unlink()
    link.symlink_to(outside)
    result = check(root / "specs" / "tabelas", base=root)
    [d] = result.errors
    assert d.code == "S1001" and "link simbólico para fora da pasta do pacote" in d.message
    assert (d.span.file, d.span.line, d.span.col) == ("specs/tabelas/elementos.yaml", 5, 7)


def _one_table(tmp_path: Path, raw: bytes, fmt: str = '{delimiter: ","}',
               columns: str = "  a: {type: str}\n  b: {type: int}\n") -> object:
    pkg = tmp_path / "specs" / "p"
    pkg.mkdir(parents=True, exist_ok=True)
    (pkg / "package.yaml").write_text("kind: package\nid: p\nparams: {}\n", "utf-8")
    (pkg / "t.csv").write_bytes(raw)
    (pkg / "t.yaml").write_text(f"kind: table\nid: t\nsource: teste\nfile: t.csv\nformat: {fmt}"
                                f"\ncolumns:\n{columns}key: [a]\n", "utf-8")
    return check(pkg, base=tmp_path)


def test_a_byte_of_another_encoding_is_s1002_at_its_position(tmp_path: Path) -> None:
    result = _one_table(tmp_path, "a,b\nx,1\nação,2\n".encode("latin-1"))
    [d] = result.errors  # type: ignore[attr-defined]
    assert (d.code, d.span.file, d.span.line, d.span.col) == ("S1002", "specs/p/t.csv", 3, 2)
    fine = _one_table(tmp_path, "a,b\nx,1\nação,2\n".encode("latin-1"),
                      fmt='{delimiter: ",", encoding: latin-1}')
    assert fine.errors == [] and fine.ir.tables[0].rows[1] == ("ação", 2)  # type: ignore


def test_bom_crlf_quoted_line_breaks_and_quoting_none(tmp_path: Path) -> None:
    raw = '\ufeffa,b\r\n"linha\r\ncom quebra, vírgula e ""aspas""",1\r\nz,2\r\n'.encode()
    result = _one_table(tmp_path, raw)
    assert result.errors == []  # type: ignore[attr-defined]
    t = result.ir.tables[0]  # type: ignore[attr-defined]
    assert t.rows == (('linha\r\ncom quebra, vírgula e "aspas"', 1), ("z", 2))
    assert [line for _, line in t.lines] == [2, 4]  # a record's first line
    assert t.copy == 'a;b\n"linha\r\ncom quebra, vírgula e ""aspas""";1\nz;2\n'
    none = _one_table(tmp_path, b'a;b\n"x";1\nx";2\n', fmt='{delimiter: ";", quoting: none}')
    assert none.ir.tables[0].rows == (('"x"', 1), ('x"', 2))  # type: ignore[attr-defined]
    bad = _one_table(tmp_path, b'a,b\nx"y,1\n')
    assert [(d.code, d.span.line, d.span.col) for d in bad.errors] == \
        [("S1003", 2, 2)]  # type: ignore[attr-defined]


def test_many_bad_cells_show_the_first_20_and_count_the_rest(tmp_path: Path) -> None:
    raw = ("a,b\n" + "".join(f"x{i},n{i}\n" for i in range(25))).encode()
    result = _one_table(tmp_path, raw)
    errors = result.errors  # type: ignore[attr-defined]
    assert [d.code for d in errors] == ["S1008"] * 20
    assert errors[-1].help == "e mais 5 célula(s) inválida(s) nesta tabela"
    assert errors[0].message == "coluna 'b' (int): 'n0' não é um número inteiro"


def test_apura_diff_says_rows_and_columns_by_key(tmp_path: Path) -> None:
    for side in ("a", "b"):
        shutil.copytree(CASE / "specs", tmp_path / side / "specs")
    b = tmp_path / "b" / "specs" / "tabelas"
    data = b / "dados" / "elementos.csv"
    data.write_text(data.read_text("utf-8").replace(
        "33903000,33903000,3,Material de consumo\n", "").replace(
        "44905200,44905200,5,", "44905200,44905200,6,") + "33903600,33903600,3,Pessoa física\n",
        "utf-8")
    spec = b / "elementos.yaml"
    spec.write_text(spec.read_text("utf-8").replace("  grupo: {type: int}",
                                                    "  grupo: {type: int, required: false}"),
                    "utf-8")
    os.chdir(tmp_path)
    try:
        result = invoke("diff", "a/specs/tabelas", "b/specs/tabelas")
    finally:
        os.chdir(ROOT)
    assert result.exit_code == 1, result.stderr
    assert result.stdout.split("\n", 3)[3] == (
        "tabela elementos\n"
        "  b/specs/tabelas/elementos.yaml:10: coluna grupo: required: sim → não\n"
        "  a/specs/tabelas/dados/elementos.csv:2: linha da tabela natureza=33903000 removida\n"
        "      elemento: 33903000\n      grupo: 3\n      descricao: Material de consumo\n"
        "  b/specs/tabelas/dados/elementos.csv:4: linha da tabela natureza=44905200: "
        "grupo: 5 → 6\n"
        "  b/specs/tabelas/dados/elementos.csv:5: linha da tabela natureza=33903600 incluída\n"
        "      elemento: 33903600\n      grupo: 3\n      descricao: Pessoa física\n\n"
        "4 diferença(s) em 1 spec(s)\n")
    os.chdir(tmp_path)
    try:  # the same two sides: no difference
        assert invoke("diff", "a/specs/tabelas", "a/specs/tabelas").exit_code == 0
    finally:
        os.chdir(ROOT)


def test_a_key_repeated_across_the_files_of_a_table(tmp_path: Path) -> None:
    pkg = tmp_path / "specs" / "p"
    (pkg / "b").mkdir(parents=True)
    (pkg / "package.yaml").write_text("kind: package\nid: p\nparams: {}\n", "utf-8")
    (pkg / "a.csv").write_text("k,v\n1,x\n2,y\n", "utf-8")
    (pkg / "b" / "mais.csv").write_text("v,k\nz,3\nw,2\n", "utf-8")  # columns in any order
    (pkg / "b" / "t.yaml").write_text(
        "kind: table\nid: t\nsource: teste\nfile: [../a.csv, mais.csv]\n"
        'format: {delimiter: ","}\ncolumns:\n  k: {type: int}\n  v: {type: str}\nkey: [k]\n',
        "utf-8")
    result = check(pkg, base=tmp_path)
    [d] = result.errors
    assert (d.code, d.span.file, d.span.line, d.span.col) == ("S1009", "specs/p/b/mais.csv", 3, 3)
    assert d.message == "a chave k=2 se repete: já está em specs/p/a.csv:3"
    assert (d.labels[0].span.file, d.labels[0].span.line) == ("specs/p/a.csv", 3)
    (pkg / "b" / "mais.csv").write_text("v,k\nz,3\n", "utf-8")
    t = check(pkg, base=tmp_path).ir.tables[0]  # type: ignore[union-attr]
    assert t.rows == ((1, "x"), (2, "y"), (3, "z"))
    assert t.lines == (("specs/p/a.csv", 2), ("specs/p/a.csv", 3), ("specs/p/b/mais.csv", 2))


def test_a_layout_cannot_read_a_table_as_its_source(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    shutil.copytree(CASE / "specs", root / "specs")
    quadro = root / "specs" / "tabelas" / "quadro.yaml"
    quadro.write_text(quadro.read_text("utf-8").replace("source: gasto", "source: elementos"),
                      "utf-8")
    result = check(root / "specs" / "tabelas", base=root)
    assert [d.code for d in result.errors][:1] == ["S0203"]


def test_a_table_extends_another_and_an_inherited_file_is_the_parents(tmp_path: Path) -> None:
    pkg = tmp_path / "specs" / "p"
    (pkg / "2019").mkdir(parents=True)
    (pkg / "2021").mkdir()
    (pkg / "package.yaml").write_text("kind: package\nid: p\nlayout_year: exercicio\n"
                                      "params:\n  exercicio: {type: int}\n", "utf-8")
    (pkg / "2019" / "t.csv").write_text("k,v\n1,x\n1,y\n", "utf-8")
    (pkg / "2019" / "t.yaml").write_text(
        "kind: table\nid: t\nsource: teste\nfile: t.csv\nformat: {delimiter: \",\"}\n"
        "columns:\n  k: {type: int}\n  v: {type: str}\nkey: [k]\n"
        "resolve:\n  - {key: [\"1\"], keep: {v: y}, reason: a segunda vale}\n", "utf-8")
    child = pkg / "2021" / "t.yaml"
    child.write_text("kind: table\nid: t\nextends: t\n", "utf-8")  # 2019's t
    result = check(pkg, base=tmp_path)
    assert result.errors == []
    [t19], [t21] = result.views[2019].tables, result.views[2021].tables
    assert t19.rows == t21.rows == ((1, "y"),) and t21.files == ("specs/p/2019/t.csv",)
    child.write_text("kind: table\nid: t\nextends: t\nremove: {resolve: true}\n",
                     "utf-8")
    [d] = check(pkg, base=tmp_path).errors  # without the parent's resolution: S1009
    assert (d.code, d.span.file, d.span.line) == ("S1009", "specs/p/2019/t.csv", 3)
