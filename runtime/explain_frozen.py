"""`apura explain` of a frozen field (`incremental.frozen`; assinatura's "fora do prazo", seed
001: "não terão mais atualizações"), explained from the state (`--state`).

The file holds the value frozen at an earlier load, not what the rule gives on this load's
records: the tree's value is the frozen one, the decision says since which load and what the
rule would give now, and the explanation of that load — the branch taken then and the
records it read, with the parameters of the run that made it (runs.params) — is attached
(`frozen.at_load`, its summary in the notes, so every format shows it). Without `--state`
nothing is frozen (a run without state stores nothing): the rule is the value, and a note
says the file of a run with state may hold an earlier load's."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from runtime import derivation_freeze
from runtime import explain_loads
from runtime.derivation import cell_text
from runtime.derivation_state import canon
from runtime.derivation_state import dumps
from runtime.explain_derivation_text import value_text
from runtime.explain_lineage import exact


def no_state(since: str) -> str:
    """The note of a frozen field explained without `--state` (`since`: its since column)."""
    return ("campo congelado (incremental.frozen): escrito uma vez para a chave um valor que "
            "cumpre a condição, as cargas seguintes escrevem esse valor, digam o que disserem "
            "os dados; sem --state esta memória mostra a regra sobre os dados desta execução "
            f"(com o estado, o valor congelado e a carga do congelamento: a coluna "
            f"'{since or '—'}')")


def run_params(state: str | Path, run: Any) -> dict[str, str] | None:
    """The parameters the run `run` was given (runs.params), None when unknown."""
    if run is None:
        return None
    db = sqlite3.connect(f"file:{Path(state).resolve().as_posix()}?mode=ro", uri=True)
    try:
        got = db.execute("SELECT params FROM runs WHERE id = ?", (run,)).fetchone()
    finally:
        db.close()
    if got is None:
        return None
    value = json.loads(got[0])
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def annotate(out: dict[str, Any], der: Any, ctx: Any, state: str | Path, load: int,
             key: tuple[Any, ...], field: str,
             again: Callable[[int, dict[str, str]], dict[str, Any] | None]) -> None:
    """`out` (the rule on load `load`) as the file has it when `field` of `key` is frozen:
    `again(since, params)` explains the same record at the load it froze at."""
    done = derivation_freeze.freezes(der, ctx, load)
    text = dumps([canon(v) for v in key])  # the state's own encoding of a key
    hit = None if done is None else done.get(field, {}).get(text)
    if hit is None:
        out["notes"].append(f"campo congelável (incremental.frozen): até a carga {load} a "
                            "chave não cumpriu a condição; o valor é o da regra")
        return
    since, value = hit
    rule = out["value"]
    out["frozen"] = {"since": since, "value": exact(value), "rule_value": rule}
    if since == load:  # it froze at this load: the rule's branch is the decision
        out["notes"].append(f"congelou nesta carga ({load}): as seguintes escrevem "
                            f"{cell_text(value)}, digam o que disserem os dados")
        return
    out["value"] = exact(value)
    now = ("a regra sobre a carga dá o mesmo" if exact(value) == rule else
           f"a regra sobre a carga {load} daria {value_text(rule)}")
    out["decision"] = (f"congelado desde a carga {since}: o arquivo escreve "
                       f"{cell_text(value)} ({now})")
    runs = explain_loads.loads_of(state, ctx.package.id, der.ledger)
    params = run_params(state, runs.get(since, ("", "", None))[2])
    if params is None:
        out["notes"].append(f"a execução da carga {since} não está no estado: a regra dela não "
                            "pode ser refeita")
        return
    then = again(since, params)
    if then is None:
        return
    out["frozen"]["at_load"] = then
    shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
    rec = then.get("record") or {}
    out["notes"].append(
        f"na carga {since} (parâmetros da execução: {shown}; registro "
        f"{rec.get('file', '?')}:{rec.get('line', '?')}): {then.get('decision') or 'sem ramo'}")
    for r in then.get("records", []):
        fields = "  ".join(f"{k}={value_text(v)}" for k, v in r["fields"].items())
        out["notes"].append(f"  lido na carga {since}: {r['source']['file']}:"
                            f"{r['source']['line']}  {fields}")
