#!/usr/bin/env python3
"""Benchmark: time to compile every package under specs/ (compiler.compile_package).

Usage:
    .venv/bin/python benchmarks/compile.py [--specs specs] [--repeat 10] [--cold 5] [--json FILE]

cold: a fresh interpreter per run; the time covers importing the compiler, building the lark
grammar and compiling every package (the process's total wall time, interpreter start-up
included, is shown too). warm: in one process, after a first compile, every package compiled
again `--repeat` times. Each compile's files are checked against generated/ (stale → exit 1).
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_COLD = """
import time
t0 = time.perf_counter()
from pathlib import Path
from compiler import compile_package, discover
for folder in discover(Path({specs!r})):
    r = compile_package(folder, {root!r})
    assert not r.errors, r.errors
print(time.perf_counter() - t0)
"""


def compile_all(specs: Path) -> dict[str, dict[str, str]]:
    from compiler import compile_package
    from compiler import discover

    out = {}
    for folder in discover(specs):
        result = compile_package(folder, ROOT)
        if result.errors or result.package_id is None:
            raise SystemExit(f"{folder}: o pacote tem erros; rode apura check")
        out[result.package_id] = result.files
    return out


def stale(compiled: dict[str, dict[str, str]]) -> list[str]:
    bad = []
    for pkg, files in compiled.items():
        for rel, text in files.items():
            path = ROOT / "generated" / pkg / rel
            if not path.is_file() or path.read_text("utf-8") != text:
                bad.append(f"generated/{pkg}/{rel}")
    return bad


def stats(xs: list[float]) -> dict[str, float]:
    return {"min_s": min(xs), "median_s": statistics.median(xs), "max_s": max(xs)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--specs", type=Path, default=ROOT / "specs")
    ap.add_argument("--repeat", type=int, default=10, help="compilações quentes")
    ap.add_argument("--cold", type=int, default=5, help="processos frios")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    specs = args.specs.resolve()

    cold, cold_proc = [], []
    code = _COLD.format(specs=str(specs), root=str(ROOT))
    for _ in range(args.cold):
        t0 = time.perf_counter()
        got = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                             capture_output=True, text=True)
        cold_proc.append(time.perf_counter() - t0)
        cold.append(float(got.stdout.strip().splitlines()[-1]))

    t0 = time.perf_counter()
    compiled = compile_all(specs)
    first = time.perf_counter() - t0
    warm = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        compile_all(specs)
        warm.append(time.perf_counter() - t0)

    pkgs = sorted(compiled)
    n_specs = sum(1 for p in specs.rglob("*.yaml"))
    print(f"pacotes: {', '.join(pkgs)} ({n_specs} arquivos YAML em {args.specs})")
    rows = [("frio (import + gramática + compilação)", stats(cold)),
            ("frio, processo inteiro (com o interpretador)", stats(cold_proc)),
            ("primeira compilação no processo", stats([first])),
            (f"quente ({args.repeat}×, mesmo processo)", stats(warm))]
    print(f"{'':<46} {'min s':>8} {'mediana s':>10} {'máx s':>8}")
    for label, s in rows:
        print(f"{label:<46} {s['min_s']:>8.3f} {s['median_s']:>10.3f} {s['max_s']:>8.3f}")
    w = stats(warm)["median_s"]
    print(f"meta: compilar todos os pacotes, quente, < 1 s: {w:.3f} s (mediana) — "
          + ("atingida" if w < 1 else "NÃO atingida"))
    bad = stale(compiled)
    if bad:
        print("✗ generated/ está desatualizado: " + ", ".join(bad))
    if args.json:
        args.json.write_text(json.dumps({
            "date": datetime.datetime.now().isoformat(timespec="seconds"), "packages": pkgs,
            "cold": stats(cold), "cold_process": stats(cold_proc), "first": first,
            "warm": stats(warm), "stale": bad}, indent=2, ensure_ascii=False) + "\n")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
