#!/usr/bin/env python3
"""Total inference time against slice size: the trade-off depth-first's planner navigates.

  scripts/plot_slice_tradeoff.py [--ipsim build/ipsim] [--config configs/paper_slices.yaml]
                                 [--out results/paper_slices] [--no-run]
                                 [--figure docs/figures/slice_tradeoff.png]

Runs `ipsim sweep CONFIG --out OUT` (resumable; --no-run plots OUT/results.json as it is),
then draws, against the largest slice of each run's plan (estimated cycles, the planner's
own figure: depth_first_plan.groups[].est_max_slice_cycles), for each energy source of the
sweep: total inference time, slices and FRAM bytes written, and (harvested sources) power
failures and re-executed CPU cycles. configs/paper_slices.yaml caps the slices with
workload.depth_first.max_slice_cycles; a cap of 1e12 or more is the planner's own choice
(drawn as a star). Runs whose caps gave the same plan are drawn once. Prints the figures as
a table too. Uses Debian's python3-matplotlib (/usr/bin/python3).
"""
import argparse
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FREE = 1e12  # a cap this large leaves the planner's choice


def largest_slice(plan):
    return max(g["est_max_slice_cycles"] for g in plan["groups"])


def points(runs, trace):
    """(largest slice, run, is the planner's own plan) per distinct plan, by slice size."""
    seen = {}
    for r in runs:
        if r["trace"] != trace or not r.get("depth_first_plan", {}).get("groups"):
            continue
        plan = r["depth_first_plan"]
        key = json.dumps([g["tile"] for g in plan["groups"]] +
                         [[g["first"], g["last"]] for g in plan["groups"]])
        cap = plan["platform"].get("max_slice_cycles") or FREE
        own = cap >= FREE
        if key not in seen or own:
            seen[key] = (largest_slice(plan), r, own or (key in seen and seen[key][2]))
    return sorted(seen.values(), key=lambda p: p[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ipsim", default=os.path.join(ROOT, "build", "ipsim"))
    ap.add_argument("--config", default=os.path.join(ROOT, "configs", "paper_slices.yaml"))
    ap.add_argument("--out", default=os.path.join(ROOT, "results", "paper_slices"))
    ap.add_argument("--figure", default=os.path.join(ROOT, "docs", "figures",
                                                     "slice_tradeoff.png"))
    ap.add_argument("--jobs", default="2")
    ap.add_argument("--no-run", action="store_true")
    a = ap.parse_args()
    if not a.no_run:
        p = subprocess.run([a.ipsim, "sweep", a.config, "--out", a.out, "--jobs", a.jobs],
                           stdout=subprocess.DEVNULL)
        if p.returncode not in (0, 1):
            sys.exit("ipsim sweep %s failed (exit %d)" % (a.config, p.returncode))
    with open(os.path.join(a.out, "results.json")) as f:
        runs = json.load(f)["runs"]
    traces = sorted({r["trace"] for r in runs}, key=lambda t: (t == "continuous", t))
    first = runs[0]
    setting = "%s, depth-first on %s, %g uF" % (first["network"], first.get("kernel"),
                                                  first["capacitor_uF"])
    fig, axes = plt.subplots(3, len(traces), figsize=(5.2 * len(traces), 8.6), squeeze=False,
                             sharex="col")
    print("| source | cap (cycles) | largest slice (est. cycles) | slices | time s | "
          "FRAM bytes | failures | re-exec. Mcycles | status |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for j, trace in enumerate(traces):
        pts = points(runs, trace)
        ok = [(x, r, own) for x, r, own in pts if r["status"] == "completed"]
        xs = [x / 1e3 for x, _, _ in ok]
        harvested = trace != "continuous"
        for x, r, own in pts:
            plan = r["depth_first_plan"]
            cap = plan["platform"].get("max_slice_cycles") or FREE
            print("| %s | %s | %.0f | %d | %.3f | %d | %d | %.2f | %s |" % (
                trace, "none" if cap >= FREE else "%.0f" % cap, x, plan["slices"],
                r["total_time_s"], r["nvm"]["write_bytes"], r["power_failures"],
                r.get("wasted_cycles", 0) / 1e6, r["status"]))
        panels = [("total inference time (s)", [r["total_time_s"] for _, r, _ in ok], "#55a868"),
                  ("FRAM bytes written", [r["nvm"]["write_bytes"] for _, r, _ in ok], "#4c72b0")]
        if harvested:
            panels.append(("power failures", [r["power_failures"] for _, r, _ in ok], "#c44e52"))
        else:
            panels.append(("slices", [r["depth_first_plan"]["slices"] for _, r, _ in ok],
                           "#8172b3"))
        for i, (label, ys, color) in enumerate(panels):
            ax = axes[i][j]
            ax.plot(xs, ys, "o-", color=color, ms=4)
            for (x, r, own), y in zip(ok, ys):
                if own:
                    ax.plot([x / 1e3], [y], "*", color="black", ms=12, zorder=5,
                            label="planner's own plan" if i == 0 else None)
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            if i == 0:
                ax.set_title("%s\n%s" % (setting, trace), fontsize=10)
                ax.set_ylim(bottom=0)
                ax.legend(fontsize=8, loc="upper right", frameon=False)
        if harvested:  # the work the failures cost, on the failures' panel
            tw = axes[2][j].twinx()
            tw.plot(xs, [r.get("wasted_cycles", 0) / 1e6 for _, r, _ in ok], "s--",
                    color="#937860", ms=3)
            tw.set_ylabel("re-executed CPU Mcycles (dashed)", color="#937860")
        axes[2][j].set_xscale("log")  # an unsliced plan under continuous power is far right
        plain = matplotlib.ticker.FuncFormatter(lambda v, _: "%g" % v)
        axes[2][j].xaxis.set_major_formatter(plain)
        # Minor tick labels only within one decade, where there are no major ones to read.
        narrow = xs and max(xs) / min(xs) < 10
        axes[2][j].xaxis.set_minor_formatter(plain if narrow else matplotlib.ticker.NullFormatter())
        axes[2][j].tick_params(axis="x", which="minor", labelsize=7)
        axes[2][j].set_xlabel("largest slice of the plan (k cycles, planner's estimate; log)")
    fig.tight_layout()
    os.makedirs(os.path.dirname(a.figure), exist_ok=True)
    fig.savefig(a.figure, dpi=110)
    print("wrote %s" % a.figure)
    return 0


if __name__ == "__main__":
    sys.exit(main())
