"""The diagnostic catalogue: one function per code. The only place analyst-facing wording lives.

Codes: Y yaml text · S structure/schema · E expression syntax · R names · T types · G graph ·
P policy/lowering · I internal. (Run-time data errors, D…, are built in runtime/catalog.py.)
"""

from __future__ import annotations

import re

# One module per job; every function is `catalog.<name>` to its callers.
from compiler.catalog_data import *  # noqa: F403  (tables, sheets: S10xx, S15xx)
from compiler.catalog_data import _did_you_mean
from compiler.catalog_data import _visible
from compiler.catalog_derivation_state import *  # noqa: F403  (derivation incremental: S21xx)
from compiler.catalog_dictionary import *  # noqa: F403  (the dictionary kind: S216x)
from compiler.catalog_indicator import *  # noqa: F403  (the indicator kind: S18xx)
from compiler.catalog_package import *  # noqa: F403  (bundle, years, inputs: S14xx, S13xx, S12xx)
from compiler.diagnostics import Diagnostic
from compiler.diagnostics import Label
from compiler.diagnostics import Severity
from compiler.source import Span

# ---------------------------------------------------------------- Y: YAML text
# PyYAML's problems (English) in the analyst's words; anything else is shown as PyYAML says it.
_YAML_TOKENS = {"<block end>": "o fim do bloco (indentação)", "'<stream end>'": "o fim do arquivo",
                "'<block mapping start>'": "uma chave com indentação diferente",
                "'<block sequence start>'": "um item de lista ('-')", "'?'": "uma chave"}
_YAML_PROBLEMS = (
    (re.compile(r"mapping values are not allowed here"),
     "':' não é permitido aqui; ponha o valor entre aspas se ele contém ': '"),
    (re.compile(r"found unexpected end of stream"), "o arquivo terminou antes do esperado"),
    (re.compile(r"could not find expected ':'"), "esperava ':' depois da chave"),
    (re.compile(r"found character (.+) that cannot start any token"),
     r"o caractere \1 não pode começar um valor; ponha o valor entre aspas"),
    (re.compile(r"expected (.+), but (?:got|found) (.+)"), None),
)


def _yaml_problem(problem: str) -> str:
    for pattern, pt in _YAML_PROBLEMS:
        m = pattern.fullmatch(problem)
        if m is None:
            continue
        if pt is not None:
            return m.expand(pt)
        want, got = (" ou ".join(_YAML_TOKENS.get(w, w) for w in g.split(" or "))
                     for g in m.groups())
        return f"esperava {want}, mas encontrou {got}"
    return problem


def yaml_syntax(span: Span, *, problem: str, context: Span | None = None,
                unfinished: bool = False) -> Diagnostic:
    labels = (Label(span=context, message="o trecho começa aqui"),) if context else ()
    return Diagnostic(code="Y0101", message=f"YAML inválido: {_yaml_problem(problem)}",
                      span=span, labels=labels,
                      help="feche as aspas, colchetes ou chaves abertos aqui" if unfinished
                      else None)


def yaml_tab(span: Span) -> Diagnostic:
    return Diagnostic(code="Y0102", message="tabulação na indentação; o YAML só aceita espaços",
                      span=span, help="troque a tabulação por espaços")


def yaml_duplicate_key(span: Span, *, key: str, first: Span) -> Diagnostic:
    return Diagnostic(code="Y0103", message=f"a chave '{key}' aparece duas vezes", span=span,
                      labels=(Label(span=first, message="primeira ocorrência"),),
                      help="remova uma das ocorrências; o YAML não soma chaves repetidas")


def yaml_alias(span: Span) -> Diagnostic:
    return Diagnostic(code="Y0104", message="âncoras, aliases e '<<' não são aceitos em specs",
                      span=span, help="escreva o valor por extenso em cada lugar")


def yaml_empty(span: Span) -> Diagnostic:
    return Diagnostic(code="Y0105", message="o arquivo está vazio", span=span)


def yaml_many_documents(span: Span) -> Diagnostic:
    return Diagnostic(code="Y0106", message="um arquivo de spec tem um único documento YAML",
                      span=span, help="separe os documentos em arquivos diferentes")


