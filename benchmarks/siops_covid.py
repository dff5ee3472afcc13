#!/usr/bin/env python3
"""Benchmark: the SIOPS COVID quadros (70/71/72/77/78/79) over a generated ledger, apura's back
ends side by side with a hand-written DuckDB query, a hand-written Python loop and zen-engine.

Usage:
    .venv/bin/python benchmarks/siops_covid.py --rows 1000000 [--municipios 50] [--repeat 3]
        [--only apura-python,duckdb-sql] [--zen-limit 1000000] [--json results.json]

The ledger (CSV and Parquet) is generated once by fixtures/siops/generate.py and cached under
benchmarks/.data/. Each contender runs `--repeat` times, each time in a fresh worker process
(round-robin, so drift hits everyone alike). The worker times its own work (loading the
package / opening the connection / building the decision, reading, classifying, summing and
rendering every file into memory; not interpreter start-up, not imports, not writing files)
and the parent reads the worker's peak RSS from os.wait4. Every contender's files must hash
(sha256) like apura python's; a mismatch or a failure exits 1.
"""

from __future__ import annotations

import argparse
import datetime
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

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(ROOT), str(HERE)]

DATA = HERE / ".data"
GENERATOR = ROOT / "fixtures" / "siops" / "generate.py"
PARAMS = {"exercicio": 2020, "bimestre": 2}
DEFAULT = ["apura-python", "apura-duckdb", "apura-duckdb-parquet", "duckdb-sql",
           "duckdb-sql-parquet", "python-loop", "zen", "zen-decision"]
REFERENCE = "apura-python"
BASELINES = ("duckdb-sql", "python-loop")


# ---------------------------------------------------------------- worker (one run, one process)
def worker(name: str, folder: Path, out: Path | None) -> int:
    import contenders

    fn = contenders.CONTENDERS[name]
    report: dict[str, Any] = {"name": name}
    try:
        t0 = time.perf_counter()
        outputs = fn(folder, dict(PARAMS))
        report["seconds"] = time.perf_counter() - t0
        report["outputs"] = {k: hashlib.sha256(v).hexdigest() for k, v in sorted(outputs.items())}
    except contenders.Skip as exc:
        report["skipped"] = str(exc)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
        report["error"] = f"{type(exc).__name__}: {exc}"
    else:
        if out is not None:  # untimed: kept for diffing a mismatch
            shutil.rmtree(out, ignore_errors=True)
            for rel, data in outputs.items():
                p = out / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(data)
    print(json.dumps(report))
    return 0


