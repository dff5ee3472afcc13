"""The diagnostic catalogue of the data shipped with the specs and of what the kinds write
from it: the `table` kind's CSV files (S10xx, positions inside the file) and the `sheets`
kind's planilhas (S15xx). compiler/catalog.py re-exports every function: callers use
`catalog.<name>` as for any other code."""

from __future__ import annotations

import difflib

from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.source import Span


def _visible(text: str) -> str:
    return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)


def _did_you_mean(candidates: list[str] | tuple[str, ...]) -> str | None:
    if not candidates:
        return None
    if len(candidates) == 1:
        return f"você quis dizer '{candidates[0]}'?"
    return "você quis dizer " + " ou ".join(f"'{c}'" for c in candidates) + "?"


# --- S10xx: the `table` kind (compiler/kinds/table): positions inside the CSV file
def table_file_outside(span: Span, *, file: str, why: str) -> Diagnostic:
    return Diagnostic(code="S1001", message=f"o arquivo da tabela '{file}' {why}", span=span,
                      help="ponha o CSV dentro da pasta do pacote (ao lado da spec ou numa "
                      "subpasta) e indique o caminho relativo à spec")


def table_file_unreadable(span: Span, *, file: str, why: str) -> Diagnostic:
    return Diagnostic(code="S1002", message=f"não consegui ler o arquivo da tabela '{file}': "
                      f"{why}", span=span)


