#!/usr/bin/env python3
"""Hypothetical on-chip NVM costs (platform.nvm.extra_*): runs kernels/apps/nvm_cost.c on the
FR5994's FRAM and with extra wait states and extra energy, and checks that
  extra CPU cycles = extra_read_wait_states x the CPU's cache misses
                   + extra_write_wait_states x CPU writes
    (the DMA's accesses pay them too, but the CPU sleeps through the DMA block),
  extra energy = extra_read_energy x cache misses (CPU and DMA: every array read)
               + extra_write_energy x (writes of every initiator),
from the run's own NVM counters. Configs beside this script.

  nvm_costs.py --ipsim IPSIM --elf nvm_cost.elf --configs DIR
"""
import argparse
import json
import os
import subprocess
import sys

READ_WAITS, WRITE_WAITS = 3, 5  # configs/nvm_extra_waits.yaml
READ_J, WRITE_J = 1e-9, 4e-9  # configs/nvm_extra_energy.yaml


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(args, config):
    cmd = [args.ipsim, "exec", args.elf, "--json", "--power", os.path.join(args.configs, config)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        fail(f"{' '.join(cmd)}: {out.stderr.strip()}")
    r = json.loads(out.stdout)
    if r["stop_reason"] != "exit":
        fail(f"{config}: run ended with {r['stop_reason']}")
    return r


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ipsim", required=True)
    p.add_argument("--elf", required=True)
    p.add_argument("--configs", required=True)
    args = p.parse_args()
    base = run(args, "nvm_internal.yaml")
    waits = run(args, "nvm_extra_waits.yaml")
    energy = run(args, "nvm_extra_energy.yaml")

    nvm = base["nvm"]
    init = nvm["by_initiator"]
    misses = nvm["cache"]["misses"]
    cpu_writes = init["cpu"]["writes"]
    if misses == 0 or cpu_writes == 0 or init["dma"]["reads"] == 0:
        fail("the workload no longer exercises misses, CPU writes and DMA reads")
    dma_misses = nvm["cache"]["dma_misses"]
    if dma_misses == 0:
        fail("the DMA copy no longer misses the FRAM cache")
    want_cycles = base["cycles"] + READ_WAITS * (misses - dma_misses) + WRITE_WAITS * cpu_writes
    if not waits["sim_time_s"] > base["sim_time_s"] + (waits["cycles"] - base["cycles"]) / 16e6:
        fail("the DMA's extra wait states do not lengthen the run")
    if waits["cycles"] != want_cycles:
        fail(f"cycles with extra wait states: {waits['cycles']}, expected {want_cycles}")
    if waits["nvm"]["cache"] != nvm["cache"]:
        fail("extra wait states changed the FRAM cache behaviour")

    reads = misses
    writes = sum(init[w]["writes"] for w in ("cpu", "dma", "lea"))
    want_j = base["energy_J"]["consumed"] + READ_J * reads + WRITE_J * writes
    got_j = energy["energy_J"]["consumed"]
    if energy["cycles"] != base["cycles"]:
        fail("extra energy changed the timing")
    if abs(got_j - want_j) > 1e-6 * want_j:
        fail(f"energy with extra NVM energy: {got_j} J, expected {want_j} J")
    print(f"+{waits['cycles'] - base['cycles']} cycles, +{(got_j - base['energy_J']['consumed']) * 1e9:.1f} nJ")


if __name__ == "__main__":
    main()
