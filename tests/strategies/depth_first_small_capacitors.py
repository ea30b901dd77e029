#!/usr/bin/python3
"""Issue 11 item 4: depth-first at capacitors smaller than the default plan's 100 uF (run by
ctest; stdlib only).

    depth_first_small_capacitors.py IPSIM OUT_DIR

For every network (mnist, har, kws), kernel (lea-mac, lea-fir) and capacitor (10 uF, 22 uF)
on the Mementos 1 RF trace, depth-first is planned for that platform and either
  - runs: it must complete, every inference bit-identical to the kernel's golden model,
    through at least 20 real power failures (kws on lea-fir at
    22 uF: 24; mnist on lea-mac at 10 uF: about 1800), with a plan made for that capacitor whose
    largest slice fits its one-charge budget; or
  - is refused before anything runs: `ipsim plan` and `ipsim run` exit 2 naming the smallest
    capacitor that works, which must be above the one asked for, and `ipsim run` writes no
    result.
It never runs into no-progress. The cases that must run are those the planner's smallest
capacitors allow (issue 11 item 2: har 10.11 uF, kws 4.83 uF, mnist 7.01 uF on lea-mac;
lea-fir's full-width FIR bands need more: kws 12.38 uF): a planner that refused them would
fail here, as would one that accepted a platform it then cannot finish on.
"""
import json
import os
import re
import shutil
import subprocess
import sys

IPSIM, OUT = sys.argv[1:3]
NETWORKS = ["mnist", "har", "kws"]
KERNELS = ["lea-mac", "lea-fir"]
CAPS_UF = [10, 22]
# (network, kernel, uF) that must be planned and complete.
MUST_RUN = {("mnist", "lea-mac", 10), ("kws", "lea-mac", 10), ("mnist", "lea-mac", 22),
            ("har", "lea-mac", 22), ("kws", "lea-mac", 22), ("kws", "lea-fir", 22)}
errors = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        errors.append(what)


def ipsim(*args):
    return subprocess.run([IPSIM] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def write_config(path, net, kernel, cap_uf):
    with open(path, "w") as f:
        f.write("name: small-%s-%s-%duF\nseed: 1\ntime_limit: 12h\n"
                "platform:\n  capacitor: {capacitance: %duF, max_voltage: 3.3V}\n"
                "  supervisor: {v_on: 2.8V, v_off: 2.4V}\n"
                "source: {type: trace, file: traces/mementos_1.csv, harvester: {model: power}, "
                "loop: true}\n"
                "workload: {network: %s, strategy: depth-first, kernel: %s, inferences: 1, "
                "inputs: [0]}\n" % (net, kernel, cap_uf, cap_uf, net, kernel))


shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
for net in NETWORKS:
    for kernel in KERNELS:
        for cap in CAPS_UF:
            case = "%s %s %d uF" % (net, kernel, cap)
            name = "%s_%s_%duF" % (net, kernel.replace("-", "_"), cap)
            config = os.path.join(OUT, name + ".yaml")
            write_config(config, net, kernel, cap)
            out = os.path.join(OUT, name)
            plan = ipsim("plan", config)
            run = ipsim("run", config, "--out", out)
            results = os.path.join(out, "results.json")
            if plan.returncode == 2:
                m = re.search(r"smallest capacitor that works is ([0-9.]+) uF", plan.stdout)
                check(m is not None and float(m.group(1)) > cap,
                      "%s: refused by the planner naming a larger capacitor (%s)" %
                      (case, m.group(1) + " uF" if m else "none named"))
                check((net, kernel, cap) not in MUST_RUN,
                      "%s: not a case the planner must accept" % case)
                named = re.search(re.escape(config) + r":\d+: platform\.capacitor\.capacitance: "
                                  r".*smallest capacitor that works is ([0-9.]+) uF", run.stderr)
                check(run.returncode == 2 and "refused before anything ran" in run.stderr and
                      named is not None and not os.path.exists(results) and
                      not (os.path.isdir(os.path.join(out, "runs")) and
                           any(f.endswith(".json") and f != "specs.json"
                               for f in os.listdir(os.path.join(out, "runs")))),
                      "%s: ipsim run refuses before running, naming the capacitor's line "
                      "(exit %d)" % (case, run.returncode))
                continue
            check(plan.returncode == 0, "%s: ipsim plan exit %d" % (case, plan.returncode))
            if not os.path.exists(results):
                check(False, "%s: ipsim run wrote no results (exit %d): %s" %
                      (case, run.returncode, run.stderr[-400:]))
                continue
            with open(results) as f:
                r = json.load(f)["runs"][0]
            infs = r.get("inferences", [])
            ok = r.get("status") == "completed" and len(infs) == 1 and \
                all(i.get("golden_match") for i in infs)
            check(ok, "%s: completed bit-identical to golden --kernel %s (status %s, %s)" %
                  (case, kernel, r.get("status"), r.get("message", "")))
            check(r.get("power_failures", 0) >= 20,
                  "%s: through real power failures (%d)" % (case, r.get("power_failures", 0)))
            p = r.get("depth_first_plan") or {}
            planned_for = p.get("platform", {}).get("capacitance_F", 0) * 1e6
            worst = max((g["est_max_slice_cycles"] for g in p.get("groups", [])), default=None)
            check(abs(planned_for - cap) < 1e-6 and worst is not None and
                  worst <= p.get("budget_cycles", 0),
                  "%s: planned for %g uF, largest slice %s <= budget %s cycles" %
                  (case, planned_for, worst, p.get("budget_cycles")))
            print("     %s: %d power failures, %.1f s, %d slices" %
                  (case, r.get("power_failures", 0), r.get("total_time_s", 0), p.get("slices", 0)))

print("%d failure(s)" % len(errors))
sys.exit(1 if errors else 0)
