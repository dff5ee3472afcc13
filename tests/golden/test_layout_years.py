"""Layout years end to end (compiler/years.py, runtime/views.py): the SIOPS package (layout
years 2019 and 2021) with its COVID quadro 77 moved into the `2019/` folder and a covid/77 in
`2021/` that `extends:` the 2019 one changing one rule. Each year's view compiles to
generated/<pkg>/y<year>/; a run uses the latest layout year not after `exercicio`; the COVID
quadros' `when:` keeps them out of 2019; `apura diff` compares two year folders; a year before
the first is a usage error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import runtime
from compiler import compile_package
from compiler.writer import write_tree
from tests.cli.test_cli import invoke
from tests.conftest import ROOT
from tests.conftest import SMALL_INPUTS

PART = "3170206"
CHILD = """\
kind: layout
id: covid/77
extends: covid/77
description: COVID-19 — despesas com recursos da União (layout de 2021)
rows:
  - ref: "9999999013"
    rule: subfuncao in [122, 331]
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("years")
    specs = tmp / "specs" / "siops"
    shutil.copytree(ROOT / "specs" / "siops", specs)
    assert "layout_year: exercicio" in (specs / "package.yaml").read_text("utf-8")
    shutil.move(specs / "covid_77.yaml", specs / "2019" / "covid_77.yaml")
    (specs / "2021" / "covid_77.yaml").write_text(CHILD, "utf-8")
    res = compile_package(specs, base=tmp)
    assert [d.code for d in res.errors] == []
    write_tree(tmp / "generated" / "siops", res.files)
    return tmp


@pytest.fixture(scope="module")
def views(project: Path) -> runtime.Views:
    got = runtime.load(project / "generated" / "siops")
    assert isinstance(got, runtime.Views)
    return got


def _in_2021(tmp: Path) -> dict[str, Path]:
    """The small fixture moved to 2021: its exercicio and dates say 2021."""
    out = {}
    for name, src in SMALL_INPUTS.items():
        text = Path(src).read_text("utf-8")
        if name != "equivalencia_recursos":
            text = text.replace(";2020;", ";2021;").replace("/2020;", "/2021;")
        (tmp / f"{name}.csv").write_text(text, "utf-8")
        out[name] = tmp / f"{name}.csv"
    return out


def _impt(outputs: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in outputs.items() if k.endswith(".IMPT")}


def test_one_view_per_layout_year(project: Path, views: runtime.Views) -> None:
    gen = project / "generated" / "siops"
    assert sorted(p.name for p in gen.iterdir() if p.is_dir()) == ["y2019", "y2021"]
    assert views.years == (2019, 2021)
    assert (gen / "y2019" / "sql" / "duckdb" / "despesa.sql").is_file()
    # the dispatcher says which view serves which exercícios
    assert "2019: 2019 a 2020; 2021: 2021 em diante" in (gen / "__init__.py").read_text("utf-8")


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_2020_runs_the_2019_view_as_the_stock_package(views, siops_program, backend) -> None:  # type: ignore[no-untyped-def]
    params = {"exercicio": 2020, "bimestre": 2}
    assert views.view_for(params) is views.view(2019)
    got = _impt(views.run(ledgers=SMALL_INPUTS, params=params, backend=backend).outputs)
    stock = _impt(siops_program.run(ledgers=SMALL_INPUTS, params=params,
                                    backend=backend).outputs)
    assert got == stock and len(got) == 7  # (the bundle's provenance names other specs)


