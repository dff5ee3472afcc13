#!/usr/bin/env python3
"""Benchmark: the SIOPS despesa files (one .IMPT per planilha and município) over generated
movements and dotação, apura's `despesa/*` nodes against the hand-written DuckDB baseline
(benchmarks/siops_despesa_baseline.py, also the oracle of the tests).

Usage:
    .venv/bin/python benchmarks/siops_despesa.py [--rows 1000000] [--municipios 50]
        [--exercicio 2021] [--bimestre 6] [--repeat 3] [--backend duckdb]
        [--only baseline,apura] [--data DIR] [--json results.json]

The data (despesa_movimento N rows, dotacao N/10, equivalencia_recursos) is written by
fixtures/siops/generate_bimestre.py --dotacao into a temporary folder (or into --data DIR,
kept and reused while the generator is unchanged). Each run is a fresh process, baseline and
apura interleaved; the parent reads each process's peak RSS with os.wait4. The baseline's
worker times `despesa_files` only (DuckDB imported before the clock starts); apura is timed
as the whole `apura run` command (interpreter start-up, imports, reading, writing the files:
an upper bound of what the baseline's figure measures). apura's files must be the baseline's,
byte for byte (sha256 per file); a mismatch or an error exits 1. Until the `sheets` kind
lands, the package has no `despesa/*` node and apura is skipped with a message.

`--whole`: apura computes the whole bimester set instead (no `--select`: despesa, receitas,
restos, caixa, compensação files and every conferência the view has), over the same movements
plus the generator's restos_a_pagar, contas and equivalencia_contas and its compensação rows;
`receita` and the COVID `despesa` are given with their header only (there is no generator of
receitas at this scale, and the view requires both), and gaps are allowed (`--allow-gaps`: the
generator's account outside the Contas de-para is one, on purpose). The baseline still
computes the despesa files only; apura's despesa files must equal its bytes, and the other
files are counted.
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

GENERATOR = ROOT / "fixtures" / "siops" / "generate_bimestre.py"
PACKAGE = ROOT / "generated" / "siops"
SELECT = "despesa/*"
INPUTS = ("despesa_movimento", "dotacao", "equivalencia_recursos")
# --whole: what else the generator writes, and an empty receita (the view requires it)
WHOLE_INPUTS = INPUTS + ("restos_a_pagar", "contas", "equivalencia_contas", "receita", "despesa")
# the COVID ledgers, header only (the quadros of 2020 on need them; no COVID rows at this scale)
HEADERS = {"receita": "municipio;entidade;exercicio;data;rubrica;recurso;covid;covid_siops_rec;"
                      "previsto_inicial;previsto_atualizado;arrecadado\n",
           "despesa": "municipio;entidade;exercicio;empenho;data;funcao;subfuncao;natureza;"
                      "recurso;saude;covid;covid_siops_desp;empenhado;anulado_empenho;"
                      "liquidado;anulado_liquidacao;pago;anulado_pagamento\n"}
BUNDLE_FILES = {"Siops.zip", "manifesto.csv", "proveniencia.csv"}
# apura: the `apura run` command, whole; apura_run: Program.run in a worker, timed like the
# baseline (imports and loading before the clock, outputs in memory, nothing written)
CONTENDERS = ("baseline", "apura", "apura_run")


class Skip(Exception):
    """apura cannot run this benchmark yet (no `despesa/*` node in the package)."""


# ---------------------------------------------------------------- data
def generate(folder: Path, rows: int, municipios: int, seed: int, whole: bool = False) -> Path:
    """Generate (once per generator version) the inputs into `folder` (`whole`: with the
    compensação rows and an empty receita)."""
    gen_hash = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:12]
    stamp = folder / ".complete"
    want = f"{gen_hash} {rows} {municipios} {seed}" + (" whole" if whole else "")
    if stamp.is_file() and stamp.read_text() == want:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    print(f"gerando {rows} movimentos (+ dotação), {municipios} municípios em {folder} ...",
          flush=True)
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(folder), "--rows", str(rows),
                    "--municipios", str(municipios), "--seed", str(seed), "--dotacao",
                    *(["--compensacao"] if whole else [])], check=True)
    if whole:
        for name, header in HEADERS.items():
            (folder / f"{name}.csv").write_text(header, encoding="utf-8")
    stamp.write_text(want)
    return folder


def count_rows(folder: Path) -> int:
    """Ledger rows scanned: despesa_movimento + dotacao (the equivalência is a small map)."""
    total = 0
    for name in ("despesa_movimento", "dotacao"):
        with open(folder / f"{name}.csv", "rb") as fh:
            total += sum(buf.count(b"\n") for buf in iter(lambda: fh.read(1 << 20), b"")) - 1
    return total


def hashes(files: dict[str, bytes]) -> dict[str, str]:
    return {k: hashlib.sha256(v).hexdigest() for k, v in sorted(files.items())}


# ---------------------------------------------------------------- baseline (worker process)
def worker(folder: Path, exercicio: int, bimestre: int) -> int:
    import duckdb  # noqa: F401 - imported before the clock, as siops_covid.py does

    from benchmarks import siops_despesa_baseline as baseline

    report: dict[str, Any] = {"name": "baseline"}
    try:
        inputs = {n: folder / f"{n}.csv" for n in INPUTS}
        t0 = time.perf_counter()
        files = baseline.despesa_files(inputs, baseline.TABLES_2019,
                                       baseline.year_view(exercicio), exercicio, bimestre)
        report["seconds"] = time.perf_counter() - t0
        report["outputs"] = hashes(files)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
        report["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(report))
    return 0


def apura_worker(folder: Path, exercicio: int, bimestre: int, backend: str,
                 whole: bool = False) -> int:
    """apura in process: `Program.run(select="despesa/*")` (`whole`: no selection), outputs
    kept in memory."""
    import duckdb  # noqa: F401 - imported before the clock, as for the baseline

    import runtime

    report: dict[str, Any] = {"name": "apura_run"}
    try:
        program = runtime.load(PACKAGE)
        inputs = {n: folder / f"{n}.csv" for n in (WHOLE_INPUTS if whole else INPUTS)}
        t0 = time.perf_counter()
        result = program.run(ledgers=inputs, params={"exercicio": exercicio,
                                                     "bimestre": bimestre},
                             select=None if whole else SELECT, backend=backend,
                             allow_gaps=whole)
        report["seconds"] = time.perf_counter() - t0
        report["outputs"] = hashes({k: v for k, v in result.outputs.items()
                                    if Path(k).name not in BUNDLE_FILES})
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the run
        report["error"] = f"{type(exc).__name__}: {exc}"
    print(json.dumps(report))
    return 0


def _wait(proc: subprocess.Popen[bytes]) -> tuple[int, int]:
    """Exit code and peak RSS (KiB) of this child only (wait4, not wait)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


