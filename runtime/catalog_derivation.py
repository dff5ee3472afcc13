"""The run-time catalogue of the `derivation` kind and what grew around it (D18xx: a
derivation's records, file names, recipients; D19xx: the loads of an incremental derivation,
`--as-of`, a frozen value; D192x: `apura explain` from the journal), beside runtime/catalog.py,
which re-exports it (tests/test_runtime_catalog.py reads both)."""

from __future__ import annotations

from runtime.errors import DataError


# --- D18xx: the `derivation` kind (runtime/derivation.py)
def derivation_duplicate(node: str, key: str, first: int, *, file: str,
                         line: int) -> DataError:
    """D1801: two records with one `unique:` key (a payment order's convênio, year and number):
    which one counts would be a guess, so the run fails, naming both lines."""
    return DataError(code="D1801", message=f"derivação '{node}': a chave {key} aparece duas "
                     f"vezes (linhas {first} e {line})", file=file, line=line, col=1,
                     help="cada chave deve ter uma linha só no extrato")


def derivation_unmapped(node: str, map_id: str, text: str, *, file: str, line: int,
                        count: int) -> DataError:
    """D1802: a text to classify (a SIAFI situação) that the map does not list: reported,
    never guessed; one message per text, at its first line, with how many records have it."""
    more = f" ({count} registros)" if count > 1 else ""
    return DataError(code="D1802", message=f"derivação '{node}': {text!r} não está no mapa "
                     f"'{map_id}'{more}", file=file, line=line, col=1,
                     help="inclua a descrição no mapa (specs), com a etapa a que pertence")


def derivation_warning(node: str, warn: str, message: str, record: str, *, file: str,
                       line: int) -> DataError:
    """D1803 (a warning): a record for which a `warnings:` condition of the spec holds."""
    return DataError(code="D1803", severity="aviso",
                     message=f"derivação '{node}' ({warn}): {message} — {record}",
                     file=file, line=line, col=1)


def recipient_incomplete(node: str, warn: str, message: str, record: str, *, file: str,
                         line: int) -> DataError:
    """D1806 (a warning, `warnings: code:`): a recipient without name or e-mail — the
    signature service requires both (seed 001); the row stays."""
    return DataError(code="D1806", severity="aviso",
                     message=f"derivação '{node}' ({warn}): {message} — {record}",
                     file=file, line=line, col=1,
                     help="o serviço de assinatura exige nome e e-mail: corrija o cadastro")


def observer_without_login(node: str, warn: str, message: str, record: str, *, file: str,
                           line: int) -> DataError:
    """D1807 (a warning, `warnings: code:`): an Observador recipient without a login — the
    service "exige usuário e senha" (seed 001)."""
    return DataError(code="D1807", severity="aviso",
                     message=f"derivação '{node}' ({warn}): {message} — {record}",
                     file=file, line=line, col=1,
                     help="dê um usuário (login) à pessoa, ou outro tipo à fonte")


# The codes a derivation's `warnings:` may name (`code:`), in the order runtime/derivation.py
# dispatches them; any other warning is D1803.
SPEC_WARNINGS = ("D1806", "D1807")


# --- D192x: `apura explain` from the journal (runtime/explain_journal.py)
def explain_input_changed(name: str, path: str, run: int, now: str, then: str) -> DataError:
    """D1920: an input of the run changed (or cannot be read) since the run: explaining it
    would explain another number than the one the run wrote, so explain refuses."""
    return DataError(code="D1920", message=f"a entrada '{name}' ({path}) mudou desde a "
                     f"execução {run}: o sha256 agora é {now}, na execução era {then}",
                     file=path, line=0, col=0,
                     help="explique com o arquivo da execução, ou rode 'apura run' de novo "
                     "(ou informe --input/--param em vez de --state)")


def explain_run_missing(what: str, state: str) -> DataError:
    """D1921: the journal has no such run of the package (or the state file does not exist)."""
    return DataError(code="D1921", message=what, file=state, line=0, col=0,
                     help="as execuções: sqlite3 ESTADO 'select id, package, status, "
                     "started_at from runs'")


def explain_input_unrecorded(name: str, run: int) -> DataError:
    """D1922: an input of the run was given as rows in memory (the embedding API): the journal
    has no file nor sha256 to take it from."""
    return DataError(code="D1922", message=f"a entrada '{name}' da execução {run} não era um "
                     "arquivo (linhas em memória): o diário não a guarda", file=f"entrada {name}",
                     line=0, col=0, help="informe --input/--param")