@pytest.mark.parametrize("backend", ["python", "duckdb"])
def test_2021_runs_the_2021_view(views, tmp_path, backend) -> None:  # type: ignore[no-untyped-def]
    params = {"exercicio": 2021, "bimestre": 2}
    assert views.view_for(params) is views.view(2021)
    ledgers = _in_2021(tmp_path)
    # the COVID quadros: 2021's view also writes the Receitas file, whose de-para has none of
    # this COVID-only fixture's rubrics (a full run stops with D0201; the selection skips it)
    new = _impt(views.run(ledgers=ledgers, params=params, backend=backend,
                          select="covid/*").outputs)
    old = _impt(views.view(2019).run(ledgers=ledgers, params=params, backend=backend,
                                     select="covid/*").outputs)
    name = f"{PART}/covid_77_despesas_uniao.IMPT"
    assert sorted(new) == sorted(old)
    assert {k: v for k, v in new.items() if k != name} == \
        {k: v for k, v in old.items() if k != name}

    def row013(data: bytes) -> str:
        return next(line for line in data.decode().split("\r\n") if ";9999999013;" in line)
    # 2021's rule for 013 also takes subfunção 331: the fixture's empenho of 1250,25
    assert ";V0:[>R$10000,00<]" in row013(old[name])
    assert ";V0:[>R$11250,25<]" in row013(new[name])


def test_covid_does_not_apply_before_2020(views: runtime.Views) -> None:
    """`when: $exercicio >= 2020`: in 2019 no quadro nor check runs and none of their inputs is
    needed but `receita`, which the Receitas file reads too — only the despesa, receitas,
    restos, caixa and compensação file sets' (specs/siops/despesa_execucao.yaml,
    receita_execucao.yaml, restos_*.yaml, caixa_disponibilidade.yaml, compensacao_*.yaml;
    consorcio.yaml only with gerar_consorcio)."""
    params = {"exercicio": 2019, "bimestre": 2}
    prog = views.view_for(params)
    assert prog is views.view(2019)
    assert [r.id for r in prog.selected(None, params)] == [
        "caixa/disponibilidade", "compensacao/limite_nao_cumprido", "compensacao/rp_cancelados",
        "despesa/execucao", "receita/execucao", "restos/cancelados_acumulados",
        "restos/cancelados_exercicio", "restos/inscritos", "restos/pagos_acumulados",
        "restos/pagos_exercicio"]
    assert prog.inputs(None, params) == {
        "equivalencia_contas": "optional", "equivalencia_recursos": "required",
        "excecoes_natureza": "optional", "contas": "optional",
        "despesa_movimento": "optional", "dotacao": "optional", "restos_a_pagar": "optional",
        "receita": "required", "equivalencia_rubricas": "optional"}
    result = views.run(ledgers={"equivalencia_recursos": [], "receita": []}, params=params)
    assert result.outputs == {}
    assert all(o.skipped for o in result.outcomes)


def test_a_year_before_the_first_is_a_request_error(views: runtime.Views) -> None:
    with pytest.raises(runtime.RunFailed) as exc:
        views.run(ledgers=SMALL_INPUTS, params={"exercicio": 2018, "bimestre": 2})
    assert [e.code for e in exc.value.errors] == ["D1101"] and exc.value.usage


def test_cli_runs_and_refuses_by_year(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    args = ["run", "siops", *[f"--input={k}={v}" for k, v in SMALL_INPUTS.items()],
            "--param", "bimestre=2", "--out", "out", "--state", "state.sqlite"]
    ok = invoke(*args, "--param", "exercicio=2020")
    assert ok.exit_code == 0, ok.stderr
    assert len(list((project / "out" / PART).glob("*.IMPT"))) == 7  # the quadros, Receitas
    early = invoke(*args, "--param", "exercicio=2018")
    assert early.exit_code == 2
    assert "erro[D1101]: nenhum ano de layout serve exercicio 2018: o primeiro é 2019" in \
        early.stderr


def test_diff_of_two_year_folders(project: Path, monkeypatch: pytest.MonkeyPatch,
                                  snapshot) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(project)
    got = invoke("diff", "specs/siops/2019", "specs/siops/2021")
    assert got.exit_code == 1
    assert got.stdout == snapshot
    same = invoke("diff", "specs/siops/2019", "specs/siops/2019")
    assert same.exit_code == 0, same.stdout
