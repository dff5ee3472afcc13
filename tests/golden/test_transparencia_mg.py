"""The `transparencia_mg` package (seed 003) on its fixture (fixtures/transparencia_mg/): both
rule versions of the valor repassado, on the python and duckdb back ends, byte for byte; the
files snapshotted; the figures checked against what the seed works out by hand; the key rule
(D1801), an unmapped situação (D1802) and the pending/zero warnings (D1803).

The fixture, by convênio (hand sums of its lines):
* 1295001 — the seed's OP 1547: R$ 35.000,00 "pendente para o banco- aguardando assinatura
  digital" with that pendente, plus OP 1320 of 2020 (20.000,00) and OP 1320 of 2019 (15.000,00,
  the same number in another exercício): financeiro 70.000,00, pendente 35.000,00, repassado
  35.000,00 — the OP awaiting signature is not repassado.
* 1301777 — the homologation case: OP 2201 paid 170.000,00 and OP 2202 cancelled, financeiro 0
  with pendente −170.000,00: the seed's formula gives 170.000 − (−170.000) = 340.000,00, the
  correction (no pendente without a financial payment) 170.000,00.
* 1402500 — no payment yet: the `0` row, repassado 0,00.
* 1500001 — OP 3001 "pendente de transmissão aos bancos" with pendente 0,00: a warning.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import runtime
from runtime import RunFailed
from tests.conftest import ROOT

FIXTURE = ROOT / "fixtures" / "transparencia_mg" / "convenio_pagamento.csv"
BACKENDS = ("python", "duckdb")


@pytest.fixture(scope="module")
def program() -> runtime.Program:
    return runtime.load(ROOT / "generated" / "transparencia_mg")


def _run(program: runtime.Program, select: str | None, backend: str,
         src: Path = FIXTURE) -> runtime.Result:
    return program.run(ledgers={"convenio_pagamento": str(src)}, params={}, select=select,
                       backend=backend)


def _repassado(data: bytes) -> dict[str, str]:
    lines = data.decode("utf-8").splitlines()
    assert lines[0] == ("contrato_convenio_saida;valor_pago_financeiro;valor_pago_pendente;"
                        "valor_repassado")
    return {c[0]: c[3] for c in (line.split(";") for line in lines[1:])}


@pytest.mark.parametrize("select", [None, "convenios_corrigido"])
def test_back_ends_agree_byte_for_byte(program, select, snapshot) -> None:  # type: ignore[no-untyped-def]
    got = [_run(program, select, b).outputs for b in BACKENDS]
    assert got[0] == got[1]
    assert got[0] == snapshot


def test_the_seed_formula(program) -> None:  # type: ignore[no-untyped-def]
    out = _run(program, None, "python").outputs
    # a run without a state is a first load: everything in mudancas.csv is added
    # (tests/golden/test_transparencia_mg_cargas.py: the loads that follow); the
    # dictionaries: tests/golden/test_transparencia_dicionarios.py
    assert sorted(out) == ["convenios.csv", *(f"dicionario_{c}.{x}" for c in
                           ("convenios", "despesa", "restos") for x in ("json", "md")),
                           "mudancas.csv", "ordens_pagamento.csv"]
    assert _repassado(out["convenios.csv"]) == {
        "1295001": "35000,00", "1301777": "340000,00", "1402500": "0,00", "1500001": "5000,00"}


def test_the_correction_extends_the_seed(program) -> None:  # type: ignore[no-untyped-def]
    out = _run(program, "convenios_corrigido", "duckdb").outputs
    assert sorted(out) == ["convenios.csv", "mudancas.csv"]
    rep = _repassado(out["convenios.csv"])
    assert rep["1301777"] == "170000,00"  # the portal showed 340.000,00
    assert rep["1295001"] == "35000,00"   # unchanged: its pendente has a financial payment


def test_payment_orders_keep_the_zero_row_and_classify(program) -> None:  # type: ignore[no-untyped-def]
    text = _run(program, None, "duckdb").outputs["ordens_pagamento.csv"].decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == ("contrato_convenio_saida;ano;numero_docto_pagamento;data_registro;"
                        "valor_pago_financeiro;valor_pago_pendente;situacao_op;etapa")
    # in key order (convênio, ano, número; incremental:): 1320 of 2019, 1320 of 2020, 1547
    assert lines[3] == ("1295001;2020;1547;14/02/2020;35000,00;35000,00;pendente para o "
                        "banco- aguardando assinatura digital;Pendente de assinatura digital")
    assert lines[1].startswith("1295001;2019;1320;")
    assert "1402500;;0;;0,00;0,00;;" in lines
    assert len(lines) == 8  # the header and the 7 lines of the extract


@pytest.mark.parametrize("backend", BACKENDS)
def test_pending_mismatch_warnings(program, backend) -> None:  # type: ignore[no-untyped-def]
    warns = [(w.code, w.line) for w in _run(program, None, backend).warnings
             if w.code == "D1803"]
    # line 6: OP 2202 cancelled with pendente −170.000,00; line 8: OP 3001 pending, pendente 0
    assert warns == [("D1803", 6), ("D1803", 8)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_same_key_twice_names_both_lines(program, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "dup.csv"
    src.write_bytes(FIXTURE.read_bytes()
                    + b"1295001;1;X;1320;11/11/2020;1,00;0,00;paga\n")
    with pytest.raises(RunFailed) as info:
        _run(program, None, backend, src)
    (err,) = [e for e in info.value.errors if e.code == "D1801"]
    assert (err.line, "linhas 3 e 9" in err.message) == (9, True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unmapped_situacao_is_reported(program, backend, tmp_path) -> None:  # type: ignore[no-untyped-def]
    src = tmp_path / "unmapped.csv"
    src.write_text(FIXTURE.read_text("utf-8").replace(";paga\n", ";paga pelo banco\n"), "utf-8")
    with pytest.raises(RunFailed) as info:
        _run(program, None, backend, src)
    (err,) = [e for e in info.value.errors if e.code == "D1802"]
    assert (err.line, "'paga pelo banco'" in err.message, "(3 registros)" in err.message) \
        == (3, True, True)
