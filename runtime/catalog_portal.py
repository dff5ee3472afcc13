"""The run-time catalogue of the Portal do Gestor delivery (D16xx: `apura send`, `apura lotes`),
beside runtime/catalog.py (tests/test_runtime_catalog.py reads both). Errors name the lote file
(`<partition>/lotes/<file>.json`) without a line: they are about a lote and the service, not a
place in a file. None carries a token (runtime/portal_service.py redacts what the service
says)."""

from __future__ import annotations

from runtime.errors import DataError


def lote_unreadable(reason: str, *, file: str) -> DataError:
    """D1601: a lote file (or the index) that apura did not write as it is."""
    return DataError(code="D1601", message=f"o lote não pode ser lido: {reason}", file=file,
                     line=0, col=0, help="rode 'apura run' de novo para escrever os lotes")


def no_system(system: str, *, file: str) -> DataError:
    """D1602: the lote's source system has no settings in the config."""
    return DataError(code="D1602", message=f"o sistema {system} não está na configuração de "
                     "integração; o lote não foi enviado", file=file, line=0, col=0,
                     help=f"inclua {system}: em sistemas: (URL e token)")


def other_exercicio(system: str, lote: int, config: int, *, file: str) -> DataError:
    """D1603: the lote's exercício is not the one the system's settings send."""
    return DataError(code="D1603", message=f"o lote é do exercício {lote}, mas o {system} "
                     f"está configurado para {config}; o lote não foi enviado", file=file,
                     line=0, col=0, help="confira o exercício da configuração (o exercício "
                     "atual deve ser informado manualmente)")


def token_refused(system: str, said: str, *, file: str) -> DataError:
    """D1604: the service answered 401 (Token inválido)."""
    return DataError(code="D1604", message=f"o serviço recusou o token do {system} ({said}); "
                     "o lote não foi enviado", file=file, line=0, col=0,
                     help="confira o token do sistema na configuração de integração")


def unreachable(system: str, detail: str, accepted: bool, *, file: str) -> DataError:
    """D1605: network errors or 5xx on every try; nothing is marked sent (`accepted`: the
    service had accepted the lote, the next send asks for its state)."""
    then = ("o serviço já tinha aceitado o lote: o próximo 'apura send' consulta a situação dele"
            if accepted else "o próximo 'apura send' envia o lote de novo (um registro que o "
            "serviço já tenha volta como existente, sem duplicar)")
    return DataError(code="D1605", message=f"o service layer do {system} não respondeu: "
                     f"{detail}", file=file, line=0, col=0, help=then)


def records_failed(failed: int, total: int, first: str, *, file: str) -> DataError:
    """D1606: the lote ended with records the service did not take (ERRO or
    EXECUTADO_PARCIALMENTE); each record's result is in the journal."""
    return DataError(code="D1606", message=f"{failed} de {total} registro(s) do lote não foram "
                     f"aceitos pelo serviço: {first}", file=file, line=0, col=0,
                     help="a mensagem de cada registro: apura lotes --json ID")


def still_running(id_lote: str, state: str, *, file: str) -> DataError:
    """D1607: the lote did not end within `limite_consulta`; the next send asks again."""
    return DataError(code="D1607", message=f"o lote {id_lote} ainda está {state} no serviço "
                     "depois do limite de consulta", file=file, line=0, col=0,
                     help="o próximo 'apura send' consulta de novo (nada é reenviado)")


def bad_answer(detail: str, *, file: str) -> DataError:
    """D1608: the service answered something that is not what apura expects."""
    return DataError(code="D1608", message=f"resposta inesperada do serviço: {detail}",
                     file=file, line=0, col=0, help="o lote não foi marcado como enviado; "
                     "veja a seção 'Service layer: what is provisional' do README")


def refused(status: int | None, said: str, *, file: str) -> DataError:
    """D1609: the service refused the lote (a 4xx other than 401)."""
    return DataError(code="D1609", message=f"o serviço recusou o lote (HTTP {status}): {said}",
                     file=file, line=0, col=0)


def unknown_lote(id_lote: str, *, file: str) -> DataError:
    """D1610: `apura lotes --json ID` of a lote the journal does not have."""
    return DataError(code="D1610", message=f"nenhum lote '{id_lote}' no arquivo de estado",
                     file=file, line=0, col=0, help="os IDs: apura lotes")


def records_lost(lost: int, total: int, first: str, *, file: str) -> DataError:
    """D1611: an Alteração whose records the service does not have (it lost them, or they
    were removed there): they are no longer confirmed, and the next run plans them as an
    Inclusão (journaled `ausente`)."""
    return DataError(code="D1611", message=f"{lost} de {total} registro(s) da Alteração não "
                     f"existem no serviço: {first}", file=file, line=0, col=0,
                     help="a próxima 'apura run' os planeja como Inclusão, e o 'apura send' "
                     "seguinte os envia de novo")
