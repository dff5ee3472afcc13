"""The run-time catalogue: one function per data-error code (D…), the only place their wording
lives (as compiler/catalog.py for the compile-time codes). The README's table of run-time
codes lists them all (tests/test_runtime_catalog.py keeps the three in step). The derivation
kind's codes (D18xx, D19xx) live in runtime/catalog_derivation.py, re-exported here.

Codes: D01xx reading a ledger (a cell, a record, a file) · D02xx maps · D03xx layouts ·
D04xx the run's request (parameters, inputs) · D05xx outputs, locks, state · D06xx warnings.

A cell's reason (D0101–D0104, D0113) is a BadCell, raised by the converters; `bad_cell` then
places it in its record (file, line, column, field)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# D18xx, D19xx: the derivation kind, its loads, explain from the journal (one module per job)
from runtime.catalog_derivation import *  # noqa: F403
from runtime.contract import INT_MAX
from runtime.contract import INT_MIN
from runtime.contract import LEDGER_PRECISION
from runtime.contract import SUM_PRECISION
from runtime.contract import TYPE_NAMES
from runtime.errors import BadCell
from runtime.errors import DataError


# ---------------------------------------------------------------- D01: a cell's reason
def not_int(shown: str) -> BadCell:
    """D0101; `shown`: the cell as the message shows it (quoted text, or a value's repr)."""
    return BadCell(code="D0101", message=f"{shown} não é um número inteiro")


def not_decimal(shown: str, *, places: int | None = None, sep: str | None = None) -> BadCell:
    """D0102: more than `places` decimals, or no decimal at all (a cell written with the
    decimal separator `sep`; None: an in-memory value that is no Decimal)."""
    if places is not None:
        return BadCell(code="D0102", message=f"{shown} tem mais de {places} casas decimais")
    return BadCell(code="D0102", message=f"{shown} não é um valor decimal",
                   help=f"use o formato 1234{sep}56" if sep is not None else
                   "use Decimal (valores float não são exatos)")


def not_date(text: str, *, fmt: str, exists: bool = True) -> BadCell:
    """D0103: not a date in `fmt` (DD/MM/YYYY or YYYY-MM-DD), or (exists=False) no such day."""
    if not exists:
        return BadCell(code="D0103", message=f"a data '{text}' não existe")
    shown = "DD/MM/AAAA" if fmt == "DD/MM/YYYY" else "AAAA-MM-DD"
    return BadCell(code="D0103", message=f"'{text}' não é uma data {shown}")


def not_bool(text: str, yes: str, no: str) -> BadCell:
    """D0104: neither the format's true nor its false."""
    return BadCell(code="D0104", message=f"'{text}' não é um valor booleano",
                   help=f"use {yes} ou {no}")


def out_of_range(text: str, scale: int | None = None) -> BadCell:
    """D0113: an int beyond BIGINT (scale None), or a decimal beyond DECIMAL(18, scale)."""
    if scale is None:
        return BadCell(code="D0113", message=f"'{text}' está fora do limite dos inteiros "
                       f"({INT_MIN} a {INT_MAX})",
                       help="os back ends SQL guardam inteiros em BIGINT (64 bits)")
    top = "9" * (LEDGER_PRECISION - scale) + ("," + "9" * scale if scale else "")
    return BadCell(code="D0113", message=f"'{text}' tem mais de {LEDGER_PRECISION - scale} "
                   f"dígitos na parte inteira; o limite é DECIMAL({LEDGER_PRECISION}, {scale})",
                   help=f"o maior valor é {top}")


# ---------------------------------------------------------------- D01: a record, a file
def bad_cell(reason: BadCell, *, field: str, type: str, file: str, line: int, col: int,
             width: int = 1, text: str | None = None) -> DataError:
    """A rejected record: the cell of `field` (of `type`) does not convert (reason.code)."""
    return DataError(code=reason.code, message=f"campo '{field}' ({TYPE_NAMES[type]}): "
                     f"{reason.message}", file=file, line=line, col=col, width=width,
                     text=text, help=reason.help, field=field)


def empty_required(field: str, *, file: str, line: int, col: int, text: str) -> DataError:
    """D0105: a required field's cell is empty (a rejected record)."""
    return DataError(code="D0105", message=f"o campo obrigatório '{field}' está vazio",
                     file=file, line=line, col=col, text=text, field=field)


def wrong_width(cells: int, width: int, *, file: str, line: int, text: str) -> DataError:
    """D0106: a record of another number of cells than the header (a rejected record)."""
    return DataError(code="D0106", message=f"a linha tem {cells} coluna(s); esperava {width}",
                     file=file, line=line, col=1, text=text)


def missing_columns(file: str, missing: Sequence[str] = (), *, header: str | None = None,
                    expected: str | None = None, record: int | None = None) -> DataError:
    """D0107: no header at all (nothing missing), a header without some fields' columns
    (fatal), or an in-memory record (`record`: its number) without some fields (rejected)."""
    if record is not None:
        return DataError(code="D0107", message="o registro não tem o(s) campo(s) "
                         + ", ".join(missing), file=file, line=record, col=1)
    if not missing:
        return DataError(code="D0107", message="o arquivo está vazio; esperava a linha de "
                         "cabeçalho", file=file, line=1, col=1)
    return DataError(code="D0107", message="o cabeçalho não tem a(s) coluna(s) "
                     + ", ".join(f"'{m}'" for m in missing), file=file, line=1, col=1,
                     text=header, help=f"colunas esperadas: {expected}")


def bad_encoding(encoding: str, byte: int, *, file: str, line: int, col: int,
                 text: str | None) -> DataError:
    """D0108: a byte that does not decode in the ledger's encoding."""
    return DataError(code="D0108", message=f"o arquivo não está em {encoding}: byte "
                     f"0x{byte:02x} inválido", file=file, line=line, col=col, text=text,
                     help="confira 'encoding' no format do ledger")


def unreadable(reason: str, *, file: str, parquet: bool = False) -> DataError:
    """D0109: the input cannot be opened (or, a Parquet file, read)."""
    what = "ler o Parquet" if parquet else "abrir o arquivo"
    return DataError(code="D0109", message=f"não foi possível {what}: {reason}", file=file,
                     line=1, col=1)


def malformed_csv(reason: str, *, file: str, line: int) -> DataError:
    """D0110: the csv module cannot read on (quotes that do not close, ...)."""
    return DataError(code="D0110", message="CSV malformado: " + reason, file=file, line=line,
                     col=1)


def overflow(file: str, *, what: str | None = None, backend: str | None = None,
             detail: str = "", line: int = 0) -> DataError:
    """D0111: a value computed from `what` (a ledger, or a partition's totals) needs more than
    38 digits. Every back end reports it with this message, naming the input without a
    position (line 0): the SQL engines do not say which record, and line 1 would be invented.
    With `backend`: a value read (at `line`) that the back end cannot hold (`detail`)."""
    if backend is not None:
        return DataError(code="D0111", message=f"valor fora do que o back end {backend} "
                         f"representa ({detail})", file=file, line=line, col=1,
                         help=f"os back ends guardam decimais de ledger em "
                         f"DECIMAL({LEDGER_PRECISION}, escala) e inteiros em BIGINT")
    return DataError(code="D0111", message=f"um valor calculado {what} passa de "
                     f"{SUM_PRECISION} dígitos (o limite é DECIMAL({SUM_PRECISION}, escala))",
                     file=file, line=0, col=0,
                     help="confira os valores muito grandes do ledger e as multiplicações nas "
                     "colunas dos layouts")


def parquet_schema(problems: Sequence[str], *, file: str) -> DataError:
    """D0112: a Parquet file whose columns are not the ledger's fields."""
    return DataError(code="D0112", message="o Parquet não tem o esquema do ledger: "
                     + "; ".join(problems), file=file, line=1, col=1)


# ---------------------------------------------------------------- D02: maps
def missing_key(map_id: str, shown: str, where: str, *, source: str, at: str, file: str,
                line: int) -> DataError:
    """D0201: records look up a key the map has no entry for (`where`: how many, which lines;
    `at`: where the rule that looks it up is, or "")."""
    at = f" (regra em {at})" if at else ""
    return DataError(code="D0201", message=f"o mapa '{map_id}' não tem entrada para "
                     f"{shown} ({where})", file=file, line=line, col=1,
                     help=f"inclua a equivalência em '{source}'{at}")


def duplicate_key(map_id: str, shown: str, first: int, *, file: str, line: int) -> DataError:
    """D0202: a key of a map defined twice in its source (first at line `first`)."""
    return DataError(code="D0202", message=f"chave repetida no mapa '{map_id}': {shown} "
                     f"(já definida na linha {first})", file=file, line=line, col=1)


# ---------------------------------------------------------------- D03: layouts
def unique_conflict(layout_id: str, a: tuple[str, Any], b: tuple[str, Any], *, file: str,
                    line: int) -> DataError:
    """D0301: a record matches two rows (ref, position) of a `hit_policy: unique` layout."""
    return DataError(code="D0301", message=f"o registro casa com duas linhas do layout "
                     f"'{layout_id}' (hit_policy unique): '{a[0]}' ({a[1]}) e '{b[0]}' ({b[1]})",
                     file=file, line=line, col=1, help="ajuste as regras para serem "
                     "exclusivas, ou use hit_policy: first")


# ---------------------------------------------------------------- D04: the request
def missing_param(name: str) -> DataError:
    """D0401 (no position: a parameter is not in a file)."""
    return DataError(code="D0401", message=f"falta o parâmetro '{name}'",
                     file=f"parâmetro {name}", line=0, col=0, help=f"use --param {name}=VALOR")


def param_type(name: str, type: str, raw: Any) -> DataError:
    """D0402: a parameter that does not convert to its type."""
    return DataError(code="D0402", message=f"o parâmetro '{name}' deve ser "
                     f"{TYPE_NAMES.get(type, type)}; recebeu '{raw}'", file=f"parâmetro {name}",
                     line=0, col=0)


def param_range(name: str, low: Any, high: Any, value: Any) -> DataError:
    """D0403: a parameter out of its min..max."""
    return DataError(code="D0403", message=f"o parâmetro '{name}' deve estar entre {low} e "
                     f"{high}; recebeu {value}", file=f"parâmetro {name}", line=0, col=0)


def unknown_param(name: str, known: Sequence[str]) -> DataError:
    """D0404."""
    return DataError(code="D0404", message=f"parâmetro desconhecido '{name}'",
                     file=f"parâmetro {name}", line=0, col=0,
                     help="parâmetros do pacote: " + ", ".join(known))


def unknown_input(name: str, known: Sequence[str]) -> DataError:
    """D0405."""
    return DataError(code="D0405", message=f"entrada desconhecida '{name}'",
                     file=f"entrada {name}", line=0, col=0,
                     help="entradas do pacote: " + ", ".join(known))


def missing_input(name: str) -> DataError:
    """D0406."""
    return DataError(code="D0406", message=f"falta a entrada '{name}'", file=f"entrada {name}",
                     line=0, col=0, help=f"use --input {name}=ARQUIVO")


def unknown_partition(part: Any, field: str | None, shown: str) -> DataError:
    """D0407: explain asked for a partition the inputs do not have (`shown`: those they have)."""
    return DataError(code="D0407", message=f"a partição '{part}' ({field}) não aparece nas "
                     "entradas", file=f"partição {part}", line=0, col=0,
                     help=f"partições nas entradas: {shown}")


def sheet_unknown(node: str, code: str, help: str) -> DataError:
    """D0410: explain asked for a planilha code (or file name) the node's files table does
    not have (`help`: a close one, the planilhas with lines in the partition)."""
    return DataError(code="D0410", message=f"'{node}' não tem a planilha '{code}' (nem um "
                     "arquivo com esse nome)", file=f"planilha {code}", line=0, col=0,
                     help=help)


def sheet_empty(node: str, code: str, part: Any, help: str) -> DataError:
    """D0411: a planilha of the node no record of the partition reached (no file)."""
    return DataError(code="D0411", message=f"nenhum registro da partição {part} chegou à "
                     f"planilha '{code}' de '{node}': ela não tem arquivo", file=f"planilha "
                     f"{code}", line=0, col=0, help=help)


def sheet_row_unknown(node: str, row: str, rows_map: str, help: str) -> DataError:
    """D0412: a row key that is no row of the node's rows table (masked or not)."""
    return DataError(code="D0412", message=f"'{row}' não é uma linha de '{node}' (a tabela "
                     f"do mapa '{rows_map}' não a tem)", file=f"linha {row}", line=0, col=0,
                     help=help)


def sheet_row_empty(node: str, code: str, row: str, help: str) -> DataError:
    """D0413: a row of the table no record reached in that planilha (no line)."""
    return DataError(code="D0413", message=f"nenhum registro chegou à linha '{row}' da "
                     f"planilha '{code}' de '{node}'", file=f"linha {row}", line=0, col=0,
                     help=help)


def sheet_column_unknown(node: str, column: str, help: str) -> DataError:
    """D0414: a column the sheets node does not have."""
    return DataError(code="D0414", message=f"'{node}' não tem a coluna '{column}'",
                     file=f"coluna {column}", line=0, col=0, help=help)


# ---------------------------------------------------------------- D05: outputs, locks, state
def partition_folder(shown: str, field: str, problem: str, *, file: str,
                     line: int) -> DataError:
    """D0501: a partition value that cannot be a folder name."""
    return DataError(code="D0501", message=f"o valor {shown} de '{field}' (a partição) não "
                     f"serve de nome de pasta: {problem}", file=file, line=line, col=1,
                     field=field, help="corrija o valor no arquivo; cada partição vira uma "
                     "pasta em --out")


def partition_clash(shown: str, other: str, field: str, seen_at: str, *, file: str,
                    line: int) -> DataError:
    """D0502: two partition values that would be the same folder (`seen_at`: file:line)."""
    return DataError(code="D0502", message=f"os valores {shown} e {other} de '{field}' dariam "
                     f"a mesma pasta em --out (já visto em {seen_at})", file=file, line=line,
                     col=1, field=field, help="pastas que diferem só em maiúsculas/minúsculas, "
                     "na forma Unicode ou em espaços e pontos no fim do nome são a mesma no "
                     "Windows ou no macOS; use um só valor")


def busy(what: str, holder: str, *, file: str) -> DataError:
    """D0503: another run holds the lock of `what` (`holder`: who, when known)."""
    return DataError(code="D0503", message=f"outra execução do apura está usando {what}"
                     f"{holder}; esta não foi iniciada", file=file, line=0, col=0,
                     help="espere ela terminar, ou rode com --wait para esperar")


def out_unusable(text: str, *, file: str) -> DataError:
    """D0504: the output folder (or a path under it) cannot hold the outputs."""
    return DataError(code="D0504", message=text, file=file, line=0, col=0,
                     help="escolha com --out uma pasta em que se possa escrever")


def write_failed(reason: str, *, file: str, full: bool) -> DataError:
    """D0505: writing a file failed (`full`: the disk or quota is full)."""
    return DataError(code="D0505", message=f"não foi possível gravar o arquivo: {reason}",
                     file=file, line=0, col=0, help="libere espaço ou escolha outra pasta; "
                     "nenhum arquivo de saída foi alterado" if full else None)


def state_unusable(reason: str, *, file: str) -> DataError:
    """D0506: the state file cannot be opened, read or written."""
    return DataError(code="D0506", message=f"o arquivo de estado não pode ser usado: {reason}",
                     file=file, line=0, col=0, help="indique com --state um arquivo SQLite do "
                     "apura (ou um caminho novo)")


def lock_uncreatable(code: str, what: str, reason: str, *, file: str) -> DataError:
    """The lock file of `what` ('da pasta de saída …') cannot be created: D0504 for --out's,
    D0506 for the state file's (`code`)."""
    assert code in ("D0504", "D0506"), code
    return DataError(code=code, message=f"não foi possível criar o arquivo de trava {what}: "
                     f"{reason}", file=file, line=0, col=0)


# ---------------------------------------------------------------- D06: warnings
def unreached(ledger: str, whose: str, layouts: str, params: str, *, file: str) -> DataError:
    """D0601 (a warning): a partition of a ledger none of whose records reached a layout."""
    return DataError(code="D0601", severity="aviso", message=f"nenhum registro de "
                     f"'{ledger}'{whose} chegou a um layout ({layouts}): nenhum passou no "
                     "filtro e casou com uma linha", file=file, line=1, col=1,
                     help=f"confira os parâmetros ({params}): o período tem registros?")


# ---------------------------------------------------------------- D09: the bundle
def bundle_partial(select: str, names: Sequence[str]) -> DataError:
    """D0901 (a warning): a run that does not write every layout's file writes no bundle, and
    removes the bundle an earlier run left in the partition folders it writes."""
    shown = ", ".join(names)
    return DataError(code="D0901", severity="aviso", message=f"a execução parcial não grava "
                     f"o pacote ({shown}): ele descreveria só parte dos arquivos; o pacote de "
                     "uma execução anterior nas pastas das partições gravadas é removido "
                     "(descreveria arquivos que mudaram)", file=f"--select '{select}'", line=0,
                     col=0, help="rode sem --select (ou selecionando todos os layouts) para "
                     "gravar o pacote")


def bundle_entry(name: str, reason: str, *, bundle: str, file: str) -> DataError:
    """D0902: an output file cannot go into the bundle (its name is no plain file name, or is
    the name of one of the bundle's own files)."""
    return DataError(code="D0902", message=f"o arquivo {name!r} não pode entrar no pacote "
                     f"'{bundle}': {reason}", file=file, line=0, col=0,
                     help="o nome de cada arquivo do pacote é um nome simples de arquivo, "
                     "diferente do zip, do manifesto e da proveniência")


# ---------------------------------------------------------------- D07: checks (kind `check`)
def _check_message(check: str, where: str, left: tuple[str, str], right: tuple[str, str],
                   gap: str, tolerance: str) -> str:
    return (f"a conferência '{check}' não fecha{where}: {left[0]} = {left[1]}, "
            f"mas {right[0]} = {right[1]}; {gap} (tolerância {tolerance})")


def check_failed(check: str, where: str, left: tuple[str, str], right: tuple[str, str],
                 gap: str, tolerance: str, *, at: tuple[str, int, int, int], text: str | None,
                 label: str | None) -> DataError:
    """D0701: an assertion of a check of `severity: error` does not hold; the run fails.
    `left`/`right`: (expression text, value as shown); `at`: (file, line, col, width)."""
    return DataError(code="D0701", severity="erro",
                     message=_check_message(check, where, left, right, gap, tolerance),
                     file=at[0], line=at[1], col=at[2], width=at[3], text=text, help=label)


def check_warned(check: str, where: str, left: tuple[str, str], right: tuple[str, str],
                 gap: str, tolerance: str, *, at: tuple[str, int, int, int], text: str | None,
                 label: str | None) -> DataError:
    """D0702 (a warning): an assertion of a check of `severity: warning` does not hold."""
    return DataError(code="D0702", severity="aviso",
                     message=_check_message(check, where, left, right, gap, tolerance),
                     file=at[0], line=at[1], col=at[2], width=at[3], text=text, help=label)


# ---------------------------------------------------------------- D11: layout years
def no_layout_year(param: str, value: Any, first: int) -> DataError:
    """D1101 (a request error): no layout year serves the value of the year parameter."""
    return DataError(code="D1101", message=f"nenhum ano de layout serve {param} {value}: o "
                     f"primeiro é {first}", file=f"parâmetro {param}", line=0, col=0,
                     help=f"use --param {param}=AAAA com AAAA a partir de {first}, ou crie a "
                     "pasta do ano nas specs")
# ---------------------------------------------------------------- D10: tables (kind `table`)
def table_copy_changed(name: str, path: str, why: str) -> DataError:
    """D1001: the copy of a table in the compiled package is not the one the compiler wrote
    (edited, replaced or missing): the run would read other data than the specs say."""
    return DataError(code="D1001", message=f"a cópia da tabela '{name}' no pacote compilado não "
                     f"é a que o apura gerou ({why})", file=path, line=0, col=0,
                     help="não edite generated/: mude o CSV da tabela nas specs e rode "
                     "'apura compile'")


def table_as_input(name: str) -> DataError:
    """D1002 (usage): a table shipped with the package given as an input of the run."""
    return DataError(code="D1002", message=f"'{name}' é uma tabela que vem com o pacote, não uma "
                     "entrada da execução", file=f"entrada {name}", line=0, col=0,
                     help=f"tire --input {name}=...: os dados dela estão nas specs (mude o CSV "
                     "e rode 'apura compile')")
# ---------------------------------------------------------------- D08: inputs
def omitted_input(name: str, readers: str) -> DataError:
    """D0801 (a warning): an optional ledger the run was not given; what reads it (`readers`,
    shown) sees no records: its sums are 0, the maps built from it are empty."""
    return DataError(code="D0801", severity="aviso", message=f"a entrada opcional '{name}' não "
                     f"foi dada: {readers} não vê(em) registro nenhum dela", file=f"entrada {name}",
                     line=0, col=0, help=f"se ela existe, use --input {name}=ARQUIVO")


def _unconfirmed_message(map_id: str, shown: str, status: str, where: str) -> str:
    return (f"a equivalência {shown} do mapa '{map_id}' tem status '{status}' (não confirmada) "
            f"e foi usada ({where})")


def unconfirmed_used(map_id: str, shown: str, status: str, where: str, *, file: str,
                     line: int) -> DataError:
    """D0802: records used an entry of a map whose status is not CONFIRMADA (at the entry's
    file:line; `where`: how many records of which input, their first lines); the run fails."""
    return DataError(code="D0802", message=_unconfirmed_message(map_id, shown, status, where),
                     file=file, line=line, col=1,
                     help="confirme a equivalência (status CONFIRMADA) ou rode com "
                     "--allow-unconfirmed para gerar assim mesmo")


def unconfirmed_allowed(map_id: str, shown: str, status: str, where: str, *, file: str,
                        line: int) -> DataError:
    """D0803 (a warning): as D0802, in a run given --allow-unconfirmed."""
    return DataError(code="D0803", severity="aviso",
                     message=_unconfirmed_message(map_id, shown, status, where),
                     file=file, line=line, col=1,
                     help="--allow-unconfirmed: gerado com equivalência não confirmada; "
                     "confirme-a antes de enviar")


# ---------------------------------------------------------------- D13: coverage (kind `coverage`)
def coverage_gap(node: str, item: str, where: str, *, file: str, line: int) -> DataError:
    """D1301: a key of a coverage node's records has no confirmed entry of its map, or (no
    map) a record the node lists (`item`: what is missing, keys quoted; `where`: how many
    records of which input, their first lines), at the first record; the run fails."""
    return DataError(code="D1301", message=f"lacuna da cobertura '{node}': {item} ({where})",
                     file=file, line=line, col=1, help="inclua ou confirme a equivalência, ou "
                     "rode com --allow-gaps para gerar assim mesmo")


def coverage_gap_allowed(node: str, item: str, where: str, *, file: str,
                         line: int) -> DataError:
    """D1302 (a warning): as D1301, in a run given --allow-gaps."""
    return DataError(code="D1302", severity="aviso",
                     message=f"lacuna da cobertura '{node}': {item} ({where})", file=file,
                     line=line, col=1, help="--allow-gaps: gerado com a lacuna; corrija a "
                     "equivalência antes de enviar")


def coverage_unused(node: str, map_id: str, shown: str, *, file: str, line: int) -> DataError:
    """D1303 (a warning): an entry of the map of a coverage node (`unused: list`) that no
    record of its sources used, at the entry's line."""
    return DataError(code="D1303", severity="aviso", message=f"a entrada {shown} do mapa "
                     f"'{map_id}' não foi usada por nenhum registro da cobertura '{node}'",
                     file=file, line=line, col=1,
                     help="uma equivalência sem uso pode ser de outro exercício, ou estar "
                     "com a chave errada")


def coverage_listed(node: str, item: str, where: str, *, file: str, line: int) -> DataError:
    """D1304 (a warning): an item of a coverage node of `severity: warning` (`item`: its
    label and keys; `where`: the records), at the first record."""
    return DataError(code="D1304", severity="aviso", message=f"cobertura '{node}': {item} "
                     f"({where})", file=file, line=line, col=1)


# ------------------------------------------------------------ D14: allocation (kind `allocation`)
def allocation_unknown_class(node: str, key: str, map_id: str, *, file: str, line: int,
                             col: int, text: str | None) -> DataError:
    """D1401: a source record of an allocation whose class (a discount's natureza, from its
    base and rubrica) is not in the map: a rejected row, never imported (`--rejects`)."""
    return DataError(code="D1401", message=f"{key} não está no mapa '{map_id}': o registro não "
                     f"é importado pela alocação '{node}'", file=file, line=line, col=col,
                     text=text, field="rubrica",
                     help="inclua a rubrica no mapa nacional de rubricas (specs), ou corrija "
                     "o arquivo")


def allocation_cap_below(node: str, target: str, cap: str, applied: str, *, file: str,
                         line: int) -> DataError:
    """D1402 (a warning): a target whose cap in this run's input (valor_atualizado) is below
    what the state already applied to it; nothing applied is undone, nothing more applied."""
    return DataError(code="D1402", severity="aviso",
                     message=f"alocação '{node}': o alvo {target} tem limite {cap}, abaixo do "
                     f"já aplicado {applied}; nada é desfeito e nada mais é aplicado",
                     file=file, line=line, col=1)


def event_payment(pid: str, why: str) -> DataError:
    """D1403: a discount selected for a Desconto em Folha event that cannot be: unknown, not
    the cpf's, or with nothing unlinked."""
    return DataError(code="D1403", message=f"o desconto {why}; o evento não foi registrado",
                     file=f"pagamento {pid}", line=0, col=0,
                     help="liste os descontos não vinculados do cpf com 'apura descontos'")


def event_target(target: str, why: str) -> DataError:
    """D1404: the imputation of a Desconto em Folha event is unknown, or the cpf is not one of
    its responsáveis."""
    return DataError(code="D1404", message=f"a imputação {why}; o evento não foi registrado",
                     file=f"imputação {target}", line=0, col=0)


def event_over(target: str, total: str, remaining: str) -> DataError:
    """D1405: the selected discounts' unlinked total exceeds what remains of the imputation."""
    return DataError(code="D1405", message=f"os descontos selecionados somam {total}, mais "
                     f"que o que resta da imputação ({remaining}); o evento não foi "
                     "registrado", file=f"imputação {target}", line=0, col=0,
                     help="selecione menos descontos")


def event_reversal(event: str, why: str) -> DataError:
    """D1406: a reversal (estorno) that cannot be: an unknown event, not a Desconto em Folha
    event, or a reversal itself."""
    return DataError(code="D1406", message=f"o evento {why}; nada foi estornado",
                     file=f"evento {event}", line=0, col=0)


def allocation_duplicate_target(node: str, key: str, first: int, *, file: str,
                                line: int) -> DataError:
    """D1407: a target key (an imputação) twice in the targets' input: which row holds its cap
    and situação would be a guess, so the run fails."""
    return DataError(code="D1407", message=f"alocação '{node}': o alvo {key} aparece duas "
                     f"vezes (primeira na linha {first})", file=file, line=line, col=1,
                     help="cada imputação deve ter uma linha só no arquivo de imputações")


def indicator_missing_base(node: str, part: object, name: str, requires: str, at: Any,
                           measure: bool = False) -> DataError:
    """D1501: an indicator's ratio whose base (the denominator `name`: RCL, receita de
    impostos...) is missing or zero in a partition — or, `measure`, a measure the spec declares
    a precondition (`requires:`, e.g. the Anexo 12 of the previous bimester's end that the
    bimester's figures are measured from) is zero or null: the figures cannot be computed (or
    would be wrong without a word), so the run fails and says what to provide (`requires`)."""
    file, line, col = (at.file, at.line, at.col) if at is not None else (f"indicador {node}", 0, 0)
    what = f"a medida '{name}', precondição do cálculo," if measure else \
        f"a base da razão ('{name}')"
    return DataError(code="D1501", message=f"indicador '{node}', entidade {part}: {what} é "
                     "zero ou não foi informada", file=file, line=line, col=col,
                     help=f"forneça {requires}" if requires else None)


def root_file_partition(name: str) -> DataError:
    """D1502: a file a run writes at the root of OUT (painel.html) has the name of one of the
    run's partition folders: one would hide the other."""
    return DataError(code="D1502", message=f"o arquivo '{name}' da raiz da saída tem o nome da "
                     f"pasta de uma partição ('{name}')", file="<saída>", line=0, col=0,
                     help="renomeie a partição nos dados de entrada")
