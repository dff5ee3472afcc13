"""`apura explain` of one key of a `coverage` node (a guia of the "Informações de
Equivalência"): the records of its sources that carry the key (file:line) — those that passed
a source's filter —, the map entry the key found (its values, status and file:line) or that
it found none, and so whether it is a gap; for a listing (no map), the records it lists.

Lineage is recorded on demand: the package runs again on the Python back end (all of it:
every source given is read, and the node is active), with two watches installed when the scans
start (runtime/explain_lineage.NodeTrace hands over each ledger's rows): the map's direct-hit
entries, whose membership test the scan makes for every record that passed a source's filter
(`_ck not in entries`, a dict whose `__contains__` notes the line of the record being scanned),
and the run's gap table (`ctx.gaps.get`, called for every record that is an item). The
generated scans are not changed for it. Two coverage nodes over one map share its entries: the
watch cannot tell their records apart, and the tree says so."""

from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any

from runtime import catalog_explain_kinds as catalog
from runtime.coverage import Coverage
from runtime.coverage import quoted
from runtime.errors import RunFailed
from runtime.explain_lineage import NodeTrace
from runtime.explain_lineage import at_text
from runtime.explain_lineage import exact
from runtime.explain_lineage import lookup_dict
from runtime.explain_lineage import params_text
from runtime.explain_lineage import source
from runtime.explain_lineage import traced_node_run
from runtime.explain_lineage import tree
from runtime.model import LedgerInput
from runtime.trace import Lookup


