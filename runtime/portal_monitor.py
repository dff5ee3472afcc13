"""`apura lotes`: the seed's Monitoramento de cargas from the state file — ID lote, Indicador
(its display name), Processo, Data e Hora, Status — newest first, 20 per page; and one lote's
log JSON with the seed's fields (`idLote`, `metodo`, `tabela`, `dhRecebimento`, `statusLote`,
`retorno[]` with `status` SUCESSO/ERRO, `registros[]` with `<key>.idGerado.id`).

A lote the service has not accepted yet has no service id: it is listed as `local-<n>` (the
journal's number), which `--json` accepts too."""

from __future__ import annotations

import datetime
import json
import sqlite3
from decimal import Decimal
from typing import Any

from runtime import catalog_portal as catalog
from runtime.errors import DataError
from runtime.portal_lotes import OPERATIONS
from runtime.portal_send import BRASILIA
from runtime.portal_service import FINAL
from runtime.portal_service import SHOWN

PAGE = 20
_METODO = {processo: metodo for _, processo, metodo in OPERATIONS.values()}
# the seed's log shows "P" for a processed lote; the letters of the other states are ours
_STATUS_LOTE = {"pendente": "N", "enviando": "N", "aguardando": "A", "executando": "E"}


def _shown_id(row: sqlite3.Row) -> str:
    return str(row["id_lote"]) if row["id_lote"] else f"local-{row['id']}"


def _when(row: sqlite3.Row) -> str:
    """Data e Hora: the service's reception time as it gives it, else when it was sent
    (Brasília time), as DD/MM/AAAA HH:MM:SS."""
    text = row["received_at"] or row["sent_at"] or row["updated_at"]
    at = datetime.datetime.fromisoformat(str(text))
    if at.tzinfo is not None:
        at = at.astimezone(BRASILIA)
    return at.strftime("%d/%m/%Y %H:%M:%S")


def listing(db: sqlite3.Connection, page: int = 1) -> str:
    db.row_factory = sqlite3.Row
    total = db.execute("SELECT count(*) FROM portal_lotes").fetchone()[0]
    rows = db.execute("SELECT * FROM portal_lotes ORDER BY coalesce(sent_at, updated_at) DESC, "
                      "id DESC LIMIT ? OFFSET ?", (PAGE, (page - 1) * PAGE)).fetchall()
    lines = ["ID lote\tIndicador\tProcesso\tData e Hora\tStatus"]
    lines += ["\t".join([_shown_id(r), r["name"], r["processo"], _when(r), SHOWN[r["state"]]])
              for r in rows]
    pages = max(1, -(-total // PAGE))
    first = (page - 1) * PAGE + 1 if rows else 0
    lines.append(f"{first}-{first + len(rows) - 1 if rows else 0} de {total}  "
                 f"{PAGE} resultados por página  (página {page} de {pages})")
    return "\n".join(lines) + "\n"


def find(db: sqlite3.Connection, ident: str) -> sqlite3.Row | DataError:
    db.row_factory = sqlite3.Row
    if ident.startswith("local-") and ident[6:].isdigit():
        row = db.execute("SELECT * FROM portal_lotes WHERE id = ?", (int(ident[6:]),)).fetchone()
    else:
        row = db.execute("SELECT * FROM portal_lotes WHERE id_lote = ? ORDER BY id DESC",
                         (ident,)).fetchone()
    return row if row is not None else catalog.unknown_lote(ident, file=f"lote {ident}")


def log_json(db: sqlite3.Connection, row: sqlite3.Row) -> str:
    """The lote's log in the seed's shape (what the service said, completed from the journal:
    the records as sent, each record's result)."""
    answer = json.loads(row["answer"], parse_float=Decimal) if row["answer"] else {}
    results = {r["id_integracao"]: r for r in db.execute(
        "SELECT * FROM portal_results WHERE lote = ?", (row["id"],))}
    registros = json.loads(row["body"], parse_float=Decimal)
    for reg in registros:
        got = results.get(reg.get("idIntegracao"))
        for key, value in list(reg.items()):
            if key != "idIntegracao" and isinstance(value, dict) and got is not None \
                    and got["id_gerado"] is not None:
                reg[key] = {"idGerado": {"id": _number(got["id_gerado"])}, **value}
    retorno = []
    for rid, r in results.items():
        item: dict[str, Any] = {"idIntegracao": rid,
                                "status": "ERRO" if r["status"] in ("erro", "ausente")
                                else "SUCESSO"}
        if r["status"] == "existente":
            item["idExistente"] = _number(r["id_gerado"])
        if r["mensagem"]:
            item["mensagem"] = r["mensagem"]
        retorno.append(item)
    log: dict[str, Any] = {"idLote": row["id_lote"]}
    for extra in ("idDatabase", "idEntidade"):
        if extra in answer:
            log[extra] = answer[extra]
    log |= {"metodo": _METODO.get(row["processo"], ""), "tabela": row["tabela"],
            "dhRecebimento": row["received_at"] or row["sent_at"],
            "statusLote": "P" if row["state"] in FINAL else _STATUS_LOTE[row["state"]],
            "situacao": SHOWN[row["state"]], "retorno": retorno, "registros": registros}
    if row["message"]:
        log["mensagem"] = row["message"]
    return pretty(log) + "\n"


def _number(text: str | None) -> Any:
    return int(text) if text is not None and text.isdigit() else text


def pretty(value: Any, indent: str = "") -> str:
    """Indented JSON with Decimals as their digits."""
    inner = indent + "  "
    if isinstance(value, dict) and value:
        return "{\n" + ",\n".join(f"{inner}{json.dumps(str(k), ensure_ascii=False)}: "
                                  f"{pretty(v, inner)}" for k, v in value.items()) \
            + f"\n{indent}}}"
    if isinstance(value, list) and value:
        return "[\n" + ",\n".join(inner + pretty(v, inner) for v in value) + f"\n{indent}]"
    if isinstance(value, Decimal):
        return format(value, "f")
    return json.dumps(value, ensure_ascii=False)
