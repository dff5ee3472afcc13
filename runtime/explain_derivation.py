"""`apura explain` of one field of one output record of a `derivation` (memória de cálculo of a
cell of `convenios.csv`, `ordens_pagamento.csv`, ...): the field's expression as written with
its YAML position, and

* per key (`per:`): the key's records (file:line), what each added to every aggregate the
  field reads — 0 where the aggregate's `where` left it out — and, when the field is a sum of
  them (a `+`/`−` of sums and counts: checked, not assumed), what each contributed to the
  field, adding up to the value;
* per record: the record's line and the fields the expression reads, the map entries its
  classified fields came from (the table's file:line, runtime/origins.py), and each collection
  it uses: the related records its keys reached (file:line), which the collection's `where`
  kept (the window's bounds shown, an empty end open), their order, and which one
  first/last/max_by/min_by picked and why.

Lineage is recorded on demand: the package runs again on the Python back end computing only
this node, then the node's own code (runtime/derivation.py, runtime/derivation_related.py)
is evaluated again for the one record asked for, noting what it read."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog_explain_kinds as catalog
from runtime import derivation_branches
from runtime import explain_frozen
from runtime import explain_loads
from runtime import explain_union
from runtime.coverage import quoted
from runtime.derivation import PARAM
from runtime.derivation import Derivation
from runtime.derivation import _read
from runtime.derivation import cell_text
from runtime.derivation_related import OUTER
from runtime.derivation_related import index
from runtime.derivation_related import use_value
from runtime.errors import RunFailed
from runtime.explain_derivation_text import render_text as render_text
from runtime.explain_lineage import NodeTrace
from runtime.explain_lineage import exact
from runtime.explain_lineage import glob_escape
from runtime.explain_lineage import lookup_dict
from runtime.explain_lineage import source
from runtime.explain_lineage import total
from runtime.explain_lineage import traced_node_run
from runtime.explain_lineage import tree
from runtime.model import LedgerInput
from runtime.trace import Lookup

PICKS = ("first", "last", "max_by", "min_by")
USE = {"count": "contagem", "any": "algum", "all": "todos", "sum": "soma", "first": "primeiro",
       "last": "último", "max_by": "maior por", "min_by": "menor por"}


def _call(fn: Any, env: Mapping[str, Any]) -> Any:
    return fn[0](*[env[f] for f in fn[1]])


def _node(package: Any, node: str) -> Derivation:
    got = [n for n in package.nodes if isinstance(n, Derivation)]
    for n in got:
        if n.id == node:
            return n
    raise RunFailed([catalog.unknown_node("derivação", node, [n.id for n in got])])


def reads_state(node: Any) -> bool:
    """An incremental derivation reads its loads from `--state` itself (so `--state` is not
    the journal of a run to take the extract from: the state has the records)."""
    return getattr(node, "incremental", None) is not None


def explain(program: Any, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = False, state: Path | None = None,
            as_of: str | None = None) -> dict[str, Any]:
    """The explanation tree (EXPLAIN.md) of one field of one output record of derivation
    `node`: `locator` is the `per:` key values then the field, or (per record) the record's
    1-based position in the output then the field. RunFailed with D1940 (unknown node),
    D1941 (no such record), D1942 (no such field), or the run's data errors.

    An incremental node with `state` is explained from the loads (runtime/explain_loads.py):
    load `as_of` (default the last) replayed from its stored versions, its extract not read
    (one given is compared with the state, in a note); `as_of` on another node is D1923."""
    prog = program.view_for(params)
    pkg = prog.package
    der = _node(pkg, node)
    replay = der.incremental is not None and state is not None
    if as_of is not None and not replay:
        raise explain_loads.not_incremental(der.id, der.incremental is not None)
    kw: dict[str, Any] = {"allow_rejects": allow_rejects,
                          "allow_unconfirmed": allow_unconfirmed,
          "allow_gaps": allow_gaps}
    run_ledgers, load, st, notes = ledgers, 0, None, []
    if replay:
        assert state is not None
        st = explain_loads.state_of(prog, der, state)
        load = explain_loads.load_asked(st, as_of)
        run_ledgers = {k: v for k, v in ledgers.items() if k != der.ledger}
        if der.ledger in ledgers:  # the extract given: what a run of it would do, not stored
            check = NodeTrace(pkg, "", (), (), part)
            traced_node_run(prog, ledgers, params, check, glob_escape(der.id), part,
                            state=state, **kw)
            assert check.ctx is not None
            pic = check.ctx.derivation_loads.get(der.ledger)
            notes.append(explain_loads.input_note(ledgers[der.ledger], pic, st.last))
    trace = NodeTrace(pkg, "", (), (), part)
    _, found = traced_node_run(prog, run_ledgers, params, trace, glob_escape(der.id), part,
                               state=state if replay else None,
                               as_of=str(load) if replay else None, **kw)
    ctx = trace.ctx
    assert ctx is not None
    records, display = der.records_of(ctx, found)
    assert records is not None  # an unmapped text failed the run (D1802)
    width = len(der.per) if der.per else 1
    names = der.names
    if len(locator) != width + 1 or locator[-1] not in names:
        asked = locator[width] if len(locator) > width else ""
        raise RunFailed([catalog.unknown_field(der.id, asked, list(names))])
    field = locator[-1]
    texts = {what: (text, at) for what, text, at in der.texts}
    text, at = texts.get(field, ("", None))
    common = {"rule": {"text": text, "source": source(at)},
              "params": {k: exact(v) for k, v in sorted(ctx.params.items())}}
    if der.per:
        out = _per_key(der, records, display, locator[:-1], field, found, pkg, common)
    else:
        out = _per_record(der, ctx, trace, records, display, locator[0], field, found, pkg,
                          common)
    frozen = [f for f in der.frozen if f.field == field]
    if frozen:  # the file holds the frozen value
        if not replay:
            out["notes"].append(explain_frozen.no_state(frozen[0].since))
        else:
            assert state is not None and der.incremental is not None
            key = out["_key"] if der.per else \
                der.incremental.key_of(records[int(locator[0]) - 1])
            explain_frozen.annotate(out, der, ctx, state, load, key, field, lambda since, p: (
                _at_load(program, run_ledgers, p, der, part, key, field, state, since, kw)))
    out["spec"] = source(der.at)
    out["field"] = field
    out["output_file"] = der.file
    if replay:
        assert state is not None
        per_key = bool(der.per) and field in der.field_names
        explain_loads.annotate(out, der, ctx, st, state, load, field, (
            lambda recs: _evaluate(der, recs, out["_key"], field)[:2]) if per_key else None)
    out["notes"].extend(notes)
    return out


def _at_load(program: Any, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any],
             der: Derivation, part: str | None, key: tuple[Any, ...], field: str,
             state: Path, load: int, kw: dict[str, Any]) -> dict[str, Any] | None:
    """The explanation of the record of incremental `key` at load `load` (with that load's
    run parameters): where a frozen value was decided (runtime/explain_frozen.py)."""
    if der.per:
        locator: tuple[str, ...] = (*(cell_text(v) for v in key), field)
    else:
        prog = program.view_for(params)
        trace = NodeTrace(prog.package, "", (), (), part)
        _, found = traced_node_run(prog, ledgers, params, trace, glob_escape(der.id), part,
                                   state=state, as_of=str(load), **kw)
        assert trace.ctx is not None and der.incremental is not None
        recs, _ = der.records_of(trace.ctx, found)
        pos = next((i for i, r in enumerate(recs or [], start=1)
                    if der.incremental.key_of(r) == key), None)
        if pos is None:
            return None
        locator = (str(pos), field)
    return explain(program, ledgers, params, node=der.id, part=part, locator=locator,
                   state=state, as_of=str(load), **kw)


# ---------------------------------------------------------------------- per key
def _per_key(der: Derivation, records: list[dict[str, Any]], display: str,
             key: tuple[str, ...], field: str, part: Any, pkg: Any,
             common: dict[str, Any]) -> dict[str, Any]:
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for rec in records:
        groups.setdefault(tuple(rec[k] for k in der.per), []).append(rec)
    match = [k for k in groups
             if all(cell_text(v) == want or str(v) == want for v, want in zip(k, key,
                                                                               strict=True))]
    if not match:
        shown = [":".join(cell_text(v) for v in k) for k in groups]
        raise RunFailed([catalog.unknown_record(der.id, ":".join(key), shown)])
    got = match[0]
    recs = groups[got]
    key_shown = ", ".join(f"{k}={quoted(v)}" for k, v in zip(der.per, got, strict=True))
    if field not in der.field_names:  # a key field: its value is the key
        value = got[der.per.index(field)]
        return tree("derivation", pkg, der.id, part,
                    f"{der.id} [{key_shown}] · {field} (a chave)", exact(value), **common,
                    records=[_rec(display, r, None, {field: exact(r[field])}) for r in recs])
    value, contributions, env, deltas = _evaluate(der, recs, got, field)
    chosen = _branches(der, field, env, value)
    fn = der.fields[der.field_names.index(field)]
    used = [int(name[2:]) for name in fn[1] if name.startswith("_a")]
    reads = [_aggregate_tree(der, i, recs, deltas, display, env[f"_a{i}"], part, pkg)
             for i in used]
    rows = []
    for n, r in enumerate(recs):
        fields = {f"_a{i}": exact(deltas[n][i]) for i in used}
        rows.append(_rec(display, r, None if contributions is None else
                         exact(contributions[n]), fields))
    out = tree("derivation", pkg, der.id, part, f"{der.id} [{key_shown}] · {field}",
               exact(value), **common, records=rows, reads=reads)
    out["key"] = {k: exact(v) for k, v in zip(der.per, got, strict=True)}
    _with_branches(out, chosen)
    out["_key"] = got
    out["aggregates"] = {f"_a{i}": _aggregate_text(der, i) for i in used}
    if contributions is not None:
        out["records_sum"] = exact(total(contributions))
        out["decision"] = (f"o valor é uma soma sobre os {len(recs)} registro(s) da chave: "
                           "cada um contribui o que a expressão dá com os seus próprios "
                           "valores nos agregados")
    else:
        out["notes"].append("o valor não é uma soma dos registros (a expressão não é uma "
                            "soma/diferença de somas e contagens): cada registro mostra o que "
                            "somou a cada agregado")
    return out


def _evaluate(der: Derivation, recs: list[dict[str, Any]], key: tuple[Any, ...], field: str,
              ) -> tuple[Any, list[Any] | None, dict[str, Any], list[list[Any]]]:
    """(the field's value over the key's records, what each contributed when it is a sum of
    them, the aggregates' values, what each record added to each aggregate)."""
    env: dict[str, Any] = dict(zip(der.per, key, strict=True))
    deltas: list[list[Any]] = [[] for _ in recs]
    for i, (func, type_, arg, where) in enumerate(der.aggregates):
        zero: Any = Decimal(0) if type_ == "decimal" else 0
        env[f"_a{i}"] = _aggregate(func, zero, arg, where, recs, deltas)
    fn = der.fields[der.field_names.index(field)]
    value = _call(fn, env)
    used = [int(name[2:]) for name in fn[1] if name.startswith("_a")]
    return value, _contributions(der, fn, env, used, deltas, value), env, deltas


def _aggregate(func: str, zero: Any, arg: Any, where: Any, recs: list[dict[str, Any]],
               deltas: list[list[Any]]) -> Any:
    """runtime/derivation._aggregate, noting per record what it added (0: left out by the
    `where` or null; a min/max: its value, or None)."""
    got = []
    for n, r in enumerate(recs):
        chosen = where is None or _call(where, r) is True
        v = (1 if arg is None else _call(arg, r)) if chosen else None
        if func in ("min", "max"):
            deltas[n].append(v)
        elif func == "count":
            deltas[n].append(0 if v is None else 1)
        else:
            deltas[n].append(zero if v is None else v)
        if v is not None:
            got.append(v)
    if func == "count":
        return len(got)
    if func == "sum":
        return sum(got, start=zero)
    if not got:
        return None
    return min(got) if func == "min" else max(got)


def _contributions(der: Derivation, fn: Any, env: Mapping[str, Any], used: list[int],
                   deltas: list[list[Any]], value: Any) -> list[Any] | None:
    """What each record contributed to the field — the expression over that record's own
    additions — when the field is a sum of them: its aggregates are sums and counts, it is
    zero on zeros, doubles with them, and the contributions add up to the value."""
    if not used or any(der.aggregates[i][0] not in ("sum", "count") for i in used):
        return None
    if not isinstance(value, int | Decimal) or isinstance(value, bool):
        return None

    def at(values: Mapping[int, Any]) -> Any:
        return _call(fn, {**env, **{f"_a{i}": v for i, v in values.items()}})
    try:
        if at({i: deltas[0][i] * 0 if deltas else 0 for i in used}) != 0:
            return None
        out = [at({i: d[i] for i in used}) for d in deltas]
        doubled = [at({i: d[i] * 2 for i in used}) for d in deltas]
    except (TypeError, ArithmeticError):
        return None
    if any(b != 2 * a for a, b in zip(out, doubled, strict=True)) or total(out) != value:
        return None
    return out


def _aggregate_text(der: Derivation, i: int) -> str:
    func, _, arg, where = der.aggregates[i]
    what = ", ".join(arg[1]) if arg is not None else ""
    cond = f" onde a condição sobre {', '.join(where[1])} é verdadeira" if where else ""
    return f"{func}({what}){cond}"


def _aggregate_tree(der: Derivation, i: int, recs: list[dict[str, Any]],
                    deltas: list[list[Any]], display: str, value: Any, part: Any,
                    pkg: Any) -> dict[str, Any]:
    func, _, arg, where = der.aggregates[i]
    rows = []
    for n, r in enumerate(recs):
        fields = {f: exact(r[f]) for f in (*(arg[1] if arg else ()), *(where[1] if where
                                                                       else ()))}
        if where is not None:
            fields["where"] = _call(where, r) is True
        rows.append(_rec(display, r, exact(deltas[n][i]), fields))
    t = tree("derivation", pkg, der.id, part, f"agregado _a{i}: {_aggregate_text(der, i)}",
             exact(value), records=rows)
    if func in ("sum", "count"):
        t["records_sum"] = exact(total([d[i] for d in deltas]))
    return t


def _rec(display: str, r: Mapping[str, Any], contributed: Any,
         fields: Mapping[str, Any]) -> dict[str, Any]:
    return {"source": {"file": r.get("_file", display), "line": r["_line"]},
            "contributed": contributed,
            "fields": dict(fields)}


def _branches(der: Derivation, field: str, env: Mapping[str, Any], value: Any
              ) -> dict[str, Any] | None:
    """The field's if-branches evaluated on the env its value was computed on (conditions
    held or not, the branch taken: runtime/derivation_branches.py), None when it has none."""
    for b in der.branches:
        if b.field == field:
            return derivation_branches.evaluate(b, env, value, exact, source)
    return None


def _with_branches(out: dict[str, Any], chosen: dict[str, Any] | None) -> None:
    if chosen is not None:
        out["branches"] = chosen
        out["decision"] = out["decision"] or derivation_branches.decision(chosen)


# ---------------------------------------------------------------------- per record
def _per_record(der: Derivation, ctx: Any, trace: NodeTrace, records: list[dict[str, Any]],
                display: str, position: str, field: str, part: Any, pkg: Any,
                common: dict[str, Any]) -> dict[str, Any]:
    if not position.isdigit() or not 1 <= int(position) <= len(records):
        raise RunFailed([catalog.unknown_record(
            der.id, position, [f"1 a {len(records)} (a posição do registro na saída)"])])
    rec = records[int(position) - 1]  # with the parameters read as fields, as the run
    rec = {**rec, **{f"{PARAM}{name}": ctx.params[name] for name, _ in der.params}}
    related = {led: _read(ctx, led) for led in dict.fromkeys(r[1] for r in der.related)}
    rows = {led: [dict(zip(names, r, strict=False)) | {"_line": r[-1]} for r in got]
            for led, (got, names, _) in related.items()}
    classified = {c.name: (m, key, value) for c, (m, key, value) in
                  zip(der.classify, der.classify_maps, strict=True)}
    lookups = []
    reads: list[dict[str, Any]] = []
    if field in classified:
        value = rec[field]
        reads_fields: tuple[str, ...] = (classified[field][1],)
        m, key, val = classified[field]
        at = {what: loc for what, _, loc in der.texts}.get(f"classify:{field}")
        common["rule"] = {"text": f"{m}[{key}].{val}", "source": source(at)}
        used_maps = [field]
        uses: list[int] = []
        chosen = None
    else:
        fn = der.fields[der.field_names.index(field)]
        reads_fields = tuple(f for f in fn[1] if not f.startswith("_c"))
        used_maps = [f for f in fn[1] if f in classified]
        uses = [int(f[2:]) for f in fn[1] if f.startswith("_c")]
        env = dict(rec)
        reads = [_collection(der, n, rec, rows, related, part, pkg, env) for n in uses]
        value = _call(fn, env)
        chosen = _branches(der, field, env, value)
    for name in used_maps:
        m, key, val = classified[name]
        rm = ctx.maps[m]
        k = rec[key]
        hit = None if k is None else rm.entries.get((k,))
        lk = Lookup(map=m, key=tuple(zip(rm.spec.key, (k,), strict=True)),
                    values=None if hit is None else tuple(zip(rm.spec.values, hit,
                                                              strict=True)),
                    at=trace.entry_at(rm, (k,)))
        lookups.append({**lookup_dict(lk), "records": 1, "field": name})
    value, step, step_notes = explain_union.written(der, rec, field, value)
    reads += explain_union.with_reads(der, rec, lambda led: _read(ctx, led), pkg, part)
    fields = {f: exact(rec[f]) for f in dict.fromkeys((*reads_fields, *used_maps))}
    out = tree("derivation", pkg, der.id, part,
               f"{der.id} registro {position} ({rec.get('_file', display)}:{rec['_line']}) · "
               f"{field}",
               exact(value), **common, lookups=lookups,
               records=[_rec(display, rec, None, fields)])
    out["position"] = int(position)
    out["record"] = {"file": rec.get("_file", display), "line": rec["_line"]}
    _with_branches(out, chosen)
    out["notes"] += step_notes
    out["decision"] = step or out["decision"]
    out["reads"] = reads
    if uses:
        single = [t for t in reads if t.get("records_sum") is not None]
        fn = der.fields[der.field_names.index(field)]
        if len(uses) == 1 and len(fn[1]) == 1 and single and _call(fn, {fn[1][0]: value}) \
                == value:
            out["records"] = single[0]["records"]
            out["records_sum"] = single[0]["records_sum"]
    return out


def _collection(der: Derivation, n: int, rec: dict[str, Any],
                rows: Mapping[str, list[dict[str, Any]]],
                related: Mapping[str, tuple[Any, list[str], str]], part: Any, pkg: Any,
                env: dict[str, Any]) -> dict[str, Any]:
    """One use of a collection by this record: the related records its keys reached, which
    the `where` kept (with the values it read), in the collection's order, and what the use
    made of them (the pick and why, or each one's part of a count or sum)."""
    _, rel, func, value_fn, pick_field, type_ = next(c for c in der.collects if c[0] == n)
    name, led, on, where, order = next(r for r in der.related if r[0] == rel)
    texts = {what: (text, at) for what, text, at in der.texts}
    rdisplay = related[led][2]
    outer = {f"{OUTER}{k}": v for k, v in rec.items()}
    key = tuple(rec[mine] for _, mine in on)
    reached = [] if None in key else index(rows[led], on, order).get(key, [])
    kept = [r for r in reached if where is None or _call(where, {**r, **outer}) is True]
    got = use_value(func, value_fn, pick_field, kept, outer, type_)
    env[f"_c{n}"] = got
    inner = tuple(f for f in (where[1] if where else ()) if not f.startswith(OUTER))
    outside = tuple(f[len(OUTER):] for f in (where[1] if where else ()) if f.startswith(OUTER))
    picked = _picked(func, value_fn, kept, outer)
    listed = []
    for pos, r in enumerate(reached, start=1):
        fields: dict[str, Any] = {"ordem": pos, **{f: exact(r[f]) for f in inner}}
        fields.update({f: exact(r[f]) for f, _ in order})
        inside = r in kept
        fields["na_colecao"] = inside
        contributed = None
        if value_fn is not None and inside:
            v = _call(value_fn, {**r, **outer})
            fields["valor_lido"] = exact(v)
            if func == "sum":
                contributed = exact(v if v is not None else 0)
        if func == "count" and inside:
            contributed = int(value_fn is None or _call(value_fn, {**r, **outer}) is True)
        if picked is not None and r is picked:
            fields["escolhido"] = True
        if pick_field is not None:
            fields[pick_field] = exact(r.get(pick_field))
        listed.append({"source": {"file": rdisplay, "line": r["_line"]},
                       "contributed": contributed, "fields": fields})
    wtext, wat = texts.get(f"related:{name}", ("", None))
    order_text = ", ".join(f"{f} {'decrescente' if desc else 'crescente'}"
                           for f, desc in order)
    order_text = (order_text + ", depois " if order_text else "") + \
        "a ordem do arquivo (nulos por último)"
    t = tree("derivation", pkg, der.id, part,
             f"coleção {name} ({led}) · {USE.get(func, func)}"
             + (f" .{pick_field}" if pick_field else ""), exact(got),
             rule={"text": wtext, "source": source(wat)} if wtext else None, records=listed)
    t["collection"] = {"name": name, "ledger": led,
                       "on": {theirs: {"field": mine, "value": exact(rec[mine])}
                              for theirs, mine in on},
                       "order": order_text, "outer": {f: exact(rec[f]) for f in outside},
                       "reached": len(reached), "kept": len(kept)}
    t["decision"] = _why(func, pick_field, kept, picked, value_fn, outer, rdisplay)
    if func in ("sum", "count"):
        parts = [r["contributed"] for r in listed if r["contributed"] is not None]
        t["records_sum"] = exact(total([Decimal(str(p)) if type_ == "decimal" else p
                                        for p in parts]))
    if None in key:
        t["notes"].append("uma chave deste registro é nula: a coleção é vazia")
    for f in outside:
        t["notes"].append(f"{der.ledger}.{f} deste registro = {cell_text(rec[f]) or 'nulo'}")
    if wtext and "within(" in wtext:
        t["notes"].append("within(x, início, fim): um início ou fim nulo deixa esse lado "
                          "aberto")
    return t


def _picked(func: str, value_fn: Any, kept: list[dict[str, Any]],
            outer: Mapping[str, Any]) -> dict[str, Any] | None:
    """The record first/last/max_by/min_by took (runtime/derivation_related.use_value)."""
    if func not in PICKS or not kept:
        return None
    if func in ("first", "last"):
        return kept[0 if func == "first" else -1]
    best, best_key = None, None
    for r in kept:
        k = _call(value_fn, {**r, **outer})
        if k is None:
            continue
        if best is None or (k > best_key if func == "max_by" else k < best_key):
            best, best_key = r, k
    return best


def _why(func: str, pick_field: str | None, kept: list[dict[str, Any]],
         picked: dict[str, Any] | None, value_fn: Any, outer: Mapping[str, Any],
         display: str) -> str:
    if not kept:
        return {"count": "coleção vazia: 0", "sum": "coleção vazia: 0",
                "any": "coleção vazia: falso", "all": "coleção vazia: verdadeiro"}.get(
                    func, "coleção vazia: nulo")
    if func in ("first", "last"):
        assert picked is not None
        return (f"{'o primeiro' if func == 'first' else 'o último'} na ordem da coleção: "
                f"{display}:{picked['_line']} ({pick_field} = "
                f"{cell_text(picked.get(pick_field or '')) or 'nulo'})")
    if func in ("max_by", "min_by"):
        if picked is None:
            return "nenhum registro da coleção tem a chave não nula: nulo"
        best = _call(value_fn, {**picked, **outer})
        ties = [r for r in kept if r is not picked and _call(value_fn, {**r, **outer}) == best]
        text = (f"{'a maior' if func == 'max_by' else 'a menor'} chave não nula, "
                f"{cell_text(best)}: {display}:{picked['_line']} ({pick_field} = "
                f"{cell_text(picked.get(pick_field or '')) or 'nulo'})")
        if ties:
            text += ("; empate com " + ", ".join(f"{display}:{r['_line']}" for r in ties)
                     + ": fica o primeiro na ordem da coleção")
        return text
    if func == "any":
        return "verdadeiro se a condição vale para algum registro da coleção"
    if func == "all":
        return "verdadeiro se a condição vale para todos os registros da coleção"
    return f"{USE[func]} sobre os {len(kept)} registro(s) da coleção"


# ---------------------------------------------------------------------- listing
def addresses(program: Any, result: Any, ctx: Any, node: Any) -> list[str]:
    """`apura explain --list`: every value of the node's output file as the run wrote it —
    per key, the `per:` values as the file shows them then each column that is not a key;
    per record, the record's position then each column (runtime/explain_list.py). With
    `--state` an incremental node's file is the picture of the loads."""
    import csv
    import io

    from runtime.explain_address import address

    out: list[str] = []
    parts = result.partitions if program.package.partition is not None else [None]
    for part in parts:
        data = node.output_files(ctx, part).get(node.file)
        if not data:
            continue
        header, *rows = csv.reader(io.StringIO(data.decode("utf-8")), delimiter=";")
        shown = [c for c in header if c in node.names and c not in node.per]
        for n, row in enumerate(rows, start=1):
            values = dict(zip(header, row, strict=False))
            loc = [values[k] for k in node.per] if node.per else [str(n)]
            out.extend(address(node.id, part, *loc, c) for c in shown)
    return out
