"""Talking to the Portal do Gestor's service layer over HTTP (stdlib urllib): submit a lote,
ask for its state, and read both vocabularies the service may answer in into one set of
states. Every fact about the service here is inferred, not documented by the seed: they are
listed in the README's "Service layer: what is provisional".

Why urllib: a lote is one JSON request and a few polls; retries, timeouts and backoff are a
dozen lines here, and a dependency (requests, httpx) would add nothing the tests need.

Retries: a network error (refused, reset, timeout) or a 5xx is tried again after `wait`
seconds, doubled each time up to `max_wait`, `tries` times in all; then ServiceError
'unreachable'. A 401 is the token ('token'), any other 4xx a refusal ('refused'), an answer
that is not the JSON expected 'answer'. No message carries the token: `redact` removes it
from anything the service says back before it is stored or shown."""

from __future__ import annotations

import http.client
import json
import time
import unicodedata
import urllib.error
import urllib.request
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from runtime.portal_settings import Delivery
from runtime.portal_settings import System

# One set of states for a lote, whatever the vocabulary (and `pendente`/`enviando`, ours:
# not yet accepted by the service). The last three are final.
STATES = ("pendente", "enviando", "aguardando", "executando", "executado", "parcial", "erro")
FINAL = frozenset({"executado", "parcial", "erro"})
SHOWN = {"pendente": "Pendente", "enviando": "Enviando", "aguardando": "Aguardando",
         "executando": "Executando", "executado": "Sucesso", "parcial": "Parcial",
         "erro": "Erro"}
# the public API's `situacao` (v2.0)
SITUACAO = {"AGUARDANDO_EXECUCAO": "aguardando", "EXECUTANDO": "executando",
            "EXECUTADO": "executado", "EXECUTADO_PARCIALMENTE": "parcial", "ERRO": "erro"}


@dataclass(frozen=True, slots=True)
class RecordResult:
    """What the service said of one record: sucesso (idGerado), existente (idExistente: it
    already had that idIntegracao — a re-sent insert, taken as success) or erro (mensagem)."""

    id_integracao: str
    status: str
    id_gerado: str | None = None
    mensagem: str | None = None


@dataclass(frozen=True, slots=True)
class LoteStatus:
    state: str
    id_lote: str
    received_at: str | None
    results: tuple[RecordResult, ...]
    answer: dict[str, Any]


