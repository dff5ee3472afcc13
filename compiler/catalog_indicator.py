"""Compile-time diagnostics of the `indicator` kind (compiler/kinds/indicator): S18xx.
Re-exported by compiler/catalog.py, where every caller finds them."""

from __future__ import annotations

from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span


def indicator_repeated(span: Span, *, indicator: str, first: str, at: Span) -> Diagnostic:
    return Diagnostic(code="S1801", message=f"o indicador '{indicator}' já é o da spec "
                      f"'{first}'", span=span,
                      labels=(Label(span=at, message="primeira ocorrência"),),
                      help="cada indicador do Portal é uma spec só (o id é a identidade dos "
                      "registros enviados)")


def indicator_unknown_name(span: Span, *, what: str, name: str, names: list[str]
                           ) -> Diagnostic:
    shown = ", ".join(f"'{n}'" for n in names) or "nenhum"
    return Diagnostic(code="S1802", message=f"{what} '{name}' não é um nome declarado",
                      span=span, help=f"os nomes são: {shown}")


def indicator_not_numeric(span: Span, *, measure: str, func: str, got: str) -> Diagnostic:
    return Diagnostic(code="S1803", message=f"a medida '{measure}' ({func}) não é numérica: o "
                      f"valor é {got}", span=span,
                      help="some, faça a média ou tome o mínimo/máximo de um campo int ou "
                      "decimal; para contar registros use count()")


def indicator_rank(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S1804", message=f"o ranking {problem}", span=span,
                      help="rank: {by: <medida>, order: desc (maiores) | asc (menores), "
                      "n: <quantos, > 0>, ties: [<chaves do desempate>]}")


def indicator_key_type(span: Span, *, key: str, got: str) -> Diagnostic:
    return Diagnostic(code="S1805", message=f"a chave '{key}' deve ser int ou texto, mas é "
                      f"{got}", span=span)


def indicator_period(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S1806", message=f"o período {problem}", span=span,
                      help="period: {date: <campo date do ledger>, range: mes | bimestre | "
                      "ate_mes | exercicio}")


def indicator_param(span: Span, *, name: str, want: str, why: str) -> Diagnostic:
    return Diagnostic(code="S1807", message=f"{why} precisa do parâmetro ${name} ({want}) em "
                      "package.yaml", span=span,
                      help=f"declare em package.yaml: params: {{{name}: {{type: int}}}}")


def indicator_limit(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S1808", message=f"o limite da razão {problem}", span=span,
                      help="ratio: {numerator: ..., denominator: ..., minimum: 15 (ou "
                      "maximum: if $poder == \"E\" then 54 else 6), basis: \"LC 141/2012\"}")


def indicator_name_clash(span: Span, *, name: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1809", message=f"o nome '{name}' {problem}", span=span,
                      help="cada campo do registro tem um nome só: chaves, medidas e os "
                      "campos que o apura acrescenta (exercicio, posicao, percentual, "
                      "limite, cumpre)")


def indicator_unsafe_text(span: Span, *, what: str, index: int) -> Diagnostic:
    return Diagnostic(code="S1810", message=f"{what} tem um caractere de controle ou quebra "
                      f"de linha (posição {index + 1})", span=span,
                      help="o texto vai numa linha do catálogo e do indicadores.csv")
