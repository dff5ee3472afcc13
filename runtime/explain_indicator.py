"""`apura explain` of one record of an `indicator` (memória de cálculo of a line of
`indicadores.csv`, of a record in a lote): every field — the filter (the period's test
included) with its YAML position, the key, each measure with its aggregate as written and the
input records (file:line) with what each added, summing to the measure —, the ranking decision
(the position, the records tied on the measure and the tie key that ordered them, the cut at
N) and the ratio against its limit with the legal basis.

Lineage is recorded on demand: the package runs again on the Python back end computing only
this indicator (`--select` of its id), with its accumulator traced (runtime/explain_lineage.py);
the record is then made by the same runtime/indicator.Indicator code as the run's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from runtime import catalog_explain_kinds as catalog
from runtime.coverage import key_text
from runtime.coverage import quoted
from runtime.errors import RunFailed
from runtime.explain_lineage import NodeTrace
from runtime.explain_lineage import RowHits
from runtime.explain_lineage import TracedKeyed
from runtime.explain_lineage import at_text
from runtime.explain_lineage import exact
from runtime.explain_lineage import glob_escape
from runtime.explain_lineage import lookup_dict
from runtime.explain_lineage import params_text
from runtime.explain_lineage import source
from runtime.explain_lineage import total
from runtime.explain_lineage import traced_node_run
from runtime.explain_lineage import tree
from runtime.indicator import Indicator
from runtime.indicator import Measure
from runtime.indicator import indicators
from runtime.model import LedgerInput
from runtime.portal_record import IndicatorRecord

FUNC = {"sum": "soma", "count": "contagem", "avg": "média", "min": "mínimo", "max": "máximo"}


def _node(package: Any, node: str) -> Indicator:
    """The indicator named by its spec id (`educacao/mediaescola1a5menores`) or by the
    indicator's id (`mediaescola1a5menores`); D1940 otherwise."""
    got = indicators(package)
    for n in got:
        if node in (n.id, n.info.id):
            return n
    raise RunFailed([catalog.unknown_node("indicador", node, [n.info.id for n in got])])


def _funcs(node: Indicator) -> tuple[str, ...]:
    """The function of each accumulated aggregate (an average: its sum and its count)."""
    out = ["sum"] * len(node.inits)
    for m in node.measures:
        if m.func == "avg":
            out[m.aggs[0]], out[m.aggs[1]] = "sum", "count"
        else:
            out[m.aggs[0]] = m.func
    return tuple(out)


def _record(node: Indicator, records: list[IndicatorRecord],
            locator: tuple[str, ...]) -> IndicatorRecord:
    """The record the locator names: its idIntegracao, or its key values (as written in
    indicadores.csv, without quotes); D1941 otherwise."""
    keys = [k for k, _ in node.keys]
    if not keys and not locator and len(records) == 1:  # an indicator without keys
        return records[0]
    for r in records:
        content = dict(r.content)
        if locator == (r.id_integracao,):
            return r
        if keys and len(locator) == len(keys) and all(
                str(content[k]) == loc for k, loc in zip(keys, locator, strict=True)):
            return r
    shown = [r.id_integracao + (" (" + ", ".join(f"{k}={quoted(dict(r.content)[k])}"
                                                 for k in keys) + ")" if keys else "")
             for r in records]
    raise RunFailed([catalog.unknown_record(node.info.id, ":".join(locator), shown)])


def _shown(v: Any) -> str:
    """A value as the text shows it: decimals with their own places and a comma."""
    if v is None:
        return "nulo"
    if isinstance(v, bool):
        return "sim" if v else "não"
    if isinstance(v, Decimal):
        return f"{v:f}".replace(".", ",")
    if isinstance(v, str):
        return quoted(v)
    return str(v)


