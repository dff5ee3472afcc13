"""A real HTTP service layer on 127.0.0.1 for the delivery tests: a small threaded http.server
implementing the lifecycle apura assumes (README, "Service layer: what is provisional").

    POST|PATCH|DELETE /api/<tabela>   a JSON list of records → {"idLote": <24 hex>}
    GET /api/lotes/<idLote>           AGUARDANDO_EXECUCAO, EXECUTANDO, then EXECUTADO |
                                      EXECUTADO_PARCIALMENTE | ERRO with retorno[]
    Authorization: Bearer <token>     else 401 {"message": "Token inválido"}

The data (`Store`) outlives a server: a test stops one (the service "goes away") and starts
another on the same port over the same store. `Store.inserts` counts inserts per
idIntegracao — the proof that no record is inserted twice. Faults are queued on the store:
`fail_next` (status codes for the next requests), `fail_ids` (records refused with a message),
`echo_auth` (error messages that repeat the Authorization header, as a careless service might),
`refuse` (a 4xx for every lote), `garbled` (polls answered in neither vocabulary), `slow`
(stall the next requests, past the client's timeout),
`crash` ('after_accept': store the lote, drop the connection without an answer and stop;
'on_poll': stop at the first poll without an answer)."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from dataclasses import field
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any


@dataclass
class Store:
    token: str
    vocabulary: str = "public"  # or "seed": the seed's log (statusLote, retorno[].status)
    polls_to_end: int = 2  # GETs that see AGUARDANDO_EXECUCAO, then EXECUTANDO, then the end
    tables: dict[str, dict[str, tuple[int, Any]]] = field(default_factory=dict)
    inserts: dict[str, int] = field(default_factory=dict)
    lotes: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    fail_next: list[int] = field(default_factory=list)
    fail_ids: dict[str, str] = field(default_factory=dict)
    crash: str | None = None
    echo_auth: bool = False  # a careless service: its error messages repeat the header
    refuse: int | None = None  # answer every lote with this 4xx
    garbled: bool = False  # answer polls with JSON in neither vocabulary
    slow: list[float] = field(default_factory=list)  # seconds to stall the next requests
    next_id: int = 1
    lock: threading.Lock = field(default_factory=threading.Lock)

    def accept(self, method: str, tabela: str, records: list[dict[str, Any]]) -> str:
        table = self.tables.setdefault(tabela, {})
        retorno = []
        for rec in records:
            key = str(rec["idIntegracao"])
            item: dict[str, Any] = {"idIntegracao": key}
            if key in self.fail_ids:
                item["mensagem"] = self.fail_ids[key]
            elif method == "POST" and key in table:
                item["idExistente"] = table[key][0]
                item["mensagem"] = "Já existe um registro com este idIntegracao"
            elif method == "POST":
                table[key] = (self.next_id, rec)
                self.inserts[key] = self.inserts.get(key, 0) + 1
                item["idGerado"] = {"id": self.next_id}
                self.next_id += 1
            elif method == "PATCH" and key not in table:
                item["mensagem"] = "Registro não encontrado"
            elif method == "PATCH":
                table[key] = (table[key][0], rec)
                item["idGerado"] = {"id": table[key][0]}
            else:  # DELETE: idempotent
                gone = table.pop(key, None)
                item["idGerado"] = {"id": gone[0] if gone else 0}
            retorno.append(item)
        errors = sum("mensagem" in r and "idExistente" not in r for r in retorno)
        situacao = ("ERRO" if errors == len(retorno) and retorno else
                    "EXECUTADO_PARCIALMENTE" if errors else "EXECUTADO")
        id_lote = f"{0x5ca38c9ecc4284012bcae2b9 + len(self.lotes):024x}"
        self.lotes[id_lote] = {"metodo": method, "tabela": tabela, "records": records,
                               "retorno": retorno, "end": situacao, "polls": 0}
        return id_lote

    def status(self, id_lote: str) -> dict[str, Any]:
        lote = self.lotes[id_lote]
        lote["polls"] += 1
        n = lote["polls"]
        situacao = (lote["end"] if n > self.polls_to_end else
                    "AGUARDANDO_EXECUCAO" if n == 1 else "EXECUTANDO")
        final = situacao == lote["end"]
        if self.vocabulary == "public":
            return {"id": id_lote, "situacao": situacao,
                    "retorno": lote["retorno"] if final else []}
        registros = []
        for rec, ret in zip(lote["records"], lote["retorno"], strict=True):
            wrapped = {k: ({"idGerado": ret["idGerado"], **v} if isinstance(v, dict)
                           and "idGerado" in ret else v) for k, v in rec.items()}
            registros.append(wrapped)
        return {"idLote": id_lote, "idDatabase": 3458, "idEntidade": 3466,
                "metodo": lote["metodo"], "tabela": lote["tabela"],
                "dhRecebimento": "2019-04-02T13:23:58.722", "statusLote": "P" if final else "A",
                "retorno": [{"idIntegracao": r["idIntegracao"],
                             "status": "ERRO" if "mensagem" in r and "idExistente" not in r
                             else "SUCESSO", **({"mensagem": r["mensagem"]}
                                                if "mensagem" in r else {})}
                            for r in lote["retorno"]] if final else [],
                "registros": registros}


class Service:
    """A running server over `store`; `stop()` makes it go away, `Service(store, port)`
    brings one back on the same port."""

    def __init__(self, store: Store, port: int = 0) -> None:
        self.store = store
        handler = type("Handler", (_Handler,), {"store": store, "service": self})
        self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()
        self.stopped = threading.Event()

    def stop(self) -> None:
        if not self.stopped.is_set():
            self.stopped.set()
            self.server.shutdown()
            self.server.server_close()

    def stop_soon(self) -> None:
        threading.Thread(target=self.stop, daemon=True).start()


class _Handler(BaseHTTPRequestHandler):
    store: Store
    service: Service

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
        return

    def _answer(self, status: int, body: Any) -> None:
        raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
            self.close_connection = True

    def _drop(self) -> None:
        """Go away without an answer: close the connection, stop the server."""
        self.close_connection = True
        self.connection.close()
        self.service.stop_soon()

    def _handle(self, method: str) -> None:
        s = self.store
        with s.lock:
            s.requests.append((method, self.path))
            stall = s.slow.pop(0) if s.slow else 0.0
        time.sleep(stall)  # outside the lock: the client's next try is served meanwhile
        with s.lock:
            said = f" ({self.headers.get('Authorization')})" if s.echo_auth else ""
            if self.headers.get("Authorization") != f"Bearer {s.token}":
                self._answer(401, {"message": "Token inválido" + said})
                return
            if s.fail_next:
                code = s.fail_next.pop(0)
                self._answer(code, {"message": f"falha simulada {code}{said}"})
                return
            parts = self.path.strip("/").split("/")
            if method == "GET":
                if len(parts) != 3 or parts[1] != "lotes" or parts[2] not in s.lotes:
                    self._answer(404, {"message": "Lote não encontrado"})
                    return
                if s.crash == "on_poll":
                    s.crash = None
                    self._drop()
                    return
                self._answer(200, {"estado": "ok"} if s.garbled else s.status(parts[2]))
                return
            if s.refuse:
                self._answer(s.refuse, {"mensagem": "Tabela desconhecida"})
                return
            length = int(self.headers.get("Content-Length", "0"))
            records = json.loads(self.rfile.read(length).decode("utf-8"))
            id_lote = s.accept(method, parts[-1], records)
            if s.crash == "after_accept":
                s.crash = None
                self._drop()
                return
            self._answer(201, {"idLote": id_lote})

    def do_GET(self) -> None:  # noqa: N802 - http.server's names
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    def do_PATCH(self) -> None:  # noqa: N802
        self._handle("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._handle("DELETE")
