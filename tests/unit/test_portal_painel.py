"""painel.html from synthetic records (tests/painelkit.py): pt-BR figures, the view each
content shape gets, order and determinism, a page that reaches for nothing outside itself, and
the caller's mistakes refused. Expected texts and coordinates are computed by hand below."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from runtime.portal_painel import AREAS
from runtime.portal_painel import render
from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from tests.painelkit import ENTITY
from tests.painelkit import EXERCICIO
from tests.painelkit import catalog
from tests.painelkit import info
from tests.painelkit import record


class Sections(HTMLParser):
    """The text of each indicator section (data chunks joined by '|'), the h2 texts in order,
    every element with its attributes, and the labels of each section's SVG."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.current: str | None = None
        self.texts: dict[str, list[str]] = {}
        self.labels: dict[str, list[str]] = {}
        self.h2: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.elements.append((tag, a))
        if tag == "section" and a.get("data-indicator") is not None:
            self.current = a["data-indicator"]
            self.texts[self.current or ""] = []
            self.labels[self.current or ""] = []
        if tag not in ("meta", "rect", "line"):  # void / self-closed in this page
            self.stack.append((tag, a))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        popped = self.stack.pop()
        assert popped[0] == tag, (popped, tag)
        if tag == "section" and popped[1].get("data-indicator") is not None:
            self.current = None

    def handle_data(self, data: str) -> None:
        tags = [t for t, _ in self.stack]
        if "h2" in tags:
            self.h2.append(data)
        if self.current is None:
            return
        self.texts[self.current].append(data)
        if self.stack[-1][0] == "text" and self.stack[-1][1].get("class") == "label":
            self.labels[self.current].append(data)


def parse(page: bytes) -> Sections:
    parser = Sections()
    parser.feed(page.decode("utf-8"))
    parser.close()
    assert parser.stack == []
    return parser


@pytest.fixture(scope="module")
def page() -> bytes:
    infos, records = catalog()
    return render(infos, records, ENTITY, EXERCICIO)


@pytest.fixture(scope="module")
def sections(page: bytes) -> Sections:
    return parse(page)


def text(sections: Sections, indicator: str) -> str:
    return "|".join(sections.texts[indicator])


def test_money_counts_and_keys_in_pt_br(sections: Sections) -> None:
    assert "|R$ 1.234.567,89|" in text(sections, "ipturealizado")
    assert "|1.234|" in text(sections, "powerNumbersArrecadacao.empresas")
    saldo = text(sections, "situacaofinanceira")
    assert "-R$ 35.000,10" in saldo and "R$ 250.000,00" in saldo
    veiculos = text(sections, "relacaoveiculos")
    assert "|2011|" in veiculos and "2.011" not in veiculos  # a year is no count
    assert "|10.000|" in veiculos and "|R$ 50.001,00|" in veiculos


def test_a_page_of_rounding_and_signs() -> None:
    """Hand-made: 1234.565 rounds half up to 1.234,57; -0.001 is zero (no '-R$ 0,00');
    999 keeps no separator; -1234567 groups after the sign; a percentage keeps its places."""
    infos = [info("a", "Contabilidade", "A"), info("b", "Contabilidade", "B")]
    records = [record("a", 1, ("valor", Decimal("1234.565")), ("quase", Decimal("-0.001")),
                      ("saldo", Decimal("-1234567"))),
               record("b", 1, ("quantidade", 999), ("negativos", -1234567),
                      ("percentual", Decimal("15.2300")))]
    got = parse(render(infos, records, ENTITY, EXERCICIO))
    assert {"R$ 1.234,57", "R$ 0,00", "-R$ 1.234.567,00"} <= set(got.texts["a"])
    assert {"999", "-1.234.567", "15,2300 %"} <= set(got.texts["b"])


def test_a_fields_unit_from_its_name() -> None:
    """Same Decimal 3701.55, three names: an average salary is money, an average grade and a
    time are plain numbers; an int is a count, a year a key."""
    infos = [info("u", "Pessoal", "U")]
    records = [record("u", 1, ("mediaSalario", Decimal("3701.55")),
                      ("mediaNota", Decimal("3701.55")), ("tempoMedio", Decimal("3701.55")),
                      ("servidores", 3701), ("ano", 3701))]
    got = parse(render(infos, records, ENTITY, EXERCICIO)).texts["u"]
    assert got.count("R$ 3.701,55") == 1 and got.count("3.701,55") == 2
    assert got.count("3.701") == 1 and got.count("3701") == 1


def test_a_limit_kept_exactly_and_one_without_direction() -> None:
    infos = [info("a", "Educação", "A"), info("b", "Pessoal", "B")]
    records = [record("a", 1, ("percentual", Decimal("25.00")),
                      ("limiteMinimo", Decimal("25.00"))),
               record("b", 1, ("percentual", Decimal("120.5")),
                      ("limiteAlerta", Decimal("48.6")))]
    page = render(infos, records, ENTITY, EXERCICIO).decode()
    got = parse(page.encode())
    assert "atende ao mínimo legal de |25,00 %" in "|".join(got.texts["a"])  # ≥, not >
    assert "limite de |48,6 %" in "|".join(got.texts["b"])
    # past 100 % the scale grows to the value: 600 px for 120,5 %, the limit at
    # 20 + 48,6 / 120,5 × 600 = 20 + 241,99… = 262,0
    assert '<line x1="262.0" x2="262.0"' in page and "120,5 %</text></svg>" in page