def explain(program: Any, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False) -> dict[str, Any]:
    """The explanation tree (EXPLAIN.md) of one record of indicator `node` in partition
    `part`; RunFailed with D1940/D1941 for an unknown indicator or record, D0407 for a
    partition the inputs do not have, or the run's data errors."""
    prog = program.view_for(params)
    pkg = prog.package
    ind = _node(pkg, node)
    trace = NodeTrace(pkg, ind.id, _funcs(ind), (), part)
    _, found = traced_node_run(prog, ledgers, params, trace, glob_escape(ind.id), part,
                               allow_rejects=allow_rejects, allow_unconfirmed=allow_unconfirmed,
                               allow_gaps=allow_gaps)
    ctx = trace.ctx
    assert ctx is not None
    records = ind.records(ctx, found)
    rec = _record(ind, records, locator)
    content = dict(rec.content)
    key = tuple(content[k] for k, _ in ind.keys)
    acc = ctx.acc[ind.id].get(found)
    hits = acc.by_key.get(key_text(key)) if isinstance(acc, TracedKeyed) else None
    raw = acc.get(key_text(key)) if isinstance(acc, TracedKeyed) else None
    texts = {what: (text, at) for what, text, at in ind.texts}
    filt = texts.get("filter")
    title = f"indicador {ind.info.id} ({ind.info.name}) · registro {rec.id_integracao}"
    out = tree("indicator", pkg, ind.info.id, found, title,
               {k: exact(v) for k, v in rec.content},
               rule=None if filt is None else {"text": filt[0], "source": source(filt[1])},
               params={k: exact(v) for k, v in sorted(ctx.params.items())})
    out["id_integracao"] = rec.id_integracao
    out["spec"] = source(ind.at)
    out["source_ledger"] = ind.source
    out["keys"] = [{"name": k, "value": exact(content[k]),
                    "text": texts.get(f"key:{k}", ("", None))[0],
                    "source": source(texts.get(f"key:{k}", ("", None))[1])}
                   for k, _ in ind.keys]
    measures = {m.name: _measure(pkg, ind, m, content[m.name], hits, raw, texts, found)
                for m in ind.measures}
    out["reads"] = list(measures.values())
    if hits is not None:
        out["records"] = [
            {"source": {"file": h.file, "line": h.line}, "contributed": None,
             "fields": {m.name: exact(_contribution(ind, m, h.added)) for m in ind.measures}}
            for h in hits.hits.values()]
        out["lookups"] = _lookups(hits)
    decisions = []
    if ind.rank is not None:
        out["ranking"], text = _ranking(ind, ind.rows(ctx, found), content)
        decisions.append(text)
    if ind.ratio is not None:
        out["ratio"], text = _ratio(ind, content, texts)
        decisions.append(text)
    out["decision"] = "; ".join(decisions) or None
    if not ind.keys:
        out["notes"].append("sem chaves: um registro por partição, mesmo sem registros de "
                            "entrada (somas 0, média nula)")
    return out


def _contribution(ind: Indicator, m: Measure, added: list[Any]) -> Any:
    """What one record added to measure `m` (an average: to its sum; 0 — of the sum's type —
    where its `where` left the record out; a min/max: the value it set, else None)."""
    v = added[m.aggs[0]]
    if m.func in ("min", "max"):
        return v
    return (Decimal(0) if isinstance(ind.inits[m.aggs[0]], Decimal) else 0) if v is None else v


