#!/usr/bin/env python3
"""ipsim benchmarks; run through scripts/bench, which builds first.

1. Core speed: build/firmware/bench.elf (about 100 M instructions, no multiplier, no upper
   FRAM) under `ipsim exec` with cycle and NVM accounting on, again with --profile, and the
   same ELF under `mspdebug sim`; simulated MIPS of each and the ratio.
2. Intermittent speed: the same ELF under the Mementos RF trace 1 with 100 uF
   (configs/bench_rf.yaml, 400 s: about as many instructions as (1)): simulated seconds per
   host second and MIPS relative to (1), also as the median of interleaved pairs of the two.
3. Fast-forward: one hour of the NREL January night on a small solar cell with the idle
   firmware (configs/bench_dark.yaml): host seconds for the simulated hour.

4. Experiments (skip with --no-experiments, or run only these with --only-experiments):
   configs/quickstart.yaml and configs/paper.yaml (its 870 runs, both NVM kinds, take about
   an hour of CPU; skipped by --quick and --skip-paper) under `ipsim sweep --jobs 2`; the host time per simulated inference of every (network, strategy, kernel) image
   in build/firmware under continuous power; how the host time of one run grows with its
   inferences (quickstart's RF setting with its timeline, 1, 10 and 32 inferences: the
   firmware's limit, workload.h; 100 as 4 runs of 25) and with the length of the trace it
   plays (synthetic power traces of 10 k, 100 k and 1 M rows, 10 M with --big, each played
   for its duration with the timeline on; also the peak RSS of ipsim and its worker).
   With --perf, the largest case of each experiment runs under `perf record` (499 Hz, its
   CPU time is still reported) and the functions with most of its samples are printed; the
   slowest image of the per-inference table runs once more under it.

MIPS are computed from CPU time (the machine may be shared), best of --repeat runs. The core
figure is the whole process's CPU time (start-up, ELF load and reports included); the profile
and intermittent figures compare the runs alone (`ipsim exec`'s own clock, without start-up). The
experiments report CPU time of ipsim and all its workers (user + system, from the kernel's
accounting of waited-for children), one run each, and the load average when they started.
"""
import argparse
import glob
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSIM = os.path.join(ROOT, "build", "ipsim")
FW = os.path.join(ROOT, "build", "firmware")


def exec_json(*args):
    """`ipsim exec ... --json`; adds process_cpu_seconds: the CPU time of the whole process
    (start-up, ELF load and reports included), from the kernel's accounting of the child."""
    c0 = children_cpu()
    p = subprocess.run([IPSIM, "exec", *args, "--json"], capture_output=True, text=True,
                       check=True)
    r = json.loads(p.stdout)
    r["process_cpu_seconds"] = children_cpu() - c0
    return r


def best(runs, key):
    return max(runs, key=key)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, perf=None, **kw):
    """Runs cmd; returns (CPU s of it and its descendants, wall s, CompletedProcess). With
    perf=LABEL the command runs under perf record instead and its profile is printed."""
    if perf:
        return profile(perf, cmd)
    c0, w0 = children_cpu(), time.monotonic()
    p = subprocess.run(cmd, capture_output=True, text=True, **kw)
    return children_cpu() - c0, time.monotonic() - w0, p


PERF_TOP = 8


def profile(label, cmd):
    """perf record (all processes the command starts), then the top functions by self time."""
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "perf.data")
        c0, w0 = children_cpu(), time.monotonic()
        p = subprocess.run(["perf", "record", "-q", "-F", "499", "-o", data, "--", *cmd],
                           capture_output=True, text=True)
        cpu, wall = children_cpu() - c0, time.monotonic() - w0
        r = subprocess.run(["perf", "report", "-i", data, "--stdio", "--no-children", "-q",
                            "--sort", "symbol", "--percent-limit", "1.5"],
                           capture_output=True, text=True)
        lines = [l.strip() for l in r.stdout.splitlines() if re.match(r"\s*[0-9.]+%", l)]
        print(f"  perf ({label}): top functions by self time")
        for l in lines[:PERF_TOP]:
            pct, sym = l.split(None, 1)
            sym = re.sub(r"^\[[.k]\]\s*", "", sym)
            sym = re.sub(r"(\s+-)+\s*$", "", sym).strip()
            print(f"    {pct:>7}  {sym[:110]}")
        if not lines:
            print(f"    (no samples: {(r.stderr or p.stderr).strip()[:200]})")
        return cpu, wall, p


def load_avg():
    return os.getloadavg()[0]


