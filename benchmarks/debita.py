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
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import wholerun  # benchmarks/wholerun.py: the script's folder is on sys.path

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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--descontos", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", default=",".join(CONTENDERS))
    ap.add_argument("--data", type=Path)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    names = wholerun.names_of(args.only, CONTENDERS, ap.error)
    tmp = Path(tempfile.mkdtemp(prefix="apura-debita-"))
    try:
        data = generate(args.data or tmp / "data", args.descontos, args.seed)

        def one(name: str, i: int) -> dict[str, Any]:
            work = tmp / f"{name}-{i}"
            return wholerun.run_one(
                name, command(name, data, work / "out", work / "state.sqlite"), work,
                lambda out: [p for p in sorted(out.iterdir()) if not p.name.startswith(".")])

        runs = wholerun.rounds(names, args.repeat, one)
        return wholerun.report(runs, names, args.json, {"descontos": args.descontos})
    finally:
        if not os.environ.get("APURA_BENCH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            print(f"mantido: {tmp}")


if __name__ == "__main__":
    raise SystemExit(main())
