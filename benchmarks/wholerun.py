"""What benchmarks/debita.py and benchmarks/transparencia.py share: a whole run of one
contender as a subprocess (wall time, peak RSS from wait4, the sha256 of the files it wrote)
and the report of the rounds — median, min, peak RSS and the ratio against the hand-written
baseline of the same run, failing when a contender's files differ from the baseline's."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def run_one(name: str, cmd: list[str], work: Path, outputs: Callable[[Path], list[Path]]
            ) -> dict[str, Any]:
    """Run `cmd` (writing into `work / "out"`) and report it; `outputs(out)` names the files
    compared with the baseline's."""
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log = work / "stderr.txt"  # a file, not a pipe: warnings and rejected lines would fill one
    with open(log, "wb") as err_fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err_fh)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
    report: dict[str, Any] = {"name": name, "seconds": seconds,
                              "peak_rss_mib": usage.ru_maxrss / 1024}
    if os.waitstatus_to_exitcode(status) != 0:
        report["error"] = log.read_text(encoding="utf-8", errors="replace")[-2000:]
        return report
    out = work / "out"
    report["outputs"] = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
                         for p in outputs(out)}
    return report


def rounds(names: list[str], repeat: int, one: Callable[[str, int], dict[str, Any]]
           ) -> list[dict[str, Any]]:
    """`repeat` rounds of every contender in turn (`one(name, round)`), each printed."""
    runs = []
    for i in range(repeat):
        for name in names:
            r = one(name, i)
            runs.append(r)
            print(f"{name:13} {r['seconds']:7.2f} s {r['peak_rss_mib']:7.0f} MiB"
                  + (f"  ERRO: {r['error']}" if "error" in r else ""), flush=True)
    return runs


def report(runs: list[dict[str, Any]], names: list[str], json_path: Path | None,
           header: dict[str, Any]) -> int:
    """Print the summary (and write it with `header` to `json_path`); 1 when a run failed,
    the baseline gave no files or a contender's files differ from them."""
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
    if json_path:
        json_path.write_text(json.dumps({**header, "runs": runs, "summary": summary,
                                         "machine": platform.platform(),
                                         "cpus": os.cpu_count()}, indent=2), "utf-8")
    if differ:
        print(f"ERRO: arquivos diferentes dos do baseline: {', '.join(differ)}")
    return 1 if failed or differ or ref is None else 0


def names_of(only: str, contenders: tuple[str, ...], error: Callable[[str], Any]) -> list[str]:
    """The contenders `--only` names (comma-separated), the baseline first in any case: its
    files are the reference; an unknown name is `error`'s (argparse's)."""
    names = [n for n in only.split(",") if n]
    unknown = sorted(set(names) - set(contenders))
    if unknown:
        error(f"contendores desconhecidos: {', '.join(unknown)}")
    return names if "baseline" in names else ["baseline", *names]
