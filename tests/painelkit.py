"""Synthetic Portal do Gestor infos and records for the painel tests, shaped like the seed's
indicators (section 4's ids and areas, section 6's display names): one of every content shape
the page draws — money, a count, percentages against a legal limit, top/bottom-N rankings, a
grouped series, values across zero, a long list, an empty indicator and hostile text."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from runtime.portal_record import IndicatorInfo
from runtime.portal_record import IndicatorRecord
from runtime.portal_record import Value

ENTITY = "3170206"
EXERCICIO = 2024
HOSTILE = "</script><svg onload=alert(1)> \"aspas\" 'simples' & \u202eetneserp\u202c עברית"


def info(id_: str, area: str, name: str, vertical: str = "Contábil", system: str = "Sapo",
         provisional: tuple[str, ...] = ("table", "payload_key")) -> IndicatorInfo:
    return IndicatorInfo(id=id_, area=area, vertical=vertical, name=name, system=system,
                         table=id_.upper().replace(".", "_"), payload_key=id_.split(".")[-1],
                         description=f"O que {name} mede (sintético, para o teste).",
                         provisional=provisional)


def record(indicator: str, n: int, *fields: tuple[str, Value],
           exercicio: int = EXERCICIO) -> IndicatorRecord:
    return IndicatorRecord(indicator=indicator, entity=ENTITY, exercicio=exercicio,
                           id_integracao=f"{indicator.replace('.', '')}{n:04d}",
                           content=(("exercicio", exercicio), *fields))


# The indicators of docs/painel.png: one of each view, on one screen
DOCS = ("ipturealizado", "maioresvaloresdivida", "situacaofinanceira",
        "receitarealizadaacumulada", "gastoseducacaoponteiro", "mediaescola1a5menores",
        "filaespera", "gastossaudeponteiro")


def catalog(only: Sequence[str] = ()) -> tuple[list[IndicatorInfo], list[IndicatorRecord]]:
    """Infos in the seed's area order, one indicator per content shape (`only`: just those);
    records are returned in a scrambled order (reversed): the page must order them itself."""
    infos = [
        info("ipturealizado", "Arrecadação", "IPTU realizado"),
        info("issrealizado", "Arrecadação", "ISS realizado x previsto"),
        info("maioresvaloresdivida", "Arrecadação", "Maiores valores em dívida ativa",
             vertical="Arrecadação", system="Tributos"),
        info("powerNumbersArrecadacao.empresas", "Arrecadação", "Empresas ativas",
             vertical="Arrecadação", system="Tributos"),
        info("receitarealizadaacumulada", "Contabilidade", "Receita e despesa por mês"),
        info("situacaofinanceira", "Contabilidade", "Situação financeira por fonte"),
        info("relacaoveiculos", "Contratos", "Relação de veículos", vertical="Contratos",
             system="Frotas"),
        info("gastoseducacaoponteiro", "Educação", "Gastos com educação LRF"),
        info("mediaescola1a5menores", "Educação",
             "Média por escola de 1º à 5º ano - menores valores", vertical="Educação",
             system="Educação", provisional=()),
        info("filaespera", "Educação", "Fila de espera em creches", vertical="Educação",
             system="Educação"),
        info("gastosprevistorealizadolrf", "Pessoal", "Gastos com pessoal LRF"),
        info("gastossaudeponteiro", "Saúde", "Gastos com saúde ASPS"),
        info("tmaagendadounidademaiores", "Saúde", "TMA agendado por unidade - maiores tempos",
             vertical="Saúde", system="Saúde", provisional=("id", "table", "payload_key")),
        info("hostil", "Saúde", HOSTILE, vertical=HOSTILE, system=HOSTILE),
    ]
    recs = [
        record("ipturealizado", 1, ("valorRealizado", Decimal("1234567.89"))),
        record("issrealizado", 1, ("valorPrevisto", Decimal("900000.00")),
               ("valorRealizado", Decimal("812345.67"))),
        *(record("maioresvaloresdivida", i, ("posicao", i), ("contribuinte", name),
                 ("valor", Decimal(value)))
          for i, (name, value) in enumerate([("Comercial Alfa Ltda", "98765.43"),
                                             ("João da Silva", "54321.00"),
                                             ("Indústria Beta S.A.", "43210.99"),
                                             ("Maria Souza", "12000.50"),
                                             ("Transportes Gama", "9999.99")], 1)),
        record("powerNumbersArrecadacao.empresas", 1, ("quantidade", 1234)),
        *(record("receitarealizadaacumulada", m, ("mes", m),
                 ("receitaRealizada", Decimal(1000000 + 150000 * m)),
                 ("despesaRealizada", Decimal(900000 + 170000 * m))) for m in range(1, 7)),
        *(record("situacaofinanceira", i, ("fonte", fonte), ("saldo", Decimal(saldo)))
          for i, (fonte, saldo) in enumerate([("Recursos livres", "250000.00"),
                                              ("Saúde", "-35000.10"),
                                              ("Educação", "120500.00")], 1)),
        *(record("relacaoveiculos", i, ("placa", f"ABC{i:04d}"), ("modelo", "Utilitário"),
                 ("ano", 2010 + i % 12), ("km", 10000 * i), ("valor", Decimal(50000 + i)))
          for i in range(1, 121)),
        record("gastoseducacaoponteiro", 1, ("percentualAplicado", Decimal("27.31")),
               ("limiteMinimo", Decimal("25.00")), ("valorAplicado", Decimal("5462000.00")),
               ("receitaBase", Decimal("20000000.00"))),
        *(record("mediaescola1a5menores", i, ("posicao", i), ("escola", escola),
                 ("media", Decimal(media)))
          for i, (escola, media) in enumerate([("EM Pedro Álvares", "5.12"),
                                               ("EM Cecília Meireles", "5.48"),
                                               ("EM Monteiro Lobato", "6.05")], 1)),
        record("gastosprevistorealizadolrf", 1, ("poder", "E"),
               ("percentualRcl", Decimal("48.70")), ("limiteMaximo", Decimal("54.00"))),
        record("gastossaudeponteiro", 1, ("percentualAsps", Decimal("13.80")),
               ("limiteMinimo", Decimal("15.00"))),
        *(record("tmaagendadounidademaiores", i, ("posicao", i), ("unidade", u),
                 ("tempoMedioMinutos", Decimal(t)))
          for i, (u, t) in enumerate([("UBS Centro", "42.5"), ("UBS Norte", "37.0")], 1)),
        *(record("hostil", i, ("posicao", i), ("nome", HOSTILE), ("valor", Decimal(i)))
          for i in (1, 2)),
    ]
    if only:
        infos = [i for i in infos if i.id in only]
        recs = [r for r in recs if r.indicator in only]
    return infos, list(reversed(recs))
