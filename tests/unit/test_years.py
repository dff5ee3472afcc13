"""What a layout year's view holds (compiler/years.py, compiler/extends.py layers): the package's
own specs plus the year folders up to the year; a later year's spec replaces the same id, or
extends it; other specs that extend it see the later version; `when:` is a condition on the
parameters only; the serving rule picks the latest year not after the parameter."""

from __future__ import annotations

from pathlib import Path

import pytest

from compiler import check
from compiler import ir
from runtime.views import serving
from tests.conftest import write_package

PACKAGE = """\
kind: package
id: pkg
layout_year: exercicio
params:
  exercicio: {type: int}
"""
LEDGER = """\
kind: ledger
id: despesa
format: {type: csv}
fields:
  subfuncao: {type: int}
  valor: {type: decimal}
"""


def quadro(spec_id: str, file: str, rule: str, extra: str = "") -> str:
    return f"""\
kind: layout
id: {spec_id}
planilha: 1
source: despesa
{extra}output: {{format: impt, file: {file}}}
columns:
  - {{id: V0, code: 1, label: Valor, value: sum(valor)}}
rows:
  - {{ref: "1", record_id: "101", rule: "{rule}"}}
  - {{ref: "2", record_id: "102", otherwise: true}}
"""


def views(tmp: Path, files: dict[str, str]) -> dict[int, ir.Package]:
    folder = write_package(tmp, {"package.yaml": PACKAGE, "despesa.yaml": LEDGER, **files})
    result = check(folder, base=tmp)
    assert [d.code for d in result.errors] == []
    return result.views


def rule(pkg: ir.Package, layout: str) -> str:
    lay = next(n for n in pkg.layouts if n.id == layout)
    return lay.rows[0].cond_text


def test_a_later_year_replaces_a_spec_of_the_same_id(tmp_path: Path) -> None:
    got = views(tmp_path, {"2019/q.yaml": quadro("q", "q.IMPT", "subfuncao == 122"),
                           "2021/q.yaml": quadro("q", "q.IMPT", "subfuncao == 301")})
    assert sorted(got) == [2019, 2021]
    assert rule(got[2019], "q") == "subfuncao == 122"
    assert rule(got[2021], "q") == "subfuncao == 301"
    assert [n.id for n in got[2021].layouts] == ["q"]  # one q per view


def test_extending_its_own_id_inherits_from_the_earlier_year(tmp_path: Path) -> None:
    child = 'kind: layout\nid: q\nextends: q\noutput: {file: q21.IMPT}\n'
    got = views(tmp_path, {"2019/q.yaml": quadro("q", "q.IMPT", "subfuncao == 122"),
                           "2021/q.yaml": child})
    q21 = next(n for n in got[2021].layouts if n.id == "q")
    assert q21.output_file == "q21.IMPT" and rule(got[2021], "q") == "subfuncao == 122"
    # the inherited rule keeps the position of the file that set it
    assert q21.rows[0].span.file.endswith("2019/q.yaml")


def test_a_spec_of_the_package_sees_the_view_of_its_parent(tmp_path: Path) -> None:
    """`extends:` another id binds in the view: the 2021 version of the parent, there."""
    child = 'kind: layout\nid: r\nextends: q\noutput: {file: r.IMPT}\n'
    got = views(tmp_path, {"r.yaml": child,
                           "2019/q.yaml": quadro("q", "q.IMPT", "subfuncao == 122"),
                           "2021/q.yaml": quadro("q", "q.IMPT", "subfuncao == 301")})
    assert rule(got[2019], "r") == "subfuncao == 122"
    assert rule(got[2021], "r") == "subfuncao == 301"


def test_a_year_folder_is_not_read_by_earlier_views(tmp_path: Path) -> None:
    got = views(tmp_path, {"q.yaml": quadro("q", "q.IMPT", "subfuncao == 122"),
                           "2021/novo.yaml": quadro("novo", "novo.IMPT", "subfuncao == 1")})
    # 2021 is the only year folder: its view holds both; there is no 2019 view
    assert sorted(got) == [2021]
    assert [n.id for n in got[2021].layouts] == ["novo", "q"]  # file order: 2021/novo < q


def test_folders_that_are_not_four_digits_are_ordinary(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {"package.yaml": PACKAGE.replace(
        "layout_year: exercicio\n", ""), "despesa.yaml": LEDGER,
        "quadros/q.yaml": quadro("q", "q.IMPT", "subfuncao == 1"),
        "20190/r.yaml": quadro("r", "r.IMPT", "subfuncao == 2")})
    result = check(folder, base=tmp_path)
    assert result.errors == [] and result.views == {}
    assert result.ir is not None and len(result.ir.layouts) == 2


def test_when_is_typed_as_a_condition(tmp_path: Path) -> None:
    folder = write_package(tmp_path, {"package.yaml": PACKAGE.replace(
        "layout_year: exercicio\n", ""), "despesa.yaml": LEDGER,
        "q.yaml": quadro("q", "q.IMPT", "subfuncao == 1", extra="when: $exercicio + 1\n")})
    result = check(folder, base=tmp_path)
    assert [d.code for d in result.errors] and result.errors[0].span.file.endswith("q.yaml")
    assert result.errors[0].span.line == 5


@pytest.mark.parametrize(("value", "year"), [(2018, None), (2019, 2019), (2020, 2019),
                                             (2021, 2021), (2030, 2023)])
def test_the_latest_year_not_after_the_parameter_serves(value: int, year: int | None) -> None:
    assert serving((2019, 2021, 2023), value) == year
