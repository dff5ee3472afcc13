"""Hostile text in every text slot of a `dictionary` spec (the consulta, an entry's where,
label, replaced label, tooltip, column and note, the output names): refused with a positioned
diagnostic, or compiled into a module that loads and writes exactly the two declared files,
the same on python and duckdb, whose JSON holds the text exactly and whose Markdown a
CommonMark reader (markdown-it-py) reads back as the text exactly — the heading, and each
caption's line item.

Cost: check + compile in-process (~0.2 s), both back ends in-process; max_examples 40."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import event
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

import compiler
import runtime
from tests.buildkit import write_files
from tests.props.test_hostile_specs import assert_positioned
from tests.props.test_hostile_specs import hostile
from tests.props.test_hostile_specs import yaml_str

PACKAGE = "kind: package\nid: hostil\nparams: {}\n"
SPEC = """kind: dictionary
id: dicionario
consulta: {CONSULTA}
entries:
  - id: campo
    where: {WHERE}
    label: {LABEL}
    replaces: {REPLACES}
    tooltip: {TOOLTIP}
    after: {AFTER}
    note: {NOTE}
output: {{json: {JSON}, markdown: {MD}}}
"""
BENIGN = {"CONSULTA": "c", "WHERE": "w", "LABEL": "l", "REPLACES": "r", "TOOLTIP": "t",
          "AFTER": "a", "NOTE": "n", "JSON": "d.json", "MD": "d.md"}
# the JSON key and the Markdown caption of each slot
SHOWN = {"WHERE": ("onde", "Onde"), "REPLACES": ("no_lugar_de", "No lugar de"),
         "TOOLTIP": ("tooltip", "Tooltip"), "AFTER": ("coluna_depois_de",
                                                      "Coluna nova, depois de"),
         "NOTE": ("observacao", "Observação")}
texts = st.one_of(hostile, st.text(min_size=1, max_size=12))


def _inline_texts(md: str) -> tuple[list[str], dict[str, str]]:
    """The headings' text, and each list item's text by its bold caption, as CommonMark reads
    them (the inline children's text content)."""
    def text_of(inline) -> str:  # type: ignore[no-untyped-def]
        return "".join(c.content for c in inline.children
                       if c.type in ("text", "code_inline", "html_inline"))
    tokens = MarkdownIt("commonmark").parse(md)
    headings, items = [], {}
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            headings.append(text_of(tokens[i + 1]))
        kids = [c for c in tok.children or () if not (c.type == "text" and not c.content)]
        if tok.type == "inline" and kids and kids[0].type == "strong_open":
            caption = kids[1].content  # "Onde:"
            items[caption.removesuffix(":")] = text_of(tok).removeprefix(caption + " ")
    return headings, items


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(sorted(BENIGN)), texts)
def test_hostile_text_is_refused_or_written_exactly(slot: str, text: str) -> None:
    values = {**BENIGN, slot: text}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        specs = t / "specs"
        specs.mkdir()
        (specs / "package.yaml").write_text(PACKAGE, "utf-8")
        (specs / "dicionario.yaml").write_text(
            SPEC.format(**{k: yaml_str(v) for k, v in values.items()}), "utf-8")
        result = compiler.compile_package(specs, base=t)
        if result.errors:
            event("refused")
            assert_positioned(result)
            return
        event("compiled")
        program = runtime.load(write_files(result, t / "gen" / "hostil"))
        outs = [program.run(ledgers={}, params={}, backend=b).outputs
                for b in ("python", "duckdb")]
        assert outs[0] == outs[1]
        assert sorted(outs[0]) == sorted({values["JSON"], values["MD"]})
        doc = json.loads(outs[0][values["JSON"]])
        entry = doc["campos"][0]
        assert doc["consulta"] == values["CONSULTA"]
        assert entry["rotulo"] == values["LABEL"]
        headings, items = _inline_texts(outs[0][values["MD"]].decode("utf-8"))
        assert headings == [f"Dicionário de dados — Consulta {values['CONSULTA']}",
                            values["LABEL"]]
        for key, (field, caption) in SHOWN.items():
            assert entry[field] == values[key]
            assert items[caption] == values[key], (caption, items)
