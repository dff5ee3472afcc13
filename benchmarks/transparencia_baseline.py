#!/usr/bin/env python3
"""Hand-written Transparência MG (seed 003): the valor repassado per convênio and the payment
orders with the etapa of their situação, from one SIAFI extract — the `convenios.csv` and
`ordens_pagamento.csv` that `apura run transparencia_mg --select convenios,ordens` writes (in
key order), byte for byte, written directly with the csv module and Decimal: the baseline of
benchmarks/transparencia.py. It keeps no state and writes no change report (apura's first load
writes `mudancas.csv` too, every OP `incluído`, and stores the load).

Usage:
    python benchmarks/transparencia_baseline.py EXTRATO.csv OUT_DIR [--corrigido]

It reads the situação table the package ships (specs/transparencia_mg/tabelas/situacoes_op.csv)
and checks what the package checks, without messages: an unmapped situação or a payment key
(convênio, year, number) seen twice exits 1. --corrigido applies the correction rule (a
pendente with no financial payment contributes nothing).
"""

from __future__ import annotations

import argparse
import csv
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SITUACOES = ROOT / "specs" / "transparencia_mg" / "tabelas" / "situacoes_op.csv"
ZERO = Decimal("0")


def money(x: Decimal) -> str:
    return f"{x.quantize(Decimal('0.01')):f}".replace(".", ",") if x else "0,00"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("extrato", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--corrigido", action="store_true")
    args = ap.parse_args(argv)
    with SITUACOES.open(encoding="utf-8", newline="") as fh:
        etapas = {r["descricao"]: r["etapa"] for r in csv.DictReader(fh, delimiter=";")}
    totals: dict[str, list[Decimal]] = {}  # convênio → [financeiro, pendente, pendente counted]
    seen: set[tuple[str, str, str]] = set()
    ordens: list[tuple[tuple[str, int, str], list[str]]] = []
    args.out.mkdir(parents=True, exist_ok=True)
    with args.extrato.open(encoding="utf-8", newline="") as fh:
        rows = csv.reader(fh, delimiter=";")
        next(rows)
        for conv, _cnpj, _razao, numero, data, fin, pend, situacao in rows:
            ano = data[6:] if data else ""
            key = (conv, ano, numero)
            if key in seen:
                return 1
            seen.add(key)
            if situacao and situacao not in etapas:
                return 1
            f = Decimal(fin.replace(",", "."))
            p = Decimal(pend.replace(",", "."))
            t = totals.get(conv)
            if t is None:
                t = totals[conv] = [ZERO, ZERO, ZERO]
            t[0] += f
            t[1] += p
            if f != 0:
                t[2] += p
            # apura's key order: convênio, ano (none first), número — texts by code point
            ordens.append(((conv, int(ano) if ano else -1, numero),
                           [conv, str(int(ano)) if ano else "", numero, data, money(f),
                            money(p), situacao, etapas.get(situacao, "") if situacao else ""]))
    ordens.sort(key=lambda kr: kr[0])
    with (args.out / "ordens_pagamento.csv").open("w", encoding="utf-8", newline="") as oh:
        out = csv.writer(oh, delimiter=";", lineterminator="\n")
        out.writerow(["contrato_convenio_saida", "ano", "numero_docto_pagamento",
                      "data_registro", "valor_pago_financeiro", "valor_pago_pendente",
                      "situacao_op", "etapa"])
        out.writerows(row for _, row in ordens)
    with (args.out / "convenios.csv").open("w", encoding="utf-8", newline="") as ch:
        out = csv.writer(ch, delimiter=";", lineterminator="\n")
        out.writerow(["contrato_convenio_saida", "valor_pago_financeiro",
                      "valor_pago_pendente", "valor_repassado"])
        for conv, (f, p, counted) in sorted(totals.items()):
            out.writerow([conv, money(f), money(p),
                          money(f - (counted if args.corrigido else p))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
