#!/usr/bin/env python3
"""scripts/results_md.py on a results.json with both NVM kinds and excluded combinations
(the shape of configs/paper.yaml's): the per-network tables come once per NVM kind with
columns only for what ran, the speed-up summary has a row per (kernel, NVM), the external
FRAM's cost is tabulated, and the exclusions are named. The runs are synthetic; their
numbers are chosen so that every ratio checked here is worked out by hand."""
import json
import os
import subprocess
import sys
import tempfile


def run(index, net, strategy, kernel, nvm, time_s, written):
    name = f"{net}-{strategy}_{kernel}-continuous-100uF-{nvm}"
    return {"index": index, "name": name, "network": net, "strategy": strategy,
            "kernel": kernel, "trace": "continuous", "capacitor_uF": 100.0,
            "status": "completed", "total_time_s": time_s, "cycles": 1e6,
            "inferences": [{"golden_match": True}], "power_failures": 0, "boots": 1,
            "nvm": {"write_bytes": written if nvm == "internal" else 10,
                    **({"spi_fram": {"write_bytes": written}} if nvm == "spi-fram" else {})},
            "provenance": {"config": {"platform": {"nvm": {"kind": nvm}}}}}


def main():
    script = sys.argv[1]
    runs = []
    for net in ("mnist", "mnist8"):
        for nvm, slow in (("internal", 1.0), ("spi-fram", 2.0)):
            combos = [("hawaii", "lea-mac", 2.0), ("depth-first", "lea-mac", 1.0),
                      ("hawaii", "lea-fir", 3.0), ("depth-first", "lea-fir", 1.5),
                      ("sonic", "cpu", 8.0)]
            for s, k, t in combos:
                if net == "mnist8" and (s, k) == ("hawaii", "lea-fir"):
                    continue  # excluded: no padding
                if nvm == "spi-fram" and s == "sonic":
                    continue  # excluded: host time
                runs.append(run(len(runs), net, s, k, nvm, t * slow, 1000))
    doc = {"ipsim": {"version": "t", "commit": "t"},
           "config": {"name": "paper", "excluded": 6,
                      "exclude": [{"workload.network": "mnist8", "workload.strategy": "hawaii",
                                   "workload.kernel": "lea-fir"},
                                  {"workload.strategy": "sonic", "platform.nvm.kind": "spi-fram"}]},
           "runs": runs}
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "results.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        md = subprocess.run([sys.executable, script, path], check=True, capture_output=True,
                            text=True).stdout
    problems = []

    def want(text):
        if text not in md:
            problems.append("missing: " + text)

    def section(heading):
        start = md.find(heading)
        if start < 0:
            problems.append("no section " + heading)
            return ""
        end = md.find("####", start + len(heading))
        return md[start:end if end > 0 else len(md)]

    want("The config's `exclude` leaves out 6 combinations")
    for net in ("mnist", "mnist8"):
        for nvm in ("on-chip FRAM", "external SPI FRAM"):
            want(f"#### {net}, {nvm}: total inference time (s)")
            want(f"#### {net}, {nvm}: depth-first (df) against HAWAII")
    # Columns only for what ran: no sonic on the external FRAM, no hawaii lea-fir on mnist8.
    if "sonic cpu" in section("#### mnist, external SPI FRAM: total inference time"):
        problems.append("sonic has a column on the external FRAM")
    if "sonic cpu" not in section("#### mnist, on-chip FRAM: total inference time"):
        problems.append("sonic has no column on the on-chip FRAM")
    if "hawaii lea-fir" in section("#### mnist8, on-chip FRAM: total inference time"):
        problems.append("mnist8 has a hawaii lea-fir column")
    # Speed-ups per (kernel, NVM): 2.0 / 1.0 on lea-mac both ways; 3.0 / 1.5 on lea-fir.
    want("| lea-mac | internal | 2 | 2 | 0 | 0 | 2.00x | 2.00x | 2.00x |")
    want("| lea-mac | spi-fram | 2 | 2 | 0 | 0 | 2.00x | 2.00x | 2.00x |")
    want("| lea-fir | internal | 1 | 1 | 0 | 0 | 2.00x | 2.00x | 2.00x |")
    # The external FRAM's cost: twice the time; bytes of both FRAMs (1000 + 10).
    want("| mnist | depth-first | lea-mac | 1000.0 | 2000.0 | 2.00x | 1000 | 1010 |")
    want("| mnist | spi-fram | hawaii | lea-mac | 4000.0 |")  # the NVM column
    if problems:
        print("\n".join(problems))
        print(md)
        return 1
    print("ok: tables per NVM kind")
    return 0


if __name__ == "__main__":
    sys.exit(main())