def run_worker(name: str, folder: Path, out: Path) -> dict[str, Any]:
    """Run one contender in a fresh interpreter; add its peak RSS (KiB) from wait4."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", name, "--data", str(folder),
           "--keep", str(out)]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        stdout = proc.stdout.read()  # type: ignore[union-attr]
        # wait4, not wait: the child's own rusage (peak RSS of this run only).
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read()
    lines = stdout.decode().strip().splitlines()
    try:
        report = json.loads(lines[-1])
    except (IndexError, json.JSONDecodeError):
        report = {"name": name, "error": f"o worker saiu com {proc.returncode}: "
                  + stderr.decode(errors="replace")[-2000:]}
    report["maxrss_kib"] = usage.ru_maxrss
    report["process_seconds"] = wall
    return report


# ---------------------------------------------------------------- data
def dataset(rows: int, municipios: int, seed: int) -> Path:
    """Generate (once) and return the folder with the CSV and Parquet ledgers."""
    gen_hash = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]
    folder = DATA / f"siops-r{rows}-m{municipios}-s{seed}"
    stamp = folder / ".complete"
    if stamp.is_file() and stamp.read_text() == gen_hash:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"gerando {rows} linhas de despesa, {municipios} municípios em {folder} ...",
          flush=True)
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(folder), "--rows", str(rows),
                    "--municipios", str(municipios), "--seed", str(seed), "--parquet"],
                   check=True)
    stamp.write_text(gen_hash)
    return folder


def head(folder: Path, rows: int) -> Path:
    """The first `rows` despesa and ceil(rows/10) receita lines (CSV), full equivalência."""
    sub = folder / f"head-{rows}"
    stamp = sub / ".complete"
    if stamp.is_file():
        return sub
    sub.mkdir(exist_ok=True)
    for name, n in (("despesa", rows), ("receita", (rows + 9) // 10)):
        with open(folder / f"{name}.csv", "rb") as src, open(sub / f"{name}.csv", "wb") as dst:
            for i, line in enumerate(src):
                if i > n:
                    break
                dst.write(line)
    shutil.copyfile(folder / "equivalencia_recursos.csv", sub / "equivalencia_recursos.csv")
    stamp.write_text("ok")
    return sub


def csv_rows(folder: Path) -> int:
    """Ledger rows scanned: despesa + receita (the equivalência is a small map)."""
    total = 0
    for name in ("despesa", "receita"):
        with open(folder / f"{name}.csv", "rb") as fh:
            total += sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b"")) - 1
    return total


# ---------------------------------------------------------------- report
def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for mod in ("duckdb", "zen", "pyarrow"):
        try:
            from importlib.metadata import version

            versions[mod] = version({"zen": "zen-engine"}.get(mod, mod))
        except Exception:  # noqa: BLE001
            versions[mod] = None
    mem = None
    try:
        mem = int(Path("/proc/meminfo").read_text().split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_mib": mem,
            "python": platform.python_version(), "platform": platform.platform(),
            "versions": versions}


def fmt_s(x: float | None, approx: bool = False) -> str:
    if x is None:
        return "—"
    return ("~" if approx else "") + (f"{x:.3f}" if x < 10 else f"{x:.1f}")


def fmt_ratio(x: float | None, approx: bool = False) -> str:
    return "—" if x is None else ("~" if approx else "") + f"{x:.2f}×"


def summarise(name: str, runs: list[dict[str, Any]], rows: int, full_rows: int) -> dict[str, Any]:
    ok = [r for r in runs if "seconds" in r]
    s: dict[str, Any] = {"name": name, "runs": runs, "rows_measured": rows,
                         "rows_full": full_rows, "subset": rows != full_rows}
    if any("skipped" in r for r in runs):
        s["skipped"] = next(r["skipped"] for r in runs if "skipped" in r)
    if any("error" in r for r in runs):
        s["error"] = next(r["error"] for r in runs if "error" in r)
    if ok:
        times = [r["seconds"] for r in ok]
        scale = full_rows / rows
        s.update(min_s=min(times), median_s=statistics.median(times),
                 rows_per_s=rows / min(times), full_min_s=min(times) * scale,
                 full_median_s=statistics.median(times) * scale,
                 maxrss_mib=max(r["maxrss_kib"] for r in runs) / 1024)
    return s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=100_000, help="linhas de despesa (receita: N/10)")
    ap.add_argument("--municipios", type=int, default=50)
    ap.add_argument("--seed", type=int, default=2020)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--only", help="contenders separados por vírgula: " + ",".join(DEFAULT))
    ap.add_argument("--zen-limit", type=int, default=1_000_000,
                    help="zen mede só as primeiras N linhas de despesa (e N/10 de receita) "
                         "quando --rows é maior, e extrapola (padrão 1000000)")
    ap.add_argument("--zen-decision-limit", type=int, default=20_000,
                    help="idem para zen-decision (create_decision().evaluate, ~170 µs/chamada)")
    ap.add_argument("--json", type=Path, help="grava os resultados neste arquivo")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--keep", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.worker, args.data, args.keep)

    names = DEFAULT if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in DEFAULT]
    if unknown:
        ap.error(f"contender desconhecido: {', '.join(unknown)} (conhecidos: {', '.join(DEFAULT)})")
    folder = dataset(args.rows, args.municipios, args.seed)
    full_rows = csv_rows(folder)
    limits = {"zen": args.zen_limit, "zen-decision": args.zen_decision_limit}
    where: dict[str, Path] = {}
    for n in names:
        lim = limits.get(n)
        where[n] = head(folder, lim) if lim is not None and lim < args.rows else folder
    rows_of = {f: csv_rows(f) for f in set(where.values())}

    # Reference hashes: apura python on every folder some contender reads.
    outs = folder / "out"
    refs: dict[Path, dict[str, str]] = {}
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    info = machine()
    print(f"máquina: {info['nproc']} núcleos, {info['cpu']}, {info['mem_mib']} MiB, Python "
          f"{info['python']}, duckdb {info['versions']['duckdb']}, zen-engine "
          f"{info['versions']['zen']}")
    print(f"dados: {folder.relative_to(ROOT)} — {full_rows} linhas (despesa + receita), "
          f"{args.municipios} municípios, parâmetros {PARAMS}")
    print(f"contenders: {', '.join(names)}; {args.repeat} repetições cada, processo novo por "
          f"repetição", flush=True)
    for rep in range(args.repeat):
        for n in names:
            r = run_worker(n, where[n], outs / n)
            results[n].append(r)
            if n == REFERENCE and "outputs" in r and where[n] not in refs:
                refs[where[n]] = r["outputs"]
            state = (f"{r['seconds']:.3f}s" if "seconds" in r else
                     "pulado" if "skipped" in r else "ERRO")
            print(f"  [{rep + 1}/{args.repeat}] {n:<22} {state:>10}  "
                  f"RSS {r['maxrss_kib'] / 1024:7.1f} MiB", flush=True)
    for f in sorted(set(where.values()) - set(refs)):
        r = run_worker(REFERENCE, f, outs / f"{REFERENCE}-{f.name}")
        if "outputs" in r:
            refs[f] = r["outputs"]
        print(f"  referência {REFERENCE} em {f.relative_to(ROOT)} (não cronometrada)")

    summary = {n: summarise(n, results[n], rows_of[where[n]], full_rows) for n in names}
    failed = False
    for n in names:
        s = summary[n]
        ref = refs.get(where[n])
        got = [r["outputs"] for r in results[n] if "outputs" in r]
        if "skipped" in s:
            s["check"] = "skipped"
        elif "error" in s or not got:
            s["check"] = "error"
            failed = True
        elif ref is None:
            s["check"] = "no-reference"
            failed = True
        elif all(g == ref for g in got):
            s["check"] = "ok"
        else:
            s["check"] = "mismatch"
            bad = next(g for g in got if g != ref)
            s["differs"] = sorted(k for k in set(ref) | set(bad) if ref.get(k) != bad.get(k))
            failed = True

    def base(name: str) -> float | None:
        b = summary.get(name)
        return b.get("full_min_s") if b else None

    print()
    print(f"{'contender':<22} {'linhas':>9} {'min s':>9} {'mediana s':>10} {'linhas/s':>11} "
          f"{'×duckdb-sql':>12} {'×python-loop':>13} {'pico RSS':>10}  sha256")
    for n in names:
        s = summary[n]
        approx = s["subset"]
        mark = {"ok": "✓", "mismatch": "✗", "error": "✗ erro", "skipped": "pulado",
                "no-reference": "✗ sem referência"}[s["check"]]
        if "min_s" not in s:
            print(f"{n:<22} {'—':>9} {'—':>9} {'—':>10} {'—':>11} {'—':>12} {'—':>13} "
                  f"{'—':>10}  {mark}")
            continue
        ratios = [s["full_min_s"] / b if b else None for b in (base(x) for x in BASELINES)]
        s["ratio_duckdb_sql"], s["ratio_python_loop"] = ratios
        print(f"{n:<22} {s['rows_measured']:>9} {fmt_s(s['full_min_s'], approx):>9} "
              f"{fmt_s(s['full_median_s'], approx):>10} {s['rows_per_s']:>11,.0f} "
              f"{fmt_ratio(ratios[0], approx):>12} {fmt_ratio(ratios[1], approx):>13} "
              f"{s['maxrss_mib']:>7.0f} MiB  {mark}")
    print()
    for n in names:
        s = summary[n]
        if s["subset"] and "min_s" in s:
            print(f"~ {n}: medido nas primeiras {s['rows_measured']} linhas (despesa + receita); "
                  f"tempos extrapolados para {full_rows} linhas pela vazão (linhas/s); o pico "
                  f"de RSS é o da amostra; a conferência sha256 compara com apura python na "
                  f"mesma amostra.")
        if "skipped" in s:
            print(f"nota: {n} pulado — {s['skipped']}")
        if "error" in s:
            print(f"✗ {n}: {s['error']}")
        if s.get("differs"):
            print(f"✗ {n}: {len(s['differs'])} arquivo(s) diferem de apura python, p.ex. "
                  f"{', '.join(s['differs'][:5])} (veja {outs.relative_to(ROOT)}/)")
    print("ratios: tempo mínimo do contender / tempo mínimo da base, na mesma execução; "
          "linhas/s pelo tempo mínimo.")
    targets = check_targets(summary)
    print()
    for t in targets:
        print(f"meta: {t['text']}: {t['status']}")

    if args.json:
        for s in summary.values():  # one digest per run instead of every file's hash
            for r in s["runs"]:
                if "outputs" in r:
                    files = r.pop("outputs")
                    r["files"] = len(files)
                    r["outputs_digest"] = hashlib.sha256("".join(
                        f"{k} {v}\n" for k, v in sorted(files.items())).encode()).hexdigest()
        payload = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                   "machine": info, "rows_arg": args.rows, "municipios": args.municipios,
                   "seed": args.seed, "repeat": args.repeat, "params": PARAMS,
                   "rows": full_rows, "contenders": summary, "targets": targets}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        print(f"\nresultados em {args.json}")
    return 1 if failed else 0


def check_targets(summary: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Issue 3's targets that this run can judge (ratios from this same run)."""
    def t(name: str, key: str = "full_min_s") -> float | None:
        s = summary.get(name)
        return s.get(key) if s and s.get("check") == "ok" else None

    out = []
    pairs = [("apura-duckdb", "duckdb-sql", 1.25, "duckdb back end ≤ 1.25× a query DuckDB "
              "escrita à mão (CSV)"),
             ("apura-duckdb-parquet", "duckdb-sql-parquet", 1.25, "duckdb back end ≤ 1.25× a "
              "query DuckDB escrita à mão (Parquet)"),
             ("apura-python", "python-loop", 2.0, "python back end ≤ 2× o laço Python com "
              "centavos inteiros")]
    for a, b, limit, text in pairs:
        ta, tb = t(a), t(b)
        if ta is None or tb is None:
            status = "não medido nesta execução"
        else:
            r = ta / tb
            status = (f"{r:.2f}× — " + ("atingida" if r <= limit else
                                         f"NÃO atingida (passa {r / limit:.2f}× do limite)"))
        out.append({"text": text, "status": status})
    for zen, how in (("zen", "engine.evaluate"), ("zen-decision", "create_decision().evaluate")):
        ta, tz = t("apura-python", "rows_per_s"), t(zen, "rows_per_s")
        status = ("não medido nesta execução" if ta is None or tz is None else
                  f"{ta / tz:.1f}× mais rápido — " + ("atingida" if ta / tz >= 5 else
                                                      "NÃO atingida"))
        out.append({"text": f"python back end ≥ 5× mais rápido que zen-engine linha a linha "
                            f"({how})", "status": status})
    for n in ("apura-duckdb", "apura-duckdb-parquet"):
        rss = t(n, "maxrss_mib")
        if rss is not None:
            out.append({"text": f"pico de memória de {n} < 1 GiB (a meta vale a 10M linhas)",
                        "status": f"{rss:.0f} MiB — "
                                  + ("atingida" if rss < 1024 else "NÃO atingida")})
    return out


if __name__ == "__main__":
    sys.exit(main())
