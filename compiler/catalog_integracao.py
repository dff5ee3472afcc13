"""The diagnostic catalogue of the Portal do Gestor integration config (S19xx,
compiler/integracao.py): one function per code, the only place their wording lives.

No message ever quotes a token or a chave de acesso: they say where (the caret) and what is
wrong with it (a space at column N, no `Bearer `), and the rendered line is masked
(compiler/integracao.py `masked`)."""

from __future__ import annotations

from compiler.catalog_data import _did_you_mean
from compiler.catalog_data import _visible
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span

EXAMPLE = "00X00000-00X0-0000-0X00-000000X0000X"  # the seed's example token


def config_unknown_field(span: Span, *, field: str, where: str, close: tuple[str, ...],
                         known: tuple[str, ...]) -> Diagnostic:
    """S1901: a key the config does not have there (a system not in the seed, a misspelling);
    `where` with its preposition ('no sistema Sapo')."""
    return Diagnostic(code="S1901", message=f"campo desconhecido '{_visible(field)}' {where}",
                      span=span, help=_did_you_mean(close) or "campos aceitos aqui: "
                      + ", ".join(f"'{c}'" for c in known))


def config_missing_field(span: Span, *, field: str, where: str) -> Diagnostic:
    """S1902: a required key is missing."""
    return Diagnostic(code="S1902", message=f"falta o campo '{field}' {where}", span=span)


def config_wrong_type(span: Span, *, field: str, want: str) -> Diagnostic:
    """S1903: a value of the wrong YAML type (a list where text goes, ...); `field` as the
    message names it ("'poder'", "um item de 'categorias'")."""
    return Diagnostic(code="S1903", message=f"{field} deve ser {want}", span=span)


def config_not_one_of(span: Span, *, field: str, value: str,
                      options: tuple[str, ...]) -> Diagnostic:
    """S1904: a value outside its fixed options (Patrimônio's `linha`, a schedule)."""
    return Diagnostic(code="S1904", message=f"{field} não aceita '{_visible(value)}'",
                      span=span, help="use " + " ou ".join(f"'{o}'" for o in options))


def config_out_of_range(span: Span, *, field: str, low: str) -> Diagnostic:
    """S1905: a delivery number (timeout, tentativas, ...) out of its range."""
    return Diagnostic(code="S1905", message=f"{field} deve ser maior que {low}", span=span)


def token_format(span: Span, *, system: str, field: str, why: str) -> Diagnostic:
    """S1906: a token (or chave de acesso) that is not the code the system's screen takes."""
    return Diagnostic(code="S1906", message=f"{field} do sistema {system} {why}", span=span,
                      help=f"informe o código do token sem espaços, no formato do manual "
                      f"({EXAMPLE}: 8-4-4-4-12 letras e algarismos)")


def token_needs_bearer(span: Span, *, system: str, why: str) -> Diagnostic:
    """S1907: Compras and Patrimônio desktop take the token after the word `Bearer` and a
    space (seed 5.1.4, 5.1.5)."""
    return Diagnostic(code="S1907", message=f"o token do sistema {system} {why}", span=span,
                      help=f"no {system} o campo Token de Migração leva 'Bearer', um espaço e o "
                      f"código: Bearer {EXAMPLE}")


def token_unwanted_bearer(span: Span, *, system: str, field: str, screen: bool) -> Diagnostic:
    """S1908: every other system takes the code only (`screen`: Educação, whose screen shows
    'Bearer' itself before the field)."""
    why = ("a tela do Educação já mostra 'Bearer' antes do campo Token de conversão"
           if screen else f"o campo do sistema {system} recebe só o código")
    return Diagnostic(code="S1908", message=f"{field} do sistema {system} não leva 'Bearer'",
                      span=span,
                      help=f"{why}: informe só o código, sem 'Bearer' e sem espaços")


def exercicio_not_a_year(span: Span, *, system: str, shown: str) -> Diagnostic:
    """S1909: the exercício is not a year (four digits, 1900–2100, without quotes)."""
    return Diagnostic(code="S1909", message=f"o exercício do sistema {system} deve ser um ano; "
                      f"recebeu {shown}", span=span,
                      help="informe o ano com quatro algarismos, sem aspas (ex.: 2019)")


