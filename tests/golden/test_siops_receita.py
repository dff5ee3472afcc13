"""The proposed SIOPS Receitas spec (wip/receita/specs/siops/, kind `sheets`) against the
hand-written oracle (benchmarks/siops_receita_baseline.py, itself checked against the hand
figures of fixtures/siops/bimestre/3106200 in tests/unit/test_receita_oracle.py).

The proposal is not part of the package yet (its README, wip/receita/README.md, says why): the
tests copy the package into a temporary project, add the proposal's files and compile there.
The 2021 spec compiles and runs; the 2019 one needs `left(text, n)`, which the expression
language lacks — the only errors of its compilation are that function's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import runtime
from benchmarks.siops_receita_baseline import receita_files
from compiler import compile_package
from compiler.writer import write_tree
from tests.conftest import ROOT

WIP = ROOT / "wip" / "receita" / "specs" / "siops"
PROPOSAL_2019 = "receita_execucao.yaml"
BIM = ROOT / "fixtures" / "siops" / "bimestre"
TABLES = ROOT / "specs" / "siops" / "2019" / "tabelas"


def _project(tmp: Path, *, with_2019: bool) -> tuple[Path, object]:
    specs = tmp / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    for src in WIP.rglob("*"):
        rel = src.relative_to(WIP)
        if src.is_file() and (with_2019 or rel.as_posix() != PROPOSAL_2019):
            (specs / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, specs / rel)
    return specs, compile_package(specs, base=tmp)


@pytest.fixture(scope="module")
def views(tmp_path_factory: pytest.TempPathFactory) -> runtime.Views:
    tmp = tmp_path_factory.mktemp("receita")
    _, res = _project(tmp, with_2019=False)
    assert [d.code for d in res.errors] == []  # type: ignore[attr-defined]
    write_tree(tmp / "generated" / "siops", res.files)  # type: ignore[attr-defined]
    got = runtime.load(tmp / "generated" / "siops")
    assert isinstance(got, runtime.Views)
    return got


def _apura(views: runtime.Views, fix: Path, year: int, bim: int, backend: str
           ) -> dict[str, bytes]:
    ledgers = {"receita": fix / "receita.csv",
               "equivalencia_recursos": fix / "equivalencia_recursos.csv"}
    got = views.run(ledgers=ledgers, params={"exercicio": year, "bimestre": bim},
                    select="receita/*", backend=backend, allow_unconfirmed=True,
                    allow_gaps=True).outputs
    return {k: v for k, v in got.items() if k.endswith(".IMPT")}


def _oracle(fix: Path, year: int, bim: int) -> dict[str, bytes]:
    view = 2019 if year < 2021 else 2021
    return receita_files({"receita": fix / "receita.csv"}, TABLES, view, year, bim)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize(("fix", "year", "bim"), [
    ("3106200", 2021, 3), ("3106200", 2021, 6), ("3170206", 2021, 6), ("3106200", 2022, 2)])
def test_the_2021_spec_writes_the_oracles_bytes(views, fix, year, bim, backend) -> None:  # type: ignore[no-untyped-def]
    want = _oracle(BIM / fix, year, bim)
    if year == 2022:  # the fixture's 2022 rows are previsões only: V0 and V1 of two lines
        assert len(want[f"{fix}/Receita_Siops.IMPT"].split(b"\r\n")) == 3
    assert want and _apura(views, BIM / fix, year, bim, backend) == want


@pytest.mark.parametrize("backend", ["python", "duckdb"])
@pytest.mark.parametrize("bim", [3, 6])
def test_the_2019_proposal_writes_the_oracles_bytes(tmp_path: Path, bim: int,
                                                    backend: str) -> None:
    """The 2019 row key is the de-para's 14-digit target cut to 10 digits (`left`)."""
    _, res = _project(tmp_path, with_2019=True)
    assert res.errors == []  # type: ignore[attr-defined]
    write_tree(tmp_path / "generated" / "siops", res.files)  # type: ignore[attr-defined]
    views = runtime.load(tmp_path / "generated" / "siops")
    want = _oracle(BIM / "3106200", 2019, bim)
    assert want and _apura(views, BIM / "3106200", 2019, bim, backend) == want  # type: ignore[arg-type]