def test_percentages_against_their_legal_limits(page: bytes, sections: Sections) -> None:
    educacao = text(sections, "gastoseducacaoponteiro")
    assert "|27,31 %|" in educacao and "atende ao mínimo legal de |25,00 %" in educacao
    assert "abaixo do mínimo legal de |15,00 %" in text(sections, "gastossaudeponteiro")
    assert "dentro do máximo legal de |54,00 %" in text(sections, "gastosprevistorealizadolrf")
    # scale 0–100 % over 640 - 40 = 600 px from x=20: 27,31 % → 163,86 px, the 25 % line at
    # 20 + 150 = 170; 13,80 % → 82,8 px, drawn red (a minimum not kept)
    section = page.decode().split('data-indicator="gastoseducacaoponteiro"')[1]
    section = section.split("</section>")[0]
    assert '<rect x="20" y="30" width="163.9" height="22" fill="#0072b2"/>' in section
    assert '<line x1="170.0" x2="170.0"' in section
    saude = page.decode().split('data-indicator="gastossaudeponteiro"')[1].split("</section>")[0]
    assert '<rect x="20" y="30" width="82.8" height="22" fill="#b00020"/>' in saude


def test_rankings_in_rank_order_and_series_by_key(sections: Sections) -> None:
    assert sections.labels["mediaescola1a5menores"] == [
        "1º · EM Pedro Álvares", "2º · EM Cecília Meireles", "3º · EM Monteiro Lobato"]
    assert [s.split(" · ")[0] for s in sections.labels["maioresvaloresdivida"]] == [
        "1º", "2º", "3º", "4º", "5º"]
    assert sections.labels["receitarealizadaacumulada"] == ["jan", "fev", "mar", "abr", "mai",
                                                            "jun"]
    assert sections.labels["situacaofinanceira"] == ["Educação", "Recursos livres", "Saúde"]


def test_values_across_zero_draw_a_zero_line(page: bytes) -> None:
    # bars span 640 - 230 - 140 - 16 = 254 px from x=230 over [-35000,10; 250000,00]:
    # zero at 230 + 35000,10 / 285000,10 × 254 = 230 + 31,193… = 261,2
    section = page.decode().split('data-indicator="situacaofinanceira"')[1].split("</section>")[0]
    assert '<line x1="261.2" x2="261.2"' in section


def test_an_empty_indicator_and_a_long_list(page: bytes, sections: Sections) -> None:
    assert "Sem registros para o exercício 2024." in text(sections, "filaespera")
    assert "Mostrando 100 de 120 registros." in text(sections, "relacaoveiculos")
    section = page.decode().split('data-indicator="relacaoveiculos"')[1].split("</section>")[0]
    assert section.count("<tr>") == 1 + 100  # the header row and 100 rows


def test_every_indicator_once_areas_in_the_portals_order() -> None:
    infos, records = catalog()
    got = parse(render(list(reversed(infos)), records, ENTITY, EXERCICIO))
    assert [t for t in got.h2] == list(AREAS)
    ids = [a["data-indicator"] for tag, a in got.elements
           if tag == "section" and "data-indicator" in a]
    # areas in the Portal's order, each area's indicators in the order given (reversed here)
    expected = [i.id for area in AREAS for i in reversed(infos) if i.area == area]
    assert ids == expected


def test_same_bytes_whatever_the_order_of_the_records(page: bytes) -> None:
    infos, records = catalog()
    shuffled = list(records)
    random.Random(7).shuffle(shuffled)
    assert render(infos, shuffled, ENTITY, EXERCICIO) == page
    assert render(infos, sorted(records), ENTITY, EXERCICIO) == page


def test_nothing_outside_the_page(page: bytes, sections: Sections) -> None:
    body = page.decode()
    assert not re.search(r"(?i)\b(?:https?|ftp|file|data|javascript):|//|@import|url\(", body)
    hrefs = [a["href"] for tag, a in sections.elements if "href" in a]
    assert hrefs and all(h and h.startswith("#") for h in hrefs)
    assert "<script" not in body
    assert not [n for _, a in sections.elements for n in a if n.startswith("on")]
    ids = [a["id"] for _, a in sections.elements if "id" in a]
    assert len(ids) == len(set(ids))
    # every chart and section names an element that exists; every table has its headers
    refs = [a["aria-labelledby"] for _, a in sections.elements if "aria-labelledby" in a]
    assert refs and set(refs) <= set(ids)
    assert body.count("<table>") == body.count("<thead><tr><th scope=\"col\"")


def test_says_it_is_a_preview(page: bytes) -> None:
    body = page.decode()
    assert "<title>Portal do Gestor — prévia — 3170206 — exercício 2024</title>" in body
    assert "o Portal não gera relatórios" in body


def _refused(infos: list[IndicatorInfo], records: list[IndicatorRecord], what: str) -> None:
    with pytest.raises(ValueError, match=what):
        render(infos, records, ENTITY, EXERCICIO)


def test_the_callers_mistakes_are_refused() -> None:
    infos, records = catalog()
    _refused(infos, [*records, record("naoexiste", 1, ("valor", Decimal(1)))],
             "registro do indicador 'naoexiste', que não está no catálogo")
    _refused(infos, [*records, record("ipturealizado", 9, ("valor", Decimal(1)),
                                      exercicio=2023)], "é de 3170206/2023, não de 3170206/2024")
    _refused(infos, [*records, replace(records[0], entity="outra")], "não de 3170206/2024")
    _refused([*infos, infos[0]], records, "indicador 'ipturealizado' listado duas vezes")
