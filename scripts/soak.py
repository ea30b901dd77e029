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
# --nvm spi-fram: the (strategy, kernel) pairs with external-FRAM images (docs/spi_fram.md).
SPI_PAIRS = [("layerwise-checkpoint", "cpu"), ("sonic", "cpu"),
             ("layerwise-checkpoint", "lea-mac"), ("layerwise-checkpoint", "lea-fir"),
             ("hawaii", "lea-mac"), ("hawaii", "lea-fir"),
             ("depth-first", "lea-mac"), ("depth-first", "lea-fir")]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--networks", nargs="+", default=list(MEAN_ON))
    ap.add_argument("--strategies", nargs="+", default=STRATEGIES)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default=None)
    ap.add_argument("--nvm", choices=["internal", "spi-fram"], default="internal",
                    help="platform.nvm.kind (spi-fram: the strategies' external-FRAM images)")
    a = ap.parse_args()
    # One sweep per network and kernel (None: each strategy's default kernel).
    groups = [(None, a.strategies)]
    if a.nvm == "spi-fram":
        groups = [(k, [s for s, k2 in SPI_PAIRS if k2 == k and s in a.strategies])
                  for k in ("cpu", "lea-mac", "lea-fir")]
        groups = [(k, ss) for k, ss in groups if ss]
    out = a.out or tempfile.mkdtemp(prefix="ipsim-soak-")
    os.makedirs(out, exist_ok=True)
    bad = 0
    for net in a.networks:
        for kernel, strategies in groups:
            kernel_key = f", kernel: {kernel}" if kernel else ""
            tag = net + (f"_{kernel}_spi" if kernel else "")
            config = os.path.join(out, f"soak_{tag}.yaml")
            with open(config, "w") as f:
                f.write(f"""name: soak-{net}
time_limit: 2h
platform: {{capacitor: {{capacitance: 100uF}}, nvm: {{kind: {a.nvm}, spi_clock: 4MHz}}}}
source: {{type: failure-injection, mean_on_cycles: {MEAN_ON[net]}, off_time: 1ms}}
workload: {{network: {net}, strategy: {strategies[0]}, inferences: 2, inputs: [0, 1]{kernel_key}}}
sweep:
  workload.strategy: [{", ".join(strategies)}]
  seed: [{", ".join(str(s) for s in range(1, a.seeds + 1))}]
""")
            d = os.path.join(out, tag)
            subprocess.run([os.path.join(ROOT, "build", "ipsim"), "sweep", config, "--jobs",
                            str(a.jobs), "--out", d], stdout=subprocess.DEVNULL, check=False)
            with open(os.path.join(d, "results.json")) as f:
                runs = json.load(f)["runs"]
            for s in strategies:
                rs = [r for r in runs if r["strategy"] == s]
                failures = sum(r.get("power_failures", 0) for r in rs)
                ok = [r for r in rs if r["status"] == "completed" and r["inferences"] and
                      all(i["golden_match"] for i in r["inferences"])]
                status = "ok  " if len(ok) == len(rs) else "FAIL"
                bad += len(rs) - len(ok)
                print(f"{status} {tag:6s} {s:22s} {len(ok)}/{len(rs)} runs bit-identical,"
                      f" {failures} power failures")
                for r in rs:
                    if r not in ok:
                        print(f"     {r['name']}: {r['status']} "
                              f"{r.get('message', r.get('error', ''))}")
    print(f"results in {out}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
