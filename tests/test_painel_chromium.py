"""painel.html in a real browser (issue 11, "a look before sending"): headless Chromium opens
the page of every content shape from a file:// URL; it loads with no console error, asks for
nothing but itself, runs no script, shows every indicator's section with its name, and a
screenshot is written to tmp (PAINEL_SCREENSHOT=docs/painel.png also writes one of the page of
painelkit.DOCS there, refreshing the README's picture). In CI (CI=true) a missing chromium
fails the test instead of skipping it. The page `apura run portal_gestor` writes for its
fixture is opened the same way."""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest

from runtime.portal_painel import AREAS
from runtime.portal_painel import render
from tests.chromekit import Browser
from tests.chromekit import Page
from tests.chromekit import chromium_or_skip
from tests.painelkit import DOCS
from tests.painelkit import ENTITY
from tests.painelkit import EXERCICIO
from tests.painelkit import catalog

SECTIONS = """JSON.stringify([...document.querySelectorAll('section.indicator')].map(s => [
  s.dataset.indicator, s.querySelector('h3').textContent,
  s.closest('section.area').querySelector('h2').textContent,
  s.getBoundingClientRect().height > 40]))"""
SCRIPTED = """[...document.querySelectorAll('*')].filter(e => e.tagName === 'SCRIPT' ||
  [...e.attributes].some(a => a.name.startsWith('on'))).length"""


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    started = Browser(chromium_or_skip(), tmp_path_factory.mktemp("chromium"))
    try:
        yield started
    finally:
        started.close()


def test_the_watch_sees_what_a_console_would(browser: Browser, tmp_path: Path) -> None:
    """The checks below can fail: a page with a console.error, an uncaught exception and a
    missing image is caught by each of them."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><title>x</title><img src="nada.png" alt="">'
                   '<script>console.error("erro de teste"); null.x;</script>', "utf-8")
    page = Page(browser)
    page.open(bad.as_uri())
    errors = page.console_errors()
    assert any("erro de teste" in e for e in errors)
    assert any(e.startswith("exceção") for e in errors)
    assert any("nada.png" in e for e in errors)
    assert page.requests() == [bad.as_uri(), (tmp_path / "nada.png").as_uri()]
    assert page.evaluate(SCRIPTED) == 1


def test_the_page_loads_clean_and_shows_every_indicator(browser: Browser,
                                                        tmp_path: Path) -> None:
    infos, records = catalog()
    page_file = tmp_path / "painel.html"
    page_file.write_bytes(render(infos, records, ENTITY, EXERCICIO))
    url = page_file.as_uri()
    page = Page(browser)
    page.open(url)
    assert page.console_errors() == []
    assert page.requests() == [url]  # nothing from the network, not even a favicon
    assert page.evaluate(SCRIPTED) == 0
    shown = json.loads(page.evaluate(SECTIONS))
    # the catalog's order within the Portal's areas (painelkit lists them in that order)
    assert [s[0] for s in shown] == [i.id for i in infos]
    assert [s[1] for s in shown] == [i.name for i in infos]
    assert [s[2] for s in shown] == [i.area for i in infos]
    assert {s[2] for s in shown} == set(AREAS)
    assert all(s[3] for s in shown), "a section without height"
    # the empty indicator says so; the ranking shows its bars in rank order
    assert "Sem registros para o exercício 2024." in page.evaluate(
        "document.querySelector('[data-indicator=filaespera]').textContent")
    labels = page.evaluate("[...document.querySelectorAll("
                           "'[data-indicator=mediaescola1a5menores] svg text.label')]"
                           ".map(t => t.textContent)")
    assert labels == ["1º · EM Pedro Álvares", "2º · EM Cecília Meireles",
                      "3º · EM Monteiro Lobato"]
    shot = tmp_path / "painel.png"
    width, height = page.screenshot(shot)
    assert _png_size(shot) == (width, height) and width == 1280 and height > 900
    print(f"\nscreenshot: {shot}")
    if os.environ.get("PAINEL_SCREENSHOT"):  # the page of one indicator per view
        docs = tmp_path / "docs.html"
        docs.write_bytes(render(*catalog(DOCS), ENTITY, EXERCICIO))
        page.open(docs.as_uri())
        page.screenshot(Path(os.environ["PAINEL_SCREENSHOT"]), scale=0.75)


def test_the_run_of_the_fixture_writes_a_clean_page(browser: Browser, tmp_path: Path) -> None:
    """The page `apura run portal_gestor` writes for the fixture of município 4205407: it loads
    clean in Chromium and shows every one of the 79 indicators the run computed, in its area."""
    import runtime
    from runtime.indicator_csv import portal
    from tests.conftest import ROOT

    fixture = ROOT / "fixtures" / "portal_gestor" / "4205407"
    program = runtime.load(ROOT / "generated" / "portal_gestor")
    result = program.run({p.stem: p for p in sorted(fixture.glob("*.csv"))},
                         {"exercicio": 2019, "mes": 6})
    infos, _ = portal(result, "4205407")
    page_file = tmp_path / "painel.html"
    page_file.write_bytes(result.outputs["painel.html"])
    page = Page(browser)
    page.open(page_file.as_uri())
    assert page.console_errors() == []
    assert page.requests() == [page_file.as_uri()]
    assert page.evaluate(SCRIPTED) == 0
    shown = json.loads(page.evaluate(SECTIONS))
    assert len(shown) == len(infos) == 79
    assert {s[0]: s[2] for s in shown} == {i.id: i.area for i in infos}
    assert all(s[3] for s in shown), "a section without height"
    width, height = page.screenshot(tmp_path / "painel.png")
    assert width == 1280 and height > 4000