def poder_unknown(span: Span, *, shown: str) -> Diagnostic:
    """S1910: Sapo's Poder is E (Executivo) or L (Legislativo)."""
    return Diagnostic(code="S1910", message="o Poder do sistema Sapo deve ser E ou L; recebeu "
                      f"{shown}", span=span, help="E - Executivo, L - Legislativo")


def ambiente_unknown(span: Span, *, shown: str, candidates: tuple[str, ...]) -> Diagnostic:
    """S1911: Tributos' Ambiente is Produção or Testes."""
    return Diagnostic(code="S1911", message="o Ambiente do sistema Tributos deve ser Produção ou "
                      f"Testes; recebeu {shown}", span=span,
                      help=_did_you_mean(candidates) or "use 'Produção' ou 'Testes'")


def folha_category_unknown(span: Span, *, shown: str, candidates: tuple[str, ...],
                           first: Span | None = None) -> Diagnostic:
    """S1912: a Folha category to send that is not in the seed's list (or given twice)."""
    if first is not None:
        return Diagnostic(code="S1912", message=f"a categoria {shown} aparece duas vezes",
                          span=span, labels=(Label(span=first, message="primeira vez"),))
    return Diagnostic(code="S1912", message=f"categoria desconhecida da Folha: {shown}",
                      span=span, help=_did_you_mean(candidates) or "categorias: Funcionários, "
                      "Aposentados, Beneficiários de pensão por morte, Conselheiros tutelares, "
                      "Autônomos")


def key_field_wrong(span: Span, *, system: str, want: str, got: str) -> Diagnostic:
    """S1913: a system whose screen calls the token `chave_acesso` given `token`, or the
    other way round."""
    return Diagnostic(code="S1913", message=f"o sistema {system} não tem o campo '{got}'",
                      span=span,
                      help=f"a tela do {system} chama o código de '{want}': use {want}:")


def url_invalid(span: Span, *, system: str, why: str) -> Diagnostic:
    """S1914: a base URL that is not http(s)://host[/path]."""
    return Diagnostic(code="S1914", message=f"a URL do sistema {system} {why}", span=span,
                      help="use a URL base do service layer, como https://exemplo.gov.br/api")


def folha_event_twice(span: Span, *, event: str, entity: str, where: str,
                      first: Span) -> Diagnostic:
    """S1915: an event code in two of an entity's event maps (or twice in one)."""
    return Diagnostic(code="S1915", message=f"o evento {event} da entidade {entity} já está "
                      f"em {where}", span=span,
                      labels=(Label(span=first, message="primeira vez"),),
                      help="cada evento conta em um só grupo (cargos comissionados, funções "
                      "gratificadas, horas extras, afastamentos)")


def input_from_config(span: Span, *, ledger: str, where: str) -> Diagnostic:
    """S1916: `apura run --config` with a Folha block derives the input `ledger` from it (the
    categories and per-entity event maps of the Folha screen): the same input given as a file
    too would be a second source of the same settings."""
    return Diagnostic(code="S1916", message=f"a configuração já dá a entrada {ledger} ({where}); "
                      f"não informe também --input {ledger}", span=span,
                      help="os ajustes da tela da Folha ficam só na configuração: tire "
                      f"--input {ledger} (ou rode sem --config)")



def param_conflict(span: Span, *, param: str, given: str, config: str,
                   system: str) -> Diagnostic:
    """S1917: a run parameter the config sets too (Sapo's Poder), given with another value:
    the run does not pick one silently."""
    return Diagnostic(code="S1917", message=f"--param {param}={_visible(given)} não é o "
                      f"{param} do sistema {system} na configuração ({_visible(config)})",
                      span=span, help=f"o {param} vem da configuração: tire --param {param} "
                      "ou corrija o valor aqui")


def token_env_missing(span: Span, *, system: str, field: str, name: str,
                      why: str) -> Diagnostic:
    """S1918: `{env: NAME}` names an environment variable that is not set (or empty, or not a
    variable name): the token cannot be read. The message names the variable, never a
    value."""
    return Diagnostic(code="S1918", message=f"{field} do sistema {system} vem da variável de "
                      f"ambiente {name}, que {why}", span=span,
                      help=f"defina {name} no ambiente de quem roda o apura (export "
                      f"{name}=...), ou escreva o código aqui")
