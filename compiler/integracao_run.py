"""The integration config as the one source of the per-entity settings a run computes with
(`apura run PACKAGE --config FILE`): what the seed's section 5 sets on a system's screen is not
given to the run a second time.

* **Folha's event maps** (the tabs Cargos comissionados, Funções gratificadas, Horas extras,
  Afastamentos of each entity, `sistemas.Folha.eventos`) become the input `evento_portal`
  (`entidade;evento;grupo`, groups COMISSIONADO, GRATIFICADA, HORA_EXTRA, AFASTAMENTO): a
  config with a Folha block derives it (an entity without events counts none), and the same
  input given as a file too is S1916. A config without Folha leaves the input to `--input`.
* **Sapo's Poder** (`sistemas.Sapo.poder`, which the config requires) is the run parameter
  `poder` when the run does not give it; a `--param poder` with another value is S1917 (the
  same value is accepted): the run never picks one of two answers silently.

Both errors point at the config (file:line:col), as its own mistakes do."""

from __future__ import annotations

from collections.abc import Collection
from collections.abc import Mapping

from compiler import catalog_integracao as catalog
from compiler.diagnostics import Diagnostic
from compiler.integracao import Loaded
from runtime.portal_settings import Settings

# the config's event groups → the `grupo` of the input evento_portal (specs/portal_gestor)
GROUPS = {"cargos_comissionados": "COMISSIONADO", "funcoes_gratificadas": "GRATIFICADA",
          "horas_extras": "HORA_EXTRA", "afastamentos": "AFASTAMENTO"}
EVENTS = "evento_portal"
# run parameter → (system, option) the config holds it in
PARAMS = {"poder": ("Sapo", "poder")}


def derived_inputs(settings: Settings) -> dict[str, bytes]:
    """The inputs the config gives (ledger id → CSV bytes, as the ledger spec reads them):
    `evento_portal` from a Folha block, one row per entity and event, in the config's order."""
    if settings.folha is None:
        return {}
    lines = ["entidade;evento;grupo"]
    for entity, groups in settings.folha.eventos:
        for group, codes in groups:
            lines += [f"{entity};{code};{GROUPS[group]}" for code in codes]
    return {EVENTS: ("\n".join(lines) + "\n").encode("utf-8")}


def against_run(loaded: Loaded, inputs: Collection[str],
                params: Mapping[str, str]) -> tuple[dict[str, str], list[Diagnostic]]:
    """The run's parameters with what the config sets (a parameter not given takes the
    config's value) and the conflicts: an input the config derives given as a file too
    (S1916), a parameter given with another value than the config's (S1917)."""
    settings = loaded.settings
    assert settings is not None
    out = dict(params)
    diags: list[Diagnostic] = []
    for ledger in derived_inputs(settings):
        if ledger in inputs:
            diags.append(catalog.input_from_config(loaded.spans["Folha.eventos"]
                                                   if "Folha.eventos" in loaded.spans
                                                   else loaded.source.span(0, 1),
                                                   ledger=ledger,
                                                   where="sistemas.Folha.eventos"))
    for param, (name, option) in PARAMS.items():
        system = settings.system(name)
        value = system.option(option) if system is not None else None
        if value is None:
            continue
        if param not in out:
            out[param] = value
        elif out[param] != value:
            diags.append(catalog.param_conflict(loaded.spans[f"{name}.{option}"], param=param,
                                                given=out[param], config=value, system=name))
    return out, diags