def yaml_complex_key(span: Span) -> Diagnostic:
    return Diagnostic(code="Y0107", message="chaves de mapeamento devem ser texto simples",
                      span=span)


# ---------------------------------------------------------------- S: structure / schema
def unknown_kind(span: Span, *, kind: str | None, kinds: list[str],
                 candidates: list[str]) -> Diagnostic:
    what = f"tipo de spec desconhecido '{kind}'" if kind else "a spec não declara 'kind:'"
    return Diagnostic(code="S0101", message=what, span=span,
                      help=_did_you_mean(candidates) or f"tipos aceitos: {', '.join(kinds)}")


def unknown_key(span: Span, *, key: str, where: str, allowed: list[str],
                candidates: list[str]) -> Diagnostic:
    accepted = f"{where} aceita: {', '.join(allowed)}"
    dym = _did_you_mean(candidates)
    return Diagnostic(code="S0102", message=f"chave desconhecida '{key}' em {where}", span=span,
                      help=f"{dym} {accepted}" if dym else accepted)


def missing_key(span: Span, *, key: str, where: str) -> Diagnostic:
    return Diagnostic(code="S0103", message=f"falta a chave obrigatória '{key}' em {where}",
                      span=span)


def wrong_type(span: Span, *, where: str, expected: str) -> Diagnostic:
    return Diagnostic(code="S0104", message=f"{where} deve ser {expected}", span=span)


def bad_value(span: Span, *, where: str, detail: str) -> Diagnostic:
    return Diagnostic(code="S0105", message=f"valor inválido em {where}: {detail}", span=span)


def duplicate_id(span: Span, *, spec_id: str, first: Span, other: str | None = None,
                 name: str = "") -> Diagnostic:
    """S0201: an id used twice — or, with `other`, two ids that are one `name` in the code."""
    if other is None:
        return Diagnostic(code="S0201", message=f"o id '{spec_id}' já é usado por outra spec",
                          span=span, labels=(Label(span=first, message="primeiro uso"),))
    return Diagnostic(code="S0201", message=f"o id '{spec_id}' e o id '{other}' de outra spec "
                      f"viram o mesmo nome '{name}' no código gerado", span=span,
                      labels=(Label(span=first, message=f"'{other}'"),),
                      help="mude um dos dois ids: '/' e '_' (e outros caracteres fora de "
                      "[a-z0-9]) dão o mesmo '_' no código")


def missing_package(span: Span, *, folder: str) -> Diagnostic:
    return Diagnostic(code="S0202", message=f"a pasta '{folder}' não tem um package.yaml "
                      "(kind: package)", span=span,
                      help="crie package.yaml com kind: package, id, partition e params")


def unknown_spec(span: Span, *, kind: str, name: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S0203", message=f"não existe {kind} '{name}' neste pacote", span=span,
                      help=_did_you_mean(candidates))


def duplicate_row(span: Span, *, ref: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S0301", message=f"a linha '{ref}' aparece duas vezes no layout",
                      span=span, labels=(Label(span=first, message="primeira ocorrência"),))


def unknown_row(span: Span, *, ref: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S0302", message=f"o layout não tem a linha '{ref}'", span=span,
                      help=_did_you_mean(candidates))


def unknown_column(span: Span, *, column: str, columns: list[str]) -> Diagnostic:
    return Diagnostic(code="S0303", message=f"o layout não tem a coluna '{column}'", span=span,
                      help=f"colunas do layout: {', '.join(columns)}")


def row_without_rule(span: Span, *, ref: str) -> Diagnostic:
    return Diagnostic(code="S0304", message=f"a linha '{ref}' não diz como é apurada", span=span,
                      help="use 'rule:', 'otherwise: true', 'values:' ou 'total_of:'")


def column_without_value(span: Span, *, column: str, ref: str) -> Diagnostic:
    return Diagnostic(code="S0305", message=f"a coluna '{column}' não tem 'value:' e a linha "
                      f"'{ref}' não a informa em 'values:'", span=span)


def rules_without_source(span: Span, *, what: str = "linhas com 'rule:'") -> Diagnostic:
    return Diagnostic(code="S0306", message=f"o layout tem {what} mas não declara 'source:'",
                      span=span, help="informe o ledger de origem em 'source:'")


