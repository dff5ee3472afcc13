"""The renderers of the common tree (runtime/explain_render.py, runtime/explain_html.py) on a
tree of hostile text, as a ledger can hold it: markup, a table pipe, a line break, an escape
character. No text opens a tag, a link, a table cell or a new line; a kind's own keys are
shown; the cited line is embedded escaped, at its anchor; a file that cannot be read says so."""

from __future__ import annotations

from pathlib import Path

from runtime.explain_html import render
from runtime.explain_render import to_json
from runtime.explain_render import to_markdown

EVIL = '<script>alert(1)</script> | [x](http://e.vil) \n# título \x1b[31m'


def _tree(data: Path) -> dict[str, object]:
    return {
        "address": "k@1:a%3Ab", "kind": "gadget", "package": "p", "node": "k",
        "partition": "1", "title": f"valor {EVIL}", "value": "10.00",
        "rule": {"text": EVIL, "source": {"file": "spec.yaml", "line": 2, "col": 3}},
        "params": {"x": EVIL}, "decision": EVIL, "notes": [EVIL],
        "lookups": [{"map": "m", "key": {"k": EVIL}, "hit": None, "source": None,
                     "records": 1}],
        "records": [{"source": {"file": str(data), "line": 2}, "contributed": "10.00",
                     "fields": {"nome": EVIL}}],
        "records_sum": "10.00", "reads": [], "ranking": EVIL, "_text": "private"}


def test_markdown_escapes_every_text(tmp_path: Path) -> None:
    out = to_markdown(_tree(tmp_path / "d.csv"))
    assert "<script>" not in out and "[x](http" not in out and "\x1b" not in out
    assert "\n# título" not in out  # the line break is shown, not made
    # the line break and the escape shown as \n and \x1b (their backslash escaped in turn)
    assert "\\<script\\>alert(1)\\</script\\> \\| \\[x\\](http://e.vil) \\\\n\\# título " \
        "\\\\x1b\\[31m" in out
    assert "ranking" in out and "private" not in out
    # a record row is one table row of 3 cells: no pipe from the data splits it
    row = next(x for x in out.splitlines() if "d.csv:2 |" in x)
    assert row.replace("\\|", "").count("|") == 4


def test_the_page_escapes_every_text_and_embeds_the_cited_line(tmp_path: Path) -> None:
    data = tmp_path / "d.csv"
    data.write_text(f"cabecalho\n{EVIL}\n", "utf-8")
    page = render(_tree(data), [tmp_path])
    assert "<script" not in page and "\x1b" not in page and 'href="http' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    link = f'<a href="#src-2">{data}:2</a>'  # the rule's spec.yaml is src-1
    assert link in page
    assert ('<tr id="src-2"><td class="ln">2</td><td><code>&lt;script&gt;alert(1)'
            '&lt;/script&gt; | [x](http://e.vil) \\n# título \\x1b[31m</code>') not in page
    assert ('<tr id="src-2"><td class="ln">2</td><td><code>&lt;script&gt;alert(1)'
            "&lt;/script&gt; | [x](http://e.vil) </code>") in page  # the file's line 2
    assert "o arquivo não pôde ser lido agora." in page  # spec.yaml is not in tmp_path
    assert "private" not in page and "ranking" in page


def test_json_leaves_out_the_private_keys(tmp_path: Path) -> None:
    assert '"_text"' not in to_json(_tree(tmp_path / "d.csv"))