def _measure(pkg: Any, ind: Indicator, m: Measure, value: Any, hits: RowHits | None,
             raw: list[Any] | None, texts: Mapping[str, tuple[str, Any]],
             part: Any) -> dict[str, Any]:
    """A measure's child tree: its aggregate as written, each record of the key with what it
    added (0 where the aggregate's `where` left it out) and their sum."""
    text, at = texts.get(f"measure:{m.name}", ("", None))
    t = tree("indicator", pkg, ind.info.id, part,
             f"medida {m.name} ({FUNC.get(m.func, m.func)})", exact(value),
             rule={"text": text, "source": source(at)})
    t["measure"] = m.name
    got = list(hits.hits.values()) if hits is not None else []
    t["records"] = [{"source": {"file": h.file, "line": h.line},
                     "contributed": exact(_contribution(ind, m, h.added)), "fields": {}}
                    for h in got]
    if m.func in ("sum", "count", "avg"):
        s = total([_contribution(ind, m, h.added) for h in got])
        t["records_sum"] = exact(s)
        if m.func == "avg":
            n = sum(h.added[m.aggs[1]] or 0 for h in got)
            t["count"] = n
            t["decision"] = (f"média = soma {_shown(s)} / {n} registro(s) contado(s) = "
                             f"{_shown(value)} (half-even, {m.places or 0} casa(s))"
                             if n else "nenhum registro contado: média nula")
        elif m.places is not None and raw is not None:
            t["notes"].append(f"escrita com {m.places} casa(s) (half-even)")
    else:
        setters = [h for h in got if h.added[m.aggs[0]] is not None]
        if setters and value is not None:
            last = setters[-1]
            t["decision"] = (f"o {FUNC[m.func]} é o da linha {last.file}:{last.line}"
                             f" ({_shown(value)})")
    return t


def _lookups(hits: RowHits) -> list[dict[str, Any]]:
    """The map entries the key's records looked up, each once, with how many used it."""
    seen: dict[Any, list[Any]] = {}
    for h in hits.hits.values():
        for lk in h.lookups:
            seen.setdefault(lk, [lk, 0])[1] += 1
    return [{**lookup_dict(lk), "records": n} for lk, n in seen.values()]