def unknown_ledger_field(span: Span, *, ledger: str, name: str,
                         candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S0307", message=f"o ledger '{ledger}' não tem o campo '{name}'",
                      span=span, help=_did_you_mean(candidates))


def duplicate_field(span: Span, *, name: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S0308", message=f"o campo '{name}' já existe neste ledger", span=span,
                      labels=(Label(span=first, message="primeira definição"),))


def provisional(span: Span, *, spec_id: str, text: str) -> Diagnostic:
    return Diagnostic(code="S0401", message=f"a spec '{spec_id}' está marcada como provisória: "
                      f"{text}", span=span, severity=Severity.NOTE)


# ---------------------------------------------------------------- E: expression syntax
def expr_unexpected_end(span: Span, *, expected: list[str]) -> Diagnostic:
    return Diagnostic(code="E0101", message="a expressão termina antes do esperado; esperava "
                      + _alternatives(expected), span=span)


def expr_unexpected_char(span: Span, *, char: str) -> Diagnostic:
    return Diagnostic(code="E0102", message=f"caractere inesperado '{_visible(char)}' na "
                      "expressão",
                      span=span)


def expr_unexpected_token(span: Span, *, token: str, expected: list[str]) -> Diagnostic:
    return Diagnostic(code="E0103", message=f"'{token}' inesperado na expressão; esperava "
                      + _alternatives(expected), span=span)


def expr_empty(span: Span) -> Diagnostic:
    return Diagnostic(code="E0104", message="a expressão está vazia", span=span)


def _alternatives(items: list[str]) -> str:
    items = sorted(set(items))
    if len(items) > 8:
        return ", ".join(items[:8]) + ", …"
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " ou " + items[-1]


# ---------------------------------------------------------------- R: names
def unknown_field(span: Span, *, ledger: str, name: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="R0101", message=f"o ledger '{ledger}' não tem o campo '{name}'",
                      span=span, help=_did_you_mean(candidates))


def unknown_param(span: Span, *, name: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="R0102", message=f"parâmetro desconhecido '${name}'", span=span,
                      help=_did_you_mean(candidates) or "declare o parâmetro em package.yaml")


def unknown_function(span: Span, *, name: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="R0103", message=f"função desconhecida '{name}'", span=span,
                      help=_did_you_mean(candidates))


def unknown_map(span: Span, *, name: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="R0104", message=f"não existe o mapa '{name}' neste pacote", span=span,
                      help=_did_you_mean(candidates))


def unknown_cell(span: Span, *, what: str, name: str, candidates: list[str],
                 layout: str | None = None) -> Diagnostic:
    where = f" no layout '{layout}'" if layout else ""
    return Diagnostic(code="R0105", message=f"{what} '{name}' não existe{where}", span=span,
                      help=_did_you_mean(candidates))


def unknown_attribute(span: Span, *, name: str, of: str, candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="R0106", message=f"o {of} não tem o campo '{name}'", span=span,
                      help=_did_you_mean(candidates))


def no_record_here(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="R0107", message=f"'{name}' é um campo, mas aqui não há registro "
                      "(a linha não tem ledger de origem)", span=span)


# ---------------------------------------------------------------- T: types
def wrong_arity(span: Span, *, func: str, expected: str, got: int) -> Diagnostic:
    return Diagnostic(code="T0101", message=f"'{func}' recebe {expected} argumento(s), "
                      f"recebeu {got}", span=span)


def bad_operand(span: Span, *, op: str, left: str, right: str | None = None) -> Diagnostic:
    if right is None:
        msg = f"o operador '{op}' não se aplica a {left}"
    else:
        msg = f"o operador '{op}' não se aplica a {left} e {right}"
    return Diagnostic(code="T0201", message=msg, span=span)


def bad_argument(span: Span, *, func: str, index: int, expected: str, got: str) -> Diagnostic:
    return Diagnostic(code="T0202", message=f"o {index}º argumento de '{func}' deve ser "
                      f"{expected}, mas é {got}", span=span, caret_note=got)


