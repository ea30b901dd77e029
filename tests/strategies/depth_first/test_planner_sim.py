#!/usr/bin/python3
"""The depth-first planner checked by simulation (run by ctest; stdlib only).

    test_planner_sim.py IPSIM OUT_DIR [spi-fram|on-chip [KERNEL:NETWORK...]]

For each kernel of the depth-first images (lea-mac, lea-fir) and each network (mnist8: lea-mac
only; `on-chip PAIRS...`: only those), at 100 uF (the default plan's capacitor) and at the smallest capacitor the
planner accepts (where its largest slice is planned to just fit), run the plan ipsim made for
that platform on a 1 mW constant source with the timeline on, and measure each slice's energy
from the firmware's markers: slice k is the interval between DBG_SLICE_DONE k-1 and k within
one on-period, and its energy is what left the capacitor, 0.5 C (V0^2 - V1^2), plus what was
harvested meanwhile. Slices after a reboot (which include the boot) or cut by a power failure
are skipped. Checks, per group of the plan:
  - the largest measured slice is within the planner's margin of its estimate
    (measured <= estimate / (1 - margin)): the margin covers the cost model's error;
  - the largest measured slice fits the one-charge budget (the charge less the reboot);
and that every inference completes, bit-identical to the golden model of the kernel, and that
at least half the slices were measured (a fifth on lea-fir: at its smallest capacitor most
slices take most of a charge, so most are cut by a failure or follow a reboot; mnist measured
111 of 476). Prints the planner's
estimate against the measurement per group and network.

With spi-fram: the external-FRAM images (platform.nvm.kind spi-fram, SCK 4 MHz) of mnist8 and
mnist on lea-mac (and any KERNEL:NETWORK given) at 100 uF only, with the same checks; their
slices stage every band through the SPI part, which draws its own current.
"""
import csv
import json
import os
import re
import shutil
import subprocess
import sys

IPSIM, OUT = sys.argv[1:3]
NETWORKS = ["kws", "har", "mnist"]
KERNELS = ["lea-mac", "lea-fir"]
# mnist8 has lea-mac images only (its padded convolutions do not run on lea-fir).
PAIRS = [(k, n) for k in KERNELS for n in NETWORKS] + [("lea-mac", "mnist8")]
NVM = ""
if len(sys.argv) > 3 and sys.argv[3] == "on-chip":  # only the KERNEL:NETWORK pairs given
    PAIRS = [tuple(a.split(":")) for a in sys.argv[4:]]
elif len(sys.argv) > 3 and sys.argv[3] == "spi-fram":
    # The external-FRAM images (platform.nvm.kind spi-fram, SCK 4 MHz) at 100 uF only.
    NVM = "  nvm: {kind: spi-fram, spi_clock: 4MHz}\n"
    PAIRS = [("lea-mac", "mnist8"), ("lea-mac", "mnist")]
    PAIRS += [tuple(a.split(":")) for a in sys.argv[4:]]
errors = []


