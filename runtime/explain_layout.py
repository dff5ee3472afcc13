"""The `layout` kind's explainer for `apura explain ADDRESS` (runtime/explain_registry.py):
`NODE@PARTITION:ROW[:COLUMN]` (COLUMN V0 when left out) is explained by runtime/trace.py, as
`--layout/--row/--column` always were, and turned into the common tree
(runtime/explain_tree.py).

The tree keeps every key of `Explanation.to_dict()` but two whose meaning the common tree
fixes: the row's kind (rule, otherwise, total, values) is `row_kind`, and a rule row's
condition is `row_rule` (`kind` is `layout`; `rule` is {text, source}). Its `records` are all
the input records under the value (through totalizers and a value row that is one cell), so
their `contributed` add up to `records_sum`; totalizers' member rows and the cells a value
row reads are `reads`. The text is `Explanation.render()`, byte for byte (`_text`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runtime.explain_address import address
from runtime.explain_tree import complete
from runtime.explain_tree import derived_notes
from runtime.explain_tree import derived_used
from runtime.explain_tree import distinct
from runtime.explain_tree import lookups
from runtime.explain_tree import rule
from runtime.explain_tree import source
from runtime.trace import ExplainError
from runtime.trace import Explanation
from runtime.trace import Record
from runtime.trace import json_value
from runtime.trace import show_value


def cell(locator: tuple[str, ...]) -> tuple[str, str]:
    """(row ref, column id) of a layout locator; ExplainError when it has not 1 or 2 parts."""
    if len(locator) not in (1, 2) or not locator[0]:
        raise ExplainError("o endereço de uma célula de layout é NÓ@PARTIÇÃO:LINHA[:COLUNA] "
                           f"(recebeu {len(locator)} parte(s) depois do nó)",
                           option="ENDEREÇO", help="ex.: covid/77@3170206:9999999028:V1")
    return locator[0], locator[1] if len(locator) == 2 else "V0"


def explain(program: Any, ledgers: Mapping[str, Any], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False) -> dict[str, Any]:
    """The tree of one layout cell (a traced run of the layout and what it reads)."""
    from runtime.trace import explain as explain_cell

    ref, column = cell(locator)
    exp = explain_cell(program, ledgers, params, node, part, ref, column, sheet=None,
                       allow_rejects=allow_rejects, allow_unconfirmed=allow_unconfirmed,
                       allow_gaps=allow_gaps)
    assert isinstance(exp, Explanation)
    return tree(exp)


def tree(exp: Explanation) -> dict[str, Any]:
    """The common tree of an explanation, with its text (`_text`) and its JSON as
    `--layout ... --format json` prints it (`_legacy`), and the rows rejected (`_rejects`)."""
    out = _node(exp)
    legacy = exp.to_dict()
    for key in ("partition_field", "all_records", "rejected_rows"):
        out[key] = legacy[key]
    out.update({"_text": exp.render(), "_legacy": legacy, "_rejects": exp.rejects})
    return out


def _record(rec: Record, sums: bool) -> dict[str, Any]:
    return {**rec.to_dict(), "source": {"file": rec.file, "line": rec.line},
            "contributed": json_value(rec.amount) if sums else None, "fields": {}}


def _node(exp: Explanation) -> dict[str, Any]:
    lay, r = exp.layout, exp.layout.rows[exp.row]
    col = lay.columns[exp.column]
    legacy = exp._node()
    row_kind, row_rule = legacy.pop("kind"), legacy.pop("rule", None)
    total = exp.records_sum()
    records = exp.all_records()
    notes = []
    if lay.filter:
        notes.append(f"filtro do layout{f' ({lay.filter_at})' if lay.filter_at else ''}: "
                     f"{lay.filter}")
    derived: list[dict[str, Any]] = []
    if r.kind in ("rule", "otherwise"):
        notes.append(f"coluna {col.id}{f' ({col.at})' if col.at else ''}: {col.value}")
        led = exp.package.ledger(lay.source) if lay.source else None
        derived = derived_used(led, [lay.filter, col.value, r.rule if r.kind == "rule" else ""])
        notes.extend(derived_notes(derived))
    if r.kind == "rule":
        what = rule(r.rule, r.at)
    elif r.kind == "otherwise":
        what = rule("otherwise: os registros do layout que não casaram com nenhuma outra "
                    "linha", r.at)
    elif r.kind == "total":
        refs = ", ".join(lay.rows[j].ref for j in r.total_of)
        what = rule(f"soma das linhas {refs}", r.at)
    else:
        what = rule(f"{col.id} = {exp.expression or '0'}", r.at)
    decision = (f"hit_policy {lay.hit_policy}: cada registro da fonte '{lay.source}' vai "
                "para a linha que a política escolhe" if r.kind in ("rule", "otherwise")
                else None)
    out: dict[str, Any] = {
        "address": address(lay.id, exp.part, r.ref, col.id), "kind": "layout",
        "package": exp.package.id, "node": lay.id, "partition": json_value(exp.part),
        "title": exp._title(), "value": json_value(exp.value), "rule": what,
        "params": {k: json_value(v) for k, v in sorted(exp.params.items())},
        "lookups": lookups(distinct(rec.lookups for rec in records)),
        "decision": decision,
        "records": [_record(rec, total is not None) for rec in records],
        "records_sum": None if total is None else json_value(total),
        "reads": [_node(m) for m in (*exp.members, *exp.sources)],
        "notes": notes, "row_kind": row_kind, "row_rule": row_rule,
        "layout_at": source(lay.at), "column_at": source(col.at), "derived": derived}
    for key, value in legacy.items():
        if key not in ("records",):
            out.setdefault(key, value)
    if r.kind in ("rule", "otherwise"):
        out["direct_records"] = len(exp.records)
    return complete(out)


def render_text(tree: dict[str, Any]) -> str:
    """The text `--layout ...` prints (Explanation.render()), or, for a tree without it (a
    child), its title and value."""
    text = tree.get("_text")
    if isinstance(text, str):
        return text
    return f"{tree['title']} = {show_value(tree['value'])}\n"


def addresses(program: Any, result: Any, ctx: Any, node: Any) -> Any:
    """The addresses of the layout's written cells (runtime/explain_list.py)."""
    from runtime.explain_list import layout_addresses

    return layout_addresses(result, node)
