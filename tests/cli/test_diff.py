"""`apura diff`: a year's change set to the SIOPS specs, read as an analyst reviews it (text and
JSON snapshots); one insertion is one insertion plus renumbered rows; exit 0 / 1 / 2."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from syrupy.extensions.json import JSONSnapshotExtension

from tests.cli.test_cli import invoke
from tests.conftest import ROOT

NEW_ROW = ('  - ref: "9999999031"\n    record_id: "7718"\n    label: "Transporte: UTI móvel"\n'
           '    rule: subfuncao == 302 and covid_siops_desp == "UTI_MOVEL"\n')


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == count, (path, old)
    path.write_text(text.replace(old, new), "utf-8")


def remove_row(path: Path, ref: str) -> None:
    text = path.read_text("utf-8")
    new = re.sub(rf'  - ref: "{ref}"\n(    .*\n)+?(?=  - ref)', "", text)
    assert new != text
    path.write_text(new.replace(f'"{ref}", ', ""), "utf-8")


@pytest.fixture
def sides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """a/specs/siops and b/specs/siops, copies of specs/siops; the working directory."""
    monkeypatch.chdir(tmp_path)
    for side in ("a", "b"):
        shutil.copytree(ROOT / "specs" / "siops", tmp_path / side / "specs" / "siops")
    return tmp_path / "b" / "specs" / "siops"


def year_change(b: Path) -> None:
    """The change set of a fiscal year: a row added in the middle of 77 (renumbering the rest),
    one removed, a rule, a column label and an output file changed, a derived field added to
    a ledger, a map's on_missing changed."""
    q77 = b / "covid_77.yaml"
    edit(q77, '  - ref: "9999999017"\n', NEW_ROW + '  - ref: "9999999017"\n')
    edit(q77, 'total_of: ["9999999017",', 'total_of: ["9999999031", "9999999017",')
    remove_row(b / "covid_78.yaml", "9999999024")
    edit(q77, "rule: subfuncao == 122", "rule: subfuncao in [122, 331]")
    edit(q77, "label: Despesas Empenhadas", "label: Despesas empenhadas")
    edit(q77, "file: covid_77_despesas_uniao.IMPT", "file: covid_77_despesas_uniao_2021.IMPT")
    edit(b / "despesa.yaml", "  e_covid: covid or", "  e_saude: funcao == 10\n  e_covid: covid or")
    edit(b / "equivalencia.yaml", "on_missing: error", 'on_missing: "null"')


def test_a_year_of_changes_reads_as_a_review(sides: Path, diag_snapshot: Any) -> None:
    year_change(sides)
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert result.exit_code == 1, result.output
    assert result.stderr == ""
    assert diag_snapshot == result.stdout


