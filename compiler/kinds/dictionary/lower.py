"""A DictionarySpec → ir.Dictionary, with the compile-time checks, each at its position: an
entry id written twice (S2160); a `value:` that names no derivation of the package or no
column of its output (S2161, with a did-you-mean); an output name that is no plain file name
(S0502), or that another dictionary or derivation writes too, compared case-insensitively
(S2162); a text with a control character or a line break, or a space at either end (S2163).

The texts are not parsed nor normalized: they are what the analyst copied from the
specification document, and the outputs carry them byte for byte (the Markdown escapes what
its syntax would read, runtime/dictionary.py)."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from compiler import catalog
from compiler import ir
from compiler import specs
from compiler.chars import first_unsafe
from compiler.kinds.dictionary.spec import DictionarySpec
from compiler.kinds.dictionary.spec import EntrySpec
from compiler.outputs_check import file_name_problem
from compiler.source import Span

if TYPE_CHECKING:
    from compiler.lower import Lowerer


def _opt(t: specs.Text | None) -> str | None:
    return None if t is None else t.value


class _Lowering:
    def declare(self, lw: Lowerer, specs_: Sequence[specs.SpecBase]) -> None:
        return None  # nothing reads a dictionary

    def lower(self, lw: Lowerer, spec: specs.SpecBase) -> ir.Dictionary | None:
        assert isinstance(spec, DictionarySpec)
        before = sum(d.is_error for d in lw.diags)
        seen: dict[str, Span] = {}
        entries = []
        self._text(lw, spec.consulta, "consulta")
        for e in spec.entries:
            for what in ("where", "label", "replaces", "tooltip", "after", "note"):
                got = getattr(e, what)
                if got is not None:
                    self._text(lw, got, f"{what} de '{e.id.value}'")
            if e.id.value in seen:
                lw.diags.append(catalog.dictionary_repeated(e.id.span, entry=e.id.value,
                                                            first=seen[e.id.value]))
            seen.setdefault(e.id.value, e.id.span)
            entries.append(ir.Entry(
                id=e.id.value, where=e.where.value, label=e.label.value,
                replaces=_opt(e.replaces), tooltip=_opt(e.tooltip), after=_opt(e.after),
                note=_opt(e.note), value=self._value(lw, e), span=e.span))
        for name in (spec.json, spec.markdown):
            reason = file_name_problem(name.value)
            if reason is not None:
                lw.diags.append(catalog.bad_output_file(name.span, name=name.value,
                                                        reason=reason))
        if sum(d.is_error for d in lw.diags) > before:
            return None
        return ir.Dictionary(id=spec.id, consulta=spec.consulta.value,
                             description=spec.description, entries=tuple(entries),
                             json=spec.json.value, markdown=spec.markdown.value, span=spec.span,
                             file_spans=(spec.json.span, spec.markdown.span))

    @staticmethod
    def _text(lw: Lowerer, t: specs.Text, what: str) -> None:
        bad = first_unsafe(t.value)
        if bad is not None:
            lw.diags.append(catalog.dictionary_text(
                t.span, what=what, problem=f"tem um caractere de controle ou quebra de linha "
                f"(U+{ord(t.value[bad]):04X}, caractere {bad + 1})"))
        elif t.value != t.value.strip():
            lw.diags.append(catalog.dictionary_text(t.span, what=what,
                                                    problem="tem espaço no começo ou no fim"))

    def _value(self, lw: Lowerer, e: EntrySpec) -> tuple[tuple[str, str, str, str], ...]:
        """`<derivation>.<column>` → (node, file, column, rule) for the node and each of its
        alternatives that has the column (the run shows the one it computes)."""
        if e.value is None:
            return ()
        node_id, _, column = e.value.value.rpartition(".")
        nodes = {n.id: n for n in lw.nodes.values() if isinstance(n, ir.Derivation)}
        node = nodes.get(node_id)
        if node is None:
            near = difflib.get_close_matches(node_id, list(nodes), n=1)
            lw.diags.append(catalog.dictionary_value(
                e.value.span, problem=f"'{node_id}' não é uma derivation deste pacote",
                hint=f"você quis dizer '{near[0]}'?" if near else
                "value: <id da derivation>.<coluna da saída dela>"))
            return ()
        if column not in node.columns:
            near = difflib.get_close_matches(column, list(node.columns), n=1)
            lw.diags.append(catalog.dictionary_value(
                e.value.span, problem=f"a saída de '{node_id}' ({node.file}) não tem a coluna "
                f"'{column}'", hint=f"você quis dizer '{near[0]}'?" if near else
                f"as colunas são: {', '.join(node.columns)}"))
            return ()
        group = [n for n in nodes.values() if n is node or (
            node.alternative_of and n.alternative_of == node.alternative_of)]
        out = []
        for n in sorted(group, key=lambda n: (n is not node, n.id)):
            if column in n.columns:
                rule = next((f.text for f in n.fields if f.name == column), column)
                out.append((n.id, n.file, column, rule))
        return tuple(out)

    def finish(self, lw: Lowerer, nodes: Sequence[ir.PlanNode]) -> None:
        """S2162: no two root files of the dictionaries and derivations share a name."""
        written: dict[str, tuple[str, str, Span]] = {}
        for n in lw.nodes.values():
            if isinstance(n, ir.Derivation):
                written.setdefault(n.file.casefold(), (n.file, n.id, n.file_span or n.span))
        for d in nodes:
            assert isinstance(d, ir.Dictionary)
            for name, span in zip((d.json, d.markdown), d.file_spans, strict=True):
                got = written.get(name.casefold())
                if got is not None:
                    lw.diags.append(catalog.dictionary_same_file(span, file=name, other=got[1],
                                                                 first=got[2]))
                else:
                    written[name.casefold()] = (name, d.id, span)


PART = _Lowering()