def ipsim(*args):
    return subprocess.run([IPSIM] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def config(net, cap_uf, kernel):
    return ("name: ps-%s\nseed: 1\ntime_limit: 600s\nplatform:\n  capacitor: {capacitance: %.6guF, "
            "initial_voltage: 2.8V}\n%s  supervisor: {v_on: 2.8V, v_off: 2.4V}\n"
            "source: {type: constant, power: 1mW}\n"
            "outputs: {timeline_csv: true, timeline_decimation: 0s}\n"
            "workload: {network: %s, strategy: depth-first, kernel: %s, inferences: 1, "
            "inputs: [0]}\n" % (net, cap_uf, NVM, net, kernel))


def smallest_capacitor(net, kernel, path):
    with open(path, "w") as f:
        f.write(config(net, 1, kernel))
    p = ipsim("plan", path)
    m = re.search(r"smallest capacitor that works is ([0-9.]+) uF", p.stdout + p.stderr)
    if p.returncode != 2 or not m:
        errors.append("%s %s: ipsim plan at 1 uF did not refuse naming a capacitor" % (net, kernel))
        return None
    return float(m.group(1))


def measure(timeline, cap_f, mclk_hz):
    """Cycles of each slice measured cleanly (see the module docstring), {slice index: cycles},
    and the energy and time drawn while each slice ran, {slice index in progress: [J, s]}.

    The timeline's Vcap is sampled at the end of each CPU quantum, so a marker's row carries
    the last sample's Vcap; energy is therefore booked per sample interval (exact), to the slice
    in progress, and a slice's energy is its cycles (exact, from the markers) times its group's
    energy per cycle."""
    cycles, energy = {}, {}
    prev = None  # (slice index, time) of the last slice_done in this on-period
    last = None  # (time, vcap, harvest) of the last sample in this on-period
    with open(timeline) as f:
        for row in csv.DictReader(f):
            t, v, h = float(row["time_s"]), float(row["vcap_V"]), float(row["harvest_W"])
            ev = row["event"]
            if ev.startswith("power-off") or row["power_on"] == "0":
                prev = last = None
                continue
            if ev.startswith("slice_done "):
                k = int(ev.split()[1])
                if prev is not None and prev[0] == k - 1:
                    cycles[k] = (t - prev[1]) * mclk_hz
                prev = (k, t)
                continue  # a marker row repeats the last sample's Vcap
            if last is not None and prev is not None and t > last[0]:
                e = energy.setdefault(prev[0] + 1, [0.0, 0.0])
                e[0] += 0.5 * cap_f * (last[1] ** 2 - v ** 2) + last[2] * (t - last[0])
                e[1] += t - last[0]
            last = (t, v, h)
    return cycles, energy


summary = []
for kernel, net in PAIRS:
    d = os.path.join(OUT, kernel, net)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    c_min = None if NVM else smallest_capacitor(net, kernel, os.path.join(d, "probe.yaml"))
    for cap in [100.0] + ([c_min] if c_min else []):
        tag = "%s %s at %g uF" % (net, kernel, cap)
        cfg = os.path.join(d, "%guF.yaml" % cap)
        with open(cfg, "w") as f:
            f.write(config(net, cap, kernel))
        run_dir = os.path.join(d, "%guF" % cap)
        p = ipsim("run", cfg, "--out", run_dir)
        try:
            with open(os.path.join(run_dir, "results.json")) as f:
                run = json.load(f)["runs"][0]
        except (OSError, ValueError, KeyError, IndexError):
            errors.append("%s: no result (exit %d): %s" % (tag, p.returncode, p.stderr[-500:]))
            continue
        infs = run.get("inferences", [])
        if run.get("status") != "completed" or not infs or not all(i["golden_match"] for i in infs):
            errors.append("%s: status %s, golden_match %s" % (tag, run.get("status"),
                                                              [i["golden_match"] for i in infs]))
        plan = run["depth_first_plan"]
        jpc, margin = plan["J_per_cycle"], plan["platform"]["margin"]
        usable_j = (plan["charge_cycles"] - plan["reboot_cycles"]) * jpc
        budget_j = plan["budget_cycles"] * jpc
        timeline = os.path.join(run_dir, "runs", "0-%s" % run["name"], "timeline.csv")
        cycles, runs = measure(timeline, plan["platform"]["capacitance_F"],
                               plan["platform"]["mclk_hz"])
        print("%s: %d power failures; budget %.2f uJ per slice (one charge less the reboot: "
              "%.2f uJ); %d of %d slices measured" % (tag, run["power_failures"], budget_j * 1e6,
                                                      usable_j * 1e6, len(cycles),
                                                      plan["slices"]))
        measured = cycles
        first = 1
        worst_est = worst_meas = 0.0
        for gi, g in enumerate(plan["groups"]):
            lo, hi = first, first + g["slices"] - 1
            first += g["slices"]
            got = [cycles[k] for k in range(lo, hi + 1) if k in cycles]
            # The group's energy per cycle, over every sample interval while it ran.
            e_j = sum(runs[k][0] for k in range(lo, hi + 1) if k in runs)
            n_c = sum(runs[k][1] for k in range(lo, hi + 1) if k in runs) * plan["platform"]["mclk_hz"]
            if not got or n_c == 0:
                print("  group %d: no slice measured cleanly" % gi)
                continue
            jpc_meas = e_j / n_c
            est_max = g["est_max_slice_cycles"] * jpc
            m_max = max(got) * jpc_meas
            worst_est, worst_meas = max(worst_est, est_max), max(worst_meas, m_max)
            print("  group %d (layers %d-%d, %d slices, %d measured): largest slice est. %.0f "
                  "cycles = %.2f uJ, measured %.0f cycles (%+.1f %%) = %.2f uJ (%+.1f %%) at "
                  "%.3f nJ/cycle (est. %.3f)" %
                  (gi, g["first"], g["last"], g["slices"], len(got), g["est_max_slice_cycles"],
                   est_max * 1e6, max(got), 100 * (max(got) / g["est_max_slice_cycles"] - 1),
                   m_max * 1e6, 100 * (m_max / est_max - 1), jpc_meas * 1e9, jpc * 1e9))
            if m_max > est_max / (1 - margin):
                errors.append("%s group %d: largest slice %.2f uJ exceeds the estimate %.2f uJ by "
                              "more than the %.0f %% margin" % (tag, gi, m_max * 1e6, est_max * 1e6,
                                                               margin * 100))
            if m_max > usable_j:
                errors.append("%s group %d: largest slice %.2f uJ does not fit one charge (%.2f uJ "
                              "after the reboot)" % (tag, gi, m_max * 1e6, usable_j * 1e6))
        if len(measured) < plan["slices"] // (5 if kernel == "lea-fir" else 2):
            errors.append("%s: only %d of %d slices measured" % (tag, len(measured),
                                                                plan["slices"]))
        summary.append("%s: largest slice est. %.2f uJ, measured %.2f uJ (%+.1f %%), budget %.2f uJ"
                       % (tag, worst_est * 1e6, worst_meas * 1e6,
                          100 * (worst_meas / worst_est - 1) if worst_est else 0, budget_j * 1e6))

print("\n".join(summary))
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
