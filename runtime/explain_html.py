"""The memória de cálculo as one self-contained HTML page (`apura explain --format html`):
no script, no network, no external CSS — the page is the file. Each contribution (an input
record, a map entry, a rule) links to its source line, and the page embeds those lines: read
from the files at their line numbers when the page is made, each under an anchor, so an
auditor sees the record itself without opening the input.

Why embed rather than link to the file: a `file://` link to line N does not exist in any
browser, and the page must survive being mailed; the lines cited are few (those the value
reads). A file that cannot be read is said so in its place. Every text goes through
`html.escape`; line text through `visible` too (control characters shown as escapes)."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime import derivation_branches
from runtime.explain_render import HOLDS
from runtime.explain_render import branch_title
from runtime.explain_render import extras
from runtime.explain_render import fields
from runtime.explain_render import visible
from runtime.explain_render import where
from runtime.explain_tree import public

CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;
color:#1d232a;background:#fbfbfa}
h1{font-size:1.35rem;margin:0 0 .3rem}h2{font-size:1.1rem;margin:1.6rem 0 .4rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
.value{font-size:1.6rem;font-weight:700;color:#0b5394}
.node{border-left:3px solid #c9d6e3;padding:.2rem 0 .2rem 1rem;margin:.8rem 0}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;margin:.4rem 0}
dt{color:#5b6770}dd{margin:0}
table{border-collapse:collapse;margin:.4rem 0;font-size:.92rem}
th,td{border:1px solid #d5dbe0;padding:.2rem .5rem;text-align:left;vertical-align:top}
th{background:#eef2f5}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.88rem}
.ok{color:#1e7b34;font-weight:600}.bad{color:#b3261e;font-weight:600}
.src tr:target{background:#fff3bf}.src td.ln{color:#5b6770;text-align:right}
.src code{white-space:pre}
pre{background:#f1f3f5;padding:.5rem;overflow:auto}
.branches tr.taken{background:#e6f4ea;font-weight:600}
"""


def _e(value: Any) -> str:
    return html.escape(visible("—" if value is None else str(value)), quote=True)