def test_a_year_of_changes_as_json(sides: Path, snapshot: Any) -> None:
    year_change(sides)
    result = invoke("diff", "a/specs/siops", "b/specs/siops", "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert snapshot.use_extension(JSONSnapshotExtension) == data
    # stable: keys sorted, two-space indent, UTF-8 text as it is
    assert result.stdout == json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_one_insertion_is_one_insertion_and_renumbered_rows(sides: Path) -> None:
    edit(sides / "covid_77.yaml", '  - ref: "9999999017"\n', NEW_ROW + '  - ref: "9999999017"\n')
    data = json.loads(invoke("diff", "a/specs/siops", "b/specs/siops", "--format", "json").stdout)
    [spec] = data["specs"]
    status = [(i["key"], i["status"]) for i in spec["items"]]
    assert status[0] == ("9999999031", "added")
    # the 12 rows after it shift by one, and nothing else happened to them; the last one, the
    # total of the leaves, now sums the new row too
    shifted = [i for i in spec["items"] if i["status"] == "renumbered"]
    assert [(i["old_marker"], i["new_marker"]) for i in shifted] == [(n, n + 1)
                                                                      for n in range(4, 16)]
    assert status[-1] == ("9999999029", "changed")
    assert data["differences"] == 2
    out = invoke("diff", "a/specs/siops", "b/specs/siops").stdout
    assert ("12 linha(s) renumerada(s), sem outra mudança: #L4–#L15 → #L5–#L16 "
            "(9999999017 … 9999999028)") in out
    assert "linha 9999999029 \"Total\" (#L16 → #L17): total_of: inclui 9999999031" in out
    assert "linha 9999999031 incluída em #L4" in out


def test_a_moved_row_is_one_move(sides: Path) -> None:
    q = sides / "covid_77.yaml"
    text = q.read_text("utf-8")
    block = re.search(r'  - ref: "9999999013"\n(    .*\n)+?(?=  - ref)', text)
    assert block is not None
    text = text.replace(block.group(0), "")
    q.write_text(text.replace('  - ref: "9999999028"', block.group(0) + '  - ref: "9999999028"'),
                 "utf-8")
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert result.exit_code == 1
    moved = [ln for ln in result.stdout.splitlines() if "movida" in ln]
    assert moved == [("  b/specs/siops/covid_77.yaml:85: linha 9999999013 \"Administração Geral\" "
                     "(#L0 → #L14) movida")]
    assert "14 linha(s) renumerada(s)" in result.stdout  # the rows that slid up by one


def test_identical_packages_exit_0(sides: Path) -> None:
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert (result.exit_code, result.stdout) == (
        0, "sem diferenças entre a/specs/siops e b/specs/siops\n")
    assert invoke("diff", "a/specs", "b/specs", "--format", "json").stdout == (
        '{\n  "differences": 0,\n  "new": "b/specs",\n  "old": "a/specs",\n  "specs": []\n}\n')


def test_two_versions_of_a_quadro_in_one_package(sides: Path) -> None:
    """The alternative_of use: covid/77 and covid/77_2021 side by side, by file or by id."""
    q77 = sides / "covid_77.yaml"
    edit(q77, "id: covid/77\n", "id: covid/77\nalternative_of: covid/77\n")
    v2021 = sides / "covid_77_2021.yaml"
    shutil.copy(q77, v2021)
    edit(v2021, "id: covid/77\n", "id: covid/77_2021\n")
    edit(v2021, "rule: subfuncao == 122", "rule: subfuncao in [122, 331]")
    by_file = invoke("diff", "b/specs/siops/covid_77.yaml", "b/specs/siops/covid_77_2021.yaml")
    assert by_file.exit_code == 1
    assert by_file.stdout == (
        "antigo: b/specs/siops/covid_77.yaml\nnovo:   b/specs/siops/covid_77_2021.yaml\n\n"
        "layout covid/77 → covid/77_2021\n"
        '  b/specs/siops/covid_77_2021.yaml:30: linha 9999999013 "Administração Geral" (#L0): '
        "rule: subfuncao == 122 → subfuncao in [122, 331]\n\n1 diferença(s) em 1 spec(s)\n")
    by_id = invoke("diff", "b/specs/siops@covid/77", "b/specs/siops@covid/77_2021")
    assert by_id.stdout.splitlines()[2:] == by_file.stdout.splitlines()[2:]
    same = invoke("diff", "a/specs/siops/covid_77.yaml", "b/specs/siops@covid/77")
    assert same.exit_code == 1 and "alternative_of: covid/77 (novo)" in same.stdout
    assert invoke("diff", "a/specs/siops@despesa", "b/specs/siops/despesa.yaml").exit_code == 0


@pytest.mark.parametrize(("old", "new", "message"), [
    ("nada/specs", "b/specs", "'nada/specs' não existe"),
    ("a/specs/siops@covid/7", "b/specs/siops",
     "o pacote siops (a/specs/siops) não tem a spec 'covid/7'; você quis dizer 'covid/79'?"),
    ("a/specs/siops/covid_77.yaml", "b/specs/siops@despesa",
     "'a/specs/siops/covid_77.yaml' é um layout e 'b/specs/siops@despesa' é um ledger: "
     "compare specs do mesmo tipo"),
    ("a/specs/siops/covid_77.yaml", "b/specs",
     "'a/specs/siops/covid_77.yaml' é uma spec e 'b/specs' uma pasta"),
    ("a", "b/specs", "nenhum pacote (package.yaml) em 'a'"),
    ("a/specs@covid/77", "b/specs", "'a/specs' não é uma pasta de pacote (package.yaml)"),
])
def test_usage_errors_exit_2(sides: Path, old: str, new: str, message: str) -> None:
    result = invoke("diff", old, new)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert message in result.stderr and result.stderr.startswith("Uso: ")


def test_a_side_that_does_not_compile_shows_its_errors_and_exits_2(sides: Path) -> None:
    edit(sides / "covid_77.yaml", "rule: subfuncao == 122", "rule: subfuncoa == 122")
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("b/specs/siops/covid_77.yaml:32:11: erro[R0101]: o ledger "
                                    "'despesa' não tem o campo 'subfuncoa'\n")
    assert result.stderr.endswith("b/specs/siops: 1 erro(s); nada foi comparado\n")


def test_a_spec_outside_a_package_is_a_usage_error(sides: Path) -> None:
    shutil.copy(sides / "covid_77.yaml", "solta.yaml")
    result = invoke("diff", "solta.yaml", "b/specs/siops/covid_77.yaml")
    assert result.exit_code == 2
    assert "'solta.yaml' não está numa pasta de pacote" in result.stderr


def test_text_that_compiles_the_same_is_no_difference(sides: Path) -> None:
    """Comments, spacing, quoting and key order are not in the IR."""
    q77 = sides / "covid_77.yaml"
    edit(q77, "    rule: subfuncao == 122", '    # ano novo\n    rule: "subfuncao==122"')
    edit(q77, '    record_id: "7703"\n    label: Atenção Básica\n',
         "    label: 'Atenção Básica'\n    record_id: '7703'\n")
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert (result.exit_code, result.stdout) == (
        0, "sem diferenças entre a/specs/siops e b/specs/siops\n")


def test_the_readme_example_is_the_snapshot() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    snap = (Path(__file__).parent / "__snapshots__" / "test_diff" /
            "test_a_year_of_changes_reads_as_a_review.txt").read_text("utf-8")
    assert f"```\n$ apura diff a/specs/siops b/specs/siops\n{snap}```\n" in readme


def test_package_ledger_and_column_changes(sides: Path, diag_snapshot: Any) -> None:
    """The other kinds' attributes: a parameter's range and a new one, ledger fields (one
    removed, one made required, a format key), a column added and two swapped."""
    edit(sides / "package.yaml", "    max: 6\n", "    max: 12\n")
    edit(sides / "package.yaml", "  bimestre:\n", "  versao:\n    type: int\n  bimestre:\n")
    despesa = sides / "despesa.yaml"
    edit(despesa, "  entidade: {type: str}\n", "")
    edit(despesa, "  covid_siops_desp: {type: str, required: false}",
         "  covid_siops_desp: {type: str}")
    edit(despesa, 'date: DD/MM/YYYY', 'date: YYYY-MM-DD')
    edit(sides / "covid_77.yaml", "rows:\n", "  - id: V3\n    code: 12\n    label: Restos a pagar\n"
         "    value: sum(empenhado - pago)\nrows:\n")
    q78 = sides / "covid_78.yaml"
    v1 = ("  - id: V1\n    code: 10\n    label: Despesas Liquidadas\n"
          "    value: sum(liquidado - anulado_liquidacao)\n")
    edit(q78, v1, "")
    edit(q78, "rows:\n", v1 + "rows:\n")
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert result.exit_code == 1, result.output
    assert diag_snapshot == result.stdout


def test_folders_of_packages_pair_packages_by_id(sides: Path) -> None:
    other = sides.parent / "outro"
    shutil.copytree(sides, other)
    edit(other / "package.yaml", "id: siops\n", "id: outro\n")
    edit(sides / "covid_79.yaml", "planilha: 79", "planilha: 80")
    result = invoke("diff", "a/specs", "b/specs")
    assert result.exit_code == 1
    assert result.stdout == (
        "antigo: a/specs\nnovo:   b/specs\n\n"
        "pacote outro incluído (b/specs/outro/package.yaml:2)\n\n"
        "siops: layout covid/79\n  b/specs/siops/covid_79.yaml:2: planilha: 79 → 80\n\n"
        "2 diferença(s) em 2 spec(s)\n")
    back = invoke("diff", "b/specs", "a/specs")
    assert "pacote outro removido (b/specs/outro/package.yaml:2)" in back.stdout


def test_a_check_kind_change_reads_by_assertion(sides: Path) -> None:
    """The check kind has its differ (compiler/kinds/check/diff.py): a tolerance changed for
    every assertion of the spec, and one assertion removed, read by assertion id."""
    conf = sides / "conferencias_despesa.yaml"
    edit(conf, "tolerance: 0,01", "tolerance: 0,05")
    text = conf.read_text("utf-8")
    start = text.index("  - id: q77_pago")
    end = text.index("  - id: q78_empenhado")
    conf.write_text(text[:start] + text[end:], "utf-8")
    result = invoke("diff", "a/specs/siops", "b/specs/siops")
    assert result.exit_code == 1, result.output
    out = result.stdout
    assert "conferencias/despesa" in out
    assert "q77_pago" in out and "removida" in out
    assert "0.05" in out and "q78_empenhado" in out
    assert out.endswith("10 diferença(s) em 1 spec(s)\n")  # 1 removed + 9 tolerances; no layout
