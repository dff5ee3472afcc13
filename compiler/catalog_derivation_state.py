"""The diagnostics of a derivation's `incremental:` section (compiler/kinds/derivation/
incremental.py): S2101–S2106; of its `frozen:` fields (compiler/kinds/derivation/frozen.py):
S2040–S2043. Re-exported by compiler/catalog."""

from __future__ import annotations

from compiler.catalog_data import _did_you_mean
from compiler.catalog_data import _visible
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span

__all__ = ["frozen_each", "frozen_param", "frozen_since_taken", "frozen_unknown",
           "incremental_disagree", "incremental_key_type", "incremental_nothing_tracked",
           "incremental_partitioned", "incremental_same_file", "incremental_unknown"]


def incremental_unknown(span: Span, *, what: str, name: str, wanted: str,
                        candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S2101", message=f"incremental: {what} '{_visible(name)}' não existe",
                      span=span, help=_did_you_mean(candidates) or f"use {wanted}")


def incremental_key_type(span: Span, *, name: str, got: str) -> Diagnostic:
    return Diagnostic(code="S2102", message=f"incremental: a chave '{name}' é {got}; uma chave "
                      "de registro é texto, inteiro, data, booleano ou decimal", span=span,
                      help="use um campo do registro ou uma expressão dele (year(data))")


def incremental_same_file(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="S2103", message=f"incremental: o relatório de mudanças '{name}' é "
                      "o próprio arquivo de saída da derivação", span=span,
                      help="dê outro nome a changes.file (ex.: mudancas.csv)")


def incremental_disagree(span: Span, *, ledger: str, node: str, other: str,
                         other_at: Span) -> Diagnostic:
    return Diagnostic(code="S2104", message=f"incremental: as derivações '{other}' e '{node}' "
                      f"leem o ledger '{ledger}' com chave ou escopo diferentes; o estado das "
                      "cargas é do ledger, um só", span=span,
                      labels=(Label(span=other_at, message=f"a de '{other}'"),),
                      help="declare a mesma incremental.key e o mesmo scope nas duas")


def incremental_nothing_tracked(span: Span) -> Diagnostic:
    return Diagnostic(code="S2105", message="incremental: changes sem records nem fields não "
                      "lista mudança nenhuma", span=span,
                      help="changes: {file: mudancas.csv, records: [campos do registro], "
                      "fields: [campos da derivação]}")


def incremental_partitioned(span: Span, *, partition: str) -> Diagnostic:
    return Diagnostic(code="S2106", message="incremental: ainda não num pacote com partição "
                      f"('{partition}'): as cargas guardam uma imagem por ledger", span=span,
                      help="tire a partição do pacote, ou a seção incremental: da derivação")


def frozen_unknown(span: Span, *, name: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S2040", message=f"incremental.frozen: '{_visible(name)}' não é um "
                      "campo de fields: da derivação", span=span,
                      help=_did_you_mean(candidates) or "congele um campo declarado em fields:")


def frozen_each(span: Span, *, each: str) -> Diagnostic:
    return Diagnostic(code="S2041", message="incremental.frozen: numa derivação com each: "
                      f"('{_visible(each)}') várias linhas têm a mesma chave de registro; o "
                      "valor congelado é um por chave", span=span,
                      help="congele o campo numa derivação de um registro por chave")


def frozen_since_taken(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="S2042", message=f"incremental.frozen: since '{_visible(name)}' já é "
                      "um nome da derivação (ou de outro since)", span=span,
                      help="dê à coluna da carga do congelamento um nome novo "
                      "(ex.: congelado_desde)")


def frozen_param(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="S2043", message=f"incremental.frozen: when lê o parâmetro "
                      f"'${_visible(name)}'; o congelamento se julga pelo que foi escrito, e uma "
                      "carga guardada é julgada de novo pela mesma condição", span=span,
                      help="leia o parâmetro num campo (situacao: if data_limite < $data_base "
                      "...) e congele por esse campo")
