#!/usr/bin/python3
"""Runs `ipsim run CONFIG --out DIR` and checks DIR/results.json: status completed, every
inference bit-identical to the host golden model, and optionally a minimum number of power
failures. Usage: check_run.py IPSIM CONFIG OUTDIR [--min-failures N]"""
import argparse
import json
import os
import shutil
import subprocess
import sys


def find_results(out_dir):
    for root, _, files in os.walk(out_dir):
        if "results.json" in files:
            yield os.path.join(root, "results.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipsim")
    ap.add_argument("config")
    ap.add_argument("out_dir")
    ap.add_argument("--min-failures", type=int, default=0)
    args = ap.parse_args()
    shutil.rmtree(args.out_dir, ignore_errors=True)
    proc = subprocess.run([args.ipsim, "run", args.config, "--out", args.out_dir])
    if proc.returncode != 0:
        sys.exit(f"ipsim run exited with {proc.returncode}")
    paths = list(find_results(args.out_dir))
    if not paths:
        sys.exit("no results.json under " + args.out_dir)
    errors = []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        runs = doc["runs"] if isinstance(doc, dict) and "runs" in doc else [doc]
        for run in runs:
            name = run.get("name", path)
            infs = run.get("inferences", [])
            failures = run.get("power_failures", 0)
            nvm = run.get("nvm", {}).get("write_bytes")
            print(f"{name}: status={run.get('status')} inferences={len(infs)} "
                  f"power_failures={failures} nvm_write_bytes={nvm} "
                  f"time_s={run.get('total_time_s')}")
            if run.get("status") != "completed":
                errors.append(f"{name}: status {run.get('status')}")
            if not infs:
                errors.append(f"{name}: no inferences")
            for k, inf in enumerate(infs):
                if not inf.get("golden_match"):
                    errors.append(f"{name}: inference {k} differs from golden: {inf}")
            if failures < args.min_failures:
                errors.append(f"{name}: {failures} power failures < {args.min_failures}")
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
