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
import hashlib
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

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


def run_one(name: str, src: Path, work: Path, corrigido: bool) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = work / "out"
    log = work / "stderr.txt"  # a file, not a pipe: the warnings' lines would fill one
    with open(log, "wb") as err_fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command(name, src, out, work / "state.sqlite", corrigido),
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err_fh)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    report: dict[str, Any] = {"name": name, "seconds": seconds,
                              "peak_rss_mib": usage.ru_maxrss / 1024}
    if os.waitstatus_to_exitcode(status) != 0:
        report["error"] = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        return report
    report["outputs"] = {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
                         for name in COMPARED}
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ops", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2019)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=",".join(CONTENDERS))
    ap.add_argument("--corrigido", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = sorted(set(names) - set(CONTENDERS))
    if unknown:
        ap.error(f"contendores desconhecidos: {', '.join(unknown)}")
    if "baseline" not in names:
        names.insert(0, "baseline")  # its files are the reference
    tmp = Path(tempfile.mkdtemp(prefix="apura-transparencia-"))
    try:
        src = tmp / "convenio_pagamento.csv"
        generate(src, args.ops, args.seed)
        print(f"extrato: {args.ops} linhas, {src.stat().st_size / 2**20:.0f} MiB", flush=True)
        runs = []
        for i in range(args.repeat):
            for name in names:
                r = run_one(name, src, tmp / f"{name}-{i}", args.corrigido)
                runs.append(r)
                print(f"{name:13} {r['seconds']:7.2f} s {r['peak_rss_mib']:7.0f} MiB"
                      + (f"  ERRO: {r['error']}" if "error" in r else ""), flush=True)
        return report(runs, names, args)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def report(runs: list[dict[str, Any]], names: list[str], args: argparse.Namespace) -> int:
    failed = [r for r in runs if "error" in r]
    ref = next((r["outputs"] for r in runs if r["name"] == "baseline" and "outputs" in r), None)
    differ = sorted({r["name"] for r in runs if "outputs" in r and r["outputs"] != ref})
    summary: dict[str, Any] = {}
    for name in names:
        secs = [r["seconds"] for r in runs if r["name"] == name and "error" not in r]
        if secs:
            summary[name] = {"median_s": statistics.median(secs), "min_s": min(secs),
                             "peak_rss_mib": max(r["peak_rss_mib"] for r in runs
                                                 if r["name"] == name)}
    base = summary.get("baseline", {}).get("median_s")
    for name, s in summary.items():
        if base:
            s["ratio"] = s["median_s"] / base
        print(f"{name:13} mediana {s['median_s']:7.2f} s  mín {s['min_s']:7.2f} s  "
              f"{s['peak_rss_mib']:6.0f} MiB" + (f"  {s['ratio']:.2f}×" if base else ""))
    if args.json:
        args.json.write_text(json.dumps({"ops": args.ops, "corrigido": args.corrigido,
                                         "runs": runs, "summary": summary,
                                         "machine": platform.platform(),
                                         "cpus": os.cpu_count()}, indent=2), "utf-8")
    if differ:
        print(f"ARQUIVOS DIFERENTES dos do baseline: {', '.join(differ)}")
    return 1 if failed or differ or ref is None else 0


if __name__ == "__main__":
    sys.exit(main())
