"""The text of a derivation's memória de cálculo (runtime/explain_derivation.py builds the
tree; the md/html formats are runtime/explain_render.py's and explain_html.py's): pt-BR, one
item per line, values as the CSV outputs show them (decimal comma, DD/MM/YYYY, sim/não)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from runtime import derivation_branches
from runtime import explain_loads
from runtime.coverage import quoted
from runtime.explain_lineage import at_text


def render_text(t: Mapping[str, Any]) -> str:
    """The memória de cálculo of one derived field as text (pt-BR)."""
    part = f" · partição {t['partition']}" if t.get("partition") is not None else ""
    out = [f"Memória de cálculo: pacote {t['package']} · derivação {t['node']}{part}",
           f"{t['title']} = {value_text(t['value'])}"]
    if t.get("rule") and t["rule"]["text"]:
        at = f" ({at_text(t['rule']['source'])})" if t["rule"]["source"] else ""
        out.append(f"  campo {t.get('field')}{at}: {t['rule']['text']}")
    if t.get("branches"):
        out.extend(derivation_branches.render(t["branches"], value_text, at_text, "  "))
    for name, text in t.get("aggregates", {}).items():
        out.append(f"  {name} = {text}")
    out.extend(explain_loads.render(t, value_text))
    for lk in t["lookups"]:
        key = ", ".join(f"{k}={value_text(v)}" for k, v in lk["key"].items())
        hit = ("sem entrada" if lk["hit"] is None
               else ", ".join(f"{k}={value_text(v)}" for k, v in lk["hit"].items()))
        at = f"  ({at_text(lk['source'])})" if lk["source"] else ""
        out.append(f"  mapa {lk['map']}[{key}] → {hit}{at}")
    _records(out, t, "  ")
    for r in t["reads"]:
        out.append(f"  ← {r['title']} = {value_text(r['value'])}")
        if r.get("rule"):
            out.append(f"      onde ({at_text(r['rule']['source'])}): {r['rule']['text']}")
        c = r.get("collection")
        if c:
            on = ", ".join(f"{k} = {value_text(v['value'])}" for k, v in c["on"].items())
            out.append(f"      chaves: {on}; ordem: {c['order']}; {c['reached']} "
                       f"alcançado(s), {c['kept']} na coleção")
        _records(out, r, "      ")
        if r["decision"]:
            out.append(f"      {r['decision']}")
        for n in r["notes"]:
            out.append(f"      nota: {n}")
    if t["decision"]:
        out.append(f"  decisão: {t['decision']}")
    for n in t["notes"]:
        out.append(f"  nota: {n}")
    return "\n".join(out) + "\n"


def _records(out: list[str], t: Mapping[str, Any], pad: str) -> None:
    if not t["records"]:
        return
    out.append(f"{pad}registros ({len(t['records'])}; arquivo:linha  contribuição  campos):")
    for r in t["records"]:
        fields = "  ".join(f"{k}={value_text(v)}" for k, v in r["fields"].items())
        got = "" if r["contributed"] is None else f"  {value_text(r['contributed'])}"
        out.append(f"{pad}  {r['source']['file']}:{r['source']['line']}{got}  {fields}")
    if t["records_sum"] is not None:
        same = ("igual ao" if _same(t["records_sum"], t["value"]) else "DIFERENTE do")
        out.append(f"{pad}soma dos {len(t['records'])} registro(s): {value_text(t['records_sum'])} "
                   f"({same} valor)")


def _same(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)) == Decimal(str(b if b is not None else 0))
    except ArithmeticError:
        return False


def value_text(v: Any) -> str:
    """A tree value as the text shows it; a text with a line break or a control character
    quoted (runtime.coverage.quoted), so one item stays one line."""
    if v is None:
        return "nulo"
    if isinstance(v, bool):
        return "sim" if v else "não"
    if isinstance(v, str) and any(ord(c) < 32 or c in "\x7f\u2028\u2029" for c in v):
        return quoted(v)
    if isinstance(v, str) and _DECIMAL.fullmatch(v):
        return v.replace(".", ",")  # the tree's exact decimal, with a decimal comma
    if isinstance(v, str) and _DATE.fullmatch(v):
        return f"{v[8:10]}/{v[5:7]}/{v[:4]}"
    return str(v)


_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]+")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
