"""`extends:` merges what it says (compiler/extends.py), checked against a model of the rules.

* A child that states nothing but its id is its parent: the built spec is equal, field by field,
  apart from the id and where the child's own keys are (every inherited span is the parent's).
* A random edit — rows removed, rows overridden (label only), rows added at the end or
  `before:`/`after:` another, a removed row stated again — gives the rows the model predicts, in
  order, each with the span of the file that set its label; a chain of two children composes.
"""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from compiler import extends
from compiler import package
from compiler import specs
from compiler.diagnostics import Diagnostic
from compiler.source import SourceFile

HEAD = """kind: layout
id: {id}
planilha: 1
source: despesa
output: {{format: impt, file: q.IMPT}}
columns:
  - {{id: V0, code: 1, label: Valor, value: sum(valor)}}
rows:
"""


def _row(ref: str, label: str) -> str:
    return f'  - {{ref: "{ref}", record_id: "1{ref}", label: "{label}", rule: x == {ref}}}\n'


def _load(files: dict[str, str]) -> tuple[dict[str, specs.LayoutSpec], list[Diagnostic]]:
    diags: list[Diagnostic] = []
    parsed = []
    for path, text in files.items():
        one = package.parse_spec(SourceFile.from_text(path, text), diags)
        assert one is not None, diags
        parsed.append(one)
    out = {}
    for one in extends.resolve(parsed, diags):
        spec = package.build_spec(one, diags)
        assert isinstance(spec, specs.LayoutSpec), diags
        out[spec.id] = spec
    return out, diags


Added = list[tuple[str, str, str | None]]
Edit = tuple[list[str], list[str], dict[str, str], Added]

REFS = st.lists(st.integers(10, 99).map(str), min_size=1, max_size=8, unique=True)


@given(REFS)
def test_a_child_without_changes_is_its_parent(refs: list[str]) -> None:
    parent = HEAD.format(id="p") + "".join(_row(r, f"L{r}") for r in refs)
    got, diags = _load({"p.yaml": parent, "c.yaml": "kind: layout\nid: c\nextends: p\n"})
    assert diags == []
    p, c = got["p"], got["c"]
    assert c.src.path == "c.yaml" and c.id_span.file == "c.yaml"
    same = dataclasses.replace(c, id=p.id, id_span=p.id_span, src=p.src, span=p.span)
    assert same == p


@st.composite
def edits(draw: st.DrawFn) -> Edit:
    """(parent refs, removed, overridden ref → new label, added (ref, where, anchor))."""
    refs = draw(REFS)
    removed = draw(st.lists(st.sampled_from(refs), unique=True, max_size=len(refs) - 1))
    kept = [r for r in refs if r not in removed]
    overridden = draw(st.dictionaries(st.sampled_from(kept), st.just("novo"), max_size=3))
    new_refs = draw(st.lists(st.integers(100, 199).map(str), unique=True, max_size=3))
    # a removed row stated again is a new row (not merged with the removed one)
    new_refs += draw(st.lists(st.sampled_from(removed), unique=True, max_size=1)) if removed \
        else []
    added = []
    for ref in new_refs:
        where = draw(st.sampled_from(["end", "before", "after"]))
        anchors = kept + [a for a, _, _ in added]
        added.append((ref, where, None if where == "end" else draw(st.sampled_from(anchors))))
    return refs, removed, overridden, added


def _model(refs: list[str], removed: list[str], overridden: dict[str, str],
           added: Added) -> list[tuple[str, str]]:
    rows = [(r, overridden.get(r, f"L{r}")) for r in refs if r not in removed]
    for ref, where, anchor in added:
        if anchor is None:
            rows.append((ref, f"N{ref}"))
        else:
            at = [r for r, _ in rows].index(anchor) + (where == "after")
            rows.insert(at, (ref, f"N{ref}"))
    return rows


def _child(cid: str, parent: str, removed: list[str], overridden: dict[str, str],
           added: Added) -> str:
    text = f"kind: layout\nid: {cid}\nextends: {parent}\n"
    if removed:
        text += "remove: {rows: [" + ", ".join(f'"{r}"' for r in removed) + "]}\n"
    items = [f'  - {{ref: "{r}", label: "{label}"}}\n' for r, label in overridden.items()]
    for ref, where, anchor in added:
        pos = "" if anchor is None else f', {where}: "{anchor}"'
        items.append(f'  - {{ref: "{ref}", record_id: "1{ref}", label: "N{ref}", '
                     f"rule: x == {ref}{pos}}}\n")
    return text + ("rows:\n" + "".join(items) if items else "")


@given(edits())
def test_removals_overrides_and_additions_land_where_the_rules_say(edit: Edit) -> None:
    refs, removed, overridden, added = edit
    parent = HEAD.format(id="p") + "".join(_row(r, f"L{r}") for r in refs)
    child = _child("c", "p", removed, overridden, added)
    got, diags = _load({"p.yaml": parent, "c.yaml": child})
    assert diags == []
    rows = got["c"].rows
    assert [(r.ref.value, r.label) for r in rows] == _model(refs, removed, overridden, added)
    for r in rows:
        new, over = r.label.startswith("N"), r.ref.value in overridden
        # a row the child states is the child's; the values it does not state, the parent's;
        # a row whose label alone changes keeps the parent's position (its rule is there)
        assert r.ref.span.file == ("c.yaml" if new or over else "p.yaml")
        assert r.span.file == ("c.yaml" if new else "p.yaml")
        assert r.rule is not None
        assert r.record_id.span.file == r.rule.span.file == ("c.yaml" if new else "p.yaml")
    assert got["p"].rows == tuple(_load({"p.yaml": parent})[0]["p"].rows)


@given(edits(), st.sampled_from(["g1", "g2"]))
def test_a_chain_composes(edit: Edit, label: str) -> None:
    """p ← c ← g: g overriding c's first row's label gives c's rows with that one label."""
    refs, removed, overridden, added = edit
    parent = HEAD.format(id="p") + "".join(_row(r, f"L{r}") for r in refs)
    child = _child("c", "p", removed, overridden, added)
    first = _model(refs, removed, overridden, added)[0][0]
    grand = f'kind: layout\nid: g\nextends: c\nrows:\n  - {{ref: "{first}", label: {label}}}\n'
    # files in an order where the grandchild comes first: resolution follows `extends`
    got, diags = _load({"a.yaml": grand, "p.yaml": parent, "c.yaml": child})
    assert diags == []
    want = [(r, label if r == first else lab) for r, lab in _model(refs, removed, overridden,
                                                                    added)]
    assert [(r.ref.value, r.label) for r in got["g"].rows] == want
    assert got["g"].rows[1:] == got["c"].rows[1:]
