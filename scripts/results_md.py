#!/usr/bin/env python3
"""The generated tables of docs/results.md, from the results.json of a configs/paper.yaml sweep.

  scripts/results_md.py RESULTS_JSON [--md OUT.md] [--csv OUT.csv] [--update docs/results.md]

Writes Markdown (stdout, or --md) with, per network (and per NVM kind when the sweep has
both the on-chip FRAM and the external SPI FRAM, platform.nvm.kind):
  - total inference time of every (strategy, kernel) per (source, capacitor), the
    status of every run that did not complete in its cell, and depth-first's speed-up over
    HAWAII on the same kernel (lea-fir: HAWAII as published, hawaii_fir.c; lea-mac);
  - depth-first against HAWAII per kernel: NVM bytes written, power failures, re-executed
    (wasted) CPU cycles;
and, over all networks: the status and correctness summary, the speed-up summary per kernel
(wins, ties, losses, min / median / max), the continuous-power table (time, CPU cycles, NVM
bytes per (strategy, kernel)) and depth-first's overhead over the unsafe `continuous`
strategy on the same kernel; with both NVM kinds, the external FRAM's cost under continuous
power per (network, strategy, kernel). The speed-up summary and the continuous-power tables
have a row per NVM kind. Ratios within TIE (4 %, the code-alignment sensitivity of the
FRAM cache model) of 1 are written as ties.
--csv writes one row per run without host timings (docs/paper_results.csv). --update writes
the tables into docs/results.md between its BEGIN GENERATED and END GENERATED markers.
Stdlib only; deterministic for a given results.json.
"""
import argparse
import csv
import json
import statistics
import sys

TIE = 0.04
BEGIN, END = "<!-- BEGIN GENERATED (scripts/results_md.py) -->", "<!-- END GENERATED -->"
NETWORKS = ["mnist", "mnist8", "har", "kws"]
SOURCES = ["mementos_1", "mementos_3", "nrel_2023jan", "shepherd_jogging", "continuous"]
SOURCE_NAMES = {"mementos_1": "Mementos 1", "mementos_3": "Mementos 3",
                "nrel_2023jan": "NREL Jan.", "shepherd_jogging": "shepherd",
                "continuous": "continuous"}
# Columns of the time table: (strategy, kernel), in this order when present.
COMBOS = [("layerwise-checkpoint", "cpu"), ("sonic", "cpu"),
          ("layerwise-checkpoint", "lea-mac"), ("layerwise-checkpoint", "lea-fir"),
          ("continuous", "cpu"), ("continuous", "lea-mac"), ("continuous", "lea-fir"),
          ("hawaii", "lea-mac"), ("hawaii", "lea-fir"),
          ("depth-first", "lea-mac"), ("depth-first", "lea-fir")]
SHORT = {"layerwise-checkpoint": "layerwise", "continuous": "continuous", "sonic": "sonic",
         "hawaii": "hawaii", "depth-first": "depth-first"}
LEA_KERNELS = ["lea-fir", "lea-mac"]
NVM_NAMES = {"internal": "on-chip FRAM", "spi-fram": "external SPI FRAM"}


def nvm_kind(r):
    try:
        return r["provenance"]["config"]["platform"]["nvm"]["kind"]
    except (KeyError, TypeError):
        return "internal"


def nvm_written(r):
    """NVM bytes written: the on-chip FRAM plus the external SPI FRAM (if any)."""
    n = r.get("nvm") or {}
    return (n.get("write_bytes") or 0) + ((n.get("spi_fram") or {}).get("write_bytes") or 0)


def done(r):
    return r is not None and r.get("status") == "completed"


def ratio_text(base, other):
    """How many times less time `other` takes than `base`: '1.68x', '0.92x', '1.02x (tie)'."""
    if not (done(base) and done(other)) or not other["total_time_s"]:
        return "n/a"
    q = base["total_time_s"] / other["total_time_s"]
    return "%.2fx%s" % (q, " (tie)" if abs(q - 1) < TIE else "")


