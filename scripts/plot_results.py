#!/usr/bin/env python3
"""Figures from an ipsim results directory (results.json, runs/*/timeline.csv) as PNG files.

  nvm_writes.png      FRAM bytes written per strategy and network, split into feature maps,
                      progress state and other (nvm.by_kind), under one energy source
  inference_time.png  total inference time per strategy, for each trace and capacitor
  timeline.png        Vcap of one run over time, with power failures and slice/layer markers

usage: scripts/plot_results.py RESULTS_DIR [--out DIR] [--timeline-run NAME] [--source NAME]
Uses Debian's python3-matplotlib (/usr/bin/python3).
"""
import argparse
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STRATEGIES = ["continuous", "layerwise-checkpoint", "sonic", "hawaii", "depth-first"]
KINDS = [("feature_maps", "feature maps", "#4c72b0"), ("progress", "progress", "#dd8452"),
         ("other", "other", "#8c8c8c")]
COLORS = {"continuous": "#8c8c8c", "layerwise-checkpoint": "#937860", "sonic": "#c44e52",
          "hawaii": "#4c72b0", "depth-first": "#55a868"}


def human_bytes(n):
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000.0


def ordered(values, order):
    return sorted(set(values), key=lambda v: (order.index(v) if v in order else len(order), v))


def load(results_dir):
    with open(os.path.join(results_dir, "results.json")) as f:
        return json.load(f)["runs"]


