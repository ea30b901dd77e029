#!/usr/bin/env python3
"""ipsim benchmarks; run through scripts/bench, which builds first.

1. Core speed: build/firmware/bench.elf (about 100 M instructions, no multiplier, no upper
   FRAM) under `ipsim exec` with cycle and NVM accounting on, again with --profile, and the
   same ELF under `mspdebug sim`; simulated MIPS of each and the ratio.
2. Intermittent speed: the same ELF under the Mementos RF trace 1 with 100 uF
   (configs/bench_rf.yaml): simulated seconds per host second and MIPS relative to (1).
3. Fast-forward: one hour of the NREL January night on a small solar cell with the idle
   firmware (configs/bench_dark.yaml): host seconds for the simulated hour.

MIPS are computed from CPU time (the machine may be shared), best of --repeat runs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IPSIM = os.path.join(ROOT, "build", "ipsim")
FW = os.path.join(ROOT, "build", "firmware")


def exec_json(*args):
    p = subprocess.run([IPSIM, "exec", *args, "--json"], capture_output=True, text=True,
                       check=True)
    return json.loads(p.stdout)


def best(runs, key):
    return max(runs, key=key)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-mspdebug", action="store_true")
    a = ap.parse_args()
    bench = os.path.join(FW, "bench.elf")

    core = best([exec_json(bench, "--dump", "bench_result") for _ in range(a.repeat)],
                key=lambda r: r["host"]["cpu_mips"])
    if core["stop_reason"] != "exit":
        sys.exit(f"bench.elf did not exit: {core['stop_reason']}")
    n = core["instructions"]
    ipsim_mips = core["host"]["cpu_mips"]
    print(f"core: bench.elf, {n / 1e6:.1f} M instructions, {core['cycles'] / 1e6:.1f} M cycles,"
          f" FRAM fetched {core['nvm']['fetch_bytes'] / 1e6:.1f} MB")
    print(f"  ipsim exec     {ipsim_mips:8.1f} MIPS  ({core['host']['cpu_seconds']:.3f} s CPU,"
          f" {core['host']['mips']:.1f} MIPS wall-clock)")

    # The same run with the per-function profile on (off above: the core's fast loop).
    with tempfile.TemporaryDirectory() as tmp:
        prof = best([exec_json(bench, "--profile", os.path.join(tmp, "p.csv"))
                     for _ in range(a.repeat)], key=lambda r: r["host"]["cpu_mips"])
    print(f"  with --profile {prof['host']['cpu_mips']:8.1f} MIPS"
          f"  ({100 * prof['host']['cpu_mips'] / ipsim_mips:.0f} % of unprofiled)")

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
          f" {rf['host']['cpu_mips']:.1f} MIPS = {100 * rf['host']['cpu_mips'] / ipsim_mips:.0f} %"
          f" of continuous")

    dark = best([exec_json(os.path.join(FW, "idle.elf"), "--power",
                           os.path.join(ROOT, "configs", "bench_dark.yaml"))
                 for _ in range(a.repeat)], key=lambda r: -r["host"]["cpu_seconds"])
    print(f"fast-forward: {dark['sim_time_s'] / 3600:.2f} h of NREL night (off {dark['off_time_s']:.0f} s,"
          f" {dark['power_failures']} power failures) in {dark['host']['cpu_seconds'] * 1e3:.1f} ms CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
