#!/usr/bin/env python3
"""Benchmark: compile, load and run a generated layout of N rule rows (tests/limitkit.py).

Usage:
    .venv/bin/python benchmarks/big_layout.py [--rows 20000] [--records 2000]
        [--backends python,duckdb] [--tracemalloc] [--out /tmp/apura-big]

Prints the compile time, the compiler's peak (tracemalloc, with --tracemalloc: slower) and the
process's peak RSS after each step: compile, runtime.load (CPython compiling the generated
module) and one run per back end over `--records` records spread over the rows.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def main(argv: list[str] | None = None) -> int:
    import runtime
    from compiler import compile_package
    from compiler.writer import write_tree
    from tests.limitkit import write_big_package

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--records", type=int, default=2000)
    ap.add_argument("--backends", default="python,duckdb")
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("/tmp/apura-big"))
    args = ap.parse_args(argv)

    specs = write_big_package(args.out, args.rows)
    print(f"spec: {(specs / 'big.yaml').stat().st_size / 2**20:.1f} MB, {args.rows} rows")
    if args.tracemalloc:
        tracemalloc.start()
    t0 = time.perf_counter()
    res = compile_package(specs, base=args.out)
    took = time.perf_counter() - t0
    peak = f", tracemalloc peak {tracemalloc.get_traced_memory()[1] / 2**20:.0f} MB" \
        if args.tracemalloc else ""
    tracemalloc.stop()
    if res.errors:
        print("\n".join(d.message for d in res.errors))
        return 1
    sizes = ", ".join(f"{k} {len(v) / 2**20:.1f} MB" for k, v in sorted(res.files.items()))
    print(f"compile: {took:.1f} s{peak}, peak RSS {rss_mb()} MB ({sizes})")
    write_tree(args.out / "gen" / "e", res.files)
    del res
    t0 = time.perf_counter()
    program = runtime.load(args.out / "gen" / "e")
    print(f"load: {time.perf_counter() - t0:.1f} s, peak RSS {rss_mb()} MB")
    rows = [{"k": "x", "a": (i * 7919) % (args.rows + 5), "b": Decimal("1.25"), "s": "y",
             "d": None, "f": None} for i in range(args.records)]
    for backend in args.backends.split(","):
        kwargs = {} if backend == "python" else {"backend": backend}
        t0 = time.perf_counter()
        program.run(ledgers={"t": rows}, params={"p": 1}, **kwargs)
        print(f"run {backend}: {time.perf_counter() - t0:.1f} s for {args.records} records, "
              f"peak RSS {rss_mb()} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
