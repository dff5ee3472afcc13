"""The integration config as the one source of the per-entity settings a run computes with
(`apura run PACKAGE --config FILE`): what the seed's section 5 sets on a system's screen is not
given to the run a second time.

* **Folha's categories** ("Dados cadastrais à gerar", `sistemas.Folha.categorias`) become
  the input `categoria_portal` (`categoria;descricao`: the code the ledger `servidor` carries,
  the screen's name), the categories the Pessoal indicators count.
* **Folha's event maps** (the tabs Cargos comissionados, Funções gratificadas, Horas extras,
  Afastamentos of each entity, `sistemas.Folha.eventos`) become the input `evento_portal`
  (`entidade;evento;grupo`, groups COMISSIONADO, GRATIFICADA, HORA_EXTRA, AFASTAMENTO): a
  config with a Folha block derives it (an entity without events counts none), and the same
  input given as a file too is S1916. A config without Folha leaves the input to `--input`.
* **Sapo's Poder** (`sistemas.Sapo.poder`, which the config requires) is the run parameter
  `poder` when the run does not give it; a `--param poder` with another value is S1917 (the
  same value is accepted): the run never picks one of two answers silently.
* **The exercício** each system's screen sets (`exercicio:`) is the exercício its data is sent
  for: the run's `exercicio` (the records carry it, a run is one exercício) must be it — a run
  of another exercício is S1917 at the first system that says otherwise; a run that does not
  give it takes Sapo's.

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
CATEGORIES = "categoria_portal"
# the screen's categories → their code in the ledger servidor (specs/portal_gestor)
CATEGORY_CODES = {"Funcionários": "FUNCIONARIOS", "Aposentados": "APOSENTADOS",
                  "Beneficiários de pensão por morte": "PENSIONISTAS",
                  "Conselheiros tutelares": "CONSELHEIROS", "Autônomos": "AUTONOMOS"}
# input → the config field it comes from (where S1916 points)
FROM = {CATEGORIES: "Folha.categorias", EVENTS: "Folha.eventos"}
# run parameter → (system, option) the config holds it in
PARAMS = {"poder": ("Sapo", "poder")}


def derived_inputs(settings: Settings) -> dict[str, bytes]:
    """The inputs the config gives (ledger id → CSV bytes, as the ledger spec reads them):
    `categoria_portal` and `evento_portal` from a Folha block, one row per category, per
    entity and event, in the config's order."""
    if settings.folha is None:
        return {}
    cats = ["categoria;descricao"]
    cats += [f"{CATEGORY_CODES[c]};{c}" for c in settings.folha.categorias]
    events = ["entidade;evento;grupo"]
    for entity, groups in settings.folha.eventos:
        for group, codes in groups:
            events += [f"{entity};{code};{GROUPS[group]}" for code in codes]
    return {name: ("\n".join(lines) + "\n").encode("utf-8")
            for name, lines in ((CATEGORIES, cats), (EVENTS, events))}


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
            at = loaded.spans.get(FROM[ledger], loaded.spans.get("Folha"))
            assert at is not None
            diags.append(catalog.input_from_config(at, ledger=ledger,
                                                   where=f"sistemas.{FROM[ledger]}"))
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
    years = [(s.name, s.exercicio) for s in settings.systems if s.exercicio is not None]
    if "exercicio" not in out:
        sapo = settings.system("Sapo")
        if sapo is not None and sapo.exercicio is not None:
            out["exercicio"] = str(sapo.exercicio)
    given = out.get("exercicio")
    other = next(((n, y) for n, y in years if given is not None and given != str(y)), None)
    if other is not None:
        diags.append(catalog.param_conflict(loaded.spans[f"{other[0]}.exercicio"],
                                            param="exercicio", given=str(given),
                                            config=str(other[1]), system=other[0]))
    return out, diags