def explain_as_of_not_incremental(node: str) -> DataError:
    """D1923: `apura explain --as-of` of a value whose node keeps no loads (not an incremental
    derivation): there is no load to replay."""
    return DataError(code="D1923", message=f"--as-of: o nó '{node}' não é uma derivação "
                     "incremental: não há cargas a refazer", file="--as-of", line=0, col=0,
                     help="--as-of vale para os valores de uma derivação com incremental: "
                     "(ex.: convenios de transparencia_mg), com --state")


def derivation_frozen_unreadable(node: str, field: str, load: int, key: str, state: str,
                                 why: str) -> DataError:
    """D1830: a value the state file kept for a frozen field (`derivation_values`) does not
    read back as its type — the file was edited or damaged: the run cannot know what froze."""
    return DataError(code="D1830", message=f"derivação '{node}': o valor guardado de "
                     f"'{field}' na carga {load} (chave {key}) não se lê: {why}", file=state,
                     line=0, col=0,
                     help="o arquivo de estado foi alterado fora do apura: restaure uma cópia "
                     "(o congelamento depende das cargas guardadas)")


# --- D19xx: the loads of an incremental derivation (runtime/derivation_state.py)
def as_of_unreadable(text: str) -> DataError:
    """D1901: --as-of is no load number and no date."""
    return DataError(code="D1901", message=f"--as-of '{text}' não é o número de uma carga nem "
                     "uma data", file="--as-of", line=0, col=0,
                     help="use o número da carga (--as-of 2) ou a data dela (--as-of "
                     "14/02/2020 ou 2020-02-14)")


def as_of_no_load(text: str, state: str, known: str) -> DataError:
    """D1902: --as-of names a load the state file does not have (a number out of range, a
    date before the first load, a state with no loads)."""
    return DataError(code="D1902", message=f"--as-of '{text}': não há essa carga (ou carga "
                     f"até esse dia) no arquivo de estado '{state}' ({known})", file="--as-of",
                     line=0, col=0,
                     help="rode com um extrato (--input) para fazer uma carga, ou escolha "
                     "uma das cargas registradas")


def as_of_not_incremental(package: str) -> DataError:
    """D1903: --as-of on a run that computes no incremental derivation."""
    return DataError(code="D1903", message=f"--as-of: o pacote '{package}' não tem derivação "
                     "incremental nesta execução (--select)", file="--as-of", line=0, col=0,
                     help="--as-of consulta as cargas de uma derivação com incremental:")


def as_of_with_input(name: str) -> DataError:
    """D1904: --as-of answers from the state file; an extract given with it is not read."""
    return DataError(code="D1904", message=f"--as-of responde pelas cargas do arquivo de "
                     f"estado; a entrada '{name}' não seria lida", file=f"entrada {name}",
                     line=0, col=0, help=f"rode sem --input {name}=... (ou sem --as-of, "
                     "para fazer uma carga nova)")


def as_of_without_state() -> DataError:
    """D1905: --as-of on a run without a state file (Program.run without state=)."""
    return DataError(code="D1905", message="--as-of precisa do arquivo de estado com as "
                     "cargas", file="--as-of", line=0, col=0,
                     help="rode com --state (ou Program.run(..., state=PATH))")


def derivation_file_name(node: str, field: str, value: str, why: str, record: str, *,
                         file: str, line: int) -> DataError:
    """D1804 (a warning): a value of a `file_names:` field that no file system can hold (a
    document's description carrying '/'): refused — the cell is written empty — not altered."""
    return DataError(code="D1804", severity="aviso",
                     message=f"derivação '{node}': o nome de arquivo {value!r} ({field}) {why} "
                     f"— {record}", file=file, line=line, col=1,
                     help="corrija o texto de origem (a descrição, o nome do relatório): "
                     "apura não troca caracteres de um nome")


def derivation_json_name(node: str, value: str, why: str, *, file: str, line: int) -> DataError:
    """D1805 (a warning): an `output.json` record whose name no file system can hold: its
    JSON is not written (refused, not renamed)."""
    return DataError(code="D1805", severity="aviso",
                     message=f"derivação '{node}': o JSON {value!r} não é escrito: o nome {why}",
                     file=file, line=line, col=1,
                     help="corrija o texto de origem; apura não troca caracteres de um nome")
