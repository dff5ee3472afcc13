"""The JSON Schema of the Portal do Gestor integration config (compiler/integracao.py): its
shape — which fields each source system of the seed's section 5 has, which are required, and
their YAML types. What the values must be (a token's form, Bearer or not, a year, E/L,
Produção/Testes, the Folha categories) is checked after it, with the seed's words."""

from __future__ import annotations

from typing import Any

TEXT: dict[str, Any] = {"type": ["string", "integer", "number", "boolean", "null"]}  # raw text
CODES: dict[str, Any] = {"type": "array", "items": {"type": "integer"}}
SCHEDULED = {"enum": ["horaria", "diaria"]}


# a token or chave de acesso: its text, or `{env: NAME}` — read from that environment variable
# (compiler/integracao.py), so the YAML need not hold it
SECRET: dict[str, Any] = {"type": [*TEXT["type"], "object"],
                          "properties": {"env": {"type": "string"}}, "required": ["env"],
                          "additionalProperties": False}


def _system(*required: str, **more: Any) -> dict[str, Any]:
    props: dict[str, Any] = {"url": TEXT, "token": SECRET, "chave_acesso": SECRET,
                             "exercicio": TEXT, **more}
    return {"type": "object", "properties": props, "required": ["url", *required],
            "additionalProperties": False}


EVENTS = {"type": "object", "additionalProperties": False,
          "properties": {"apelido": TEXT, "cargos_comissionados": CODES,
                         "funcoes_gratificadas": CODES, "horas_extras": CODES,
                         "afastamentos": CODES}}

SYSTEMS: dict[str, Any] = {
    "Sapo": _system("exercicio", "poder", poder=TEXT),
    "Folha": _system("exercicio", "categorias", configuracoes=CODES,
                     categorias={"type": "array", "items": TEXT},
                     eventos={"type": "object", "additionalProperties": EVENTS}),
    "Estoque": _system(),
    "Compras": _system(conexao_sapo=TEXT),
    "Patrimônio": _system("linha", linha={"enum": ["desktop", "cloud"]}, script=TEXT,
                          agenda=SCHEDULED),
    "Frotas": _system(),
    "Tributos": _system("ambiente", ambiente=TEXT, url_testes=TEXT),
    "Protocolo": _system(ativar={"type": "boolean"}),
    "Saúde": _system(),
    "Educação": _system(),
    "Almoxarifado": _system(script=TEXT, agenda=SCHEDULED),
}

POSITIVE = {"type": "number", "exclusiveMinimum": 0}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["sistemas"],
    "additionalProperties": False,
    "properties": {
        "envio": {"type": "object", "additionalProperties": False,
                  "properties": {"timeout": POSITIVE, "tentativas": {"type": "integer",
                                                                     "exclusiveMinimum": 0},
                                 "espera": POSITIVE, "espera_maxima": POSITIVE,
                                 "consulta": POSITIVE, "limite_consulta": POSITIVE}},
        "sistemas": {"type": "object", "properties": SYSTEMS, "additionalProperties": False},
    },
}
