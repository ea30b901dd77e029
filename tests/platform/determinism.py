#!/usr/bin/env python3
"""Determinism: the same config and seed give byte-identical results (design.md §2).

Runs each config twice into separate directories and compares results.json with the host
timings removed (host.seconds and host.mips measure the machine, not the simulation) and the
output paths removed; timeline.csv files must be byte-identical. A different seed must change
the result of a run with randomness (failure injection).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(ipsim, config, out, *sets):
    cmd = [ipsim, "run", config, "--out", out]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr[-3000:]}")
    with open(os.path.join(out, "results.json")) as f:
        data = json.load(f)
    for r in data["runs"]:
        r.pop("host", None)
    data.pop("config", None)  # echoes the output directory
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("configs", nargs="+")
    a = ap.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        for i, config in enumerate(a.configs):
            first = run(a.ipsim, config, os.path.join(tmp, f"{i}a"))
            second = run(a.ipsim, config, os.path.join(tmp, f"{i}b"))
            if first != second:
                print(f"FAIL {config}: results differ between two identical runs")
                failures += 1
                continue
            for r in first["runs"]:
                stem = f"{r['index']}-{r['name']}"
                ta = os.path.join(tmp, f"{i}a", "runs", stem, "timeline.csv")
                tb = os.path.join(tmp, f"{i}b", "runs", stem, "timeline.csv")
                if os.path.exists(ta) and open(ta, "rb").read() != open(tb, "rb").read():
                    print(f"FAIL {config}: {stem}/timeline.csv differs")
                    failures += 1
            other = run(a.ipsim, config, os.path.join(tmp, f"{i}c"), "seed=12345")
            if other == first and any(r.get("power_failures", 0) for r in first["runs"]):
                print(f"FAIL {config}: another seed gave the same result")
                failures += 1
            print(f"ok   {config}: {len(first['runs'])} runs identical;"
                  f" power failures {[r.get('power_failures') for r in first['runs']]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
