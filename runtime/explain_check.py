"""`apura explain` of one assertion of a `check` (a conferência) in one partition: both sides
as written with the assertion's YAML position, each side's value and how it was obtained —
term by term with its sign: a layout's cell explained down to its input records
(runtime/trace.py), a sum of the check's ledger with every record that added to it (file:line
and what it added; 0 where the sum's `where` left it out is not listed: the check's sums run
over every record of the ledger, so only those that added are), a sheets node's total, a
number —, the difference and the tolerance, and whether it holds.

Lineage is recorded on demand: the package runs again on the Python back end (only the layout
the assertion reads when it reads one, else the whole package) with the check's accumulator
traced (runtime/explain_lineage.py) and the layouts it reads traced as `apura explain` of a
cell traces them; the outcome is the run's own (runtime/checks.Outcome)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from runtime import catalog_explain_kinds as catalog
from runtime import ops
from runtime.checks import Assertion
from runtime.checks import Check
from runtime.checks import brl
from runtime.errors import RunFailed
from runtime.explain_lineage import NodeTrace
from runtime.explain_lineage import TracedRow
from runtime.explain_lineage import at_text
from runtime.explain_lineage import exact
from runtime.explain_lineage import glob_escape
from runtime.explain_lineage import params_text
from runtime.explain_lineage import source
from runtime.explain_lineage import total
from runtime.explain_lineage import traced_node_run
from runtime.explain_lineage import tree
from runtime.model import LedgerInput
from runtime.trace import _closure
from runtime.trace import build_explanation

SIDE = {"left": "lado esquerdo", "right": "lado direito"}


def _find(package: Any, node: str, locator: tuple[str, ...]) -> tuple[Check, int]:
    """The check and the index of the assertion: `node` the check's id and `locator` the
    assertion's, or `node` '<check>/<assertion>'; D1940/D1943 otherwise."""
    checks = [n for n in package.nodes if isinstance(n, Check)]
    by_id = {c.id: c for c in checks}
    chk = by_id.get(node)
    name = locator[0] if locator else ""
    if chk is None and not locator and "/" in node:
        head, _, name = node.rpartition("/")
        chk = by_id.get(head)
    if chk is None:
        raise RunFailed([catalog.unknown_node("conferência", node, list(by_id))])
    names = [a.name for a in chk.assertions]
    if name not in names or len(locator) > 1:
        raise RunFailed([catalog.unknown_assertion(chk.id, ":".join(locator) or name, names)])
    return chk, names.index(name)