def sweep(config, out, *sets, jobs=2, perf=None):
    cmd = [IPSIM, "sweep", config, "--out", out, "--jobs", str(jobs)]
    for s_ in sets:
        cmd += ["--set", s_]
    shutil.rmtree(out, ignore_errors=True)
    cpu, wall, p = timed(cmd, perf=perf)
    path = os.path.join(out, "results.json")
    if not os.path.exists(path):
        sys.exit(f"{' '.join(cmd)} wrote no results: {p.stderr.strip()[-400:]}")
    with open(path) as f:
        runs = json.load(f)["runs"]
    return cpu, wall, runs


def statuses(runs):
    counts = {}
    for r in runs:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


def inferences_done(runs):
    return sum(len(r.get("inferences") or []) for r in runs)


def instructions(runs):
    return sum(r.get("instructions") or 0 for r in runs)


def images():
    """(network, strategy, kernel) of every inference image the build made."""
    out = []
    for path in sorted(glob.glob(os.path.join(FW, "infer_*.elf"))):
        m = re.match(r"infer_([a-z0-9]+)_(.+)_(cpu|lea_mac|lea_fir)\.elf$", os.path.basename(path))
        if m:
            out.append((m.group(1), m.group(2).replace("_", "-"), m.group(3).replace("_", "-")))
    return out


def write_power_trace(path, rows):
    """A power trace of `rows` samples 1 ms apart, between 0.1 and 1.5 mW (RF-like bursts)."""
    with open(path, "w") as f:
        f.write("time_s,power_W\n")
        chunk = []
        for i in range(rows):
            chunk.append(f"{i * 1e-3:.3f},{1e-4 * (1 + (i * 7919) % 15):.4g}\n")
            if len(chunk) == 100000:
                f.write("".join(chunk))
                chunk = []
        f.write("".join(chunk))


