#!/usr/bin/env python3
"""Figures from an ipsim results directory (results.json, runs/*/timeline.csv) as PNG files.

  nvm_writes.png      FRAM bytes written per strategy and network, split into feature maps,
                      progress state and other (nvm.by_kind), under one energy source
  inference_time.png  total inference time per strategy, for each trace and capacitor
  timeline.png        Vcap of one run over time; power failures and slice/layer markers on
                      their own axis below
Legends sit outside the axes; runs a figure leaves out (not completed, other sources or
capacitors) are named in a note at its bottom. inference_time.png uses a linear axis from
zero unless the times span more than 30x, and then says "log axis".
A sweep with both NVM kinds (platform.nvm.kind) gets nvm_writes.png and inference_time.png
for the on-chip FRAM and nvm_writes_spi-fram.png and inference_time_spi-fram.png for the
external SPI FRAM (NVM bytes: both FRAMs); --nvm KIND draws one kind only.

usage: scripts/plot_results.py RESULTS_DIR [--out DIR] [--timeline-run NAME] [--source NAME]
                               [--nvm KIND]
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
import matplotlib.colors  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

STRATEGIES = ["continuous", "layerwise-checkpoint", "sonic", "hawaii", "depth-first"]
KERNELS = ["cpu", "lea-fir", "lea-mac"]
KINDS = [("feature_maps", "feature maps", "#4c72b0"), ("progress", "progress", "#dd8452"),
         ("other", "other", "#8c8c8c")]
COLORS = {"continuous": "#8c8c8c", "layerwise-checkpoint": "#937860", "sonic": "#c44e52",
          "hawaii": "#4c72b0", "depth-first": "#55a868"}


NETWORKS = ["mnist", "mnist8", "har", "kws"]


def nvm_kind(r):
    try:
        return r["provenance"]["config"]["platform"]["nvm"]["kind"]
    except (KeyError, TypeError):
        return "internal"


def nvm_written(r, key=None):
    """NVM bytes written (of one nvm.by_kind part with key): the on-chip FRAM plus the
    external SPI FRAM, if any."""
    n = r.get("nvm") or {}
    parts = [n, n.get("spi_fram") or {}]
    if key is None:
        return sum(p.get("write_bytes") or 0 for p in parts)
    return sum(((p.get("by_kind") or {}).get(key) or {}).get("write_bytes") or 0 for p in parts)


def human_bytes(n):
    for unit in ("B", "kB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000.0


def ordered(values, order):
    return sorted(set(values), key=lambda v: (order.index(v) if v in order else len(order), v))


def plain_ticks(ax):
    """Tick labels as plain numbers (24.6, not 2.46x10^1), on linear and log axes."""
    fmt = matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}")
    ax.yaxis.set_major_formatter(fmt)
    ax.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())


def needs_log(values, spread=30.0):
    """A log axis only when the values span more than `spread` times."""
    vs = [v for v in values if v and v > 0]
    return bool(vs) and max(vs) / min(vs) > spread


def note_left_out(fig, left_out, y=0.002):
    """Names the runs a figure does not show, at the bottom of the figure."""
    if not left_out:
        return
    shown = left_out[:6]
    text = "not shown: " + ", ".join(shown)
    if len(left_out) > len(shown):
        text += f" and {len(left_out) - len(shown)} more"
    fig.text(0.01, y, text, fontsize=7, color="#555555", ha="left", va="bottom", wrap=True)


def legend_below(fig, ax, ncol):
    """One legend under the axes, outside them, so that it never covers data."""
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="lower center", ncol=ncol, fontsize=8, frameon=False,
                   bbox_to_anchor=(0.5, 0.3 / fig.get_size_inches()[1]))


def load(results_dir):
    with open(os.path.join(results_dir, "results.json")) as f:
        runs = json.load(f)["runs"]
    # A strategy swept over kernels (configs/paper.yaml) is one bar per (strategy, kernel).
    kernels = {}
    for r in runs:
        kernels.setdefault(r["strategy"], set()).add(r.get("kernel"))
    several = any(len(k) > 1 for k in kernels.values())
    for r in runs:
        r["label"] = f"{r['strategy']} {r.get('kernel')}" if several else r["strategy"]
    return runs


def label_order(runs):
    """Labels in STRATEGIES order, kernels in KERNELS order within a strategy."""
    def key(label):
        s, _, k = label.partition(" ")
        return (STRATEGIES.index(s) if s in STRATEGIES else len(STRATEGIES),
                KERNELS.index(k) if k in KERNELS else len(KERNELS), label)
    return sorted({r["label"] for r in runs}, key=key)


def color_of(label):
    """The strategy's colour; its lea-mac variant lighter, so the kernels stay apart."""
    s, _, k = label.partition(" ")
    c = matplotlib.colors.to_rgb(COLORS.get(s, "#8c8c8c"))
    return tuple(1 - 0.5 * (1 - x) for x in c) if k == "lea-mac" else c


