"""The memória de cálculo as JSON and Markdown, from the common tree (runtime/explain_tree.py)
alone, for every kind: the common keys in a fixed shape, a kind's own keys generically
(scalars as a list, the rest as JSON). The HTML page is runtime/explain_html.py.

Every text from a spec or a ledger goes through `md` (Markdown's special characters escaped,
line breaks and other control characters shown as `\\n`, `\\x1b`), so a field cannot open a
link, a table cell or a heading."""

from __future__ import annotations

import json
import re
from typing import Any

from runtime import derivation_branches
from runtime.explain_tree import COMMON
from runtime.explain_tree import public

_MD = re.compile(r"([\\`*_\[\]<>|#~])")


def to_json(tree: dict[str, Any]) -> str:
    return json.dumps(public(tree), ensure_ascii=False, indent=2) + "\n"


def visible(text: str) -> str:
    """Control characters (line breaks, escapes) as Python-like escapes, one line."""
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape")
                   .decode("ascii") for ch in text)


def md(value: Any) -> str:
    """A value as Markdown text (escaped)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    return _MD.sub(r"\\\1", visible(str(value)))


def where(src: dict[str, Any] | None) -> str:
    """`file:line[:col]` of a source, or ''."""
    if not src:
        return ""
    parts = [str(src.get("file", "")), *(str(src[k]) for k in ("line", "col")
                                          if src.get(k) is not None)]
    return ":".join(parts)


def scalar(value: Any) -> str:
    """A JSON value as the text explain shows (true/false/null as JSON writes them)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    return str(value)


def fields(values: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={scalar(v)}" for k, v in (values or {}).items())


def extras(tree: dict[str, Any]) -> dict[str, Any]:
    """The kind's own keys (neither common nor private, nor `branches`: shown as a table)."""
    return {k: v for k, v in tree.items()
            if k not in COMMON and k != "branches" and not k.startswith("_")}


HOLDS = {True: "verdadeiro", False: "falso", None: "nulo"}


def branch_title(b: dict[str, Any]) -> str:
    """The heading of a tree's `branches` (runtime/derivation_branches.py)."""
    if "arguments" in b:
        return f"Argumentos if de {b['call']} ({b['field']})"
    return f"Ramos do if ({b['field']}): as condições na ordem, um nulo não é verdadeiro"


def _md_branches(b: dict[str, Any], h: str) -> list[str]:
    args = "arguments" in b  # a call of if-chains: a column for the argument
    out = [f"{h} {md(branch_title(b))}", "",
           ("| argumento " if args else "") + "| # | condição | onde | vale | ramo tomado |",
           ("|---" if args else "") + "|---|---|---|---|---|"]
    for r in derivation_branches.rows(b):
        arg = f"| {md(r['argument'])} " if args else ""
        if "skipped" in r:
            out.append(f"{arg}| | {md(r['skipped'])} condição(ões) seguinte(s) não "
                       "avaliada(s) | | | |")
            continue
        cond = "senão" if r["condition"] is None else f"`{md(r['condition'])}`"
        holds = "" if r["condition"] is None else HOLDS[r["holds"]]
        taken = f"**{md(r['then'])}** = {md(r['result'])}" if r["taken"] else ""
        out.append(f"{arg}| {md(r['n'])} | {cond} | {md(where(r['source']))} | {holds} "
                   f"| {taken} |")
    return [*out, ""]


def to_markdown(tree: dict[str, Any]) -> str:
    out = [f"# Memória de cálculo: {md(tree.get('title'))}", ""]
    _md_node(tree, out, 2)
    return "\n".join(out).rstrip("\n") + "\n"


def _md_node(tree: dict[str, Any], out: list[str], level: int) -> None:
    h = "#" * min(level, 6)
    out += [f"- endereço: {md(tree.get('address'))}",
            f"- tipo: {md(tree.get('kind'))} · pacote {md(tree.get('package'))} · nó "
            f"{md(tree.get('node'))}" + (f" · partição {md(tree['partition'])}"
                                         if tree.get("partition") is not None else ""),
            f"- valor: **{md(_value(tree.get('value')))}**"]
    r = tree.get("rule")
    if r:
        at = where(r.get("source"))
        out.append(f"- regra{f' ({md(at)})' if at else ''}: {md(r.get('text'))}")
    if tree.get("params"):
        out.append("- parâmetros: " + md(fields(tree["params"])))
    if tree.get("decision"):
        out.append(f"- decisão: {md(tree['decision'])}")
    out.extend(f"- {md(n)}" for n in tree.get("notes") or [])
    out.append("")
    if tree.get("branches"):
        out += _md_branches(tree["branches"], h)
    if tree.get("lookups"):
        out += [f"{h} Mapas consultados", "", "| mapa | chave | entrada | onde | registros |",
                "|---|---|---|---|---|"]
        for lk in tree["lookups"]:
            hit = "sem entrada" if lk.get("hit") is None else fields(lk["hit"])
            out.append(f"| {md(lk.get('map'))} | {md(fields(lk.get('key')))} | {md(hit)} | "
                       f"{md(where(lk.get('source')))} | {md(lk.get('records'))} |")
        out.append("")
    records = tree.get("records") or []
    if records:
        out += [f"{h} Registros de entrada ({len(records)})", "",
                "| arquivo:linha | contribuiu | campos |", "|---|---:|---|"]
        for rec in records:
            out.append(f"| {md(where(rec.get('source')))} | {md(rec.get('contributed'))} | "
                       f"{md(fields(rec.get('fields')))} |")
        out.append("")
    if tree.get("records_sum") is not None:
        same = "igual ao" if tree["records_sum"] == tree.get("value") else "DIFERENTE do"
        out += [f"Soma dos registros: **{md(tree['records_sum'])}** ({same} valor)", ""]
    more = extras(tree)
    if more:
        out += [f"{h} Outros campos ({md(tree.get('kind'))})", ""]
        nested = {k: v for k, v in more.items() if isinstance(v, dict | list)}
        out.extend(f"- {md(k)}: {md(v)}" for k, v in more.items() if k not in nested)
        if nested:
            out += ["", "```json", json.dumps(public(nested), ensure_ascii=False,
                                              indent=2).replace("```", "` ` `"), "```"]
        out.append("")
    for child in tree.get("reads") or []:
        out += [f"{h} ← {md(child.get('title'))}", ""]
        _md_node(child, out, level + 1)


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return fields(value)
    return "" if value is None else str(value)
