"""The page of `apura explain --format html` (runtime/explain_html.py) in headless Chromium
(tests/chromekit.py, as tests/test_painel_chromium.py): it loads from a file:// URL with no
console error, asks for nothing but itself, runs no script, every contribution's link lands
on an embedded line of its input, and a screenshot is written (EXPLAIN_SCREENSHOT=FILE
writes it there too). In CI (CI=true) a missing chromium fails the test instead of skipping
it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler.cli import cli
from tests.chromekit import Browser
from tests.chromekit import Page
from tests.chromekit import chromium_or_skip
from tests.conftest import ROOT

SMALL = [a for n in ("despesa", "receita", "equivalencia_recursos")
         for a in ("--input", f"{n}=fixtures/siops/small/{n}.csv")]
PARAMS = ["--param", "exercicio=2020", "--param", "bimestre=2"]
SCRIPTED = """[...document.querySelectorAll('*')].filter(e => e.tagName === 'SCRIPT' ||
  [...e.attributes].some(a => a.name.startsWith('on'))).length"""
# each in-page link: [its text, the id it points at, the text of the line it lands on]
LINKS = """JSON.stringify([...document.querySelectorAll('a[href^="#"]')].map(a => {
  const t = document.getElementById(a.getAttribute('href').slice(1));
  return [a.textContent, t && t.tagName, t && t.querySelector('td.ln').textContent,
          t && t.querySelector('code').textContent,
          t && t.closest('table').previousElementSibling.textContent]; }))"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    started = Browser(chromium_or_skip(), tmp_path_factory.mktemp("chromium"))
    try:
        yield started
    finally:
        started.close()


def _page(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str) -> Path:
    monkeypatch.chdir(ROOT)
    got = CliRunner().invoke(cli, ["explain", "siops", address, *SMALL, *PARAMS,
                                   "--format", "html"])
    assert got.exit_code == 0, got.stderr
    page = tmp_path / "explain.html"
    page.write_text(got.stdout, "utf-8")
    return page


@pytest.mark.parametrize("address", ["covid/72@3170206:9999999030",
                                     "covid/77@3170206:9999999028:V1"])
def test_the_page_loads_clean_and_each_link_lands_on_its_line(
        browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        address: str) -> None:
    file = _page(tmp_path, monkeypatch, address)
    page = Page(browser)
    page.open(file.as_uri())
    assert page.console_errors() == []
    assert page.requests() == [file.as_uri()]  # no network, not even a favicon
    assert page.evaluate(SCRIPTED) == 0
    links = json.loads(page.evaluate(LINKS))
    assert len(links) >= 5  # the rule, the map entries and the records at least
    for text, tag, line, shown, heading in links:
        assert tag == "TR", text
        cited, _, number = text.rpartition(":")
        if cited.count(":"):  # a spec position file:line:col
            cited, _, number = cited.rpartition(":")
        assert (heading, line) == (cited, number), text
        assert shown == (ROOT / cited).read_text("utf-8").splitlines()[int(number) - 1]
    assert any(t.startswith("fixtures/siops/small/despesa.csv:") for t, *_ in links)
    shot = tmp_path / "explain.png"
    width, height = page.screenshot(shot)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and width == 1280 and height > 600
    print(f"\nscreenshot: {shot}")
    target = os.environ.get("EXPLAIN_SCREENSHOT")
    if target:
        shutil.copy(shot, Path(target).with_stem(Path(target).stem + address[6:8]))


# each row of the if-branch table: [its #, the condition, its link's text, what it held, the
# branch taken], and which rows are marked taken
BRANCHES = """JSON.stringify([...document.querySelectorAll('table.branches tr')].slice(1).map(
  r => [r.className, ...[...r.querySelectorAll('td')].map(td => td.textContent)]))"""


def test_the_page_of_an_if_chain_marks_the_branch_taken(
        browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """assinatura's D09 (documento.csv line 10: deadline 19/06, run on 20/06, em_assinatura):
    `situacao_plano` tests `motivos is not null` (false: D09 is valid) and `situacao ==
    "assinado"` (false), then `data_limite is not null and data_limite < $data_base` (true:
    the "fora do prazo" branch, marked), the two arms after it not evaluated; each
    condition's link lands on its own line of specs/assinatura/documentos.yaml (92, 93, 94:
    the lines of the `>-` block as the file has them)."""
    monkeypatch.chdir(ROOT)
    inputs = [a for p in sorted((ROOT / "fixtures" / "assinatura").glob("*.csv"))
              for a in ("--input", f"{p.stem}={p.relative_to(ROOT)}")]
    got = CliRunner().invoke(cli, ["explain", "assinatura", "documentos:9:situacao_plano",
                                   *inputs, "--param", "data_base=2024-06-20",
                                   "--format", "html"])
    assert got.exit_code == 0, got.stderr
    file = tmp_path / "explain.html"
    file.write_text(got.stdout, "utf-8")
    page = Page(browser)
    page.open(file.as_uri())
    assert page.console_errors() == [] and page.requests() == [file.as_uri()]
    rows = json.loads(page.evaluate(BRANCHES))
    spec = "specs/assinatura/documentos.yaml"
    assert rows == [
        ["", "1", "motivos is not null", f"{spec}:92:8", "falso", ""],
        ["", "2", 'situacao == "assinado"', f"{spec}:93:13", "falso", ""],
        ["taken", "3", "data_limite is not null and data_limite < $data_base",
         f"{spec}:94:13", "verdadeiro", '"fora do prazo" = fora do prazo'],
        ["", "", "2 condição(ões) seguinte(s) não avaliada(s)"]]
    lines = (ROOT / spec).read_text("utf-8").splitlines()
    landed = {t: (line, shown) for t, _, line, shown, _ in json.loads(page.evaluate(LINKS))}
    for n in (92, 93, 94):
        assert landed[f"{spec}:{n}:{8 if n == 92 else 13}"] == (str(n), lines[n - 1])
    shot = tmp_path / "branches.png"
    page.screenshot(shot)
    target = os.environ.get("EXPLAIN_SCREENSHOT")
    if target:
        shutil.copy(shot, Path(target).with_stem(Path(target).stem + "_ramos"))
