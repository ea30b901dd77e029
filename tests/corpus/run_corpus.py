#!/usr/bin/env python3
"""Runs every input in tests/corpus through the real binary. Each file once crashed ipsim,
hung it, or was silently misread (issue 15; scripts/fuzz --save adds new findings):

  elf/NAME.elf              ipsim exec NAME.elf --max-cycles 1000000 --json, plus the
                            arguments in NAME.elf.args (one a line), if that file exists
  config/NAME.yaml          ipsim run NAME.yaml --out TMP
  trace/NAME.MODEL.csv      ipsim run on a config whose source is this trace, harvester MODEL

Every case must exit 0 (ran), 2 (input error naming the file) or 3 (firmware fault) within the
timeout, with no sanitizer report: never a signal, a hang or an internal error (exit 1)."""
import argparse
import os
import subprocess
import sys
import tempfile

TRACE_CONFIG = """name: corpus-trace
time_limit: 20ms
platform:
  capacitor:
    capacitance: 47uF
source:
  type: trace
  file: {trace}
  loop: true
  harvester:
    model: {model}
workload:
  network: mnist
  strategy: hawaii
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--corpus", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    failures, count = [], 0
    with tempfile.TemporaryDirectory(prefix="ipsim-corpus-") as work:
        for kind in ("elf", "config", "trace"):
            folder = os.path.join(a.corpus, kind)
            for name in sorted(os.listdir(folder)):
                if name.endswith(".args"):
                    continue
                path = os.path.join(folder, name)
                out = os.path.join(work, f"out-{count}")
                if kind == "elf":
                    cmd = [a.ipsim, "exec", path, "--max-cycles", "1000000", "--json"]
                    if os.path.exists(path + ".args"):
                        with open(path + ".args") as f:
                            cmd += [line.strip() for line in f if line.strip()]
                elif kind == "config":
                    cmd = [a.ipsim, "run", path, "--out", out]
                else:
                    model = name.rsplit(".", 2)[-2]
                    cfg = os.path.join(work, f"trace-{count}.yaml")
                    with open(cfg, "w") as f:
                        f.write(TRACE_CONFIG.format(trace=path, model=model))
                    cmd = [a.ipsim, "run", cfg, "--out", out]
                count += 1
                try:
                    p = subprocess.run(cmd, capture_output=True, timeout=a.timeout)
                except subprocess.TimeoutExpired:
                    failures.append(f"{kind}/{name}: no exit within {a.timeout:.0f} s")
                    continue
                err = p.stderr.decode("utf-8", "replace")
                sanitizer = "Sanitizer" in err or "runtime error:" in err
                if p.returncode not in (0, 2, 3) or sanitizer:
                    failures.append(f"{kind}/{name}: exit {p.returncode}\n{err[-1500:]}")
                else:
                    last = err.strip().splitlines()[-1] if err.strip() else ""
                    print(f"ok   {kind}/{name}: exit {p.returncode}: {last[:150]}")
    print(f"{count} corpus inputs, {len(failures)} failed")
    for f in failures:
        print("FAIL " + f)
    return 1 if failures or count == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
