"""The records of a run → the lotes of the Portal do Gestor (issue 11), against what the
service confirmed.

Each record of the run is compared with the content the state file says the service took for
it (`portal_records`, kept by `apura send` as each lote ends, `confirm`): not there → an
insert (Inclusão, POST), different → an update (Alteração, PATCH), there but no longer
computed → a removal (Exclusão, DELETE, its `idIntegracao` only), equal → not sent again. What
a run plans is not stored: a lote never delivered, or a record the service refused, is planned
again by the next run. A lote holds one indicator and one operation, at most `MAX_RECORDS` (the
limit of the service layer's public API, v2.0); lotes are ordered by indicator id, then
inserts, updates, removals, then sequence, and records by `idIntegracao`, so the same inputs
and state give the same files (`lotes/<indicator>-<operation>-<NNN>.json`) on every back end.

A lote file also says which state it was planned against (`base`: the journal id of the last
lote of its entity and exercício that ended, 0 for none). `apura send` knows a lote by its
bytes and never sends an ended one again; without `base`, a lote whose records were all
refused would come back byte for byte from the next run and be taken as already sent. With it,
a run after an ended lote writes new bytes, and a run while a lote is still on its way writes
the same ones (that lote resumes).

JSON is written here, not with `json.dumps` of Decimals: a Decimal is a JSON number from its own
digits (`1234.50` stays `1234.50`), never through float; text is a JSON string (UTF-8, not
escaped); keys keep the order of the record's content. The canonical text of a content (what
`previous` returns and `confirm` stores) is its compact JSON object in that order."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from runtime.portal_record import Value
from runtime.portal_service import FINAL

MAX_RECORDS = 300
INDEX = "lotes/indice.json"
# the content of a record the service holds without apura knowing which (it answered
# idExistente to an insert: an earlier lote, cut before its answer, may have put another):
# never equal to a content's JSON, so the next run sends an update
UNKNOWN = ""

# operation → (file name part, Processo as the Portal shows it, HTTP method)
OPERATIONS: dict[str, tuple[str, str, str]] = {
    "insert": ("inclusao", "Inclusão", "POST"),
    "update": ("alteracao", "Alteração", "PATCH"),
    "delete": ("exclusao", "Exclusão", "DELETE"),
}
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._]{0,119}")
_ID_INTEGRACAO = re.compile(r"[A-Za-z0-9]{1,64}")


def json_value(value: Value) -> str:
    """One value as JSON text: Decimal from its digits (no exponent), the rest as json does."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"valor não finito: {value}")
        return format(value, "f")
    if isinstance(value, bool | int | str) or value is None:
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"valor de tipo {type(value).__name__} num registro do Portal do Gestor")


def content_json(content: Sequence[tuple[str, Value]], indent: str | None = None) -> str:
    """The content as a JSON object in its order: compact (indent None) or one field a line
    under `indent` (the lote files)."""
    if indent is None:
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{json_value(v)}"
                              for k, v in content) + "}"
    if not content:
        return "{}"
    inner = indent + "  "
    return "{\n" + ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {json_value(v)}"
                              for k, v in content) + f"\n{indent}}}"


@dataclass(frozen=True, slots=True)
class Lote:
    """One lote: one indicator, one operation, ≤ MAX_RECORDS records (idIntegracao, content;
    a removal's content is empty), numbered `seq` from 1 within its indicator and operation;
    `base` the state it was planned against (the module docstring)."""

    info: IndicatorInfo
    operation: str
    seq: int
    entity: str
    exercicio: int
    records: tuple[tuple[str, tuple[tuple[str, Value], ...]], ...]
    base: int = 0

    @property
    def path(self) -> str:
        return f"lotes/{self.info.id}-{OPERATIONS[self.operation][0]}-{self.seq:03d}.json"

    @property
    def processo(self) -> str:
        return OPERATIONS[self.operation][1]

    @property
    def metodo(self) -> str:
        return OPERATIONS[self.operation][2]

    def body(self) -> bytes:
        """The lote file: what the indicator is and where it goes, then its records."""
        head: list[tuple[str, Value]] = [("indicador", self.info.id), ("nome", self.info.name),
                ("sistema", self.info.system), ("tabela", self.info.table),
                ("chave", self.info.payload_key), ("processo", self.processo),
                ("metodo", self.metodo), ("entidade", self.entity),
                ("exercicio", self.exercicio), ("base", self.base)]
        lines = [f"  {json.dumps(k, ensure_ascii=False)}: {json_value(v)}," for k, v in head]
        records = []
        for id_integracao, content in self.records:
            key = json.dumps(id_integracao)
            if self.operation == "delete":
                records.append(f'    {{"idIntegracao": {key}}}')
            else:
                records.append(f'    {{"idIntegracao": {key}, '
                               f'{json.dumps(self.info.payload_key, ensure_ascii=False)}: '
                               f'{content_json(content, "    ")}}}')
        lines.append('  "registros": [\n' + ",\n".join(records) + "\n  ]")
        return ("{\n" + "\n".join(lines) + "\n}\n").encode("utf-8")


