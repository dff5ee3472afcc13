"""The diagnostics of a derivation's `incremental:` section (compiler/kinds/derivation/
incremental.py): S2101–S2106. Re-exported by compiler/catalog."""

from __future__ import annotations

from compiler.catalog_data import _did_you_mean
from compiler.catalog_data import _visible
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span

__all__ = ["incremental_disagree", "incremental_key_type", "incremental_nothing_tracked",
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