def incomparable(span: Span, *, left_desc: str, right_desc: str, hint: str | None,
                 note: str) -> Diagnostic:
    return Diagnostic(code="T0203", message=f"não é possível comparar {left_desc} com "
                      f"{right_desc}", span=span, help=hint, caret_note=note)


def not_boolean(span: Span, *, where: str, got: str) -> Diagnostic:
    return Diagnostic(code="T0204", message=f"{where} deve ser uma condição (verdadeiro/falso), "
                      f"mas é {got}", span=span)


def aggregate_not_allowed(span: Span, *, func: str) -> Diagnostic:
    return Diagnostic(code="T0205", message=f"a agregação '{func}' não cabe aqui: esta expressão "
                      "é calculada registro a registro", span=span)


def aggregate_required(span: Span, *, where: str) -> Diagnostic:
    return Diagnostic(code="T0206", message=f"{where} deve agregar os registros da linha "
                      "(ex.: sum(valor))", span=span, help="envolva o valor em sum(...)")


def literal_required(span: Span, *, func: str, index: int,
                     expected: str = "um texto literal entre aspas") -> Diagnostic:
    return Diagnostic(code="T0207", message=f"o {index}º argumento de '{func}' deve ser "
                      f"{expected}", span=span)


def wrong_value_type(span: Span, *, where: str, expected: str, got: str) -> Diagnostic:
    return Diagnostic(code="T0208", message=f"{where} deve ser {expected}, mas é {got}", span=span)


def branch_mismatch(span: Span, *, then: str, other: str) -> Diagnostic:
    return Diagnostic(code="T0209", message=f"os ramos de 'if' têm tipos diferentes: {then} e "
                      f"{other}", span=span)


def lookup_key_mismatch(span: Span, *, map_id: str, key: str, expected: str,
                        got: str) -> Diagnostic:
    return Diagnostic(code="T0210", message=f"a chave '{key}' do mapa '{map_id}' é {expected}, "
                      f"mas foi passado {got}", span=span)


# ---------------------------------------------------------------- G: graph
def cycle(span: Span, *, path: list[str], steps: list[tuple[Span, str]]) -> Diagnostic:
    return Diagnostic(code="G0101", message="dependência circular: " + " → ".join(path), span=span,
                      labels=tuple(Label(span=s, message=m) for s, m in steps),
                      help="um valor não pode depender, direta ou indiretamente, de si mesmo")


# ---------------------------------------------------------------- P: policy / lowering
def many_otherwise(span: Span, *, first: Span) -> Diagnostic:
    return Diagnostic(code="P0101", message="o layout tem mais de uma linha 'otherwise'",
                      span=span, labels=(Label(span=first, message="primeira linha 'otherwise'"),))


def rule_and_otherwise(span: Span, *, ref: str) -> Diagnostic:
    return Diagnostic(code="P0102", message=f"a linha '{ref}' tem 'rule:' e 'otherwise: true' ao "
                      "mesmo tempo", span=span,
                      help="'otherwise' recebe o que nenhuma outra linha recebeu; remova 'rule:'")


def total_of_total_cycle(span: Span, *, ref: str) -> Diagnostic:
    return Diagnostic(code="P0103", message=f"o totalizador '{ref}' soma a si mesmo", span=span)


def leaves_without_rows(span: Span) -> Diagnostic:
    return Diagnostic(code="P0104", message="'total_of: leaves' num layout sem linhas de valor",
                      span=span)


# ---------------------------------------------------------------- I: internal
def internal(span: Span, *, detail: str) -> Diagnostic:
    return Diagnostic(code="I0001", message=f"erro interno do apura: {detail}", span=span,
                      help="isto é um defeito do apura; por favor, reporte")


# --- S05xx: what outputs and generated code can carry
def _char_name(ch: str) -> str:
    names = {";": "';' (o separador de campos do IMPT)", "\n": "uma quebra de linha (LF)",
             "\r": "um retorno de carro (CR)", "\t": "uma tabulação", "\x00": "um caractere NUL",
             "/": "'/'", "\\": "'\\'"}
    return names.get(ch, f"o caractere invisível U+{ord(ch):04X} (controle ou quebra de linha)")


