"""`extends:` end to end: the SIOPS package plus covid/77_2021 (tests/cases/extends/), a layout
that extends covid/77 changing one row's rule, removing a row, adding a row before another,
restating a totalizer and changing output.file. Both layouts compile and run; the parent's file
is byte-identical to the shipped package's; explain names the file that set each value."""

from __future__ import annotations

import shutil

import pytest

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PARAMS = {"exercicio": 2020, "bimestre": 2}
PART = "3170206"
CHILD = ROOT / "tests" / "cases" / "extends" / "covid_77_2021.yaml"
PARENT_FILE = f"{PART}/covid_77_despesas_uniao.IMPT"
CHILD_FILE = f"{PART}/covid_77_despesas_uniao_2021.IMPT"


@pytest.fixture(scope="module")
def program(tmp_path_factory: pytest.TempPathFactory) -> runtime.Program:
    tmp = tmp_path_factory.mktemp("extends")
    specs = tmp / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    shutil.copy(CHILD, specs / CHILD.name)
    res = compile_package(specs, base=tmp)
    assert [d.code for d in res.errors] == []
    write_tree(tmp / "gen" / "siops", res.files)
    return runtime.load(tmp / "gen" / "siops")


def _lines(data: bytes) -> list[str]:
    return data.decode("utf-8").split("\r\n")


def test_parent_and_child_both_run(program, siops_program, impt_snapshot) -> None:  # type: ignore[no-untyped-def]
    for backend in ("python", "duckdb"):
        got = program.run(ledgers=SMALL_INPUTS, params=PARAMS, backend=backend).outputs
        stock = siops_program.run(ledgers=SMALL_INPUTS, params=PARAMS, backend=backend).outputs
        assert sorted(got) == sorted([*stock, CHILD_FILE])
        stock = {k: v for k, v in stock.items() if k.endswith(".IMPT")}  # not the bundle
        assert {k: got[k] for k in stock} == stock  # the parent's output does not move
        # one snapshot for both back ends: they write the same bytes
        assert got[CHILD_FILE] == impt_snapshot(name="covid_77_despesas_uniao_2021"), backend


def test_the_child_is_the_parent_with_its_changes(program) -> None:  # type: ignore[no-untyped-def]
    out = program.run(ledgers=SMALL_INPUTS, params=PARAMS).outputs
    parent = [line.split(";")[1] for line in _lines(out[PARENT_FILE]) if line]
    child = [line.split(";")[1] for line in _lines(out[CHILD_FILE]) if line]
    expected = [r for r in parent if r != "9999999020"]
    expected.insert(expected.index("9999999026"), "9999999030")
    assert child == expected
    by_ref = {line.split(";")[1]: line for line in _lines(out[CHILD_FILE]) if line}
    # 013's rule now also takes subfunção 331 (the fixture's empenho of 1250,25)
    assert ";V0:[>R$11250,25<]" in by_ref["9999999013"]
    assert by_ref["9999999013"].startswith("77;9999999013;7701;")  # record_id inherited
    assert by_ref["9999999030"].startswith("77;9999999030;7718;")
    # #L markers follow the merged order (totalizers 014/016/029 count, not written)
    assert by_ref["9999999030"].endswith(";#L12;#C3;")
    assert by_ref["9999999028"].endswith(";#L15;#C3;")


def test_explain_names_the_file_that_set_each_value(program) -> None:  # type: ignore[no-untyped-def]
    overridden = program.explain(SMALL_INPUTS, PARAMS, "covid/77_2021", PART,
                                 "9999999013", "V0").render()
    inherited = program.explain(SMALL_INPUTS, PARAMS, "covid/77_2021", PART,
                                "9999999015", "V0").render()
    parent = program.explain(SMALL_INPUTS, PARAMS, "covid/77", PART, "9999999015", "V0").render()
    # the overridden rule is the child's; the filter, untouched, the parent's
    assert "regra da linha (specs/siops/covid_77_2021.yaml:10:5): subfuncao in [122, 331]" \
        in overridden
    assert "filtro do layout (specs/siops/covid_77.yaml:9:9)" in overridden
    # an inherited row: every position is the parent's, as when explaining the parent
    assert "covid_77_2021.yaml" not in inherited
    assert inherited.replace("covid/77_2021", "covid/77") == parent


def test_the_readme_shows_this_spec() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert f"```yaml\n{CHILD.read_text('utf-8')}```" in readme