def fmt_time(r):
    if r is None:
        return ""
    if not done(r):
        return r.get("status", "?")
    t = r["total_time_s"]
    return "%.3g" % t if t < 100 else "%.0f" % t


def kb(n):
    return "%.1f" % (n / 1000.0) if n < 1e6 else "%.0f" % (n / 1000.0)


def table(header, rows, align=None):
    align = align or ["---"] + ["---:"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


class Runs:
    def __init__(self, runs):
        self.runs = runs
        self.by = {}
        for r in runs:
            key = (r["network"], r["strategy"], r.get("kernel"), r["trace"], r["capacitor_uF"],
                   nvm_kind(r))
            self.by[key] = r
        self.nvms = sorted({nvm_kind(r) for r in runs}, key=lambda k: (k != "internal", k))
        self.caps = sorted({r["capacitor_uF"] for r in runs})
        self.sources = [s for s in SOURCES if any(r["trace"] == s for r in runs)] + \
            sorted({r["trace"] for r in runs} - set(SOURCES))
        present = {(r["strategy"], r.get("kernel")) for r in runs}
        self.combos = [c for c in COMBOS if c in present] + sorted(present - set(COMBOS))

    def get(self, net, strategy, kernel, source, cap, nvm):
        return self.by.get((net, strategy, kernel, source, cap, nvm))

    def settings(self, net, nvms=None):
        """(source, capacitor, nvm) with runs of net; continuous power once (at the smallest
        capacitor: the supply never fails, so the capacitor does not matter)."""
        for nvm in nvms or self.nvms:
            for source in self.sources:
                for cap in self.caps[:1] if source == "continuous" else self.caps:
                    if any(self.get(net, s, k, source, cap, nvm) for s, k in self.combos):
                        yield source, cap, nvm

    def label(self, source, cap, nvm, with_nvm=True):
        text = "continuous power" if source == "continuous" else \
            "%s, %s" % (SOURCE_NAMES.get(source, source), cap_text(cap))
        return text + (", " + nvm if with_nvm and len(self.nvms) > 1 else "")

    def combos_of(self, net, nvm):
        """The (strategy, kernel) columns with a run of net on nvm (an excluded or refused
        combination has no column)."""
        return [(s, k) for s, k in self.combos
                if any(r["network"] == net and (r["strategy"], r.get("kernel")) == (s, k) and
                       nvm_kind(r) == nvm for r in self.runs)]

    def tables(self):
        """(network, nvm, heading suffix) per table of the per-network sections."""
        for net in NETWORKS + sorted({r["network"] for r in self.runs} - set(NETWORKS)):
            for nvm in self.nvms:
                if any(r["network"] == net and nvm_kind(r) == nvm for r in self.runs):
                    yield net, nvm, (", " + NVM_NAMES.get(nvm, nvm) if len(self.nvms) > 1
                                     else "")


def cap_text(uf):
    return "%g mF" % (uf / 1000) if uf >= 1000 else "%g uF" % uf


def summary(R, config=None):
    out = []
    status = {}
    for r in R.runs:
        status.setdefault(r["status"], []).append(r)
    comp = status.get("completed", [])
    exact = [r for r in comp if r["inferences"] and all(i.get("golden_match")
                                                        for i in r["inferences"])]
    pf = max((r.get("power_failures", 0) for r in exact), default=0)
    out.append("%d runs: %s. Of the %d completed runs, %d are bit-identical to the golden model "
               "of their kernel, through up to %d power failures per run." %
               (len(R.runs), ", ".join("%d %s" % (len(v), k) for k, v in sorted(status.items())),
                len(comp), len(exact), pf))
    not_done = [r for r in R.runs if r["status"] != "completed"]
    if not_done:
        kinds = {}
        for r in not_done:
            kinds.setdefault((r["strategy"], r.get("kernel"), r["status"]), []).append(r)
        out.append(" Not completed: " + "; ".join(
            "%s on %s, %s: %d (%s)" % (s, k, st, len(v), ", ".join(sorted({x["trace"] for x in v})))
            for (s, k, st), v in sorted(kinds.items())) + ".")
    excluded = (config or {}).get("excluded") or 0
    if excluded:
        entries = (config or {}).get("exclude") or []
        out.append(" The config's `exclude` leaves out %d combinations (%s)." % (excluded, "; ".join(
            ", ".join("%s %s" % (k, json.dumps(v) if not isinstance(v, str) else v)
                      for k, v in e.items()) for e in entries)))
    return "".join(out) + "\n"


def speedups(R):
    """Per kernel: depth-first's speed-up over hawaii in every setting where both completed."""
    res = {}
    for nvm in R.nvms:
        for k in LEA_KERNELS:
            qs = []
            for net in NETWORKS:
                for source, cap, _ in R.settings(net, [nvm]):
                    h = R.get(net, "hawaii", k, source, cap, nvm)
                    d = R.get(net, "depth-first", k, source, cap, nvm)
                    if done(h) and done(d):
                        qs.append((h["total_time_s"] / d["total_time_s"], net, source, cap, nvm))
            if qs:
                res[(k, nvm)] = qs
    return res


def speedup_summary(R):
    rows = []
    several = len(R.nvms) > 1
    for (k, nvm), qs in speedups(R).items():
        vals = [q for q, *_ in qs]
        wins = sum(q >= 1 + TIE for q in vals)
        losses = sum(q <= 1 - TIE for q in vals)
        lo, hi = min(qs), max(qs)
        rows.append(([k, nvm] if several else [k]) +
                    [len(vals), wins, len(vals) - wins - losses, losses, "%.2fx" % lo[0],
                     "%.2fx" % statistics.median(vals), "%.2fx" % hi[0],
                     "%s %s" % (lo[1], R.label(*lo[2:], with_nvm=False)),
                     "%s %s" % (hi[1], R.label(*hi[2:], with_nvm=False))])
    lead = ["kernel", "NVM"] if several else ["kernel"]
    return table(lead + ["settings", "depth-first faster", "tie (< 4 %)", "hawaii faster",
                         "min", "median", "max", "min at", "max at"], rows,
                 ["---"] * len(lead) + ["---:"] * 7 + ["---", "---"])


def time_tables(R):
    out = []
    for net, nvm, suffix in R.tables():
        combos = R.combos_of(net, nvm)
        header = ["source, capacitor"] + ["%s %s" % (SHORT.get(s, s), k) for s, k in combos]
        header += ["df vs hawaii %s" % k for k in LEA_KERNELS
                   if ("hawaii", k) in combos and ("depth-first", k) in combos]
        rows = []
        for source, cap, _ in R.settings(net, [nvm]):
            row = [R.label(source, cap, nvm, with_nvm=False)]
            row += [fmt_time(R.get(net, s, k, source, cap, nvm)) for s, k in combos]
            for k in LEA_KERNELS:
                if ("hawaii", k) in combos and ("depth-first", k) in combos:
                    row.append(ratio_text(R.get(net, "hawaii", k, source, cap, nvm),
                                          R.get(net, "depth-first", k, source, cap, nvm)))
            rows.append(row)
        out.append("#### %s%s: total inference time (s)\n\n" % (net, suffix) +
                   table(header, rows))
    return "\n".join(out)


def counter_tables(R):
    out = []
    for net, nvm, suffix in R.tables():
        combos = R.combos_of(net, nvm)
        header = ["source, capacitor"]
        kernels = [k for k in LEA_KERNELS
                   if ("hawaii", k) in combos and ("depth-first", k) in combos]
        for k in kernels:
            header += ["NVM kB df / hawaii %s" % k, "failures df / hawaii %s" % k,
                       "re-exec. Mcyc df / hawaii %s" % k]
        if not kernels:
            continue
        rows = []
        for source, cap, _ in R.settings(net, [nvm]):
            row = [R.label(source, cap, nvm, with_nvm=False)]
            for k in kernels:
                d = R.get(net, "depth-first", k, source, cap, nvm)
                h = R.get(net, "hawaii", k, source, cap, nvm)

                def pair(f):
                    return " / ".join(f(x) if x is not None else "" for x in (d, h))
                row.append(pair(lambda x: kb(nvm_written(x))))
                row.append(pair(lambda x: "%d" % x.get("power_failures", 0)))
                row.append(pair(lambda x: "%.2f" % ((x.get("wasted_cycles") or 0) / 1e6)))
            rows.append(row)
        out.append("#### %s%s: depth-first (df) against HAWAII\n\n" % (net, suffix) +
                   table(header, rows))
    return "\n".join(out)


def continuous_tables(R):
    """Under continuous power (the smallest capacitor's runs: the supply never fails)."""
    cap = R.caps[0]
    several = len(R.nvms) > 1
    rows, over = [], []
    for nvm in R.nvms:
        for net in NETWORKS:
            for s, k in R.combos:
                r = R.get(net, s, k, "continuous", cap, nvm)
                if not done(r):
                    continue
                rows.append([net] + ([nvm] if several else []) + [SHORT.get(s, s), k,
                             "%.1f" % (r["total_time_s"] * 1e3), "%.2f" % (r["cycles"] / 1e6),
                             "%d" % nvm_written(r), "%d" % r.get("boots", 0)])
            for k in LEA_KERNELS:
                c = R.get(net, "continuous", k, "continuous", cap, nvm)
                d = R.get(net, "depth-first", k, "continuous", cap, nvm)
                h = R.get(net, "hawaii", k, "continuous", cap, nvm)
                if not (done(c) and done(d)):
                    continue

                def pct(x):
                    if not done(x):
                        return "n/a"
                    v = 100.0 * (x["total_time_s"] / c["total_time_s"] - 1)
                    return "%+.1f %%%s" % (v, " (tie)" if abs(v) < 100 * TIE else "")
                over.append([net] + ([nvm] if several else []) + [k, pct(d), pct(h),
                             "%.1fx" % (nvm_written(c) / max(1, nvm_written(d)))])
    lead = ["network", "NVM"] if several else ["network"]
    t1 = table(lead + ["strategy", "kernel", "time ms", "CPU Mcycles", "NVM bytes written",
                       "boots"], rows, ["---"] * (len(lead) + 2) + ["---:"] * 4)
    t2 = table(lead + ["kernel", "depth-first over continuous", "hawaii over continuous",
                       "continuous writes / depth-first writes"], over,
               ["---"] * (len(lead) + 1) + ["---:"] * 3)
    return t1, t2


def nvm_table(R):
    """With both NVM kinds: what the external SPI FRAM costs under continuous power, per
    (network, strategy, kernel) that ran on both."""
    if "internal" not in R.nvms or "spi-fram" not in R.nvms:
        return None
    cap = R.caps[0]
    rows = []
    for net in NETWORKS:
        for s, k in R.combos:
            i = R.get(net, s, k, "continuous", cap, "internal")
            e = R.get(net, s, k, "continuous", cap, "spi-fram")
            if not (done(i) and done(e)):
                continue
            rows.append([net, SHORT.get(s, s), k, "%.1f" % (i["total_time_s"] * 1e3),
                         "%.1f" % (e["total_time_s"] * 1e3),
                         "%.2fx" % (e["total_time_s"] / i["total_time_s"]),
                         "%d" % nvm_written(i), "%d" % nvm_written(e)])
    return table(["network", "strategy", "kernel", "on-chip ms", "external ms",
                  "external / on-chip", "NVM bytes on-chip", "NVM bytes external"], rows,
                 ["---", "---", "---"] + ["---:"] * 5)


def write_csv(R, path):
    cols = ["index", "name", "network", "strategy", "kernel", "nvm", "trace", "capacitor_uF",
            "status", "inferences", "golden_match", "total_time_s", "on_time_s", "off_time_s",
            "power_failures", "boots", "cycles", "wasted_cycles", "nvm_write_bytes",
            "nvm_read_bytes", "lea_busy_cycles", "energy_consumed_J", "energy_harvested_J",
            "df_slices"]
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(cols)
        for r in sorted(R.runs, key=lambda r: r["index"]):
            infs = r.get("inferences") or []
            e = r.get("energy_J") or {}
            w.writerow([r["index"], r["name"], r["network"], r["strategy"], r.get("kernel"),
                        nvm_kind(r), r["trace"], r["capacitor_uF"], r["status"], len(infs),
                        sum(1 for i in infs if i.get("golden_match")), r.get("total_time_s"),
                        r.get("on_time_s"), r.get("off_time_s"), r.get("power_failures"),
                        r.get("boots"), r.get("cycles"), r.get("wasted_cycles"), nvm_written(r),
                        (r.get("nvm") or {}).get("read_bytes"),
                        (r.get("lea") or {}).get("busy_cycles"), e.get("consumed"),
                        e.get("harvested"), (r.get("depth_first_plan") or {}).get("slices", "")])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("results")
    ap.add_argument("--md", help="write the Markdown here instead of stdout")
    ap.add_argument("--csv", help="also write one row per run (no host timings) here")
    ap.add_argument("--update", metavar="DOC",
                    help="replace the text between the BEGIN/END GENERATED markers of DOC")
    a = ap.parse_args()
    with open(a.results) as f:
        doc = json.load(f)
    R = Runs(doc["runs"] if isinstance(doc, dict) else doc)
    ident = doc.get("ipsim", {}) if isinstance(doc, dict) else {}
    t_cont, t_over = continuous_tables(R)
    t_nvm = nvm_table(R)
    config = (doc.get("config") or {}) if isinstance(doc, dict) else {}
    md = ["<!-- generated by scripts/results_md.py from a results.json of %s (ipsim %s, commit "
          "%s); do not edit by hand -->\n" % (
              (doc.get("config") or {}).get("name", "?") if isinstance(doc, dict) else "?",
              ident.get("version", "?"), ident.get("commit", "?")),
          "### Runs\n\n" + summary(R, config),
          "### Depth-first against HAWAII: speed-up summary\n\n"
          "Speed-up = HAWAII's total inference time / depth-first's, on the same kernel, in "
          "every (network, source, capacitor%s) where both completed; within 4 %% of 1 it is a "
          "tie.\n\n" % (", NVM" if len(R.nvms) > 1 else "") + speedup_summary(R),
          "### Under continuous power\n\n" + t_cont,
          "### Overhead over `continuous` under continuous power\n\n"
          "Total inference time over the unsafe `continuous` strategy on the same kernel; "
          "within 4 % it is a tie.\n\n" + t_over] + (
          ["### On-chip against external FRAM under continuous power\n\n"
           "Total inference time with the state in the on-chip FRAM and in the external SPI "
           "FRAM (platform.nvm.kind), for every (network, strategy, kernel) that ran on both; "
           "NVM bytes: written to the on-chip and the external FRAM together (`continuous` "
           "keeps nothing across power failures and uses the on-chip FRAM alone).\n\n" + t_nvm] if t_nvm else []) + [
          "### Total inference time per network\n\n"
          "Seconds of simulated time from power-up to the result; a run that did not complete "
          "shows its status; a combination the sweep leaves out has no column. df vs hawaii: "
          "HAWAII's time / depth-first's on that kernel.\n\n" +
          time_tables(R),
          "### Depth-first against HAWAII: the counters\n\n"
          "NVM kB: bytes written to non-volatile memory per inference; failures: power "
          "failures; re-exec. Mcyc: CPU cycles executed since the last new progress marker "
          "before each failure (work lost; on lea-fir the CPU sleeps while the LEA runs, so "
          "the LEA's share is not in it).\n\n" + counter_tables(R)]
    text = "\n".join(md)
    if a.update:
        with open(a.update) as f:
            doc_text = f.read()
        begin, end = doc_text.find(BEGIN), doc_text.find(END)
        if begin < 0 or end < begin:
            sys.exit("%s: no %s ... %s section" % (a.update, BEGIN, END))
        with open(a.update, "w") as f:
            f.write(doc_text[:begin + len(BEGIN)] + "\n" + text + "\n" + doc_text[end:])
    if a.md:
        with open(a.md, "w") as f:
            f.write(text)
    elif not a.update:
        sys.stdout.write(text)
    if a.csv:
        write_csv(R, a.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