def _ranking(ind: Indicator, rows: list[tuple[tuple[Any, ...], list[Any]]],
             content: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The candidates in ranking order (position, key, measure; None past the cut) and the
    sentence that says why this record has its position."""
    r = ind.rank
    assert r is not None
    keys = [k for k, _ in ind.keys]
    by = ind.measures[r.by].name
    candidates = [kv for kv in rows if kv[1][r.by] is not None]
    # every candidate in the run's order (runtime/indicator.Indicator._ranked without the cut)
    everyone = replace(ind, rank=replace(r, n=max(len(candidates), 1)))._ranked(rows)
    mine = tuple(content[k] for k in keys)
    pos = content.get("posicao")
    table = [{"position": i if i <= r.n else None,
              "key": {k: exact(v) for k, v in zip(keys, kv[0], strict=True)},
              by: exact(kv[1][r.by])} for i, kv in enumerate(everyone, start=1)]
    value = content[by]
    tied = [kv[0] for kv in everyone if kv[1][r.by] == value and kv[0] != mine]
    order = "decrescente (o maior primeiro)" if r.desc else "crescente (o menor primeiro)"
    text = (f"posição {pos} de {min(r.n, len(candidates))} (os {r.n} primeiros de "
            f"{len(candidates)} candidato(s)) por {by} em ordem {order}")
    if tied:
        tie_keys = [keys[i] for i in r.ties] or keys
        names = ", ".join(" ".join(_shown(v) for v in t) for t in tied)
        text += (f"; empate em {by} = {_shown(value)} com {names}: desempate por "
                 f"{', '.join(tie_keys)} em ordem crescente, depois as demais chaves")
    excluded = len(rows) - len(candidates)
    if excluded:
        text += f"; {excluded} chave(s) com {by} nulo não entram no ranking"
    return table, text


def _ratio(ind: Indicator, content: Mapping[str, Any],
           texts: Mapping[str, tuple[str, Any]]) -> tuple[dict[str, Any], str]:
    """The ratio's facts and the sentence that works it out, from the record's own fields."""
    q = ind.ratio
    assert q is not None
    num, den = ind.measures[q.numerator].name, ind.measures[q.denominator].name
    limit_name = "limiteMinimo" if q.minimum else "limiteMaximo"
    pct, limit, ok = content["percentual"], content[limit_name], content["cumpre"]
    text, at = texts.get("limit", ("", None))
    info = {"numerator": num, "denominator": den, "percentual": exact(pct),
            "limit": exact(limit), "limit_field": limit_name, "limit_text": text,
            "limit_source": source(at), "minimum": q.minimum, "basis": q.basis,
            "cumpre": ok, "places": q.places}
    sign = "≥" if q.minimum else "≤"
    where = f" ({at_text(source(at))})" if at is not None else ""
    said = (f"percentual = {num} × 100 / {den} = {_shown(content[num])} × 100 / "
            f"{_shown(content[den])} = {_shown(pct)} (half-even, {q.places} casa(s)); "
            f"limite {'mínimo' if q.minimum else 'máximo'} {_shown(limit)} = {text}{where}, "
            f"base legal: {q.basis}; {_shown(pct)} {sign} {_shown(limit)}? "
            f"{'cumpre' if ok else 'não cumpre'}")
    return info, said


def render_text(t: Mapping[str, Any]) -> str:
    """The memória de cálculo of one indicator record as text (pt-BR)."""
    part = f" · partição {t['partition']}" if t.get("partition") is not None else ""
    out = [f"Memória de cálculo: pacote {t['package']} · indicador {t['node']}{part}",
           f"{t['title']}"]
    if t.get("spec"):
        out.append(f"  spec: {at_text(t['spec'])}; fonte '{t.get('source_ledger')}'")
    if t["params"]:
        out.append(f"  parâmetros: {params_text(t['params'])}")
    if t["rule"]:
        out.append(f"  filtro ({at_text(t['rule']['source'])}): {t['rule']['text']}")
    keys = {k["name"] for k in t.get("keys", [])}
    for k in t.get("keys", []):
        out.append(f"  chave {k['name']} = {_txt(k['value'])}"
                   + (f"  ({at_text(k['source'])}: {k['text']})" if k["source"] else ""))
    out.append("  campos do registro:")
    for name, v in t["value"].items():
        out.append(f"    {name} = {_txt(v) if name in keys else _num(v)}")
    for m in t["reads"]:
        out.append(f"  {m['title']} ({at_text(m['rule']['source'])}): {m['rule']['text']} = "
                   f"{_num(m['value'])}")
        out.append(f"    registros ({len(m['records'])}; arquivo:linha  valor):")
        for r in m["records"]:
            out.append(f"      {r['source']['file']}:{r['source']['line']}  "
                       f"{_num(r['contributed'])}")
        if m["records_sum"] is not None:
            same = ("" if "count" in m else
                    " (igual ao valor)" if Decimal(m["records_sum"]) == Decimal(m["value"] or 0)
                    else " (DIFERENTE do valor)")
            out.append(f"    soma dos {len(m['records'])} registro(s): "
                       f"{_num(m['records_sum'])}{same}")
        if m["decision"]:
            out.append(f"    {m['decision']}")
        for n in m["notes"]:
            out.append(f"    {n}")
    for lk in t["lookups"]:
        key = ", ".join(f"{k}={_txt(v)}" for k, v in lk["key"].items())
        hit = ("sem entrada" if lk["hit"] is None
               else ", ".join(f"{k}={_txt(v)}" for k, v in lk["hit"].items()))
        at = f"  ({at_text(lk['source'])})" if lk["source"] else ""
        out.append(f"  mapa {lk['map']}[{key}] → {hit}{at}  [{lk['records']} registro(s)]")
    if t.get("ranking") is not None:
        out.append("  ranking (posição  chave  medida):")
        for row in t["ranking"]:
            pos = row["position"] if row["position"] is not None else "-"
            key = ", ".join(_txt(v) for v in row["key"].values())
            measure = next(v for k, v in row.items() if k not in ("position", "key"))
            out.append(f"    {pos}  {key}  {_num(measure)}")
    if t["decision"]:
        out.append(f"  decisão: {t['decision']}")
    for n in t["notes"]:
        out.append(f"  nota: {n}")
    return "\n".join(out) + "\n"


def _num(v: Any) -> str:
    """A number of the tree (an exact string for a decimal) with a decimal comma."""
    if isinstance(v, str):
        return v.replace(".", ",")
    return _shown(v)


def _txt(v: Any) -> str:
    """A key or text value of the tree: a text quoted (runtime.coverage.quoted)."""
    return _shown(v)
