#!/usr/bin/env python3
"""Benchmark: Transparência MG (issue 12, the `derivation` kind) on a generated SIAFI extract —
`apura run transparencia_mg --select convenios,ordens` (per-key sums over each convênio's OPs,
the per-record etapa, the unique payment key, the pending/zero warnings) against the
hand-written loop (benchmarks/transparencia_baseline.py) on the same file, each a whole command
in a fresh process, interleaved. apura's run is a first load into a new state file: it also
stores the load (every OP's version, what each derivation wrote) and writes `mudancas.csv`.

Usage:
    .venv/bin/python benchmarks/transparencia.py [--ops 1000000] [--repeat 3]
        [--only baseline,apura,apura_duckdb] [--corrigido] [--json results.json]

The extract: convênios of 1–20 OPs over 2019–2021 (numbers restart each year), situações drawn
from the package's table (paga most often), a convênio in 50 with only its `0` row, one OP in
200 cancelled with a negative pendente. apura's two files must be the baseline's, byte for byte
(sha256 per file): a mismatch or an error exits 1. The parent reads each process's peak RSS
with os.wait4. The ratio is a contender's median wall time over the baseline's.
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import wholerun  # benchmarks/wholerun.py: the script's folder is on sys.path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "benchmarks" / "transparencia_baseline.py"
CONTENDERS = ("baseline", "apura", "apura_duckdb")
# the files both sides write (apura also writes mudancas.csv: its first load's change report)
COMPARED = ("convenios.csv", "ordens_pagamento.csv")
SITUACOES = [("paga", 70), ("pendente de compensação bancária", 10),
             ("transmitida ao banco – pendente de Confirmação", 8),
             ("pendente de transmissão aos bancos", 6),
             ("pendente para o banco- aguardando assinatura digital", 6)]


def generate(path: Path, ops: int, seed: int) -> None:
    rnd = random.Random(seed)
    names, weights = zip(*SITUACOES, strict=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";", lineterminator="\n")
        w.writerow(["contrato_convenio_saida", "cnpj_credor", "razao_social_credor",
                    "numero_docto_pagamento", "data_registro", "valor_pago_financeiro",
                    "valor_pago_pendente", "situacao_op"])
        written, conv = 0, 1_000_000
        while written < ops:
            conv += 1
            cnpj = f"{rnd.randrange(10**13, 10**14):014d}"
            razao = f"CONVENENTE {conv}"
            if rnd.random() < 0.02:
                w.writerow([conv, cnpj, razao, "0", "", "0,00", "0,00", ""])
                written += 1
                continue
            numbers = {2019: 0, 2020: 0, 2021: 0}
            for _ in range(rnd.randint(1, 20)):
                year = rnd.choice((2019, 2020, 2021))
                numbers[year] += 1
                day = f"{rnd.randint(1, 28):02d}/{rnd.randint(1, 12):02d}/{year}"
                cents = rnd.randrange(100, 50_000_000)
                value = f"{cents // 100},{cents % 100:02d}"
                if rnd.random() < 0.005:
                    row = ["0,00", f"-{value}", "cancelada"]
                else:
                    sit = rnd.choices(names, weights)[0]
                    row = [value, "0,00" if sit == "paga" else value, sit]
                w.writerow([conv, cnpj, razao, str(numbers[year]), day, *row])
                written += 1


def command(name: str, src: Path, out: Path, state: Path, corrigido: bool) -> list[str]:
    if name == "baseline":
        return [sys.executable, str(BASELINE), str(src), str(out),
                *(["--corrigido"] if corrigido else [])]
    apura = str(Path(sys.executable).with_name("apura"))
    return [apura, "run", "transparencia_mg", "--input", f"convenio_pagamento={src}",
            "--select", "convenios_corrigido,ordens" if corrigido else "convenios,ordens",
            "--state", str(state), "--out", str(out),
            "--backend", "duckdb" if name == "apura_duckdb" else "python"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=",".join(CONTENDERS))
    ap.add_argument("--corrigido", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    names = wholerun.names_of(args.only, CONTENDERS, ap.error)
    tmp = Path(tempfile.mkdtemp(prefix="apura-transparencia-"))
    try:
        src = tmp / "convenio_pagamento.csv"
        generate(src, args.ops, args.seed)
        print(f"extrato: {args.ops} linhas, {src.stat().st_size / 2**20:.0f} MiB", flush=True)

        def one(name: str, i: int) -> dict[str, Any]:
            work = tmp / f"{name}-{i}"
            cmd = command(name, src, work / "out", work / "state.sqlite", args.corrigido)
            return wholerun.run_one(name, cmd, work, lambda out: [out / n for n in COMPARED])

        runs = wholerun.rounds(names, args.repeat, one)
        return wholerun.report(runs, names, args.json,
                               {"ops": args.ops, "corrigido": args.corrigido})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