def explain(program: Any, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False) -> dict[str, Any]:
    """The explanation tree (EXPLAIN.md) of one assertion of check `node` in partition
    `part` (`locator`: the assertion's id). RunFailed with D1940/D1943 for an unknown check or
    assertion, D0407 for a partition the inputs do not have, or the run's data errors (a
    failed `severity: error` assertion fails the run: explain it with the run that failed)."""
    prog = program.view_for(params)
    pkg = prog.package
    chk, index = _find(pkg, node, locator)
    a = chk.assertions[index]
    layouts = [lay for r in a.reads if any(n.id == r for n in pkg.layouts)
               for lay in _closure(pkg, r)]
    trace = NodeTrace(pkg, chk.id, ("sum",) * len(chk.sums), layouts, part)
    select = glob_escape(a.reads[0]) if len(a.reads) == 1 else None
    try:
        result, found = traced_node_run(prog, ledgers, params, trace, select, part,
                                        allow_rejects=allow_rejects,
                                        allow_unconfirmed=allow_unconfirmed,
                                        allow_gaps=allow_gaps)
        values = result.values
    except RunFailed as failed:
        # a failed `severity: error` assertion (D0701) fails the run: it is what is asked
        # about most, so it is explained from the run's computed rows all the same
        if trace.ctx is None or any(e.code != "D0701" for e in failed.errors):
            raise
        found = next((o.part for o in trace.ctx.outcomes
                      if str(o.part) == str(part) or pkg.partition is None), part)
        values = {(lay.id, found): trace.ctx.rows(lay.id, found) for lay in pkg.layouts}
    ctx = trace.ctx
    assert ctx is not None
    outcome = next(o for o in ctx.outcomes if o.check == f"{chk.id}/{a.name}"
                   and (o.part == found or str(o.part) == str(found)))
    sums = ctx.acc[chk.id].get(found)
    row = sums[0] if sums else None
    sides = []
    for side, value in (("left", outcome.left), ("right", outcome.right)):
        sides.append(_side(pkg, ctx, trace, values, chk, a, side, value, row, found))
    diff = outcome.difference
    title = f"conferência {chk.id}/{a.name}" + (f" ({a.label})" if a.label else "")
    out = tree("check", pkg, chk.id, found, title,
               {"left": exact(outcome.left), "right": exact(outcome.right),
                "difference": exact(diff), "tolerance": exact(a.tolerance)},
               rule={"text": f"{a.left} = {a.right}", "source": source(a.at)},
               params={k: exact(v) for k, v in sorted(ctx.params.items())}, reads=sides)
    out["assertion"] = a.name
    out["severity"] = a.severity
    out["ok"] = outcome.ok
    out["skipped"] = outcome.skipped
    if outcome.skipped:
        out["decision"] = "não avaliada: a execução não calculou o que ela lê"
    elif diff is None:
        out["decision"] = "um dos lados é nulo: não se confirma" if not outcome.ok else \
            "os dois lados são nulos"
    else:
        sign = "≤" if outcome.ok else ">"
        out["decision"] = (f"diferença {brl(outcome.left)} − {brl(outcome.right)} = "
                           f"{brl(diff)}; |{brl(diff)}| {sign} tolerância {brl(a.tolerance)}: "
                           + ("confere" if outcome.ok else
                              "não confere (" + ("erro" if a.severity == "error" else "aviso")
                              + ")"))
    return out


def _side(pkg: Any, ctx: Any, trace: NodeTrace, values: Any, chk: Check, a: Assertion,
          side: str, value: Any, row: Any, part: Any) -> dict[str, Any]:
    """One side: its terms (each a child tree, with its sign) and, when every term lists
    records, those records with their signs — adding up to the side's value."""
    terms = [(sign, kind, args) for s, sign, kind, args in a.terms if s == side]
    children = [_term(pkg, ctx, trace, values, chk, sign, kind, args, row, part)
                for sign, kind, args in terms]
    text = a.left if side == "left" else a.right
    t = tree("check", pkg, chk.id, part, f"{SIDE[side]}: {text}", exact(value),
             reads=children)
    t["side"] = side
    t["terms"] = [{"sign": sign, "kind": kind, "value": c["value"]}
                  for (sign, kind, _), c in zip(terms, children, strict=True)]
    if children and all(c["records_sum"] is not None or c["kind"] == "const"
                        for c in children):
        records = []
        consts = []
        for (sign, kind, _), c in zip(terms, children, strict=True):
            if kind == "const":
                consts.append(Decimal(str(c["value"])) * sign)
                continue
            for r in c["records"]:
                got = r["contributed"]
                records.append({**r, "contributed": None if got is None else
                                exact(Decimal(str(got)) * sign)})
        t["records"] = records
        t["records_sum"] = exact(total([Decimal(str(r["contributed"])) for r in records
                                        if r["contributed"] is not None] + consts))
        if consts:
            t["notes"].append(f"a soma inclui os números da expressão ({brl(sum(consts))})")
    got = [c["value"] for c in children]
    if value is not None and None not in got:
        s = sum((Decimal(str(v)) * sign for v, (sign, _, _) in zip(got, terms, strict=True)),
                Decimal(0))
        if s != value:
            t["notes"].append(f"a soma dos termos ({brl(s)}) DIFERE do valor do lado")
    return t


