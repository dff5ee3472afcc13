"""The runtime of a `dictionary` node (compiler/kinds/dictionary): the data dictionary of one
consulta written as JSON and Markdown at the root of --out.

The texts are the specification document's, byte for byte: the JSON carries them as JSON
strings; the Markdown writes each on one line after a bold caption, with the characters its
syntax would read backslash-escaped (`\\ \\` * _ [ ] < > | & # ~`) — so a hostile text stays
text, and the document's own texts (which hold none of those) are written unchanged. A text is
one line with no space at either end (S2163, compile time), so nothing else needs quoting.
A `value:` shows the output column that holds the figure and its rule, for the node of the
value's group of alternatives that the run computes."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from runtime.locations import Loc

# (node, file, column, rule): the first is the one the spec names
Value = tuple[tuple[str, str, str, str], ...]

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|&#~])")


def md_text(text: str) -> str:
    """`text` (one line, no space at either end) as inline Markdown that CommonMark reads back
    as exactly `text`."""
    return _MD_SPECIAL.sub(r"\\\1", text)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    where: str
    label: str
    replaces: str | None
    tooltip: str | None
    after: str | None
    note: str | None
    value: Value
    at: Loc | None = None

    def shown_value(self, computes: Any) -> dict[str, str] | None:
        """The output column that holds the value: of the alternative the run computes (else
        of the node the spec names)."""
        if not self.value:
            return None
        node, file, column, rule = next((v for v in self.value if computes(v[0])),
                                        self.value[0])
        return {"spec": node, "arquivo": file, "coluna": column, "regra": rule}


@dataclass(frozen=True, slots=True)
class Dictionary:
    """The runtime declaration of a dictionary node (PACKAGE.nodes), written by
    compiler/kinds/dictionary/python.py."""

    id: str
    consulta: str
    description: str
    json: str
    markdown: str
    entries: tuple[Entry, ...]
    at: Loc | None = None
    alternative_of: str = ""
    depends_on: tuple[str, ...] = ()

    @property
    def sources(self) -> tuple[str, ...]:
        return ()  # it reads no ledger

    @property
    def maps(self) -> tuple[str, ...]:
        return ()

    def new_acc(self) -> dict[Any, Any]:
        return {}

    def output_files(self, ctx: Any, part: Any) -> dict[str, bytes]:
        return {}  # one dictionary per run, at the root of --out: root_files

    def root_files(self, ctx: Any, partitions: Any) -> dict[str, bytes]:
        doc = self.document(ctx.computes)
        text = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
        return {self.json: text.encode("utf-8"),
                self.markdown: self.render_markdown(doc).encode("utf-8")}

    def document(self, computes: Any) -> dict[str, Any]:
        return {
            "consulta": self.consulta,
            "descricao": self.description,
            "campos": [{"id": e.id, "onde": e.where, "rotulo": e.label,
                        "no_lugar_de": e.replaces, "tooltip": e.tooltip,
                        "coluna_depois_de": e.after, "observacao": e.note,
                        "valor": e.shown_value(computes)} for e in self.entries],
        }

    @staticmethod
    def render_markdown(doc: dict[str, Any]) -> str:
        out = [f"# Dicionário de dados — Consulta {md_text(doc['consulta'])}", ""]
        if doc["descricao"]:
            out += [md_text(doc["descricao"]), ""]
        for c in doc["campos"]:
            out += [f"## {md_text(c['rotulo'])}", "", f"- **Onde:** {md_text(c['onde'])}"]
            for key, caption in (("no_lugar_de", "No lugar de"), ("tooltip", "Tooltip"),
                                 ("coluna_depois_de", "Coluna nova, depois de"),
                                 ("observacao", "Observação")):
                if c[key] is not None:
                    out.append(f"- **{caption}:** {md_text(c[key])}")
            v = c["valor"]
            if v is not None:
                out.append(f"- **Valor:** coluna {md_text(v['coluna'])} de "
                           f"{md_text(v['arquivo'])} (spec {md_text(v['spec'])}): "
                           f"{md_text(v['regra'])}")
            out.append("")
        return "\n".join(out)