def experiments(a, tmp):
    perf = a.perf
    cfg = os.path.join(ROOT, "configs")
    print(f"experiments: CPU time of ipsim and its workers; load average {load_avg():.1f}"
          f" on {os.cpu_count()} CPUs at the start")

    cpu, wall, runs = sweep(os.path.join(cfg, "quickstart.yaml"), os.path.join(tmp, "qs"),
                            perf=perf and "quickstart.yaml")
    print(f"  quickstart.yaml --jobs 2: {len(runs)} runs ({statuses(runs)}),"
          f" {cpu:.2f} s CPU, {wall:.2f} s wall")
    if not a.quick and not a.skip_paper:
        load = load_avg()
        cpu, wall, runs = sweep(os.path.join(cfg, "paper.yaml"), os.path.join(tmp, "paper"),
                                perf=perf and "paper.yaml")
        print(f"  paper.yaml --jobs 2: {len(runs)} runs ({statuses(runs)}),"
              f" {cpu:.1f} s CPU, {wall:.1f} s wall (load {load:.1f} at its start),"
              f" {instructions(runs) / 1e9:.2f} G instructions,"
              f" {instructions(runs) / cpu / 1e6:.1f} MIPS per CPU")

    print("per inference: one inference of input 0 under continuous power, 16 MHz"
          " (ipsim run, one process per image)")
    print(f"  {'network':8} {'strategy':21} {'kernel':8} {'M instr':>9} {'CPU s':>8}"
          f" {'CPU s/inf':>10} {'MIPS':>7}")
    base = [f"--set={x}" for x in ("sweep=null", "source={type: continuous}",
                                   "workload.inferences=1", "workload.inputs=[0]")]
    slowest = None
    for net, strat, kern in images():
        out = os.path.join(tmp, f"one-{net}-{strat}-{kern}")
        cpu, wall, runs = sweep(os.path.join(cfg, "paper.yaml"), out, "workload.network=" + net,
                                "workload.strategy=" + strat, "workload.kernel=" + kern,
                                *[b[6:] for b in base], jobs=1)
        r = runs[0]
        n = instructions(runs)
        inf = max(1, inferences_done(runs))
        note = "" if r["status"] == "completed" else f"  ({r['status']})"
        print(f"  {net:8} {strat:21} {kern:8} {n / 1e6:9.2f} {cpu:8.3f} {cpu / inf:10.3f}"
              f" {n / cpu / 1e6:7.1f}{note}")
        if slowest is None or cpu > slowest[0]:
            slowest = (cpu, net, strat, kern)
    if perf and slowest:
        _, net, strat, kern = slowest
        sweep(os.path.join(cfg, "paper.yaml"), os.path.join(tmp, "one-perf"),
              "workload.network=" + net, "workload.strategy=" + strat, "workload.kernel=" + kern,
              *[b[6:] for b in base], jobs=1, perf=f"{net} {strat} {kern}, the slowest image")

    print("growth with inferences per run: quickstart.yaml's RF setting, mnist depth-first,"
          " timeline on (ipsim run)")
    qs = os.path.join(cfg, "quickstart.yaml")
    points = [1, 10, 32]
    first = None
    for n in points:
        cpu, wall, runs = sweep(qs, os.path.join(tmp, f"inf{n}"), "sweep=null",
                                f"workload.inferences={n}", jobs=1,
                                perf=perf and n == points[-1] and f"{n} inferences")
        r = runs[0]
        done = inferences_done(runs)
        first = first or (cpu, done)
        marginal = (cpu - first[0]) / (done - first[1]) if done > first[1] else float("nan")
        print(f"  {n:3} inferences: {cpu:7.3f} s CPU, {done} done ({r['status']}),"
              f" {cpu / max(1, done):.4f} s per inference, marginal {marginal:.4f} s,"
              f" {r.get('total_time_s', 0):.1f} s simulated")
    if not a.quick:
        cpu, wall, runs = sweep(qs, os.path.join(tmp, "inf100"), "sweep={seed: [1, 2, 3, 4]}",
                                "workload.inferences=25", jobs=1)
        done = inferences_done(runs)
        print(f"  100 inferences as 4 runs of 25 (the firmware runs at most 32): {cpu:7.3f} s CPU,"
              f" {done} done ({statuses(runs)}), {cpu / max(1, done):.4f} s per inference")

    print("growth with trace length: idle.elf on a synthetic power trace (1 ms samples) for the"
          " trace's duration, timeline on (ipsim run; peak RSS of ipsim and its worker)")
    sizes = [10_000, 100_000, 1_000_000] + ([10_000_000] if a.big else [])
    if a.quick:
        sizes = sizes[:2]
    first = None
    for rows in sizes:
        trace = os.path.join(tmp, f"trace{rows}.csv")
        write_power_trace(trace, rows)
        yaml = os.path.join(tmp, f"trace{rows}.yaml")
        with open(yaml, "w") as f:
            f.write(f"name: trace{rows}\ntime_limit: {rows}ms\n"
                    "outputs: {timeline_csv: true, timeline_decimation: 1ms}\n"
                    "platform:\n  capacitor: {capacitance: 100uF}\n"
                    f"source:\n  type: trace\n  file: {trace}\n  harvester: {{model: power}}\n"
                    f"workload:\n  firmware: {os.path.join(FW, 'idle.elf')}\n"
                    "  strategy: continuous\n")
        out = os.path.join(tmp, f"trace{rows}")
        cmd = ["/usr/bin/time", "-f", "%M", IPSIM, "run", yaml, "--out", out]
        cpu, wall, p = timed(cmd, perf=perf and rows == sizes[-1] and f"{rows:,}-row trace")
        if p.returncode != 0:
            sys.exit(f"{' '.join(cmd)} failed: {p.stderr.strip()[-400:]}")
        with open(os.path.join(out, "results.json")) as f:
            r = json.load(f)["runs"][0]
        rss_mb = int(p.stderr.strip().splitlines()[-1]) / 1024
        first = first or (cpu, rows)
        marginal = (1e6 * (cpu - first[0]) / (rows - first[1])) if rows > first[1] else float("nan")
        print(f"  {rows:>10,} rows: {cpu:7.3f} s CPU, {1e6 * cpu / rows:6.2f} us per row"
              f" (marginal {marginal:.2f}), peak RSS {rss_mb:6.1f} MB,"
              f" {r['total_time_s']:.0f} s simulated ({r['status']}),"
              f" {r['power_failures']} power failures")
        os.remove(trace)
        shutil.rmtree(out, ignore_errors=True)


def main():
    global IPSIM
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-mspdebug", action="store_true")
    ap.add_argument("--no-experiments", action="store_true",
                    help="only the core, intermittent and fast-forward figures")
    ap.add_argument("--only-experiments", action="store_true",
                    help="only the experiment figures (4.)")
    ap.add_argument("--quick", action="store_true",
                    help="experiments without paper.yaml, 100 inferences and the 1 M-row trace")
    ap.add_argument("--skip-paper", action="store_true", help="experiments without paper.yaml")
    ap.add_argument("--big", action="store_true", help="also a 10 M-row trace")
    ap.add_argument("--perf", action="store_true",
                    help="profile each experiment with perf record and print its top functions")
    ap.add_argument("--ipsim", help="the ipsim binary (default build/ipsim)")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep the experiments' outputs in DIR (paper/results.json, ...)")
    a = ap.parse_args()
    IPSIM = a.ipsim or IPSIM
    if a.perf and not shutil.which("perf"):
        sys.exit("--perf needs perf (Debian: linux-perf)")
    if not a.only_experiments:
        core_figures(a)
    if not a.no_experiments:
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            experiments(a, a.keep)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                experiments(a, tmp)
    return 0


