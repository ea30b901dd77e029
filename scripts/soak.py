#!/usr/bin/env python3
"""Soak test: (network x strategy x seed) runs under failure injection; every inference
must be bit-identical to the golden model and every run must complete. Prints the failure
count per pair and exits 1 on any mismatch, error or missing progress."""
import argparse
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# Mean on-period per network (cycles): long enough for the largest atomic unit of every
# strategy (a depth-first slice, an HAWAII FC neuron), short enough for hundreds of failures.
MEAN_ON = {"kws": 100000, "har": 250000, "mnist": 800000}
STRATEGIES = ["layerwise-checkpoint", "sonic", "hawaii", "depth-first"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--networks", nargs="+", default=list(MEAN_ON))
    ap.add_argument("--strategies", nargs="+", default=STRATEGIES)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=None)
    a = ap.parse_args()
    out = a.out or tempfile.mkdtemp(prefix="ipsim-soak-")
    os.makedirs(out, exist_ok=True)
    bad = 0
    for net in a.networks:
        config = os.path.join(out, f"soak_{net}.yaml")
        with open(config, "w") as f:
            f.write(f"""name: soak-{net}
time_limit: 2h
platform: {{capacitor: {{capacitance: 100uF}}}}
source: {{type: failure-injection, mean_on_cycles: {MEAN_ON[net]}, off_time: 1ms}}
workload: {{network: {net}, strategy: hawaii, inferences: 2, inputs: [0, 1]}}
sweep:
  workload.strategy: [{", ".join(a.strategies)}]
  seed: [{", ".join(str(s) for s in range(1, a.seeds + 1))}]
""")
        d = os.path.join(out, net)
        subprocess.run([os.path.join(ROOT, "build", "ipsim"), "sweep", config, "--jobs",
                        str(a.jobs), "--out", d], stdout=subprocess.DEVNULL, check=False)
        with open(os.path.join(d, "results.json")) as f:
            runs = json.load(f)["runs"]
        for s in a.strategies:
            rs = [r for r in runs if r["strategy"] == s]
            failures = sum(r.get("power_failures", 0) for r in rs)
            ok = [r for r in rs if r["status"] == "completed" and r["inferences"] and
                  all(i["golden_match"] for i in r["inferences"])]
            status = "ok  " if len(ok) == len(rs) else "FAIL"
            bad += len(rs) - len(ok)
            print(f"{status} {net:6s} {s:22s} {len(ok)}/{len(rs)} runs bit-identical,"
                  f" {failures} power failures")
            for r in rs:
                if r not in ok:
                    print(f"     {r['name']}: {r['status']} {r.get('message', r.get('error', ''))}")
    print(f"results in {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