def _term(pkg: Any, ctx: Any, trace: NodeTrace, values: Any, chk: Check, sign: int,
          kind: str, args: tuple[Any, ...], row: Any, part: Any) -> dict[str, Any]:
    signed = "+" if sign > 0 else "−"
    if kind == "const":
        return tree("const", pkg, chk.id, part, f"{signed} número {args[0]}", args[0])
    if kind == "cell":
        lay_id, r, c = args
        exp = build_explanation(pkg, values, trace, lay_id, part, r, c,
                                dict(ctx.params))
        lay = pkg.layout(lay_id)
        t = tree("layout", pkg, lay_id, part,
                 f"{signed} cell(\"{lay_id}\", \"{lay.rows[r].ref}\", "
                 f"\"{lay.columns[c].id}\") ({lay.rows[r].label})", exact(exp.value),
                 rule=None if not lay.rows[r].rule else
                 {"text": lay.rows[r].rule, "source": source(lay.rows[r].at)})
        t["records"] = [{"source": {"file": rec.file, "line": rec.line},
                         "contributed": exact(rec.amount), "fields": {}}
                        for rec in exp.all_records()]
        s = exp.records_sum()
        t["records_sum"] = None if s is None else exact(s)
        t["explanation"] = exp.to_dict()  # runtime/trace.py's own tree of the cell
        return t
    if kind == "sum":
        k, text = args
        value = row[k] if row is not None else chk.sums[k]
        t = tree("check", pkg, chk.id, part, f"{signed} {text}", exact(value),
                 rule={"text": text, "source": None})
        hits = row.row_hits.hits.values() if isinstance(row, TracedRow) else ()
        t["records"] = [{"source": {"file": h.file, "line": h.line},
                         "contributed": exact(h.added[k]), "fields": {}}
                        for h in hits if h.added[k] is not None]
        t["records_sum"] = exact(total([h.added[k] for h in hits if h.added[k] is not None]))
        t["ledger"] = chk.source
        return t
    sheets, col, pattern = args
    node = pkg.node(sheets)
    value = ops.sheet_total(node, ctx.rows(sheets, part), col, pattern)
    t = tree("sheets", pkg, sheets, part,
             f"{signed} total(\"{sheets}\", \"{node.columns[col].id}\", \"{pattern}\")",
             exact(value))
    t["notes"].append("o total das linhas do nó sheets nas planilhas que casam com o padrão: "
                      "cada linha se explica como uma célula de sheets")
    return t


def render_text(t: Mapping[str, Any]) -> str:
    """The memória de cálculo of one conferência as text (pt-BR)."""
    part = f" · partição {t['partition']}" if t.get("partition") is not None else ""
    v = t["value"]
    out = [f"Memória de cálculo: pacote {t['package']} · conferência {t['node']}{part}",
           t["title"],
           f"  asserção ({at_text(t['rule']['source'])}, {t['severity']}): {t['rule']['text']}"]
    if t["params"]:
        out.append(f"  parâmetros: {params_text(t['params'])}")
    for s in t["reads"]:
        out.append(f"  {s['title']} = {_brl(s['value'])}")
        for c in s["reads"]:
            out.append(f"    {c['title']} = {_brl(c['value'])}")
            if c["records"]:
                out.append(f"      registros ({len(c['records'])}; arquivo:linha  valor):")
            for r in c["records"]:
                out.append(f"        {r['source']['file']}:{r['source']['line']}  "
                           f"{_brl(r['contributed'])}")
            if c["records_sum"] is not None:
                out.append(f"      soma dos {len(c['records'])} registro(s): "
                           f"{_brl(c['records_sum'])}")
            for n in c["notes"]:
                out.append(f"      nota: {n}")
        if s["records_sum"] is not None:
            same = "igual ao" if _same(s["records_sum"], s["value"]) else "DIFERENTE do"
            out.append(f"    {SIDE[s['side']]}: soma dos {len(s['records'])} registro(s) com "
                       f"seus sinais = {_brl(s['records_sum'])} ({same} valor do lado)")
        for n in s["notes"]:
            out.append(f"    nota: {n}")
    out.append(f"  diferença: {_brl(v['difference'])} (tolerância {_brl(v['tolerance'])})")
    if t["decision"]:
        out.append(f"  decisão: {t['decision']}")
    return "\n".join(out) + "\n"


def _brl(v: Any) -> str:
    if v is None:
        return "nulo"
    if isinstance(v, int):
        return brl(v)
    return brl(Decimal(str(v)))


def _same(a: Any, b: Any) -> bool:
    return b is not None and Decimal(str(a)) == Decimal(str(b))