class ServiceError(Exception):
    """kind: 'token' (401), 'refused' (another 4xx), 'unreachable' (network or 5xx after
    every try), 'answer' (not the JSON expected). `detail` is already redacted."""

    def __init__(self, kind: str, detail: str, status: int | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.status = status


# what the service says of a PATCH of a record it does not have (the test server's "Registro
# não encontrado"; provisional): phrases naming the record, compared without case and accents
# — "Escola não encontrada" is a refusal of the content, not a lost record
_NOT_FOUND = ("registro nao encontrado", "registro inexistente", "registro nao existe",
              "record not found")


def lost(metodo: str, result: RecordResult) -> bool:
    """Whether an update (PATCH) record was refused because the service does not have it (it
    lost the record, or it was removed there): the record is then no longer confirmed, and
    the next run plans it as an insert (runtime/portal_send.py)."""
    if metodo != "PATCH" or result.status != "erro" or not result.mensagem:
        return False
    folded = "".join(c for c in unicodedata.normalize("NFD", result.mensagem.lower())
                     if not unicodedata.combining(c))
    return any(words in folded for words in _NOT_FOUND)


def redact(text: str, secrets: Sequence[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def _id(value: Any) -> str | None:
    """idGerado as the public API ({"id": 1} or 1) or the seed's log ({"id": 1}) gives it."""
    if isinstance(value, dict):
        value = value.get("id")
    return None if value is None or isinstance(value, bool) else str(value)


def interpret(answer: Any, expected: Sequence[str] = ()) -> LoteStatus:
    """A lote's state from the service's answer, in either vocabulary: the public API's
    (`situacao`, `retorno[]` with idGerado / idExistente / mensagem) or the seed's log
    (`statusLote` "P" when processed, `retorno[].status` "SUCESSO", the generated id under
    `registros[].<key>.idGerado.id`, `dhRecebimento`). `expected`: the lote's idIntegracao,
    each given a result once the lote is final (one the service did not mention: erro)."""
    if not isinstance(answer, dict):
        raise ServiceError("answer", "a resposta do serviço não é um objeto JSON")
    id_lote = str(answer.get("idLote") or answer.get("id") or "")
    retorno = answer.get("retorno") or []
    if not isinstance(retorno, list):
        raise ServiceError("answer", "'retorno' não é uma lista")
    if "situacao" in answer:
        state = SITUACAO.get(str(answer["situacao"]))
        if state is None:
            raise ServiceError("answer", f"situação desconhecida: {answer['situacao']!r}")
        results = [_public(r) for r in retorno if isinstance(r, dict)]
    elif "statusLote" in answer:
        generated = _generated(answer.get("registros") or [])
        results = [_seed(r, generated) for r in retorno if isinstance(r, dict)]
        if answer["statusLote"] != "P":
            state = "executando"
        elif results and all(r.status == "erro" for r in results):
            state = "erro"
        elif any(r.status == "erro" for r in results):
            state = "parcial"
        else:
            state = "executado"
    else:
        raise ServiceError("answer", "a resposta não tem 'situacao' nem 'statusLote'")
    if state in FINAL:
        known = {r.id_integracao for r in results}
        quiet = "sucesso" if state == "executado" else "erro"
        results += [RecordResult(i, quiet, mensagem=None if quiet == "sucesso" else
                                 "o serviço não informou o resultado deste registro")
                    for i in expected if i not in known]
    received = answer.get("dhRecebimento")
    return LoteStatus(state=state, id_lote=id_lote, results=tuple(results),
                      received_at=str(received) if received else None, answer=answer)


def _public(r: dict[str, Any]) -> RecordResult:
    key = str(r.get("idIntegracao", ""))
    if r.get("idExistente") is not None:
        return RecordResult(key, "existente", _id(r["idExistente"]), _text(r.get("mensagem")))
    if r.get("idGerado") is not None:
        return RecordResult(key, "sucesso", _id(r["idGerado"]), _text(r.get("mensagem")))
    return RecordResult(key, "erro", None, _text(r.get("mensagem")) or "erro sem mensagem")


def _generated(registros: list[Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for reg in registros:
        if not isinstance(reg, dict):
            continue
        for value in reg.values():
            if isinstance(value, dict) and "idGerado" in value:
                got = _id(value["idGerado"])
                if got is not None:
                    out[str(reg.get("idIntegracao", ""))] = got
    return out


def _seed(r: dict[str, Any], generated: dict[str, str]) -> RecordResult:
    key = str(r.get("idIntegracao", ""))
    if str(r.get("status", "")).upper() == "SUCESSO":
        return RecordResult(key, "sucesso", generated.get(key), _text(r.get("mensagem")))
    return RecordResult(key, "erro", None, _text(r.get("mensagem")) or str(r.get("status")))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class Client:
    """One source system's service layer. `sleep` is injectable (tests)."""

    def __init__(self, system: System, delivery: Delivery,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.system = system
        self.delivery = delivery
        self.sleep = sleep

    def submit(self, tabela: str, metodo: str, registros: bytes) -> str:
        """Send one lote's records; the service's id for the lote."""
        status, body = self._request(metodo, f"{self.system.url}/{quote(tabela)}", registros)
        if not isinstance(body, dict) or not (body.get("idLote") or body.get("id")):
            raise ServiceError("answer", "o serviço aceitou o lote sem dizer o id dele "
                               "('idLote')", status)
        return str(body.get("idLote") or body.get("id"))

    def status(self, id_lote: str, expected: Sequence[str]) -> LoteStatus | None:
        """The lote's state (None: the service does not know that lote, a 404)."""
        try:
            _, body = self._request("GET", f"{self.system.url}/lotes/{quote(id_lote)}", None)
        except ServiceError as exc:
            if exc.kind == "refused" and exc.status == 404:
                return None
            raise
        got = interpret(body, expected)
        return got if got.id_lote else LoteStatus(got.state, id_lote, got.received_at,
                                                  got.results, got.answer)

    def _request(self, method: str, url: str, data: bytes | None) -> tuple[int, Any]:
        d = self.delivery
        wait = d.wait
        last = ""
        for attempt in range(1, d.tries + 1):
            req = urllib.request.Request(url, data=data, method=method, headers={
                "Authorization": self.system.authorization, "Accept": "application/json",
                **({"Content-Type": "application/json; charset=utf-8"} if data else {})})
            try:
                with urllib.request.urlopen(req, timeout=d.timeout) as resp:  # noqa: S310
                    return resp.status, self._json(resp.read(), resp.status)
            except urllib.error.HTTPError as exc:
                text = self._said(exc)
                if exc.code == 401:
                    raise ServiceError("token", text or "Token inválido", 401) from None
                if exc.code < 500:
                    raise ServiceError("refused", text or f"HTTP {exc.code}", exc.code) from None
                last = f"HTTP {exc.code}" + (f": {text}" if text else "")
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError,
                    TimeoutError) as exc:
                reason = getattr(exc, "reason", exc)
                last = f"{type(reason).__name__}: {reason}" if str(reason) else \
                    type(reason).__name__
            if attempt < d.tries:
                self.sleep(wait)
                wait = min(wait * 2, d.max_wait)
        raise ServiceError("unreachable", redact(f"{last} (depois de {d.tries} tentativa(s))",
                                                 [self.system.code]))

    def _json(self, raw: bytes, status: int) -> Any:
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (UnicodeDecodeError, ValueError):
            raise ServiceError("answer", f"a resposta (HTTP {status}) não é JSON",
                               status) from None

    def _said(self, exc: urllib.error.HTTPError) -> str:
        """What the service said with an error status (its message field, or its text)."""
        try:
            raw = exc.read().decode("utf-8", "replace")
        except OSError:
            raw = ""
        try:
            body = json.loads(raw)
            text = str(body.get("message") or body.get("mensagem") or raw) \
                if isinstance(body, dict) else raw
        except ValueError:
            text = raw
        return redact(text.strip()[:300], [self.system.code])
