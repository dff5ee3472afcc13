"""The diagnostic catalogue of a package's shape: its bundle (S14xx), its layout-year folders
(S13xx) and its optional inputs (S12xx). compiler/catalog.py re-exports every function."""

from __future__ import annotations

from compiler.catalog_data import _visible
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span

# --- S14xx: the bundle of package.yaml (compiler/bundle_check.py)
_BUNDLE_FIELDS = {"file": "o pacote (bundle.file)", "manifest": "o manifesto (bundle.manifest)",
                  "provenance": "a proveniência (bundle.provenance)"}


def bundle_is_an_output(span: Span, *, name: str, field: str, layout: str, file: str,
                        first: Span) -> Diagnostic:
    """S1401: a bundle file has the name of a layout's output file (in one partition folder)."""
    case = "" if name == file else (f" ('{_visible(file)}' e '{_visible(name)}' são o mesmo "
                                    "arquivo no Windows e no macOS)")
    return Diagnostic(code="S1401", message=f"{_BUNDLE_FIELDS[field]} '{_visible(name)}' tem o "
                      f"nome do arquivo de saída do layout '{layout}'{case}: um sobrescreveria "
                      "o outro na pasta da partição", span=span,
                      labels=(Label(span=first, message=f"arquivo de '{layout}'"),),
                      help="dê ao pacote, ao manifesto e à proveniência nomes que nenhum layout "
                      "grava")


def bundle_names_collide(span: Span, *, name: str, field: str, other: str, other_name: str,
                         first: Span) -> Diagnostic:
    """S1402: two of the bundle's files (zip, manifest, provenance) have one name."""
    case = "" if name == other_name else (f" ('{_visible(other_name)}' e '{_visible(name)}' "
                                          "são o mesmo arquivo no Windows e no macOS)")
    return Diagnostic(code="S1402", message=f"{_BUNDLE_FIELDS[field]} e {_BUNDLE_FIELDS[other]} "
                      f"têm o mesmo nome '{_visible(name)}'{case}", span=span,
                      labels=(Label(span=first, message=_BUNDLE_FIELDS[other]),),
                      help="o zip, o manifesto e a proveniência são três arquivos da pasta da "
                      "partição: um nome para cada (padrões: manifesto.csv, proveniencia.csv)")


def bundle_extension(span: Span, *, name: str, field: str, extension: str) -> Diagnostic:
    """S1403: the zip's name does not end in .zip, or a CSV's in .csv."""
    return Diagnostic(code="S1403", message=f"{_BUNDLE_FIELDS[field]} '{_visible(name)}' deve "
                      f"terminar em '{extension}'", span=span,
                      help=f"o arquivo é um {extension[1:].upper()}; quem o abre (o SIOPS, uma "
                      f"planilha) reconhece-o pela extensão: ex.: Siops{extension}"
                      if field == "file" else
                      f"o arquivo é um {extension[1:].upper()}; quem o abre (o SIOPS, uma "
                      f"planilha) reconhece-o pela extensão: ex.: manifesto{extension}")


# --- S13xx: layout years (compiler/years.py)
def year_folders_undeclared(span: Span, *, folders: list[str]) -> Diagnostic:
    return Diagnostic(code="S1301", message="o pacote tem pastas de ano de layout ("
                      + ", ".join(f"{f}/" for f in folders) + ") mas o package.yaml não diz "
                      "qual parâmetro escolhe o ano", span=span,
                      help="declare 'layout_year: exercicio' (um parâmetro int) no package.yaml, "
                      "ou renomeie as pastas (só pastas de quatro dígitos são anos de layout)")


def layout_year_param(span: Span, *, param: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1302", message=f"'layout_year' cita o parâmetro '{param}', que "
                      f"{problem}", span=span,
                      help="o ano de layout é escolhido por um parâmetro int do pacote "
                      "(ex.: exercicio)")


def layout_year_no_folders(span: Span) -> Diagnostic:
    return Diagnostic(code="S1303", message="'layout_year' foi declarado, mas o pacote não tem "
                      "nenhuma pasta de ano de layout (AAAA/)", span=span,
                      help="crie a pasta do primeiro ano (ex.: 2019/) com as specs daquele ano, "
                      "ou retire 'layout_year'")


def extends_no_earlier_year(span: Span, *, spec_id: str, year: int) -> Diagnostic:
    return Diagnostic(code="S1304", message=f"'extends: {spec_id}' nesta spec de {year} pede a "
                      f"spec '{spec_id}' de um ano de layout anterior, e nenhum ano antes de "
                      f"{year} a declara", span=span,
                      help="uma spec de um ano de layout herda do mesmo id de um ano anterior; "
                      "sem ele, retire 'extends' (a spec é nova neste ano)")


def when_reads_cells(span: Span, *, spec_id: str) -> Diagnostic:
    return Diagnostic(code="S1305", message=f"o 'when' de '{spec_id}' lê células de layouts; "
                      "ele decide, antes da execução, se a spec roda: só pode usar parâmetros "
                      "($exercicio, $bimestre…)", span=span,
                      help="escreva a condição sobre os parâmetros, ex.: $exercicio >= 2020")


# --- S12xx: inputs (optional ledgers and columns, equivalências with a status)
def optional_column_required(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="S1201", message=f"o campo '{name}' tem coluna opcional "
                      "(optional: true) e required: true", span=span,
                      help="sem a coluna, todo registro lê nulo: um campo de coluna opcional "
                      "não pode ser obrigatório; tire required: true")


def status_not_text(span: Span, *, name: str, ledger: str, type: str) -> Diagnostic:
    return Diagnostic(code="S1202", message=f"o status de um mapa é um campo de texto, e "
                      f"'{name}' de '{ledger}' é {type}", span=span,
                      help="declare o campo como {type: str, optional: true}: CONFIRMADA "
                      "(ou vazio, ou sem a coluna) é confirmada; outro valor (SUGERIDA) não")
