"""`apura send`: deliver the lotes a run wrote under OUT/<partition>/lotes/ to the service
layer of each lote's source system, and journal every step in the state file.

A lote is known by (package, partition, file, sha256): one the journal has as final
(executado, parcial, erro) is never sent again. Otherwise, per lote:
1. if the service had accepted it (its `id_lote` journaled), ask for its state — a broken
   send resumes there, nothing is re-sent;
2. else send it (state `enviando` journaled first, then `aguardando` with the service's id):
   if an earlier try was cut before the answer, the service may hold the records already;
   it answers those with `idExistente`, taken as success — a record is never inserted twice;
3. poll until the state is final, then journal every record's result and the final state in
   one transaction: a lote is never marked sent before the service says it ended. The same
   transaction keeps what the service now holds (runtime/portal_lotes.confirm), what the next
   run plans against: a record accepted by an insert or update → its content as the lote
   carried it (`idExistente` → a content unknown: the next run updates it); accepted by a
   removal → gone; refused → nothing changes, so the next run plans it again; an update the
   service refuses because it does not have the record (runtime/portal_service.lost) →
   journaled `ausente` and forgotten, so the next run plans it as an insert (D1611).
Errors leave the lote where it was (D1604–D1609) and the next lote goes on; the exit code is
1 when any lote did not end with every record accepted.

`--due` sends only the lotes of systems whose schedule (runtime/portal_settings.py) is due at
`clock()`: hourly when nothing went to that system this hour, daily when nothing went today
(Brasília time, UTC−3). The clock is read only through `clock`."""

from __future__ import annotations

import datetime
import hashlib
import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from runtime import catalog_portal as catalog
from runtime.errors import DataError
from runtime.portal_lotes import INDEX
from runtime.portal_lotes import UNKNOWN
from runtime.portal_lotes import confirm
from runtime.portal_service import FINAL
from runtime.portal_service import SHOWN
from runtime.portal_service import Client
from runtime.portal_service import LoteStatus
from runtime.portal_service import ServiceError
from runtime.portal_service import lost
from runtime.portal_service import redact
from runtime.portal_settings import DAILY
from runtime.portal_settings import HOURLY
from runtime.portal_settings import Settings
from runtime.portal_settings import System

BRASILIA = datetime.timezone(datetime.timedelta(hours=-3))
Clock = Callable[[], datetime.datetime]


def utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


@dataclass(frozen=True, slots=True)
class LoteFile:
    """One lote as the run wrote it: where (partition, `lotes/…json`), its sha256, its
    envelope (indicator, system, table, processo, exercício) and its records' bytes."""

    partition: str
    file: str
    sha256: str
    head: dict[str, Any]
    records: list[Any]

    @property
    def shown(self) -> str:
        return f"{self.partition}/{self.file}"

    @property
    def ids(self) -> list[str]:
        return [str(r.get("idIntegracao")) for r in self.records if isinstance(r, dict)]

    def body(self) -> bytes:
        return encode(self.records).encode("utf-8")