def unsafe_output_text(span: Span, *, where: str, char: str, index: int) -> Diagnostic:
    return Diagnostic(code="S0501", message=f"{where} é gravado no arquivo de saída e não pode "
                      f"conter {_char_name(char)} (caractere {index + 1} do texto)", span=span,
                      help="no IMPT cada registro é uma linha e os campos são separados por "
                      "';'; remova o caractere")


def bad_output_file(span: Span, *, name: str, reason: str) -> Diagnostic:
    return Diagnostic(code="S0502", message=f"nome de arquivo de saída inválido "
                      f"'{_visible(name)}': "
                      f"{reason}", span=span,
                      help="use só um nome de arquivo (ex.: covid_71.IMPT): a pasta é --out e, "
                      "com partição, OUT/<valor>/")


def same_output_file(span: Span, *, file: str, first_file: str, layout: str, other: str,
                     first: Span) -> Diagnostic:
    case = "" if file == first_file else (f" ('{_visible(first_file)}' e '{_visible(file)}' "
                                          "são o mesmo arquivo no Windows e no macOS)")
    return Diagnostic(code="S0503", message=f"os layouts '{other}' e '{layout}' gravam o mesmo "
                      f"arquivo '{_visible(file)}'{case} e podem rodar juntos (um "
                      "sobrescreveria o outro)",
                      span=span, labels=(Label(span=first, message=f"arquivo de '{other}'"),),
                      help="dê um nome de arquivo próprio a cada layout, ou, se um é versão do "
                      "outro, declare os dois com o mesmo 'alternative_of: <grupo>'")


def unsafe_expr_text(span: Span, *, char: str) -> Diagnostic:
    return Diagnostic(code="S0504", message=f"um texto entre aspas na expressão contém "
                      f"{_char_name(char)}", span=span,
                      help="textos de regras não podem ter caracteres de controle nem quebras "
                      "de linha")


# --- E02xx/S06xx: limits
def expr_too_deep(span: Span, *, limit: int) -> Diagnostic:
    return Diagnostic(code="E0201", message=f"a expressão passa de {limit} níveis de "
                      "aninhamento aqui", span=span,
                      help="simplifique-a ou divida-a em campos calculados (derived:); "
                      "cadeias de 'and'/'or' podem ter qualquer tamanho")


def expr_too_big(span: Span, *, limit: int) -> Diagnostic:
    return Diagnostic(code="E0202", message="esta parte da expressão fica grande demais no SQL "
                      f"gerado (mais de {limit} nós)", span=span,
                      help="cada divisão repete seus dois lados no SQL; calcule as divisões "
                      "internas em campos calculados (derived:)")


def derived_too_deep(span: Span, *, name: str, limit: int) -> Diagnostic:
    return Diagnostic(code="E0203", message=f"o campo calculado '{name}' passa de {limit} níveis "
                      "de aninhamento, somados os dos campos calculados que ele usa", span=span,
                      help="o SQL gerado expande cada campo calculado onde ele é usado; "
                      "encurte a cadeia de campos calculados")


def spec_file_too_big(span: Span, *, size: int, limit: int) -> Diagnostic:
    mb = 1024 * 1024
    return Diagnostic(code="S0601", message=f"o arquivo tem {size / mb:.1f} MB; o limite de uma "
                      f"spec é {limit // mb} MB", span=span,
                      help="divida a spec em vários arquivos (um layout por arquivo)")


def expr_too_long(span: Span, *, length: int, limit: int) -> Diagnostic:
    return Diagnostic(code="S0602", message=f"a expressão tem {length} caracteres; o limite é "
                      f"{limit}", span=span,
                      help="divida-a em campos calculados (derived:) ou em várias linhas")


def yaml_too_deep(span: Span, *, limit: int) -> Diagnostic:
    return Diagnostic(code="S0603", message=f"o YAML aninha mais de {limit} níveis de listas e "
                      "mapeamentos aqui", span=span,
                      help="uma spec precisa de poucos níveis; confira os colchetes e chaves")


# ---------------------------------------------------------------- S08xx: extends
_ITEMS = {"rows": "a linha", "columns": "a coluna", "fields": "o campo",
          "derived": "o campo calculado", "params": "o parâmetro", "values": "a coluna"}


