#!/usr/bin/env python3
"""Benchmark: the Debita package (issue 10) at a million payroll discounts — `apura run debita`
against the hand-written allocation loop (benchmarks/debita_baseline.py, also the oracle of the
tests) on the same generated files, each a whole command in a fresh process with a new state
file, interleaved.

Usage:
    .venv/bin/python benchmarks/debita.py [--descontos 1000000] [--repeat 3]
        [--only baseline,apura,apura_duckdb] [--data DIR] [--json results.json]

The inputs come from fixtures/debita/generate.py (into --data DIR, kept and reused while the
generator is unchanged, or a temporary folder). Both sides write the six files and their SQLite
state; apura also journals the run. apura's files must be the baseline's, byte for byte
(sha256 per file): a mismatch or an error exits 1. The parent reads each process's peak RSS
with os.wait4. The ratio is apura's median wall time over the baseline's.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GENERATOR = ROOT / "fixtures" / "debita" / "generate.py"
BASELINE = ROOT / "benchmarks" / "debita_baseline.py"
INPUTS = ("desconto", "imputacao", "responsavel")
CONTENDERS = ("baseline", "apura", "apura_duckdb")


def generate(folder: Path, descontos: int, seed: int) -> Path:
    gen_hash = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]
    stamp = folder / ".complete"
    want = f"{gen_hash} {descontos} {seed}"
    if stamp.is_file() and stamp.read_text() == want:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(folder), "--descontos",
                    str(descontos), "--seed", str(seed)], check=True)
    stamp.write_text(want)
    return folder


def command(name: str, data: Path, out: Path, state: Path) -> list[str]:
    if name == "baseline":
        return [sys.executable, str(BASELINE), "--state", str(state), "--out", str(out),
                "--run", *[f"{n}={data / n}.csv" for n in INPUTS]]
    apura = str(Path(sys.executable).with_name("apura"))
    given = [a for n in INPUTS for a in ("--input", f"{n}={data / n}.csv")]
    return [apura, "run", "debita", *given,
            "--state", str(state), "--out", str(out), "--rejects", str(out.parent / "rej.csv"),
            "--backend", "duckdb" if name == "apura_duckdb" else "python"]


def run_one(name: str, data: Path, work: Path) -> dict[str, Any]:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    out = work / "out"
    log = work / "stderr.txt"  # a file, not a pipe: the rejected rows' lines would fill one
    with open(log, "wb") as err_fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(command(name, data, out, work / "state.sqlite"), cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err_fh)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    err = log.read_text(encoding="utf-8", errors="replace")
    report: dict[str, Any] = {"name": name, "seconds": seconds,
                              "peak_rss_mib": usage.ru_maxrss / 1024}
    if os.waitstatus_to_exitcode(status) != 0:
        report["error"] = err[-2000:]
        return report
    report["outputs"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in sorted(out.iterdir()) if not p.name.startswith(".")}
    return report


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--descontos", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=",".join(CONTENDERS))
    ap.add_argument("--data", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = sorted(set(names) - set(CONTENDERS))
    if unknown:
        ap.error(f"contendores desconhecidos: {', '.join(unknown)}")
    if "baseline" not in names:
        names.insert(0, "baseline")  # its files are the reference
    tmp = Path(tempfile.mkdtemp(prefix="apura-debita-"))
    try:
        data = generate(args.data or tmp / "data", args.descontos, args.seed)
        runs = []
        for i in range(args.repeat):
            for name in names:
                r = run_one(name, data, tmp / f"{name}-{i}")
                runs.append(r)
                print(f"{name:13} {r['seconds']:7.2f} s {r['peak_rss_mib']:7.0f} MiB"
                      + (f"  ERRO: {r['error']}" if "error" in r else ""), flush=True)
        return report(runs, names, args)
    finally:
        if not os.environ.get("APURA_BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"mantido: {tmp}")


def report(runs: list[dict[str, Any]], names: list[str], args: argparse.Namespace) -> int:
    failed = [r for r in runs if "error" in r]
    ref = next((r["outputs"] for r in runs if r["name"] == "baseline" and "outputs" in r), None)
    differ = [r["name"] for r in runs if "outputs" in r and r["outputs"] != ref]
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
        args.json.write_text(json.dumps({"descontos": args.descontos, "runs": runs,
                                         "summary": summary, "machine": platform.platform(),
                                         "cpus": os.cpu_count()}, indent=2), encoding="utf-8")
    if differ:
        print(f"ERRO: arquivos diferentes do baseline: {', '.join(sorted(set(differ)))}")
    return 1 if failed or differ else 0


if __name__ == "__main__":
    raise SystemExit(main())