class _Sources:
    """The cited lines: (file, line) → anchor id, in first-cited order."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, int], str] = {}

    def link(self, src: dict[str, Any] | None) -> str:
        """The source as a link to its embedded line (plain text without a line)."""
        if not src:
            return "—"
        text = _e(where(src))
        line = src.get("line")
        if not isinstance(line, int) or not src.get("file"):
            return text
        key = (str(src["file"]), line)
        anchor = self.ids.setdefault(key, f"src-{len(self.ids) + 1}")
        return f'<a href="#{anchor}">{text}</a>'


def _lines(path: Path, wanted: set[int]) -> dict[int, str]:
    """The wanted lines (1-based) of a file, read up to the last one."""
    got: dict[int, str] = {}
    last = max(wanted)
    with open(path, "rb") as fh:
        for n, raw in enumerate(fh, start=1):
            if n in wanted:
                got[n] = raw.decode("utf-8", "replace").rstrip("\r\n")
            if n >= last:
                break
    return got


def _read(file: str, bases: Sequence[Path]) -> Path | None:
    p = Path(file)
    for base in ([Path()] if p.is_absolute() else bases):
        if (base / p).is_file():
            return base / p
    return None


def render(tree: dict[str, Any], bases: Sequence[Path] = (Path(),)) -> str:
    """The page of a tree; source files are looked up relative to each of `bases` (the
    working directory first: paths are as the run was given them)."""
    sources = _Sources()
    body = list(_node(tree, sources, 2))
    ok = tree.get("records_sum") is not None and tree["records_sum"] == tree.get("value")
    head = [f"<h1>Memória de cálculo: {_e(tree.get('title'))}</h1>",
            f'<p class="value">{_e(_value(tree.get("value")))}</p>']
    if tree.get("records_sum") is not None:
        cls, same = ("ok", "igual ao") if ok else ("bad", "DIFERENTE do")
        head.append(f'<p class="{cls}">soma das contribuições: {_e(tree["records_sum"])} '
                    f"({same} valor)</p>")
    out = ["<!DOCTYPE html>", '<html lang="pt-BR">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>Memória de cálculo · {_e(tree.get('address'))}</title>",
           f"<style>{CSS}</style>", "</head>", "<body>", *head, *body,
           *_embedded(sources, bases), "</body>", "</html>"]
    return "\n".join(out) + "\n"


def _value(value: Any) -> str:
    return fields(value) if isinstance(value, dict) else ("" if value is None else str(value))


def _node(tree: dict[str, Any], sources: _Sources, level: int) -> Iterator[str]:
    h = min(level, 6)
    yield '<section class="node">'
    rows = [("endereço", f"<code>{_e(tree.get('address'))}</code>"),
            ("tipo", _e(tree.get("kind"))), ("pacote", _e(tree.get("package"))),
            ("nó", _e(tree.get("node")))]
    if tree.get("partition") is not None:
        rows.append(("partição", _e(tree["partition"])))
    rows.append(("valor", f"<strong>{_e(_value(tree.get('value')))}</strong>"))
    r = tree.get("rule")
    if r:
        rows.append(("regra", f"<code>{_e(r.get('text'))}</code> "
                              f"({sources.link(r.get('source'))})"))
    if tree.get("params"):
        rows.append(("parâmetros", _e(fields(tree["params"]))))
    if tree.get("decision"):
        rows.append(("decisão", _e(tree["decision"])))
    for note in tree.get("notes") or []:
        rows.append(("nota", _e(note)))
    yield "<dl>" + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"
    if tree.get("branches"):
        yield from _branches(tree["branches"], sources, h)
    if tree.get("lookups"):
        yield f"<h{h}>Mapas consultados</h{h}>"
        yield ("<table><tr><th>mapa</th><th>chave</th><th>entrada</th><th>onde</th>"
               "<th>registros</th></tr>")
        for lk in tree["lookups"]:
            hit = "sem entrada" if lk.get("hit") is None else fields(lk["hit"])
            yield (f"<tr><td>{_e(lk.get('map'))}</td><td>{_e(fields(lk.get('key')))}</td>"
                   f"<td>{_e(hit)}</td><td>{sources.link(lk.get('source'))}</td>"
                   f'<td class="num">{_e(lk.get("records"))}</td></tr>')
        yield "</table>"
    records = tree.get("records") or []
    if records:
        yield f"<h{h}>Registros de entrada ({len(records)})</h{h}>"
        yield "<table><tr><th>arquivo:linha</th><th>contribuiu</th><th>campos</th></tr>"
        for rec in records:
            yield (f"<tr><td>{sources.link(rec.get('source'))}</td>"
                   f'<td class="num">{_e(rec.get("contributed"))}</td>'
                   f"<td>{_e(fields(rec.get('fields')))}</td></tr>")
        yield "</table>"
    if tree.get("records_sum") is not None:
        yield f"<p>soma dos registros: <strong>{_e(tree['records_sum'])}</strong></p>"
    more = extras(tree)
    scalars = {k: v for k, v in more.items() if not isinstance(v, dict | list)}
    nested = {k: v for k, v in more.items() if k not in scalars}
    if more:
        yield "<details><summary>outros campos</summary>"
        if scalars:
            yield "<dl>" + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>"
                                   for k, v in scalars.items()) + "</dl>"
        if nested:
            yield f"<pre>{_e(json.dumps(public(nested), ensure_ascii=False, indent=1))}</pre>"
        yield "</details>"
    for child in tree.get("reads") or []:
        yield f"<h{h}>← {_e(child.get('title'))}</h{h}>"
        yield from _node(child, sources, level + 1)
    yield "</section>"


def _branches(b: dict[str, Any], sources: _Sources, h: int) -> Iterator[str]:
    """The conditions of an if-chain tested, each linked to its YAML line, the taken branch
    marked (runtime/derivation_branches.py)."""
    yield f"<h{h}>{_e(branch_title(b))}</h{h}>"
    args = "arguments" in b  # a call of if-chains: a column for the argument
    yield ('<table class="branches"><tr>' + ("<th>argumento</th>" if args else "")
           + "<th>#</th><th>condição</th><th>onde</th><th>vale</th><th>ramo tomado</th></tr>")
    for r in derivation_branches.rows(b):
        arg = f"<td>{_e(r['argument'])}</td>" if args else ""
        if "skipped" in r:
            yield (f'<tr>{arg}<td></td><td colspan="4">{_e(r["skipped"])} '
                   "condição(ões) seguinte(s) não avaliada(s)</td></tr>")
            continue
        cond = "senão" if r["condition"] is None else f"<code>{_e(r['condition'])}</code>"
        holds = "" if r["condition"] is None else HOLDS[r["holds"]]
        cls = ' class="taken"' if r["taken"] else ""
        taken = (f"<code>{_e(r['then'])}</code> = <strong>{_e(r['result'])}</strong>"
                 if r["taken"] else "")
        yield (f"<tr{cls}>{arg}<td>{_e(r['n'])}</td><td>{cond}</td>"
               f"<td>{sources.link(r['source'])}</td><td>{_e(holds)}</td><td>{taken}</td></tr>")
    yield "</table>"


def _embedded(sources: _Sources, bases: Sequence[Path]) -> Iterator[str]:
    if not sources.ids:
        return
    yield "<h2>Linhas citadas</h2>"
    by_file: dict[str, dict[int, str]] = {}
    for (file, line), anchor in sources.ids.items():
        by_file.setdefault(file, {})[line] = anchor
    for file, anchors in by_file.items():
        yield f"<h3><code>{_e(file)}</code></h3>"
        path = _read(file, bases)
        try:
            text = _lines(path, set(anchors)) if path is not None else None
        except OSError:
            text = None
        if text is None:
            yield "<p>o arquivo não pôde ser lido agora.</p>"
        yield '<table class="src">'
        for line in sorted(anchors):
            shown = "(não lida)" if text is None else text.get(line, "(além do fim do arquivo)")
            yield (f'<tr id="{anchors[line]}"><td class="ln">{line}</td>'
                   f"<td><code>{_e(shown)}</code></td></tr>")
        yield "</table>"
