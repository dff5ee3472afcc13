"""The `dictionary` kind outside its package's fixture: `apura diff` of a reworded tooltip, a
`value:` naming no derivation (S2161), and the comma-separated selection (`select:` and
`--select`) it brought."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from runtime.selection import selects
from tests.cli.test_cli import invoke
from tests.conftest import ROOT

TOOLTIP = "Data de registro do documento de empenho."


@pytest.fixture
def sides(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for side in ("a", "b"):
        shutil.copytree(ROOT / "specs" / "transparencia_mg", tmp_path / side / "transparencia_mg")
    return tmp_path


def test_diff_shows_the_reworded_tooltip(sides: Path) -> None:
    spec = sides / "b" / "transparencia_mg" / "dicionario_despesa.yaml"
    text = spec.read_text("utf-8")
    assert text.count(TOOLTIP) == 1
    spec.write_text(text.replace(TOOLTIP, "Data do registro do empenho."), "utf-8")
    got = invoke("diff", "a/transparencia_mg", "b/transparencia_mg")
    assert got.exit_code == 1, got.output
    assert "\ndicionário dicionario_despesa\n" in got.output
    assert (f"entries.empenhado_data.tooltip: {TOOLTIP} → Data do registro do empenho.\n"
            in got.output)
    assert "1 diferença(s) em 1 spec(s)" in got.output
    same = invoke("diff", "a/transparencia_mg", "a/transparencia_mg")
    assert same.exit_code == 0


def test_a_value_of_no_derivation_is_refused_at_its_position(sides: Path) -> None:
    spec = sides / "b" / "transparencia_mg" / "dicionario_convenios.yaml"
    text = spec.read_text("utf-8")
    spec.write_text(text.replace("value: convenios.valor_repassado",
                                 "value: convenio.valor_repassado"), "utf-8")
    got = invoke("check", "b/transparencia_mg")
    assert got.exit_code == 1
    line = next(i for i, t in enumerate(spec.read_text("utf-8").splitlines(), 1)
                if "value: convenio." in t)
    assert f"dicionario_convenios.yaml:{line}:12: erro[S2161]" in got.output
    assert "você quis dizer 'convenios'?" in got.output


@pytest.mark.parametrize(("select", "node", "expected"), [
    ("convenios,ordens,dicionario_*", "dicionario_restos", True),
    ("convenios,ordens,dicionario_*", "convenios_corrigido", False),
    ("convenios,ordens", "ordens", True),
    ("covid/7[01]", "covid/71", True),
    ("covid/7[01]", "covid/72", False),
])
def test_a_selection_is_globs_separated_by_commas(select: str, node: str, expected: bool) -> None:
    assert selects(select, node) is expected


def test_a_comma_selection_runs_from_the_cli(tmp_path: Path) -> None:
    out = tmp_path / "out"
    src = ROOT / "fixtures" / "transparencia_mg" / "convenio_pagamento.csv"
    got = invoke("run", str(ROOT / "generated" / "transparencia_mg"), "--input",
                 f"convenio_pagamento={src}",
                 "--select", "convenios_corrigido,dicionario_convenios", "--out", str(out),
                 "--state", str(tmp_path / "state.sqlite"))
    assert got.exit_code == 0, got.output
    assert sorted(p.name for p in out.iterdir() if p.name != ".apura.lock") == [
        "convenios.csv", "dicionario_convenios.json", "dicionario_convenios.md", "mudancas.csv"]
    assert "valor_pago_financeiro - sum(valor_pago_pendente where valor_pago_financeiro != 0)" \
        in (out / "dicionario_convenios.md").read_text("utf-8").replace("\\", "")