def previous(db: sqlite3.Connection, package: str, entity: str,
             exercicio: int) -> dict[tuple[str, str], str]:
    """(indicator, idIntegracao) → the canonical content the service confirmed (UNKNOWN when
    it holds the record with a content apura does not know)."""
    rows = db.execute("SELECT indicator, id_integracao, content FROM portal_records "
                      "WHERE package = ? AND entity = ? AND exercicio = ?",
                      (package, entity, exercicio))
    return {(str(i), str(k)): str(c) for i, k, c in rows}


def last_ended(db: sqlite3.Connection, package: str, entity: str, exercicio: int) -> int:
    """The journal id of the last lote of (package, entity, exercício) that ended (0: none):
    the `base` of the lotes planned now."""
    row = db.execute("SELECT coalesce(max(id), 0) FROM portal_lotes WHERE package = ? AND "
                     "partition = ? AND exercicio = ? AND state IN (?, ?, ?)",
                     (package, entity, exercicio, *sorted(FINAL))).fetchone()
    return int(row[0])


def confirmed(state: str | Path | None, package: str, entity: str,
              exercicio: int) -> tuple[dict[tuple[str, str], str], int]:
    """`previous` and `last_ended` from the run's state file, opened read-only (the run
    writes nothing there): nothing confirmed without a state file, or when it has no Portal
    tables yet. A file SQLite cannot read is D0506."""
    from runtime.journal import _reason
    from runtime.journal import state_error

    if state is None or not Path(state).exists():
        return {}, 0
    path = Path(state)
    try:
        db = sqlite3.connect(f"file:{quote(path.resolve().as_posix())}?mode=ro", uri=True)
        try:
            have = {r[0] for r in db.execute("SELECT name FROM sqlite_master "
                                             "WHERE type = 'table'")}
            if not {"portal_records", "portal_lotes"} <= have:
                return {}, 0
            return (previous(db, package, entity, exercicio),
                    last_ended(db, package, entity, exercicio))
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise state_error(path, _reason(exc)) from None