def _item(collection: str | None, key: str) -> str:
    if collection is None:
        return f"a chave '{key}'"
    return f"{_ITEMS.get(collection, f'o item de {collection!r}')} '{key}' ({collection})"


def extends_unknown_parent(span: Span, *, parent: str, kind: str,
                           candidates: list[str]) -> Diagnostic:
    return Diagnostic(code="S0801", message=f"'extends' cita a spec '{parent}', que não existe "
                      "neste pacote", span=span,
                      help=_did_you_mean(candidates) or f"use o id de outra spec '{kind}' da "
                      "mesma pasta de pacote")


def extends_cycle(span: Span, *, chain: list[str],
                  links: tuple[tuple[Span, str], ...]) -> Diagnostic:
    return Diagnostic(code="S0802", message="'extends' forma um ciclo: " + " → ".join(
                      f"'{c}'" for c in chain), span=span,
                      labels=tuple(Label(span=s, message=m) for s, m in links),
                      help="uma spec não pode herdar de si mesma, nem por meio de outras")


def extends_kind_mismatch(span: Span, *, parent: str, parent_kind: str, kind: str,
                          parent_span: Span) -> Diagnostic:
    return Diagnostic(code="S0803", message=f"a spec '{parent}' é do tipo '{parent_kind}' e esta "
                      f"é do tipo '{kind}': 'extends' só liga specs do mesmo tipo", span=span,
                      labels=(Label(span=parent_span, message=f"'{parent}' é '{parent_kind}'"),))


def extends_unknown_item(span: Span, *, collection: str | None, key: str, parent: str,
                         where: str | None, candidates: list[str]) -> Diagnostic:
    """`where` None: `remove:` names it; "before"/"after": an item is to be placed by it."""
    what = _item(collection, key)
    a = "a" if what.startswith("a ") else "o"
    if where is None:
        tail = "; não há o que remover"
    else:
        tail = (f" nem foi acrescentad{a} antes nesta spec; não dá para pôr este item "
                f"{'antes' if where == 'before' else 'depois'} del{'a' if a == 'a' else 'e'}")
    return Diagnostic(code="S0804", message=f"{what} não existe em '{parent}'{tail}", span=span,
                      help=_did_you_mean(candidates))


def extends_duplicate_item(span: Span, *, collection: str, key: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S0805", message=f"{_item(collection, key)} aparece duas vezes nesta "
                      "spec", span=span, labels=(Label(span=first, message="primeira ocorrência"),),
                      help="junte as mudanças num só item")


def extends_only(span: Span, *, key: str) -> Diagnostic:
    return Diagnostic(code="S0806", message=f"'{key}' só vale numa spec com 'extends'",
                      span=span, help="declare 'extends: <id da spec>' ou remova a chave")


def extends_two_positions(span: Span) -> Diagnostic:
    return Diagnostic(code="S0807", message="um item diz 'before' e 'after'; use só um deles",
                      span=span)

# --- S09xx: the `check` kind (compiler/kinds/check)
def check_bad_tolerance(span: Span, *, text: str) -> Diagnostic:
    return Diagnostic(code="S0901", message=f"a tolerância '{text}' não é um valor em reais",
                      span=span, help="escreva um número sem sinal, com vírgula ou ponto "
                      "decimal (ex.: 0,01 para um centavo; 0 para exigir valores iguais)")


def check_duplicate_assertion(span: Span, *, name: str, check: str, first: Span) -> Diagnostic:
    return Diagnostic(code="S0902", message=f"a conferência '{name}' aparece duas vezes em "
                      f"'{check}'", span=span,
                      labels=(Label(span=first, message="primeira ocorrência"),),
                      help="dê a cada conferência um id próprio: é por ele que a execução e o "
                      "diário a nomeiam")


def check_side_shape(span: Span, *, found: str) -> Diagnostic:
    return Diagnostic(code="S0903", message=f"um lado de conferência não pode ter {found}",
                      span=span, help="um lado combina, com + e -, células (cell(\"layout\", "
                      "\"linha\", \"V0\")), somas do ledger (sum(x where condição), count(...)) "
                      "e números")