def table_csv_syntax(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S1003", message=f"CSV malformado: {problem}", span=span)


def table_header_missing(span: Span, *, missing: list[str], header: str) -> Diagnostic:
    names = ", ".join(f"'{m}'" for m in missing)
    return Diagnostic(code="S1004", message=f"o cabeçalho do CSV não tem a(s) coluna(s) {names}",
                      span=span, help=f"o cabeçalho tem: {header}" if header else
                      "a primeira linha do arquivo é o cabeçalho")


def table_header_extra(span: Span, *, name: str, table: str) -> Diagnostic:
    return Diagnostic(code="S1005", message=f"a coluna '{name}' do CSV não é declarada em "
                      f"columns: da tabela '{table}'", span=span,
                      help="declare-a (com o tipo) ou tire-a do arquivo")


def table_header_repeated(span: Span, *, name: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S1006", message=f"a coluna '{name}' aparece duas vezes no cabeçalho",
                      span=span, labels=(Label(span=first, message="primeira ocorrência"),))


def table_record_width(span: Span, *, cells: int, width: int) -> Diagnostic:
    return Diagnostic(code="S1007", message=f"a linha tem {cells} célula(s); o cabeçalho tem "
                      f"{width}", span=span)


def table_bad_cell(span: Span, *, column: str, type: str, reason: str,
                   more: int = 0) -> Diagnostic:
    return Diagnostic(code="S1008", message=f"coluna '{column}' ({type}): {reason}", span=span,
                      help=f"e mais {more} célula(s) inválida(s) nesta tabela" if more else None)


def table_duplicate_key(span: Span, *, key: str, line: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S1009", message=f"a chave {key} se repete: já está em {line}",
                      span=span, labels=(Label(span=first, message="primeira ocorrência"),),
                      help="corrija o arquivo ou diga qual linha vale em resolve: (com key:, "
                      "keep: e reason:)")


def table_resolve_no_duplicate(span: Span, *, key: str, why: str) -> Diagnostic:
    return Diagnostic(code="S1010", message=f"resolve: a chave {key} {why}", span=span,
                      help="resolve: serve só para chaves que se repetem no arquivo; tire a "
                      "entrada")


def table_resolve_keep(span: Span, *, key: str, found: int, lines: list[Span]) -> Diagnostic:
    what = "nenhuma das linhas" if found == 0 else f"{found} das linhas"
    return Diagnostic(code="S1011", message=f"resolve: keep: casa com {what} da chave {key}; "
                      "deve casar com exatamente uma", span=span,
                      labels=tuple(Label(span=s, message="uma linha com essa chave")
                                   for s in lines),
                      help="indique em keep: o valor de uma coluna que só a linha que fica tem")


def table_unknown_column(span: Span, *, name: str, where: str, candidates: list[str]
                         ) -> Diagnostic:
    return Diagnostic(code="S1012", message=f"{where}: a tabela não tem a coluna '{name}'",
                      span=span, help=_did_you_mean(candidates))


def table_map_key_repeats(span: Span, *, map_id: str, key: str, line: str,
                          first: Span) -> Diagnostic:
    return Diagnostic(code="S1013", message=f"o mapa '{map_id}' teria a chave {key} duas vezes "
                      f"(já em {line})", span=span,
                      labels=(Label(span=first, message="primeira ocorrência"),),
                      help="a chave de um mapa sobre uma tabela deve ser única nos dados: use "
                      "mais colunas em key:")


def table_resolved_twice(span: Span, *, key: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S1014", message=f"resolve: a chave {key} aparece duas vezes",
                      span=span, labels=(Label(span=first, message="primeira ocorrência"),))


# --- S15xx: the `sheets` kind (compiler/kinds/sheets): planilhas whose lines come from a table
def sheets_map(span: Span, *, role: str, name: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1501", message=f"o mapa de {role} '{name}' {problem}", span=span,
                      help="declare um mapa (kind: map) com source: uma tabela (kind: table) e "
                      "uma chave só: o código da linha, ou o código da planilha")


def sheets_map_field(span: Span, *, role: str, name: str, field: str,
                     values: list[str]) -> Diagnostic:
    return Diagnostic(code="S1502", message=f"o campo '{field}' ({role}) não é um valor do mapa "
                      f"'{name}'", span=span,
                      help=f"valores do mapa: {', '.join(values) or 'nenhum'}; ponha '{field}' "
                      "em values: do mapa")


def sheet_without_file(span: Span, *, code: str, files: str, count: int) -> Diagnostic:
    more = f" (e mais {count - 1})" if count > 1 else ""
    return Diagnostic(code="S1503", message=f"esta parte pode gerar a planilha '{code}'{more}, "
                      f"que não tem nome de arquivo no mapa '{files}'", span=span,
                      help="inclua a planilha na tabela dos nomes de arquivo, ou mude a regra "
                      "dos grupos para que ela não saia")


def sheet_not_listable(span: Span, *, why: str) -> Diagnostic:
    return Diagnostic(code="S1504", message="não consigo listar as planilhas que esta parte do "
                      f"código pode gerar: {why}", span=span,
                      help="escreva cada parte do código como um literal, "
                      "lookup(mapa sobre uma tabela, ...).campo, coalesce(...) ou if ... then "
                      "... else ... delas: o apura confere na compilação que toda planilha "
                      "possível tem arquivo")


def sheet_marker(span: Span, *, marker: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1505", message=f"o marcador '{marker}' {problem}", span=span,
                      help="cada linha da tabela tem o seu #L<n>, n de 0 ao número de linhas "
                      "menos 1, sem repetir: o #L diz a linha da planilha")


def sheet_column_parts(span: Span, *, column: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1506", message=f"a coluna {column} {problem}", span=span,
                      help="cada coluna vem de exatamente uma parte (um ledger): diga o valor "
                      "dela em 'values:' de uma parte só")


def sheet_key_type(span: Span, *, where: str, got: str) -> Diagnostic:
    return Diagnostic(code="S1507", message=f"{where} deve ser int ou str e nunca nulo, mas é "
                      f"{got}", span=span,
                      help="use coalesce(..., valor) para dar um valor quando o mapa não tem a "
                      "chave")


def sheet_mask(span: Span, *, key: str, mask: str) -> Diagnostic:
    return Diagnostic(code="S1508", message=f"o código '{key}' não cabe na máscara '{mask}' "
                      "(só dígitos, tantos quantos os 9 da máscara)", span=span,
                      help="corrija o código na tabela ou a máscara em rows.mask")


def sheet_file_name(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S1509", message=f"o nome dos arquivos (output.name) {problem}",
                      span=span,
                      help="use {code} (o código da planilha) e {stem} (o nome da tabela), "
                      "ex.: {code}_{stem}.IMPT; cada planilha precisa de um arquivo só seu")


def sheet_formula(span: Span, *, column: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1510", message=f"a fórmula da coluna {column} {problem}",
                      span=span,
                      help="uma fórmula soma e subtrai colunas que as partes calculam, ex.: "
                      "V2 - V3 - V5")


# --- S1520–S1529: the SIOPS planilhas of issue 9 and what they need of the other kinds
def param_default(span: Span, *, name: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1520", message=f"o padrão (default) do parâmetro '{name}' "
                      f"{problem}", span=span,
                      help="escreva o valor como na linha de comando (--param): 2020, 0,5, "
                      "true/false, AAAA-MM-DD; dentro de min e max")


# --- S16xx: the `coverage` kind (compiler/kinds/coverage): keys against a map's entries
def coverage_key_count(span: Span, *, what: str, want: list[str], got: int) -> Diagnostic:
    return Diagnostic(code="S1601", message=f"{what} tem {len(want)} chave(s) "
                      f"({', '.join(want)}), mas 'keys' dá {got}", span=span,
                      help="dê uma expressão por coluna de chave do mapa, na ordem dele (sem "
                      "mapa: tantas quantas a primeira fonte)")


def coverage_key_type(span: Span, *, where: str, got: str, want: str) -> Diagnostic:
    return Diagnostic(code="S1602", message=f"{where} é {got}, mas deveria ser {want}",
                      span=span, help="uma chave é int ou str, do tipo da coluna de chave do "
                      "mapa que ela procura")


def coverage_unused_partition(span: Span, *, map_id: str, partition: str) -> Diagnostic:
    return Diagnostic(code="S1603", message=f"'unused: list' lista as entradas de cada "
                      f"{partition}, mas a chave do mapa '{map_id}' não tem o campo "
                      f"'{partition}'", span=span,
                      help="use 'unused' só com um mapa do município (uma equivalência); "
                      "uma tabela nacional teria quase todas as entradas sem uso")


def coverage_label_line(span: Span, *, char: str) -> Diagnostic:
    return Diagnostic(code="S1605", message=f"o label tem {_visible(char)}: ele vai numa linha "
                      "de mensagem, que ele quebraria", span=span,
                      help="escreva o label numa linha só, sem caracteres de controle")


def coverage_unused_without_map(span: Span) -> Diagnostic:
    return Diagnostic(code="S1604", message="'unused: list' sem 'map': não há entradas para "
                      "listar", span=span,
                      help="dê o mapa em 'map:' ou tire 'unused'")


# --- S17xx: the `allocation` kind (compiler/kinds/allocation)
def allocation_not_money(span: Span, *, what: str, got: str) -> Diagnostic:
    return Diagnostic(code="S1701", message=f"{what} deve ser dinheiro (decimal), mas é {got}",
                      span=span, help="use um campo decimal do ledger, ou uma expressão "
                      "decimal (ex.: valor_atualizado - valor_pago)")


def allocation_field_type(span: Span, *, what: str, name: str, got: str,
                          want: str) -> Diagnostic:
    return Diagnostic(code="S1702", message=f"o campo '{name}' ({what}) é {got}; esperava "
                      f"{want}", span=span)


def allocation_policy(span: Span, *, policy: str, problem: str) -> Diagnostic:
    return Diagnostic(code="S1703", message=f"a política '{policy}' {problem}", span=span,
                      help="single: só um alvo aberto, sem order:; priority: order: diz a "
                      "ordem dos alvos; pro_rata: proporcional ao que resta de cada alvo")


def allocation_class(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S1704", message=f"a classe dos pagamentos {problem}", span=span,
                      help="source.class: {map: <mapa>, keys: [campos do pagamento, um por "
                      "chave do mapa], value: <valor do mapa>}, do mesmo tipo que "
                      "targets.class")


def allocation_order_type(span: Span, *, got: str) -> Diagnostic:
    return Diagnostic(code="S1705", message=f"uma chave de ordem dos alvos deve ser int, "
                      f"decimal, texto ou data; esta é {got}", span=span)


def package_select(span: Span, *, glob: str) -> Diagnostic:
    return Diagnostic(code="S1706", message=f"select: '{_visible(glob)}' não seleciona nenhuma "
                      "spec que escreve arquivos neste pacote", span=span,
                      help="use o id de uma spec do pacote que escreve arquivos (ou um glob "
                      "que case com ela), como em --select; vários, separados por vírgula")


# --- S20xx: the `derivation` kind (compiler/kinds/derivation)
def derivation_field(span: Span, *, what: str, name: str, ledger: str,
                     candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S2001", message=f"{what} '{_visible(name)}' não é campo do ledger "
                      f"'{ledger}'", span=span, help=_did_you_mean(candidates))


def derivation_outside_aggregate(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="S2002", message=f"'{name}' é um campo de cada registro; numa "
                      "derivação por chave (per:) ele só pode ser lido dentro de um agregado",
                      span=span, help=f"some os registros da chave: sum({name}); ou ponha "
                      f"'{name}' em per:")


def derivation_unknown_name(span: Span, *, what: str, name: str,
                            candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S2003", message=f"{what} '{_visible(name)}' não é campo desta "
                      "derivação", span=span,
                      help=_did_you_mean(candidates) or "use um nome de per:, classify: ou "
                      "fields:")


def derivation_lookup(span: Span) -> Diagnostic:
    return Diagnostic(code="S2004", message="uma derivação ainda não lê lookups dentro de "
                      "expressões", span=span,
                      help="declare o campo em classify: {campo: {map: <mapa>, key: <campo do "
                      "ledger>, value: <valor do mapa>}}, ou leia a tabela como coleção "
                      "(related: {c: {ledger: <tabela>, on: {...}}}, first(c).valor)")


def derivation_file_name(span: Span, *, name: str, got: str) -> Diagnostic:
    return Diagnostic(code="S2010", message=f"file_names: '{name}' é {got}; um nome de "
                      "arquivo é um texto", span=span,
                      help="liste em file_names: os campos de texto que são nomes de arquivo "
                      "(concat(...), join_texts(...))")


def rows_unknown_column(span: Span, *, name: str, table: str, columns: list[str]) -> Diagnostic:
    return Diagnostic(code="S2011", message=f"a coluna '{name}' não é declarada em columns: "
                      f"da tabela '{table}'", span=span,
                      help=_did_you_mean(difflib.get_close_matches(name, columns, n=1))
                      or f"as colunas: {', '.join(columns)}")


def derivation_each(span: Span, *, name: str, collections: list[str]) -> Diagnostic:
    return Diagnostic(code="S2012", message=f"each: '{name}' não é uma coleção de related: "
                      "desta derivação", span=span,
                      help=_did_you_mean(difflib.get_close_matches(name, collections, n=1))
                      or "declare a coleção em related: (numa derivação por registro)")


def derivation_classify(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S2005", message=f"classify: {problem}", span=span,
                      help="classify: {campo: {map: <mapa de uma chave>, key: <campo do "
                      "ledger do tipo da chave>, value: <um dos values do mapa>}}")


def derivation_repeated(span: Span, *, name: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S2006", message=f"o campo '{name}' já foi declarado nesta derivação "
                      f"(em {first.file}:{first.line}:{first.col})", span=span,
                      help="cada nome de per:, related:, classify: e fields: aparece uma vez")


def derivation_value_type(span: Span, *, name: str, got: str) -> Diagnostic:
    return Diagnostic(code="S2007", message=f"o campo '{name}' é {got}: não cabe numa coluna "
                      "CSV", span=span, help="use um valor int, decimal, texto, data ou booleano "
                      "(de um lookup, o campo: lookup(m, k).campo)")


def derivation_collection(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S2008", message=problem, span=span,
                      help="coleções (related:): count(c), count(c, cond), any(c, cond), "
                      "all(c, cond), sum(c, valor), first(c).campo, last(c).campo, "
                      "max_by(c, chave).campo, min_by(c, chave).campo")


def derivation_related(span: Span, *, problem: str) -> Diagnostic:
    return Diagnostic(code="S2009", message=f"related: {problem}", span=span,
                      help="related: {nome: {ledger: <ledger>, on: {campo dele: campo deste "
                      "registro}, where: <condição>, order: [campo, {key: campo, desc: true}]}}")


def derivation_union(span: Span, *, problem: str, candidates: list[str]) -> Diagnostic:
    """S2013: an `each:` union naming no collection, a `with:` ledger that is none, or a
    `with.on` naming another record than this one."""
    return Diagnostic(code="S2013", message=f"each: {problem}", span=span,
                      help=_did_you_mean(difflib.get_close_matches(
                          problem.split("'")[1] if "'" in problem else "", candidates, n=1))
                      or f"as opções: {', '.join(candidates)}")


def derivation_union_post(span: Span, *, problem: str, candidates: list[str]) -> Diagnostic:
    """S2014: an `each:` keep/dedupe/join/next naming no field of the derivation, or of a
    wrong type."""
    return Diagnostic(code="S2014", message=f"each: {problem}", span=span,
                      help=_did_you_mean(difflib.get_close_matches(
                          problem.split("'")[1] if "'" in problem else "", candidates, n=1))
                      or (f"os campos: {', '.join(candidates)}" if candidates else
                          "nenhum campo da derivação serve aqui: declare um em fields:"))


def derivation_json(span: Span, *, problem: str) -> Diagnostic:
    """S2015: an `output.json` name field that is not text, or a `when` that is not boolean."""
    return Diagnostic(code="S2015", message=f"output.json: {problem}", span=span,
                      help="name: um campo de texto (o nome do arquivo); when: um booleano")


def derivation_json_items(span: Span, *, problem: str, candidates: list[str]) -> Diagnostic:
    """S2016: `output.json.items` naming no derivation of the package, or a field it lacks."""
    return Diagnostic(code="S2016", message=f"output.json.items: {problem}", span=span,
                      help=_did_you_mean(difflib.get_close_matches(
                          problem.split("'")[1] if "'" in problem else "", candidates, n=1))
                      or f"as opções: {', '.join(candidates)}")


def derivation_warning_code(span: Span, *, code: str, codes: list[str]) -> Diagnostic:
    """S2017: a `warnings:` code that is not a spec-warning code of the catalog."""
    return Diagnostic(code="S2017", message=f"o código de aviso '{code}' não é um aviso de "
                      "spec do catálogo", span=span, help=f"os códigos: {', '.join(codes)}")