def core_figures(a):
    bench = os.path.join(FW, "bench.elf")

    core = best([exec_json(bench, "--dump", "bench_result") for _ in range(a.repeat)],
                key=lambda r: -r["process_cpu_seconds"])
    if core["stop_reason"] != "exit":
        sys.exit(f"bench.elf did not exit: {core['stop_reason']}")
    n = core["instructions"]
    ipsim_mips = n / core["process_cpu_seconds"] / 1e6
    print(f"core: bench.elf, {n / 1e6:.1f} M instructions, {core['cycles'] / 1e6:.1f} M cycles,"
          f" FRAM fetched {core['nvm']['fetch_bytes'] / 1e6:.1f} MB")
    print(f"  ipsim exec     {ipsim_mips:8.1f} MIPS  ({core['process_cpu_seconds']:.3f} s CPU of"
          f" the whole process; the run alone {core['host']['cpu_mips']:.1f} MIPS,"
          f" {core['host']['mips']:.1f} MIPS wall-clock)")

    # The same run with the per-function profile on (off above: the core's fast loop).
    with tempfile.TemporaryDirectory() as tmp:
        prof = best([exec_json(bench, "--profile", os.path.join(tmp, "p.csv"))
                     for _ in range(a.repeat)], key=lambda r: r["host"]["cpu_mips"])
    run_mips = core["host"]["cpu_mips"]  # the run alone, as the figures below
    print(f"  with --profile {prof['host']['cpu_mips']:8.1f} MIPS"
          f"  ({100 * prof['host']['cpu_mips'] / run_mips:.0f} % of unprofiled, the runs alone)")

    if not a.skip_mspdebug:
        p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "bench_mspdebug.py"),
                            bench, "--stop", "exit", "--instructions", str(n),
                            "--repeat", str(a.repeat), "--json"],
                           capture_output=True, text=True)
        if p.returncode != 0:
            print(f"  mspdebug sim   failed: {p.stderr.strip()}")
        else:
            m = json.loads(p.stdout)
            print(f"  mspdebug sim   {m['mips']:8.1f} MIPS  ({m['seconds']:.3f} s)")
            print(f"  ratio          {ipsim_mips / m['mips']:8.1f} x")

    rf = best([exec_json(bench, "--power", os.path.join(ROOT, "configs", "bench_rf.yaml"))
               for _ in range(a.repeat)], key=lambda r: r["host"]["cpu_mips"])
    cpu = rf["host"]["cpu_seconds"]
    print(f"intermittent: bench.elf on mementos_1 with 100 uF, {rf['sim_time_s']:.0f} s simulated,"
          f" {rf['power_failures']} power failures, on {rf['on_time_s']:.2f} s")
    print(f"  {rf['sim_time_s'] / cpu:10.1f} simulated s per host s,"
          f" {rf['host']['cpu_mips']:.1f} MIPS = {100 * rf['host']['cpu_mips'] / run_mips:.0f} %"
          f" of continuous (the runs alone); whole process"
          f" {rf['instructions'] / rf['process_cpu_seconds'] / 1e6:.1f} MIPS")

    # The same ratio from interleaved pairs (continuous, then intermittent): on a shared
    # machine whose speed drifts over minutes, the median of the pairs' ratios is steadier
    # than two best-of figures taken minutes apart.
    alone, whole = [], []
    for _ in range(max(a.repeat, 5)):
        c = exec_json(bench)
        r = exec_json(bench, "--power", os.path.join(ROOT, "configs", "bench_rf.yaml"))
        alone.append(r["host"]["cpu_mips"] / c["host"]["cpu_mips"])
        whole.append((r["instructions"] / r["process_cpu_seconds"]) /
                     (c["instructions"] / c["process_cpu_seconds"]))
    print(f"  paired with continuous runs ({len(alone)} pairs, median): "
          f"{100 * statistics.median(alone):.0f} % the runs alone,"
          f" {100 * statistics.median(whole):.0f} % whole process")

    dark = best([exec_json(os.path.join(FW, "idle.elf"), "--power",
                           os.path.join(ROOT, "configs", "bench_dark.yaml"))
                 for _ in range(a.repeat)], key=lambda r: -r["host"]["cpu_seconds"])
    print(f"fast-forward: {dark['sim_time_s'] / 3600:.2f} h of NREL night (off {dark['off_time_s']:.0f} s,"
          f" {dark['power_failures']} power failures) in {dark['host']['cpu_seconds'] * 1e3:.1f} ms CPU")


if __name__ == "__main__":
    sys.exit(main())
