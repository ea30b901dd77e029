#!/usr/bin/env python3
"""Runs `ipsim run CONFIG --out DIR` and checks DIR/results.json: every run completed, every
inference bit-identical to the host golden model, and at least --min-failures power failures."""
import argparse
import json
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipsim")
    ap.add_argument("config")
    ap.add_argument("out")
    ap.add_argument("--min-failures", type=int, default=0)
    a = ap.parse_args()
    subprocess.run([a.ipsim, "run", a.config, "--out", a.out], check=True)
    with open(a.out + "/results.json") as f:
        runs = json.load(f)["runs"]
    errors = []
    for r in runs:
        name = r.get("name")
        if r.get("status") != "completed":
            errors.append(f"{name}: status {r.get('status')} ({r.get('error')})")
        infs = r.get("inferences") or []
        if not infs:
            errors.append(f"{name}: no inferences")
        for i, inf in enumerate(infs):
            if not inf.get("golden_match"):
                errors.append(f"{name}: inference {i} scores {inf.get('scores')} != golden")
        pf = r.get("power_failures") or 0
        if pf < a.min_failures:
            errors.append(f"{name}: {pf} power failures < {a.min_failures}")
        print(f"{name}: status {r.get('status')}, {len(infs)} inferences, {pf} power failures, "
              f"cycles {r.get('cycles')}, total {r.get('total_time_s')} s")
    for e in errors:
        print("FAIL:", e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