def check_sum_without_ledger(span: Span, *, func: str) -> Diagnostic:
    return Diagnostic(code="S0904", message=f"{func}(...) soma registros, mas a spec não diz de "
                      "qual ledger", span=span,
                      help="indique o ledger no topo da spec (ex.: ledger: despesa)")


def check_same_sides(span: Span, *, name: str, other: Span) -> Diagnostic:
    return Diagnostic(code="S0905", message=f"os dois lados da conferência '{name}' são a mesma "
                      "expressão: ela não pode falhar", span=span,
                      labels=(Label(span=other, message="o outro lado"),),
                      help="compare valores calculados por caminhos diferentes (um quadro contra "
                      "a soma do ledger sob o filtro dele, por exemplo)")


def check_nothing_computed(span: Span, *, name: str) -> Diagnostic:
    return Diagnostic(code="S0906", message=f"a conferência '{name}' não lê nenhum valor "
                      "calculado: os dois lados são números", span=span,
                      help="use cell(...) ou sum(...) em pelo menos um dos lados")


# ---------------------------------------------------------------- S11xx: rows never matched
_ANALYSED = ("a análise lê, campo a campo, igualdades, listas (in, not in), intervalos (<, <=, "
             ">, >=, within) e testes de nulo e de booleanos, combinados com and, or e not")


def _rows_named(by: list[tuple[str, Span]], note: str,
                shown: int = 5) -> tuple[str, tuple[Label, ...]]:
    names = ", ".join(f"'{r}'" for r, _ in by[:shown])
    if len(by) > shown:
        names += f" e mais {len(by) - shown}"
    labels = tuple(Label(span=s, message=f"a linha '{r}' {note}") for r, s in by[:shown])
    return names, labels


def row_shadowed(span: Span, *, layout: str, ref: str,
                 by: list[tuple[str, Span]]) -> Diagnostic:
    names, labels = _rows_named(by, "fica antes com esses registros")
    which = "a linha anterior" if len(by) == 1 else "as linhas anteriores"
    return Diagnostic(code="S1101", message=f"a linha '{ref}' do layout '{layout}' nunca recebe "
                      "registros: com 'hit_policy: first', todo registro que casa com a regra "
                      f"dela já casou com {which} {names}", span=span, labels=labels,
                      help="ponha a regra mais específica antes da mais geral, ou remova a "
                      f"linha ({_ANALYSED})")


def otherwise_unreachable(span: Span, *, layout: str, ref: str, by: list[tuple[str, Span]],
                          filtered: bool) -> Diagnostic:
    names, labels = _rows_named(by, "fica com parte deles")
    what = "tudo o que o filtro do layout admite" if filtered else "todos os registros"
    return Diagnostic(code="S1102", message=f"a linha '{ref}' (otherwise) do layout '{layout}' "
                      f"nunca recebe registros: as linhas {names} cobrem {what}", span=span,
                      severity=Severity.WARNING, labels=labels,
                      help="a linha continua no arquivo, com zeros; se algum registro deveria "
                      f"cair nela, confira as regras ({_ANALYSED})")


def rule_unmatchable(span: Span, *, layout: str, ref: str,
                     filter_span: Span | None) -> Diagnostic:
    where = f"a regra da linha '{ref}' do layout '{layout}'"
    if filter_span is None:
        return Diagnostic(code="S1103", message=f"{where} nunca é verdadeira: ela se contradiz",
                          span=span,
                          help=f"confira os valores e os operadores da regra ({_ANALYSED})")
    return Diagnostic(code="S1103", message=f"{where} não casa com nenhum registro que o "
                      "filtro do layout admite", span=span,
                      labels=(Label(span=filter_span, message="o filtro do layout"),),
                      help=f"confira os valores da regra e do filtro ({_ANALYSED})")


def filter_admits_nothing(span: Span, *, layout: str) -> Diagnostic:
    return Diagnostic(code="S1104", message=f"o filtro do layout '{layout}' nunca é verdadeiro: "
                      "nenhum registro entra no layout", span=span,
                      help=f"confira os valores e os operadores do filtro ({_ANALYSED})")