def plot_nvm(runs, out, source, suffix="", elsewhere=()):
    all_runs = runs
    runs = [r for r in runs if r.get("trace") == source and isinstance(r.get("nvm"), dict)]
    if not runs:
        return None
    nets = ordered([r["network"] for r in runs], NETWORKS)
    n_labels = len(label_order(runs))
    fig, axes = plt.subplots(1, len(nets), figsize=((4.2 if n_labels <= 5 else 5.2) * len(nets), 4.4),
                             squeeze=False)
    for ax, net in zip(axes[0], nets):
        rs = [r for r in runs if r["network"] == net]
        strategies = label_order(rs)
        caps = sorted(set(r["capacitor_uF"] for r in rs))
        cap = caps[0]
        # Side-by-side bars on a log axis: stacked bars would distort the parts.
        width = 0.8 / len(KINDS)
        lowest = None
        for k, (key, label, color) in enumerate(KINDS):
            xs, vals = [], []
            for i, s in enumerate(strategies):
                r = next((r for r in rs if r["label"] == s and r["capacitor_uF"] == cap), None)
                v = nvm_written(r, key) if r else 0
                xs.append(i + (k - 1) * width)
                vals.append(v)
                if v > 0:
                    lowest = v if lowest is None else min(lowest, v)
            ax.bar(xs, vals, width=width, label=label, color=color)
        for i, s in enumerate(strategies):
            r = next((r for r in rs if r["label"] == s and r["capacitor_uF"] == cap), None)
            if r:
                many = len(strategies) > 5  # then the totals stand upright
                ax.annotate(("" if many else "total ") + human_bytes(nvm_written(r)),
                            (i, nvm_written(r)), ha="center", va="bottom",
                            fontsize=6 if many else 8, rotation=90 if many else 0,
                            xytext=(0, 12), textcoords="offset points")
        ax.set_xticks(range(len(strategies)))
        ax.set_xticklabels(strategies)
        ax.set_yscale("log")
        totals = [nvm_written(r) for r in rs if r["capacitor_uF"] == cap]
        if lowest:
            ax.set_ylim(bottom=lowest / 3, top=max(totals) * (30 if len(strategies) <= 5 else 1000))
        ax.set_title(f"{net} ({source}, {cap:g} uF{suffix.replace('_', ', ')})")
        ax.set_ylabel("FRAM bytes written (log axis)")
        ax.tick_params(axis="x", rotation=30 if len(strategies) <= 5 else 60, labelsize=8)
    shown = {id(r) for r in runs
             if r["capacitor_uF"] == min(x["capacitor_uF"] for x in runs
                                         if x["network"] == r["network"])}
    left_out = list(elsewhere) + [f"{r['name']} ({r.get('trace')}, {r.get('capacitor_uF')} uF)"
                                  for r in all_runs if id(r) not in shown]
    legend_below(fig, axes[0][0], len(KINDS))
    fig.tight_layout(rect=(0, (0.9 if left_out else 0.6) / fig.get_size_inches()[1], 1, 1))
    note_left_out(fig, left_out)
    path = os.path.join(out, f"nvm_writes{suffix}.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def plot_time(runs, out, suffix="", elsewhere=()):
    left_out = list(elsewhere) + [f"{r['name']} ({r.get('status')})" for r in runs
                                  if r.get("status") != "completed"]
    runs = [r for r in runs if r.get("status") == "completed"]
    if not runs:
        return None
    traces = ordered([r["trace"] for r in runs], [])
    caps = sorted(set(r["capacitor_uF"] for r in runs))
    nets = ordered([r["network"] for r in runs], NETWORKS)
    fig, axes = plt.subplots(len(traces), len(caps), figsize=(4.5 * len(caps), 3.3 * len(traces) + 0.6),
                             squeeze=False)
    for i, trace in enumerate(traces):
        # One axis kind per row, so that the row's label holds for every panel in it.
        row_log = needs_log([r["total_time_s"] for r in runs if r["trace"] == trace])
        for j, cap in enumerate(caps):
            ax = axes[i][j]
            rs = [r for r in runs if r["trace"] == trace and r["capacitor_uF"] == cap]
            strategies = label_order(rs)
            width = 0.8 / max(1, len(strategies))
            for k, s in enumerate(strategies):
                xs, ys = [], []
                for n, net in enumerate(nets):
                    r = next((r for r in rs if r["network"] == net and r["label"] == s), None)
                    if r:
                        xs.append(n + (k - (len(strategies) - 1) / 2) * width)
                        ys.append(r["total_time_s"])
                bars = ax.bar(xs, ys, width=width, label=s, color=color_of(s))
                if len(strategies) * len(nets) <= 6:  # room for the values on the bars
                    ax.bar_label(bars, labels=[f"{y:.4g}" for y in ys], fontsize=7, padding=2)
            ax.set_xticks(range(len(nets)))
            ax.set_xticklabels(nets)
            times = [r["total_time_s"] for r in rs]
            if not times:
                ax.set_axis_off()
                continue
            if row_log:
                # Values that far apart need a log axis; the label says so.
                ax.set_yscale("log")
                ax.set_ylim(top=max(times) * 3)
                unit = "s, log axis"
            else:
                ax.set_ylim(0, max(times) * 1.15 if times else 1)
                unit = "s"
            plain_ticks(ax)
            ax.set_title(f"{trace}, {cap:g} uF{suffix.replace('_', ', ')}", fontsize=10)
            if j == 0:
                ax.set_ylabel(f"total inference time ({unit})")
    legend_below(fig, axes[0][0], min(len(label_order(runs)), 8))
    height = fig.get_size_inches()[1]
    fig.tight_layout(rect=(0, (0.9 if left_out else 0.7) / height, 1, 1))
    note_left_out(fig, left_out)
    path = os.path.join(out, f"inference_time{suffix}.png")
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
    # Vcap above; power failures and markers on their own axis below, sharing time.
    fig, (ax, ev) = plt.subplots(2, 1, figsize=(10, 4.4), sharex=True,
                                 gridspec_kw={"height_ratios": [3, 1]})
    ax.plot(t, v, lw=0.6, color="#4c72b0", label="Vcap")
    ax.set_ylabel("Vcap (V)")
    ax.set_title(f"{r['name']}: {r['strategy']} on {r['network']}, {r['trace']}, "
                 f"{r['capacitor_uF']:g} uF")
    rows = [("power failure", fails, "#c44e52")]
    styles = {"slice_done": "#55a868", "layer_done": "#8172b3", "inference_end": "black"}
    for kind, color in styles.items():
        xs = [x for x, k in marks if k == kind]
        if xs:
            rows.append((kind, xs, color))
    for y, (label, xs, color) in enumerate(rows):
        ev.plot(xs, [y] * len(xs), "|", color=color, ms=9, mew=0.8)
    ev.set_yticks(range(len(rows)))
    ev.set_yticklabels([f"{label} ({len(xs)})" for label, xs, _ in rows], fontsize=8)
    ev.set_ylim(-0.6, len(rows) - 0.4)
    ev.invert_yaxis()
    ev.set_xlabel("simulated time (s)")
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
    ap.add_argument("--nvm", help="draw the runs of this platform.nvm.kind only (internal, "
                                  "spi-fram; default: one set of figures per kind)")
    a = ap.parse_args()
    runs = load(a.results_dir)
    if not runs:
        sys.exit(f"{a.results_dir}/results.json has no runs")
    out = a.out or a.results_dir
    os.makedirs(out, exist_ok=True)
    sources = [r.get("trace") for r in runs]
    source = a.source or ("continuous" if "continuous" in sources else sources[0])
    kinds = ordered([nvm_kind(r) for r in runs], ["internal"])
    if a.nvm and a.nvm not in kinds:
        sys.exit(f"{a.results_dir}/results.json has no runs with platform.nvm.kind {a.nvm} "
                 f"(it has {', '.join(kinds)})")
    paths = []
    for kind in [a.nvm] if a.nvm else kinds:
        # One set of figures per NVM kind: a bar per (strategy, kernel) and kind would crowd
        # the panels. The on-chip set keeps the plain names.
        rs = [r for r in runs if nvm_kind(r) == kind]
        others = len(runs) - len(rs)
        elsewhere = [f"{others} runs on another NVM"] if others else []
        suffix = "" if kind == "internal" else "_" + kind
        paths += [plot_nvm(rs, out, source, suffix, elsewhere), plot_time(rs, out, suffix, elsewhere)]
    paths.append(plot_timeline(a.results_dir, runs, out, a.timeline_run))
    for path in paths:
        if path:
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