def run_baseline(folder: Path, exercicio: int, bimestre: int,
                 apura_backend: str | None = None, whole: bool = False) -> dict[str, Any]:
    """A worker process: the baseline, or (`apura_backend`) apura's Program.run."""
    name = "baseline" if apura_backend is None else "apura_run"
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", "--data", str(folder),
           "--exercicio", str(exercicio), "--bimestre", str(bimestre)]
    if apura_backend is not None:
        cmd += ["--backend", apura_backend, "--worker-apura", *(["--whole"] if whole else [])]
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, cwd=ROOT)
        stdout = proc.stdout.read()  # type: ignore[union-attr]
        code, rss = _wait(proc)
        err.seek(0)
        stderr = err.read()
    try:
        report: dict[str, Any] = json.loads(stdout.decode().strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        report = {"name": name, "error": f"o worker saiu com {code}: "
                  + stderr.decode(errors="replace")[-2000:]}
    report["maxrss_kib"] = rss
    return report


# ---------------------------------------------------------------- apura
def despesa_nodes(exercicio: int, bimestre: int) -> list[str]:
    """The ids of the compiled package's nodes (layouts and any other kind) that `--select
    despesa/*` picks in the view of these parameters."""
    import fnmatch

    import runtime

    program = runtime.load(PACKAGE)
    view = program.view_for({"exercicio": exercicio, "bimestre": bimestre})
    ids = {n.id for n in getattr(view.package, "nodes", ())} | {lay.id for lay in view.layouts}
    return sorted(i for i in ids if fnmatch.fnmatchcase(i, SELECT))


def run_apura(folder: Path, exercicio: int, bimestre: int, backend: str,
              out: Path, whole: bool = False) -> dict[str, Any]:
    """>>> apura's side <<<: `apura run siops --select 'despesa/*'` over the generated inputs,
    timed as a whole command, in a fresh process (peak RSS by wait4). Raises Skip while the
    package has no `despesa/*` node (the `sheets` kind has not landed)."""
    nodes = despesa_nodes(exercicio, bimestre)
    if not nodes:
        raise Skip(f"o pacote siops ({PACKAGE.relative_to(ROOT)}) não tem nó que case com "
                   f"'{SELECT}' na visão de {exercicio}: o kind `sheets` (despesa/execucao...) "
                   f"ainda não chegou; recompile (make generate) quando chegar")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    apura = Path(sys.executable).with_name("apura")
    cmd = [str(apura) if apura.is_file() else "apura", "run", "siops",
           *(["--allow-gaps"] if whole else ["--select", SELECT]),
           "--param", f"exercicio={exercicio}", "--param", f"bimestre={bimestre}",
           "--backend", backend, "--out", str(out / "files"),
           "--state", str(out / "state.sqlite")]
    for name in (WHOLE_INPUTS if whole else INPUTS):
        cmd += ["--input", f"{name}={folder / f'{name}.csv'}"]
    t0 = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        code, rss = _wait(proc)
        seconds = time.perf_counter() - t0
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    report: dict[str, Any] = {"name": "apura", "maxrss_kib": rss, "nodes": nodes}
    if code != 0:
        report["error"] = f"apura run saiu com {code}: {stderr[-2000:]}"
        return report
    files = {str(p.relative_to(out / "files")): p.read_bytes()
             for p in sorted((out / "files").rglob("*"))
             if p.is_file() and p.name not in BUNDLE_FILES and not p.name.startswith(".")}
    report.update(seconds=seconds, outputs=hashes(files))
    return report


# ---------------------------------------------------------------- report
def machine() -> dict[str, Any]:
    cpu = "?"
    try:
        for text in Path("/proc/cpuinfo").read_text().splitlines():
            if text.startswith("model name"):
                cpu = text.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "duckdb": version("duckdb")}