class CoverageTrace(NodeTrace):
    """Notes the lines of the records that carry `wanted` (the key as text) for coverage
    `node`, and every key seen (for the choices of D1941)."""

    def __init__(self, package: Any, node: Coverage, wanted: tuple[str, ...], part: Any
                 ) -> None:
        super().__init__(package, "", (), (), part)
        self.cov = node
        self.wanted = wanted
        self.lines: dict[tuple[str, int], None] = {}
        self.seen: dict[tuple[str, ...], None] = {}
        self._installed = False

    def note(self, key: Any) -> None:
        if self.line < 0 or not isinstance(key, tuple):
            return
        text = tuple(str(v) for v in key)
        self.seen.setdefault(text, None)
        if text == self.wanted:
            self.lines.setdefault((self.file, self.line), None)

    def rows(self, ledger: str, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
        ctx = self.ctx
        assert ctx is not None
        if not self._installed:  # before the first scan; the maps fill the same objects
            self._installed = True
            if self.cov.map is not None:
                m = ctx.maps[self.cov.map]
                m.entries = _Entries(m.entries, self)
            ctx.gaps = _Gaps(ctx.gaps, self)
        return super().rows(ledger, rows)


class _Entries(dict):  # type: ignore[type-arg]
    """A map's direct-hit entries that note every membership test (the coverage's)."""

    def __init__(self, entries: Mapping[Any, Any], trace: CoverageTrace) -> None:
        super().__init__(entries)
        self.trace = trace

    def __contains__(self, key: object) -> bool:
        self.trace.note(key)
        return super().__contains__(key)


class _Gaps(dict):  # type: ignore[type-arg]
    """The run's coverage items (ctx.gaps) that note the records of the node's items."""

    def __init__(self, gaps: Mapping[Any, Any], trace: CoverageTrace) -> None:
        super().__init__(gaps)
        self.trace = trace

    def get(self, k: Any, default: Any = None) -> Any:
        if isinstance(k, tuple) and k and k[0] == self.trace.cov.id:
            self.trace.note(k[1])
        return super().get(k, default)


def _node(package: Any, node: str) -> Coverage:
    got = [n for n in package.nodes if isinstance(n, Coverage)]
    for n in got:
        if n.id == node:
            return n
    raise RunFailed([catalog.unknown_node("cobertura", node, [n.id for n in got])])


def explain(program: Any, ledgers: Mapping[str, LedgerInput], params: Mapping[str, Any], *,
            node: str, part: str | None, locator: tuple[str, ...],
            allow_rejects: bool = False, allow_unconfirmed: bool = False,
            allow_gaps: bool = True) -> dict[str, Any]:
    """The explanation tree (EXPLAIN.md) of the key `locator` (its values, in the order of the
    node's keys, as text) of coverage `node`. Gaps are allowed by default (they are what is
    asked about). RunFailed with D1940 (unknown node), D1941 (no record carries the key)."""
    prog = program.view_for(params)
    pkg = prog.package
    cov = _node(pkg, node)
    trace = CoverageTrace(pkg, cov, tuple(locator), part)
    # the whole package: every source given is read (a report it serves may read only some)
    _, found = traced_node_run(prog, ledgers, params, trace, None, part,
                               allow_rejects=allow_rejects, allow_unconfirmed=allow_unconfirmed,
                               allow_gaps=allow_gaps)
    ctx = trace.ctx
    assert ctx is not None
    if len(locator) != len(cov.key_names) or not trace.lines:
        shown = [":".join(k) for k in trace.seen]
        raise RunFailed([catalog.unknown_record(cov.id, ":".join(locator), shown)])
    shown_key = ", ".join(f"{n}={quoted(v)}" for n, v in zip(cov.key_names, locator,
                                                             strict=True))
    records = [{"source": {"file": f, "line": n}, "contributed": 1, "fields": {}}
               for f, n in trace.lines]
    out = tree("coverage", pkg, cov.id, found, f"cobertura {cov.id}: [{shown_key}]", "",
               rule={"text": cov.label or (f"mapa {cov.map}" if cov.map else ""),
                     "source": source(cov.at)},
               params={k: exact(v) for k, v in sorted(ctx.params.items())}, records=records)
    out["key"] = dict(zip(cov.key_names, locator, strict=True))
    out["count"] = len(records)
    out["severity"] = cov.severity
    if cov.map is None:
        out["value"] = "listado"
        out["decision"] = (f"uma listagem: cada chave que os filtros das fontes acham é um item "
                           f"({'aviso D1304' if cov.severity == 'warning' else 'erro D1301'})")
    else:
        out.update(_entry(cov, ctx, trace))
    others = [n.id for n in pkg.nodes if isinstance(n, Coverage) and n.id != cov.id
              and cov.map is not None and n.map == cov.map]
    if others:
        out["notes"].append(f"o mapa '{cov.map}' também é coberto por {', '.join(others)}: "
                            "os registros listados podem ser também os desses nós")
    out["notes"].append(f"fontes: {', '.join(cov.sources)}")
    return out


def _entry(cov: Coverage, ctx: Any, trace: CoverageTrace) -> dict[str, Any]:
    """The map entry of the key: confirmed (a direct hit), of another status, or none."""
    assert cov.map is not None
    m = ctx.maps[cov.map]
    key = next((k for k in (*m.entries, *m.suspect)
                if tuple(str(v) for v in k) == trace.wanted), None)
    hit = None if key is None else (m.entries.get(key) or m.suspect.get(key))
    status = None if key is None else m.status.get(key)
    lk = Lookup(map=m.spec.id, key=tuple(zip(m.spec.key, key or trace.wanted, strict=True)),
                values=None if hit is None else tuple(zip(m.spec.values, hit, strict=True)),
                at=None if key is None else trace.entry_at(m, key))
    entry = {**lookup_dict(lk), "records": len(trace.lines), "status": status}
    gap = "aviso D1302" if ctx.allow_gaps else "erro D1301"
    if hit is None:
        value, decision = "sem equivalência", f"lacuna ({gap}): o mapa não tem a chave"
    elif status is not None:
        value = f"status {status}"
        decision = (f"lacuna ({gap}): a equivalência tem status {quoted(status)}, não "
                    "CONFIRMADA")
    else:
        value = "confirmada"
        decision = f"coberta: equivalência confirmada ({lk.at or 'sem linha'})"
    return {"value": value, "decision": decision, "lookups": [entry]}


def render_text(t: Mapping[str, Any]) -> str:
    """The memória de cálculo of one coverage key as text (pt-BR)."""
    part = f" · partição {t['partition']}" if t.get("partition") is not None else ""
    out = [f"Memória de cálculo: pacote {t['package']} · cobertura {t['node']}{part}",
           f"{t['title']} = {t['value']}"]
    if t["rule"] and t["rule"]["source"]:
        out.append(f"  spec ({at_text(t['rule']['source'])}): {t['rule']['text']}")
    if t["params"]:
        out.append(f"  parâmetros: {params_text(t['params'])}")
    for lk in t["lookups"]:
        key = ", ".join(f"{k}={quoted(v)}" for k, v in lk["key"].items())
        hit = ("sem entrada" if lk["hit"] is None
               else ", ".join(f"{k}={quoted(v)}" for k, v in lk["hit"].items()))
        at = f"  ({at_text(lk['source'])})" if lk["source"] else ""
        out.append(f"  mapa {lk['map']}[{key}] → {hit}{at}")
    out.append(f"  registros ({t['count']}; arquivo:linha):")
    for r in t["records"]:
        out.append(f"    {r['source']['file']}:{r['source']['line']}")
    if t["decision"]:
        out.append(f"  decisão: {t['decision']}")
    for n in t["notes"]:
        out.append(f"  nota: {n}")
    return "\n".join(out) + "\n"
