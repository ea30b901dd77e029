#!/usr/bin/env python3
"""Batched peripheral events (models/sync.h) and slice limits given as bounds
(PowerController::extend_slice) against the reference path.

  batched_events.py --ipsim IPSIM --out DIR CASE...     CASE = name:config[:key=value,...]

Each case runs `ipsim run CONFIG` twice, once as is and once with IPSIM_FINE_EVENTS=1 (one
event per LEA output and timer tick, every slice limit computed up front), and compares the
run's results.json: cycles, instructions, sleep, on, off and total time, boots, failures,
inference results, the NVM counters, the LEA per command, the DMA per channel and the energy
must be equal, to the last digit (on an ideal supply the power model keeps exact tallies, so
its sums do not depend on how the stretches were split; under a harvester a sleep is booked
in windows that peripheral events do not end, Msp430Cpu::sleep_in_window), and so must the
timeline.csv of a run that writes one.
So that a case tests something, it also fails with fewer than MIN_WORDS DMA words and no LEA
command (nothing batched; MIN_WORDS 0 skips this), or with fewer than MIN_FAILURES power
failures (slice bounds act near v_off).
"""
import argparse
import json
import os
import subprocess
import sys

EXACT = ["cycles", "instructions", "sleep_s", "total_time_s", "boots", "power_failures",
         "inferences", "nvm", "lea", "dma", "status", "message", "wasted_cycles", "off_time_s",
         "on_time_s", "energy_J"]


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(ipsim, config, sets, out, fine):
    env = dict(os.environ)
    env.pop("IPSIM_FINE_EVENTS", None)
    if fine:
        env["IPSIM_FINE_EVENTS"] = "1"
    cmd = [ipsim, "run", config, "--out", out]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited with {p.returncode}: {p.stderr.strip()[-2000:]}")
    with open(os.path.join(out, "results.json")) as f:
        runs = json.load(f)["runs"]
    if len(runs) != 1:
        fail(f"{config}: expected one run, got {len(runs)}")
    run = runs[0]
    timeline = os.path.join(out, "runs", f"{run['index']}-{run['name']}", "timeline.csv")
    if os.path.exists(timeline):
        with open(timeline, "rb") as f:
            run["timeline.csv"] = f.read()
    return run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--min-words", type=int, default=1000)
    ap.add_argument("--min-failures", type=int, default=0)
    ap.add_argument("cases", nargs="+")
    a = ap.parse_args()
    for case in a.cases:
        parts = case.split(":", 2)
        if len(parts) < 2:
            fail(f"case {case!r}: expected name:config[:key=value,...]")
        name, config = parts[0], parts[1]
        sets = parts[2].split(",") if len(parts) > 2 and parts[2] else []
        batched = run(a.ipsim, config, sets, os.path.join(a.out, name, "batched"), False)
        fine = run(a.ipsim, config, sets, os.path.join(a.out, name, "fine"), True)
        if batched.get("status") != "completed":
            fail(f"{name}: status {batched.get('status')}")
        for key in EXACT + ["timeline.csv"]:
            if batched.get(key) != fine.get(key):
                fail(f"{name}: {key} differs: batched {json.dumps(batched.get(key))[:400]} "
                     f"fine {json.dumps(fine.get(key))[:400]}")
        words = batched["dma"]["words"]
        commands = batched["lea"]["commands"]
        failures = batched["power_failures"]
        if a.min_words > 0 and words < a.min_words and commands == 0:
            fail(f"{name}: only {words} DMA words and no LEA command: nothing batched")
        if failures < a.min_failures:
            fail(f"{name}: only {failures} power failures: slice bounds act near v_off")
        speed = fine["host"]["seconds"] / max(batched["host"]["seconds"], 1e-9)
        print(f"{name}: equal ({batched['cycles']} cycles, {words} DMA words, {commands} LEA "
              f"commands, {failures} power failures); host {fine['host']['seconds']:.2f} s fine, "
              f"{batched['host']['seconds']:.2f} s batched ({speed:.1f}x)")


if __name__ == "__main__":
    main()