def confirm(db: sqlite3.Connection, package: str, entity: str, exercicio: int, indicator: str,
            lote: int, taken: Iterable[tuple[str, str | None]]) -> None:
    """What the service took from ended lote `lote` (journal id), in the caller's
    transaction: each (idIntegracao, the canonical content it now holds — UNKNOWN when it
    answered idExistente — or None when it removed the record)."""
    for id_integracao, content in taken:
        key = (package, entity, exercicio, indicator, id_integracao)
        if content is None:
            db.execute("DELETE FROM portal_records WHERE package = ? AND entity = ? AND "
                       "exercicio = ? AND indicator = ? AND id_integracao = ?", key)
        else:
            db.execute("INSERT OR REPLACE INTO portal_records (package, entity, exercicio, "
                       "indicator, id_integracao, content, lote) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (*key, content, lote))


def _check(info: IndicatorInfo | None, record_indicator: str) -> IndicatorInfo:
    if info is None:
        raise ValueError(f"o indicador '{record_indicator}' não está no catálogo da execução")
    if _SAFE_ID.fullmatch(info.id) is None:
        raise ValueError(f"id de indicador que não serve de nome de arquivo: {info.id!r}")
    return info


def plan(infos: Iterable[IndicatorInfo], records: Iterable[IndicatorRecord],
         previous: Mapping[tuple[str, str], str], *, entity: str,
         exercicio: int, base: int = 0) -> list[Lote]:
    """The lotes that bring the service from `previous` (what it confirmed) to `records` (one
    entity, one exercício). Only the indicators of `infos` are planned: one of `previous` not
    there (it left the catalog, or the run did not compute it: --select) is not retracted; one
    there whose records all left is (a removal lote)."""
    by_id = {i.id: i for i in infos}
    current: dict[tuple[str, str], IndicatorRecord] = {}
    for r in records:
        _check(by_id.get(r.indicator), r.indicator)
        if _ID_INTEGRACAO.fullmatch(r.id_integracao) is None:
            raise ValueError(f"idIntegracao inválido em '{r.indicator}': {r.id_integracao!r}")
        if (r.entity, r.exercicio) != (entity, exercicio):
            raise ValueError(f"registro de {r.entity}/{r.exercicio} num plano de "
                             f"{entity}/{exercicio}")
        key = (r.indicator, r.id_integracao)
        if key in current:
            raise ValueError(f"idIntegracao repetido em '{r.indicator}': {r.id_integracao}")
        current[key] = r
    changes: dict[tuple[str, str], list[tuple[str, tuple[tuple[str, Value], ...]]]] = {}
    for key, r in current.items():
        before = previous.get(key)
        if before is None:
            op = "insert"
        elif before != content_json(r.content):
            op = "update"
        else:
            continue
        changes.setdefault((r.indicator, op), []).append((r.id_integracao, r.content))
    for key in previous:
        if key not in current and key[0] in by_id:
            changes.setdefault((key[0], "delete"), []).append((key[1], ()))
    order = list(OPERATIONS)
    lotes: list[Lote] = []
    for indicator, op in sorted(changes, key=lambda k: (k[0], order.index(k[1]))):
        info = _check(by_id.get(indicator), indicator)
        recs = sorted(changes[(indicator, op)])
        for n, start in enumerate(range(0, len(recs), MAX_RECORDS), start=1):
            lotes.append(Lote(info=info, operation=op, seq=n, entity=entity,
                              exercicio=exercicio,
                              records=tuple(recs[start:start + MAX_RECORDS]), base=base))
    return lotes


_LOTE_FILE = re.compile(r"lotes/[A-Za-z0-9][A-Za-z0-9._]{0,119}-(?:inclusao|alteracao|exclusao)"
                        r"-[0-9]{3,}\.json")


def stale(root: Path, outputs: Collection[str]) -> list[str]:
    """The lote files an earlier run left in the partition folders where this run writes
    lotes (`outputs`: the paths it writes, relative to OUT `root`) and does not write again:
    removed in the run's own commit, so `OUT/<partition>/lotes/` holds exactly this run's
    lotes. Only what that earlier `lotes/indice.json` lists, named as apura names lotes, is
    removed (apura wrote it); any other file in the folder stays."""
    gone: list[str] = []
    for rel in outputs:
        if not (rel == INDEX or rel.endswith("/" + INDEX)):
            continue
        folder = rel[:-len(INDEX)]
        try:
            listed = json.loads((root / rel).read_text("utf-8"))["lotes"]
            names = [str(e["arquivo"]) for e in listed]
        except (OSError, ValueError, KeyError, TypeError):
            continue  # no earlier index (or not one apura wrote): nothing to remove
        gone += [folder + n for n in names if _LOTE_FILE.fullmatch(n)
                 and folder + n not in outputs and (root / folder / n).is_file()]
    return sorted(set(gone))


def files(lotes: Sequence[Lote]) -> dict[str, bytes]:
    """The lote files (paths relative to the partition folder) and `lotes/indice.json`, the
    lotes of this run in sending order: `apura send` sends only what the index lists (and the
    run's commit removes the lote files of the earlier index: `stale`)."""
    out = {lote.path: lote.body() for lote in lotes}
    entries = [f'    {{"arquivo": {json.dumps(lote.path)}, "registros": {len(lote.records)}}}'
               for lote in lotes]
    out[INDEX] = ('{\n  "lotes": [' + ("\n" + ",\n".join(entries) + "\n  " if entries else "")
                  + "]\n}\n").encode("utf-8")
    return out