def plot_nvm(runs, out, source):
    runs = [r for r in runs if r.get("trace") == source and "nvm" in r]
    if not runs:
        return None
    nets = ordered([r["network"] for r in runs], ["mnist", "har", "kws"])
    fig, axes = plt.subplots(1, len(nets), figsize=(4.2 * len(nets), 4), squeeze=False)
    for ax, net in zip(axes[0], nets):
        rs = [r for r in runs if r["network"] == net]
        strategies = ordered([r["strategy"] for r in rs], STRATEGIES)
        caps = sorted(set(r["capacitor_uF"] for r in rs))
        cap = caps[0]
        # Side-by-side bars on a log axis: stacked bars would distort the parts.
        width = 0.8 / len(KINDS)
        lowest = None
        for k, (key, label, color) in enumerate(KINDS):
            xs, vals = [], []
            for i, s in enumerate(strategies):
                r = next((r for r in rs if r["strategy"] == s and r["capacitor_uF"] == cap), None)
                v = r["nvm"].get("by_kind", {}).get(key, {}).get("write_bytes", 0) if r else 0
                xs.append(i + (k - 1) * width)
                vals.append(v)
                if v > 0:
                    lowest = v if lowest is None else min(lowest, v)
            ax.bar(xs, vals, width=width, label=label, color=color)
        for i, s in enumerate(strategies):
            r = next((r for r in rs if r["strategy"] == s and r["capacitor_uF"] == cap), None)
            if r:
                ax.annotate("total " + human_bytes(r["nvm"]["write_bytes"]), (i, r["nvm"]["write_bytes"]),
                            ha="center", va="bottom", fontsize=8, xytext=(0, 12),
                            textcoords="offset points")
        ax.set_xticks(range(len(strategies)))
        ax.set_xticklabels(strategies)
        ax.set_yscale("log")
        totals = [r["nvm"]["write_bytes"] for r in rs if r["capacitor_uF"] == cap]
        if lowest:
            ax.set_ylim(bottom=lowest / 3, top=max(totals) * 30)
        ax.set_title(f"{net} ({source}, {cap:g} uF)")
        ax.set_ylabel("FRAM bytes written (log)")
        ax.tick_params(axis="x", rotation=30)
    axes[0][0].legend()
    fig.tight_layout()
    path = os.path.join(out, "nvm_writes.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_time(runs, out):
    runs = [r for r in runs if r.get("status") == "completed"]
    if not runs:
        return None
    traces = ordered([r["trace"] for r in runs], [])
    caps = sorted(set(r["capacitor_uF"] for r in runs))
    nets = ordered([r["network"] for r in runs], ["mnist", "har", "kws"])
    fig, axes = plt.subplots(len(traces), len(caps), figsize=(4.5 * len(caps), 3.3 * len(traces)),
                             squeeze=False)
    for i, trace in enumerate(traces):
        for j, cap in enumerate(caps):
            ax = axes[i][j]
            rs = [r for r in runs if r["trace"] == trace and r["capacitor_uF"] == cap]
            strategies = ordered([r["strategy"] for r in rs], STRATEGIES)
            width = 0.8 / max(1, len(strategies))
            for k, s in enumerate(strategies):
                xs, ys = [], []
                for n, net in enumerate(nets):
                    r = next((r for r in rs if r["network"] == net and r["strategy"] == s), None)
                    if r:
                        xs.append(n + (k - (len(strategies) - 1) / 2) * width)
                        ys.append(r["total_time_s"])
                ax.bar(xs, ys, width=width, label=s, color=COLORS.get(s))
            ax.set_xticks(range(len(nets)))
            ax.set_xticklabels(nets)
            ax.set_yscale("log")
            ax.set_title(f"{trace}, {cap:g} uF", fontsize=10)
            if j == 0:
                ax.set_ylabel("total inference time (s, log)")
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    path = os.path.join(out, "inference_time.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_timeline(results_dir, runs, out, name):
    candidates = [r for r in runs if (name is None or r["name"] == name)]
    for r in candidates:
        path = os.path.join(results_dir, "runs", f"{r['index']}-{r['name']}", "timeline.csv")
        if os.path.exists(path):
            break
    else:
        return None
    t, v, fails, marks = [], [], [], []
    with open(path) as f:
        for row in csv.DictReader(f):
            time_s = float(row["time_s"])
            t.append(time_s)
            v.append(float(row["vcap_V"]))
            ev = row["event"]
            if ev == "power-off":
                fails.append(time_s)
            elif ev.startswith(("slice_done", "layer_done", "inference_end")):
                marks.append((time_s, ev.split()[0]))
    fig, ax = plt.subplots(figsize=(10, 3.6))
    ax.plot(t, v, lw=0.6, color="#4c72b0", label="Vcap")
    for x in fails:
        ax.axvline(x, color="#c44e52", lw=0.3, alpha=0.6)
    styles = {"slice_done": ("#55a868", 0.02), "layer_done": ("#8172b3", 0.06),
              "inference_end": ("black", 0.1)}
    for kind, (color, height) in styles.items():
        xs = [x for x, k in marks if k == kind]
        if xs:
            ax.plot(xs, [min(v) - height] * len(xs), "|", color=color, label=kind, ms=8)
    ax.plot([], [], color="#c44e52", lw=1, label=f"power failure ({len(fails)})")
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("V")
    ax.set_title(f"{r['name']}: {r['strategy']} on {r['network']}, {r['trace']}, "
                 f"{r['capacitor_uF']:g} uF")
    ax.legend(loc="upper right", fontsize=8, ncol=5)
    fig.tight_layout()
    png = os.path.join(out, "timeline.png")
    fig.savefig(png, dpi=110)
    plt.close(fig)
    return png


def main():
    ap = argparse.ArgumentParser(description="Plot ipsim results.")
    ap.add_argument("results_dir")
    ap.add_argument("--out", help="output directory (default: RESULTS_DIR)")
    ap.add_argument("--timeline-run", help="run name for timeline.png (default: first with one)")
    ap.add_argument("--source", help="energy source for nvm_writes.png (default: continuous if "
                                     "present, else the first)")
    a = ap.parse_args()
    runs = load(a.results_dir)
    if not runs:
        sys.exit(f"{a.results_dir}/results.json has no runs")
    out = a.out or a.results_dir
    os.makedirs(out, exist_ok=True)
    sources = [r.get("trace") for r in runs]
    source = a.source or ("continuous" if "continuous" in sources else sources[0])
    for path in (plot_nvm(runs, out, source), plot_time(runs, out),
                 plot_timeline(a.results_dir, runs, out, a.timeline_run)):
        if path:
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
