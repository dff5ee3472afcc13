"""The `sheets` kind's explainer for `apura explain ADDRESS` (runtime/explain_registry.py):
`NODE@PARTITION:PLANILHA:ROW[:COLUMN]` (PLANILHA its code or file name, ROW the row key with
the mask or without, COLUMN V0 when left out) is explained by runtime/sheet_explain.py, as
`--layout --sheet --row --column` always were, and turned into the common tree.

The tree keeps every key of `SheetExplanation.to_dict()` and adds the common ones: `rule` is
the column's aggregate (or formula) with its YAML position; `records` carry `source` and
`contributed` (a formula's records: what each added through every term, with the term's sign,
so they add up to `records_sum`); a formula's terms are `reads`. The text is
`SheetExplanation.render()`, byte for byte (`_text`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from runtime.explain_address import address
from runtime.explain_tree import complete
from runtime.explain_tree import derived_notes
from runtime.explain_tree import derived_used
from runtime.explain_tree import distinct
from runtime.explain_tree import lookups
from runtime.explain_tree import rule
from runtime.sheet_explain import SheetExplanation
from runtime.trace import ExplainError
from runtime.trace import json_value
from runtime.trace import show_value

_SUMS = ("sum", "count")


def cell(locator: tuple[str, ...]) -> tuple[str, str, str]:
    """(planilha, row key, column id) of a sheets locator; ExplainError otherwise."""
    if len(locator) not in (2, 3) or not locator[0] or not locator[1]:
        raise ExplainError("o endereço de uma célula de um nó sheets é "
                           "NÓ@PARTIÇÃO:PLANILHA:LINHA[:COLUNA] (recebeu "
                           f"{len(locator)} parte(s) depois do nó)", option="ENDEREÇO",
                           help="ex.: despesa/execucao@3170206:4_12:3.3.90.30.99.00:V2")
    return locator[0], locator[1], locator[2] if len(locator) == 3 else "V0"


def explain(program: Any, ledgers: Mapping[str, Any], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False) -> dict[str, Any]:
    """The tree of one value of a planilha line (a traced run of the node)."""
    from runtime.trace import explain as explain_cell

    sheet, ref, column = cell(locator)
    exp = explain_cell(program, ledgers, params, node, part, ref, column, sheet=sheet,
                       allow_rejects=allow_rejects, allow_unconfirmed=allow_unconfirmed,
                       allow_gaps=allow_gaps)
    assert isinstance(exp, SheetExplanation)
    return tree(exp)


def tree(exp: SheetExplanation) -> dict[str, Any]:
    """The common tree, with the text (`_text`), the JSON of `--format json` with the options
    (`_legacy`) and the rows rejected (`_rejects`)."""
    out = _node(exp)
    legacy = exp.to_dict()
    for key in ("partition_field", "all_records", "rejected_rows"):
        out[key] = legacy[key]
    out.update({"_text": exp.render(), "_legacy": legacy, "_rejects": exp.rejects})
    return out


def _contributions(exp: SheetExplanation) -> dict[tuple[str, int], Decimal]:
    """What each input record added to the value: its amount, or through a formula's terms
    with their signs (a record in two terms adds both)."""
    if not exp.is_formula:
        return {(r.file, r.line): r.amount for r in exp.records if r.amount is not None}
    out: dict[tuple[str, int], Decimal] = {}
    for sign, t in exp.terms:
        for at, amount in _contributions(t).items():
            out[at] = out.get(at, Decimal(0)) + sign * amount
    return out


def _node(exp: SheetExplanation) -> dict[str, Any]:
    c = exp.node.columns[exp.column]
    legacy = exp._node()
    notes: list[str] = []
    derived: list[dict[str, Any]] = []
    if exp.is_formula:
        at = exp.node.columns_at[exp.column] if exp.node.columns_at else None
        what = rule(c.value, at)
        decision = None
    else:
        src = exp.source
        assert src is not None
        _, text, at, _ = exp._value_decl()
        what = rule(text, at)
        decision = (f"parte {exp.part_index + 1} de {len(exp.node.parts)}: fonte "
                    f"'{src.source}'")
        if src.filter:
            notes.append(f"filtro da parte{f' ({src.filter_at})' if src.filter_at else ''}: "
                         f"{src.filter}")
        notes.append("planilha: " + " _ ".join(
            t + (f" ({a})" if a else "") for t, a in zip(src.sheet, src.sheet_at,
                                                          strict=True)))
        notes.append(f"linha{f' ({src.row_at})' if src.row_at else ''}: {src.row}")
        led = exp.package.ledger(src.source)
        derived = derived_used(led, [src.filter, *src.sheet, src.row, text])
        notes.extend(derived_notes(derived))
    if not exp.written:
        notes.append("linha não escrita: todos os valores são zero")
    sums = c.func in _SUMS or exp.is_formula
    added = _contributions(exp)
    records = []
    for rec in exp.all_records():
        got = added.get((rec.file, rec.line), Decimal(0)) if sums else None
        records.append({**rec.to_dict(), "source": {"file": rec.file, "line": rec.line},
                        "contributed": json_value(got)})
    total = exp.records_sum()
    out: dict[str, Any] = {
        "address": address(exp.node.id, exp.part, exp.code, exp.masked_key, c.id),
        "kind": "sheets", "package": exp.package.id, "node": exp.node.id,
        "partition": json_value(exp.part), "title": exp._title(),
        "value": json_value(exp.value), "rule": what,
        "params": {k: json_value(v) for k, v in sorted(exp.params.items())},
        "lookups": lookups(distinct((*r.sheet_lookups, *r.row_lookups)
                                    for r in exp.all_records())),
        "decision": decision, "records": records,
        "records_sum": None if total is None else json_value(total),
        "reads": [{"sign": sign, **_node(t)} for sign, t in exp.terms], "notes": notes,
        "derived": derived}
    for key, value in legacy.items():
        out.setdefault(key, value)
    return complete(out)


def render_text(tree: dict[str, Any]) -> str:
    """The text `--sheet ...` prints (SheetExplanation.render())."""
    text = tree.get("_text")
    if isinstance(text, str):
        return text
    return f"{tree['title']} = {show_value(tree['value'])}\n"


def addresses(program: Any, result: Any, ctx: Any, node: Any) -> list[str]:
    """The addresses of the values of every line the node writes (a value not zero), per
    partition, planilha and row key (runtime/explain_list.py)."""
    from runtime.sheets import KEY_SEP
    from runtime.sheets import masked

    out: list[str] = []
    for part in result.partitions:
        acc = ctx.acc[node.id].get(part) or {}
        lines = []
        for k, v in acc.items():
            if any(x for x in node.line_values(v) if x is not None):
                code, key = k.split(KEY_SEP, 1)
                lines.append((code, masked(key, node.mask)))
        for code, key in sorted(lines):
            out.extend(address(node.id, part, code, key, c.id) for c in node.columns)
    return out
