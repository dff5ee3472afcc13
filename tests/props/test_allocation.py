"""Properties of the debita allocations on random inputs (hypothesis, in-memory rows, both
rule specs): money is conserved (applied + balance = imported for every discount, and the
summary's outcome rows partition the total), no imputation gets more than its cap, running
the same files again on the same state creates nothing and writes the same files, and the
rules in force never link a discount to an imputation when its cpf has two open ones of its
natureza (caps too large to fill)."""

from __future__ import annotations

import datetime
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

import runtime
from tests.conftest import ROOT

PROGRAM = runtime.load(ROOT / "generated" / "debita")
CPFS = ["00000000001", "00000000002", "00000000003"]
RUBRICS = [("SIGRH", "40453"), ("SIGRH", "40667"), ("SIAPE", "00840")]
DAYS = [datetime.date(2021, m, d) for m in (1, 2, 3) for d in (5, 20)]


def _money(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def _day(d: datetime.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


imputations = st.lists(st.tuples(
    st.sampled_from(["DEBITO", "MULTA"]), st.sampled_from(DAYS), st.integers(0, 60000),
    st.sampled_from(["ABERTA", "ABERTA", "QUITADA"]),
    st.sets(st.sampled_from(CPFS), min_size=1, max_size=2)), max_size=5)
discounts = st.lists(st.tuples(st.sampled_from(RUBRICS), st.sampled_from(CPFS),
                               st.sampled_from(DAYS), st.integers(1, 30000)), max_size=14)


def _inputs(imps: list[Any], descs: list[Any]) -> dict[str, list[dict[str, str]]]:
    imputacao = [{"imputacao": f"I{k}", "processo": "p", "natureza": nat,
                  "solidaria": "S" if len(who) > 1 else "N", "data_imputacao": _day(day),
                  "valor_atualizado": _money(cap), "situacao": sit}
                 for k, (nat, day, cap, sit, who) in enumerate(imps)]
    responsavel = [{"imputacao": f"I{k}", "cpf": c}
                   for k, (*_, who) in enumerate(imps) for c in sorted(who)]
    desconto = [{"base": base, "cpf": cpf, "rubrica": rub,
                 "competencia": f"{day.month:02d}/{day.year}", "data_folha": _day(day),
                 "valor": _money(v)} for (base, rub), cpf, day, v in descs]
    return {"desconto": desconto, "imputacao": imputacao, "responsavel": responsavel}


def _rows(out: dict[str, bytes], name: str) -> list[list[str]]:
    return [r.split(";") for r in out[name].decode().splitlines()[1:]]


def _d(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _check_money(out: dict[str, bytes], caps: dict[str, Decimal]) -> None:
    pays = _rows(out, "pagamentos.csv")
    events = _rows(out, "eventos.csv")
    for p in pays:
        assert _d(p[10]) + _d(p[11]) == _d(p[6])
        assert _d(p[10]) == sum((_d(e[5]) for e in events if e[1] == p[0]), Decimal(0))
    for target, cap in caps.items():
        assert sum((_d(e[5]) for e in events if e[2] == target), Decimal(0)) <= cap
    resumo = {r[0]: [_d(x) for x in r[1:]] for r in _rows(out, "resumo.csv")
              if r[0] not in ("registros_importados", "eventos_gerados")}
    outcome = [v for k, v in resumo.items()
               if k.startswith("aplicado_") or k.startswith("nao_vinculado_")]
    total = next(v for k, v in resumo.items() if k == "total_importado")
    assert [sum(col, Decimal(0)) for col in zip(*outcome, strict=True)] == total
    assert total[2] == sum((_d(p[6]) for p in pays), Decimal(0))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(imputations, discounts, st.sampled_from(["regras_vigentes", "regra_anterior"]))
def test_conserved_capped_and_idempotent(imps: list[Any], descs: list[Any], rule: str) -> None:
    ins = _inputs(imps, descs)
    caps = {f"I{k}": Decimal(cap) / 100 for k, (_, _, cap, _, _) in enumerate(imps)}
    with tempfile.TemporaryDirectory() as tmp:
        state = Path(tmp) / "s.sqlite"
        first = PROGRAM.run(ins, {}, state=state, select=rule).outputs
        _check_money(first, caps)
        again = PROGRAM.run(ins, {}, state=state, select=rule).outputs
    for name in ("pagamentos.csv", "eventos.csv", "saldos.csv", "resumo.csv", "resumo.md"):
        assert again[name] == first[name], name
    assert {r[3] for r in _rows(again, "importacao.csv")} <= {"JA_IMPORTADO"}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(discounts, st.sampled_from(CPFS), st.sampled_from(["DEBITO", "MULTA"]))
def test_two_open_never_link(descs: list[Any], cpf: str, nat: str) -> None:
    imps = [(nat, DAYS[0], 10**9, "ABERTA", {cpf}), (nat, DAYS[1], 10**9, "ABERTA", {cpf})]
    out = PROGRAM.run(_inputs(imps, descs), {}).outputs
    for p in _rows(out, "pagamentos.csv"):
        if p[2] == cpf and p[7] == nat:
            assert p[8] == "regra_02" and p[9] == "" and p[10] == "0,00"
