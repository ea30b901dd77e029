#!/usr/bin/python3
"""Shared by every strategy's tests: runs `ipsim run CONFIG --out DIR` and checks
DIR/results.json (stdlib only).

    check_run.py IPSIM CONFIG OUT_DIR --status completed [--min-failures N]
                 [--max-failures N] [--nvm-closed-form]

For status completed every inference must be golden_match (scores bit-identical to the
host golden model of the run's kernel). --nvm-closed-form (runs under continuous power):
the FRAM bytes written per symbol must equal the strategy's closed form exactly
(nvm_closed_form.py); with platform.nvm.kind spi-fram, the strategy's symbols in the external
FRAM (results.json nvm.spi_fram.by_symbol) and only the application's in on-chip FRAM."""
import argparse
import json
import os
import shutil
import subprocess
import sys

import nvm_closed_form


def compare_symbols(name, memory, want, got):
    """Errors where measured bytes written per symbol differ from the closed form."""
    errors = []
    for sym in sorted(set(want) | set(got)):
        if want.get(sym, 0) != got.get(sym, 0):
            errors.append("%s: %s bytes written to %s: measured %d, closed form %d" %
                          (name, memory, sym, got.get(sym, 0), want.get(sym, 0)))
    if not errors:
        print("%s: %s writes per symbol equal the closed form: %s" % (name, memory, want))
    return errors


def written(report):
    return {k: v["write_bytes"] for k, v in report["by_symbol"].items() if v["write_bytes"]}


def check_nvm(run):
    """Measured FRAM bytes written per symbol against the closed form; a list of errors.
    On the external FRAM (results.json nvm.spi_fram, platform.nvm.kind spi-fram) the
    strategy's symbols must be written there, and only the application's to on-chip FRAM."""
    name = run.get("name", "?")
    if run.get("power_failures", 0):
        return ["%s: --nvm-closed-form needs a run without power failures" % name]
    want = nvm_closed_form.expected_writes(run["strategy"], run["kernel"], run["network"],
                                           len(run["inferences"]), run.get("depth_first_plan"))
    if want is None:
        print("%s: no closed form here for %s on %s" % (name, run["strategy"], run["kernel"]))
        return []
    nvm = run["nvm"]
    if "spi_fram" not in nvm:
        return compare_symbols(name, "FRAM", want, written(nvm))
    on_chip, external = nvm_closed_form.split_by_memory(want, run["strategy"])
    if nvm["spi_fram"].get("protocol_errors"):
        return ["%s: external FRAM protocol errors %s" % (name, nvm["spi_fram"]["protocol_errors"])]
    return (compare_symbols(name, "on-chip FRAM", on_chip, written(nvm)) +
            compare_symbols(name, "external FRAM", external, written(nvm["spi_fram"])))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipsim")
    ap.add_argument("config")
    ap.add_argument("out")
    ap.add_argument("--status", default="completed")
    ap.add_argument("--min-failures", type=int, default=0)
    ap.add_argument("--max-failures", type=int, default=None)
    ap.add_argument("--nvm-closed-form", action="store_true")
    a = ap.parse_args()
    shutil.rmtree(a.out, ignore_errors=True)  # a stale results.json must not pass
    os.makedirs(a.out)
    p = subprocess.run([a.ipsim, "run", a.config, "--out", a.out], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, universal_newlines=True)
    print(p.stdout)
    with open(os.path.join(a.out, "results.json")) as f:
        res = json.load(f)
    runs = res["runs"] if isinstance(res, dict) and "runs" in res else res
    errors = []
    for run in runs:
        name = run.get("name", "?")
        st, pf = run.get("status"), run.get("power_failures", 0)
        infs = run.get("inferences", [])
        nvm = run.get("nvm", {})
        print("%s: status %s, %d inferences, power_failures %s, nvm write_bytes %s, "
              "total_time_s %s" % (name, st, len(infs), pf, nvm.get("write_bytes"),
                                   run.get("total_time_s")))
        # results.json counters: per-command and per-channel figures add up to the totals.
        lea, dma = run.get("lea"), run.get("dma")
        if st == "completed" and lea is not None:
            by = lea.get("by_command", {})
            if sum(c["commands"] for c in by.values()) != lea["commands"] or \
                    sum(c["busy_cycles"] for c in by.values()) != lea["busy_cycles"]:
                errors.append("%s: lea.by_command does not add up to lea totals" % name)
        if st == "completed" and dma is not None:
            if sum(c["words"] for c in dma.get("by_channel", [])) != dma["words"]:
                errors.append("%s: dma.by_channel words do not add up to dma.words" % name)
        if st != a.status:
            errors.append("%s: status %s, expected %s" % (name, st, a.status))
        if a.status == "completed":
            bad = [i for i, inf in enumerate(infs) if not inf.get("golden_match")]
            if not infs or bad:
                errors.append("%s: inferences not golden_match: %s (of %d)" %
                              (name, bad, len(infs)))
        if a.nvm_closed_form and st == "completed":
            errors += check_nvm(run)
        if pf < a.min_failures:
            errors.append("%s: power_failures %d < %d" % (name, pf, a.min_failures))
        if a.max_failures is not None and pf > a.max_failures:
            errors.append("%s: power_failures %d > %d" % (name, pf, a.max_failures))
    if p.returncode != 0 and a.status == "completed":
        errors.append("ipsim exited with %d" % p.returncode)
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
