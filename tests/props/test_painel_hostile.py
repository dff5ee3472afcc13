"""painel.html with hostile text everywhere a spec or a ledger reaches it (ids, names, areas,
verticals, systems, tables, keys, descriptions, provisional facts, field names, text values,
the entity): html.parser finds only the page's own elements and attributes, and every text
comes back whole — as written, except the characters a page cannot carry, which the test
expects as U+FFFD by its own rule (C0/C1 controls other than tab and newline, surrogates,
noncharacters)."""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from html.parser import HTMLParser

from hypothesis import given
from hypothesis import strategies as st

from runtime.portal_painel import AREAS
from runtime.portal_painel import render
from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord

TAGS = {"html", "head", "meta", "title", "style", "body", "header", "p", "h1", "h2", "h3",
        "bdi", "dl", "dt", "dd", "nav", "ul", "li", "a", "span", "main", "section", "div",
        "code", "svg", "g", "rect", "line", "text", "details", "summary", "table", "caption",
        "thead", "tbody", "tr", "th", "td", "footer"}
ATTRS = {"lang", "charset", "name", "content", "href", "class", "id", "aria-label",
         "aria-labelledby", "data-indicator", "viewbox", "width", "height", "role", "x", "y",
         "x1", "x2", "y1", "y2", "fill", "text-anchor", "scope"}
PIECES = ["</script>", "<script>alert(1)</script>", '"', "'", "<svg onload=alert(1)>", "&amp;",
          "&lt;", "]]>", "<!--", "-->", "\x00", "\x07", "\r\n", "\u202e", "\u2067", "עברית",
          "العربية", "\ufffe", "<bdi>", "</bdi>", "</section>", "javascript:", "{{ x }}", " "]
hostile = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), min_size=1,
                   max_size=4).map("".join).filter(bool)


def expected(text: str) -> str:
    """What the page must show of `text`: the test's own rule (see the module docstring)."""
    def ok(c: str) -> bool:
        cp = ord(c)
        if c in "\t\n":
            return True
        if unicodedata.category(c) in ("Cc", "Cs"):
            return False
        return not (0xFDD0 <= cp <= 0xFDEF or cp & 0xFFFE == 0xFFFE)
    return "".join(c if ok(c) else "\ufffd" for c in text)


class Seen(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: list[tuple[str, str | None]] = []
        self.data: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.extend(attrs)

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.data.append(data)

    def handle_comment(self, data: str) -> None:
        raise AssertionError(f"a comment: {data!r}")


@st.composite
def pages(draw: st.DrawFn) -> tuple[list[IndicatorInfo], list[IndicatorRecord], str,
                                    list[str]]:
    """1–3 indicators of hostile text with 0–3 records each (text and money fields under
    hostile names); returns the texts that must come back whole."""
    ids = draw(st.lists(hostile, min_size=1, max_size=3, unique=True))
    entity = draw(hostile)
    infos, records, texts = [], [], [entity]
    for n, id_ in enumerate(ids):
        words = [draw(hostile) for _ in range(6)]
        area = draw(st.one_of(st.sampled_from(AREAS), hostile))
        provisional = tuple(draw(st.lists(hostile, max_size=2)))
        infos.append(IndicatorInfo(id_, area, *words, provisional=provisional))
        texts += [id_, area, *words, *provisional]
        names = draw(st.lists(hostile.filter(lambda s: s != "exercicio"), min_size=2,
                              max_size=3, unique=True))
        count = draw(st.integers(0, 3))
        texts += names if count else []  # the fields show in the records' views
        for r in range(count):
            value = draw(hostile)
            texts.append(value)
            content = ((names[0], value),
                       *((name, Decimal(draw(st.integers(-10**6, 10**6))) / 100)
                         for name in names[1:]))
            records.append(IndicatorRecord(id_, entity, 2024, f"r{n}x{r}", content))
    return infos, records, entity, texts


@given(pages())
def test_hostile_text_stays_text(case: tuple[list[IndicatorInfo], list[IndicatorRecord], str,
                                             list[str]]) -> None:
    infos, records, entity, texts = case
    seen = Seen()
    seen.feed(render(infos, records, entity, 2024).decode("utf-8"))
    seen.close()
    assert seen.tags <= TAGS, seen.tags - TAGS
    assert {name for name, _ in seen.attrs} <= ATTRS
    assert all(v is not None and v.startswith("#") for n, v in seen.attrs if n == "href")
    assert [v for n, v in seen.attrs if n == "data-indicator"] == [
        expected(i.id) for area in (*AREAS, *sorted({i.area for i in infos} - set(AREAS)))
        for i in infos if i.area == area]
    chunks = set(seen.data)
    joined = "\x00".join(seen.data)
    for text in texts:
        # whole in an element of its own, or (the provisional facts) within one
        assert expected(text) in chunks or expected(text) in joined, text