def encode(value: Any) -> str:
    """JSON with Decimals as their digits (the lote files are read with parse_float=Decimal,
    so what is sent is what the run wrote)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{encode(v)}"
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(encode(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


_HEAD = ("indicador", "nome", "sistema", "tabela", "chave", "processo", "metodo", "entidade",
         "exercicio")
_METHODS = ("POST", "PATCH", "DELETE")


def _int(text: str) -> int | Decimal:
    """A JSON integer of a lote file: `-0` (a Decimal of no places, negative zero) stays
    Decimal, so it is sent and confirmed as the run wrote it (an int would lose the sign)."""
    return Decimal(text) if text == "-0" else int(text)


def discover(out: Path) -> tuple[list[LoteFile], list[DataError]]:
    """The lotes of every partition under `out` (sorted), in the order of its index."""
    found: list[LoteFile] = []
    errors: list[DataError] = []
    for index in sorted(out.glob(f"*/{INDEX}")):
        partition = index.parent.parent.name
        try:
            listed = json.loads(index.read_text("utf-8"))["lotes"]
            names = [str(e["arquivo"]) for e in listed]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            errors.append(catalog.lote_unreadable(_why(exc), file=f"{partition}/{INDEX}"))
            continue
        for name in names:
            path = index.parent.parent / name
            shown = f"{partition}/{name}"
            try:
                if not name.startswith("lotes/") or ".." in Path(name).parts:
                    raise ValueError("o índice aponta para fora de lotes/")
                raw = path.read_bytes()
                data = json.loads(raw.decode("utf-8"), parse_float=Decimal, parse_int=_int)
                head = {k: data[k] for k in _HEAD}
                records = data["registros"]
                if not isinstance(records, list) or not all(isinstance(r, dict)
                                                            for r in records):
                    raise ValueError("'registros' não é uma lista de registros")
                if head["metodo"] != "DELETE" and not all(
                        isinstance(r.get(head["chave"]), dict) for r in records):
                    raise ValueError(f"um registro sem o objeto '{head['chave']}'")
                if type(head["exercicio"]) is not int or head["metodo"] not in _METHODS \
                        or not all(isinstance(head[k], str) for k in _HEAD if k != "exercicio"):
                    raise ValueError("o cabeçalho do lote não é o que o apura escreve")
            except (OSError, ValueError, KeyError, TypeError) as exc:
                errors.append(catalog.lote_unreadable(_why(exc), file=shown))
                continue
            found.append(LoteFile(partition, name, hashlib.sha256(raw).hexdigest(), head,
                                  records))
    return found, errors


def _why(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"falta o campo {exc}"
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return str(exc) or type(exc).__name__


def _iso(when: datetime.datetime) -> str:
    return when.astimezone(datetime.UTC).isoformat(timespec="seconds")


@dataclass
class Sender:
    """One `apura send`: the journal (`db`, already migrated and locked by the caller), the
    settings, and the injectable clock and sleep."""

    db: sqlite3.Connection
    settings: Settings
    package: str
    echo: Callable[[str], None]
    clock: Clock = utc_now
    sleep: Callable[[float], None] = time.sleep
    _due: dict[str, bool] = field(default_factory=dict)

    def row(self, lote: LoteFile) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM portal_lotes WHERE package = ? AND partition = ? "
                              "AND file = ? AND sha256 = ?",
                              (self.package, lote.partition, lote.file, lote.sha256))
        got = cur.fetchone()
        return None if got is None else dict(zip([d[0] for d in cur.description], got,
                                                 strict=True))

    def due(self, system: System) -> bool:
        """Whether the system's schedule calls for a send now (see the module docstring),
        decided once per send: the first lote sent does not make the others not due."""
        if system.name not in self._due:
            self._due[system.name] = self._is_due(system)
        return self._due[system.name]

    def _is_due(self, system: System) -> bool:
        if system.schedule not in (HOURLY, DAILY):
            return False
        now = self.clock().astimezone(BRASILIA)
        fmt = "%Y-%m-%d %H" if system.schedule == HOURLY else "%Y-%m-%d"
        for (sent,) in self.db.execute("SELECT sent_at FROM portal_lotes WHERE package = ? "
                                       "AND system = ? AND sent_at IS NOT NULL",
                                       (self.package, system.name)):
            at = datetime.datetime.fromisoformat(sent).astimezone(BRASILIA)
            if at.strftime(fmt) == now.strftime(fmt):
                return False
        return True

    def plan_line(self, lote: LoteFile, due_only: bool) -> str:
        """What --dry-run says of one lote (with --due: whether its schedule is due)."""
        h = lote.head
        system = self.settings.system(str(h["sistema"]))
        row = self.row(lote)
        if due_only and system is not None and not self.due(system):
            what = "fora da agenda agora (não seria enviado)"
        elif row is not None and row["state"] in FINAL:
            what = f"já enviado (lote {row['id_lote']}, {SHOWN[row['state']]})"
        elif row is not None and row["id_lote"]:
            what = f"retomar: consultar o lote {row['id_lote']}"
        else:
            what = "a enviar"
        where = (f"{h['metodo']} {system.url}/{h['tabela']}" if system is not None
                 else f"sistema {h['sistema']} fora da configuração")
        return (f"{lote.shown}: {h['processo']}, {len(lote.records)} registro(s) do indicador "
                f"{h['indicador']} ({h['nome']}), sistema {h['sistema']} → {where}: {what}")

    def send(self, lote: LoteFile, due_only: bool) -> list[DataError]:
        h = lote.head
        system = self.settings.system(str(h["sistema"]))
        if system is None:
            return [catalog.no_system(str(h["sistema"]), file=lote.shown)]
        if due_only and not self.due(system):
            return []
        if system.exercicio is not None and int(h["exercicio"]) != system.exercicio:
            return [catalog.other_exercicio(system.name, int(h["exercicio"]), system.exercicio,
                                            file=lote.shown)]
        row = self.row(lote) or self._new(lote, system)
        if row["state"] in FINAL:
            self.echo(f"{lote.shown}: já enviado (lote {row['id_lote']}, "
                      f"{SHOWN[row['state']]})")
            return []
        client = Client(system, self.settings.delivery, self.sleep)
        try:
            status = client.status(row["id_lote"], lote.ids) if row["id_lote"] else None
            if status is None:
                self._set(row, state="enviando", sent_at=_iso(self.clock()),
                          attempts=row["attempts"] + 1)
                id_lote = client.submit(str(h["tabela"]), str(h["metodo"]), lote.body())
                self._set(row, state="aguardando", id_lote=id_lote, message=None)
                status = self._poll(client, id_lote, lote)
            elif status.state not in FINAL:
                status = self._poll(client, status.id_lote, lote)
        except ServiceError as exc:
            return [self._failed(row, lote, system, exc)]
        return self._ended(row, lote, status)

    def _poll(self, client: Client, id_lote: str, lote: LoteFile) -> LoteStatus:
        d = self.settings.delivery
        deadline = time.monotonic() + d.poll_limit
        while True:
            status = client.status(id_lote, lote.ids)
            if status is None:
                raise ServiceError("answer", f"o serviço não conhece o lote {id_lote} que "
                                   "acabou de aceitar")
            if status.state in FINAL or time.monotonic() >= deadline:
                return status
            self.sleep(d.poll)

    def _ended(self, row: dict[str, Any], lote: LoteFile,
               status: LoteStatus) -> list[DataError]:
        secrets = self.settings.secrets
        answer = redact(encode(status.answer), secrets)
        if status.state not in FINAL:
            self._set(row, state=status.state, answer=answer)
            return [catalog.still_running(status.id_lote, SHOWN[status.state].lower(),
                                          file=lote.shown)]
        # an update of a record the service no longer has: journaled `ausente`, no longer
        # confirmed (`_taken`), so the next run plans it as an insert
        metodo = str(lote.head["metodo"])
        status = replace(status, results=tuple(
            replace(r, status="ausente") if lost(metodo, r) else r for r in status.results))
        with self.db:
            self.db.execute("DELETE FROM portal_results WHERE lote = ?", (row["id"],))
            self.db.executemany(
                "INSERT OR REPLACE INTO portal_results VALUES (?, ?, ?, ?, ?)",
                [(row["id"], r.id_integracao, r.status, r.id_gerado,
                  None if r.mensagem is None else redact(r.mensagem, secrets))
                 for r in status.results])
            self._set(row, commit=False, state=status.state, id_lote=status.id_lote,
                      received_at=status.received_at, answer=answer, message=None)
            h = lote.head
            confirm(self.db, self.package, str(h["entidade"]), int(h["exercicio"]),
                    str(h["indicador"]), row["id"], self._taken(lote, status))
        failed = [r for r in status.results if r.status == "erro"]
        gone = [r for r in status.results if r.status == "ausente"]
        self.echo(f"{lote.shown}: {lote.head['processo']} de {len(lote.records)} registro(s) → "
                  f"{lote.head['sistema']}: {SHOWN[status.state]} (lote {status.id_lote}"
                  + (f"; {len(failed)} com erro" if failed else "")
                  + (f"; {len(gone)} ausente(s) no serviço" if gone else "") + ")")
        errors = []
        if failed:
            first = redact(f"{failed[0].id_integracao}: {failed[0].mensagem}", secrets)
            errors.append(catalog.records_failed(len(failed), len(lote.records), first,
                                                 file=lote.shown))
        if gone:
            first = redact(f"{gone[0].id_integracao}: {gone[0].mensagem}", secrets)
            errors.append(catalog.records_lost(len(gone), len(lote.records), first,
                                               file=lote.shown))
        return errors

    @staticmethod
    def _taken(lote: LoteFile, status: LoteStatus) -> list[tuple[str, str | None]]:
        """What the service now holds of each record it accepted (for `confirm`): the
        content as the lote carried it — its canonical JSON, the bytes
        runtime/portal_lotes.content_json gives —, UNKNOWN for an idExistente, None for a
        removal and for an update the service answered it does not have (`ausente`: forgotten,
        so the next run inserts it); a refused record (erro) or one the lote does not carry,
        nothing."""
        sent = {str(r.get("idIntegracao")): r for r in lote.records}
        key, metodo = str(lote.head["chave"]), lote.head["metodo"]
        out: list[tuple[str, str | None]] = []
        for r in status.results:
            if r.status == "erro" or r.id_integracao not in sent:
                continue
            out.append((r.id_integracao, None if metodo == "DELETE" or r.status == "ausente"
                        else UNKNOWN
                        if r.status == "existente" else encode(sent[r.id_integracao][key])))
        return out

    def _failed(self, row: dict[str, Any], lote: LoteFile, system: System,
                exc: ServiceError) -> DataError:
        detail = redact(exc.detail, self.settings.secrets)
        fresh = self.row(lote) or row
        state = "aguardando" if fresh["id_lote"] else "pendente"
        # `enviando` stays when the lote may have reached the service (no answer came back)
        if fresh["state"] == "enviando" and exc.kind == "unreachable":
            state = "enviando"
        self._set(fresh, state=state, message=f"{exc.kind}: {detail}")
        if exc.kind == "token":
            return catalog.token_refused(system.name, detail, file=lote.shown)
        if exc.kind == "unreachable":
            return catalog.unreachable(system.name, detail, bool(fresh["id_lote"]),
                                       file=lote.shown)
        if exc.kind == "refused":
            return catalog.refused(exc.status, detail, file=lote.shown)
        return catalog.bad_answer(detail, file=lote.shown)

    def _new(self, lote: LoteFile, system: System) -> dict[str, Any]:
        h = lote.head
        with self.db:
            self.db.execute(
                "INSERT INTO portal_lotes (package, partition, file, sha256, indicator, name, "
                "system, tabela, processo, exercicio, records, body, url, state, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pendente', ?)",
                (self.package, lote.partition, lote.file, lote.sha256, str(h["indicador"]),
                 str(h["nome"]), system.name, str(h["tabela"]), str(h["processo"]),
                 int(h["exercicio"]), len(lote.records), lote.body().decode("utf-8"),
                 system.url, _iso(self.clock())))
        got = self.row(lote)
        assert got is not None
        return got

    def _set(self, row: dict[str, Any], commit: bool = True, **values: Any) -> None:
        values["updated_at"] = _iso(self.clock())
        sql = ("UPDATE portal_lotes SET " + ", ".join(f"{k} = ?" for k in values)
               + " WHERE id = ?")
        if commit:
            with self.db:
                self.db.execute(sql, (*values.values(), row["id"]))
        else:
            self.db.execute(sql, (*values.values(), row["id"]))
        row.update(values)


def deliver(out: Path, state: Path, settings: Settings, package: str, *, dry_run: bool = False,
            due: bool = False, echo: Callable[[str], None] = print, clock: Clock = utc_now,
            sleep: Callable[[float], None] = time.sleep) -> list[DataError]:
    """`apura send`: every lote under `out`, holding the locks of `out` and of the state file
    as a run does (a run does not commit lotes while they are read, two sends do not
    interleave); the errors, in lote order (empty: everything went and was accepted)."""
    from runtime.journal import Journal
    from runtime.journal import check_state
    from runtime.lifecycle import _locked

    check_state(state)
    with _locked(out if out.is_dir() else None, state, wait=False):
        lotes, errors = discover(out)
        journal = Journal(state)
        try:
            sender = Sender(journal.db, settings, package, echo, clock, sleep)
            if not lotes:
                echo(f"{out}: nenhum lote a enviar")
            for lote in lotes:
                if dry_run:
                    echo(sender.plan_line(lote, due))
                else:
                    errors += sender.send(lote, due)
        finally:
            journal.close()
    return errors