def summarise(runs: list[dict[str, Any]], rows: int) -> dict[str, Any]:
    ok = [r for r in runs if "seconds" in r]
    s: dict[str, Any] = {"runs": runs}
    for key in ("skipped", "error"):
        if any(key in r for r in runs):
            s[key] = next(r[key] for r in runs if key in r)
    if ok:
        times = [r["seconds"] for r in ok]
        s.update(min_s=min(times), median_s=statistics.median(times),
                 rows_per_s=rows / min(times),
                 maxrss_mib=max(r["maxrss_kib"] for r in ok) / 1024)
    return s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="movimentos (dotação: N/10)")
    ap.add_argument("--municipios", type=int, default=50)
    ap.add_argument("--seed", type=int, default=9)
    ap.add_argument("--exercicio", type=int, default=2021)
    ap.add_argument("--bimestre", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--backend", default="duckdb", choices=("python", "duckdb", "spark", "auto"))
    ap.add_argument("--only", help="baseline,apura,apura_run (padrão: todos)")
    ap.add_argument("--data", type=Path, help="pasta dos dados (mantida; padrão: temporária)")
    ap.add_argument("--json", type=Path, help="grava os resultados neste arquivo")
    ap.add_argument("--whole", action="store_true",
                    help="apura calcula o conjunto inteiro do bimestre (sem --select)")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker-apura", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker and args.worker_apura:
        return apura_worker(args.data, args.exercicio, args.bimestre, args.backend,
                            args.whole)
    if args.worker:
        return worker(args.data, args.exercicio, args.bimestre)
    names = list(CONTENDERS) if not args.only else [n.strip() for n in args.only.split(",")]
    if set(names) - set(CONTENDERS):
        ap.error(f"contenders: {', '.join(CONTENDERS)}")
    with tempfile.TemporaryDirectory(prefix="siops-despesa-") as tmp:
        folder = generate(args.data or Path(tmp) / "data", args.rows, args.municipios,
                          args.seed, args.whole)
        return measure(args, names, folder, Path(tmp) / "apura")


def measure(args: argparse.Namespace, names: list[str], folder: Path, out: Path) -> int:
    rows = count_rows(folder)
    info = machine()
    e, b = args.exercicio, args.bimestre
    print(f"máquina: {info['nproc']} núcleos, {info['cpu']}, Python {info['python']}, "
          f"duckdb {info['duckdb']}")
    print(f"dados: {rows} linhas (movimentos + dotação), {args.municipios} municípios; "
          f"exercício {e}, bimestre {b}; apura --backend {args.backend}", flush=True)
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    reference: dict[str, str] | None = None
    for rep in range(args.repeat):
        for n in names:
            if n == "baseline":
                r = run_baseline(folder, e, b)
            elif n == "apura_run":
                r = run_baseline(folder, e, b, apura_backend=args.backend, whole=args.whole)
            else:
                try:
                    r = run_apura(folder, e, b, args.backend, out, args.whole)
                except Skip as exc:
                    r = {"name": "apura", "skipped": str(exc)}
            results[n].append(r)
            state = (f"{r['seconds']:.3f}s" if "seconds" in r else
                     "pulado" if "skipped" in r else "ERRO")
            rss = f"RSS {r['maxrss_kib'] / 1024:7.1f} MiB" if "maxrss_kib" in r else ""
            print(f"  [{rep + 1}/{args.repeat}] {n:<9} {state:>10}  {rss}", flush=True)
    if "baseline" not in names:  # the reference, untimed
        reference = run_baseline(folder, e, b).get("outputs")
    else:
        reference = next((r["outputs"] for r in results.get("baseline", []) if "outputs" in r),
                         None)
    summary = {n: summarise(results[n], rows) for n in names}
    failed = False
    for n in names:
        s = summary[n]
        got = [r["outputs"] for r in results[n] if "outputs" in r]
        if args.whole and reference is not None and n != "baseline":
            # the despesa files against the baseline's; the others counted
            s["other_files"] = max((len(set(g) - set(reference)) for g in got), default=0)
            got = [{k: v for k, v in g.items() if k in reference
                    or Path(k).name[:1].isdigit()} for g in got]
        if "skipped" in s:
            s["check"] = "skipped"
        elif "error" in s or not got or reference is None:
            s["check"] = "error"
            failed = True
        elif all(g == reference for g in got):
            s["check"] = "ok"
        else:
            bad = next(g for g in got if g != reference)
            s["check"] = "mismatch"
            s["differs"] = sorted(k for k in set(reference) | set(bad)
                                  if reference.get(k) != bad.get(k))
            failed = True
    base = summary.get("baseline", {}).get("min_s")
    print()
    print(f"{'contender':<10} {'min s':>9} {'mediana s':>10} {'linhas/s':>12} {'×baseline':>10} "
          f"{'pico RSS':>10}  sha256")
    for n in names:
        s = summary[n]
        mark = {"ok": "✓", "mismatch": "✗", "error": "✗ erro", "skipped": "pulado"}[s["check"]]
        if "min_s" not in s:
            print(f"{n:<10} {'—':>9} {'—':>10} {'—':>12} {'—':>10} {'—':>10}  {mark}")
            continue
        s["ratio_baseline"] = s["min_s"] / base if base else None
        ratio = f"{s['ratio_baseline']:.2f}×" if s["ratio_baseline"] else "—"
        print(f"{n:<10} {s['min_s']:>9.3f} {s['median_s']:>10.3f} {s['rows_per_s']:>12,.0f} "
              f"{ratio:>10} {s['maxrss_mib']:>7.0f} MiB  {mark}")
    print()
    for n in names:
        s = summary[n]
        if "skipped" in s:
            print(f"nota: {n} pulado — {s['skipped']}")
        if "error" in s:
            print(f"✗ {n}: {s['error']}")
        if s.get("differs"):
            print(f"✗ {n}: {len(s['differs'])} arquivo(s) diferem do baseline, p.ex. "
                  f"{', '.join(s['differs'][:5])}")
    if reference is not None:
        print(f"baseline: {len(reference)} arquivo(s) .IMPT")
    for n in names:
        if "other_files" in summary[n]:
            print(f"{n}: mais {summary[n]['other_files']} arquivo(s) do conjunto do bimestre "
                  f"(receitas, restos, caixa, compensação)")
    print("ratio: tempo mínimo de apura (o comando inteiro) / tempo mínimo do baseline (só "
          "despesa_files), na mesma execução; linhas/s pelo tempo mínimo.")
    if args.json:
        for s in summary.values():
            for r in s["runs"]:
                if "outputs" in r:
                    files = r.pop("outputs")
                    r["files"] = len(files)
                    r["outputs_digest"] = hashlib.sha256("".join(
                        f"{k} {v}\n" for k, v in sorted(files.items())).encode()).hexdigest()
        payload = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
                   "machine": info, "rows_arg": args.rows, "municipios": args.municipios,
                   "seed": args.seed, "repeat": args.repeat, "exercicio": e, "bimestre": b,
                   "backend": args.backend, "rows": rows, "contenders": summary}
        args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        print(f"\nresultados em {args.json}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
