#!/usr/bin/python3
"""workload.depth_first.max_slice_cycles, the planner's slice cap (run by ctest; stdlib only).

    depth_first_slice_cap.py IPSIM OUT_DIR

- every group of a capped plan has its largest estimated slice within the cap, the plan
  records the cap, and a smaller cap never gives fewer slices (mnist, lea-fir and lea-mac,
  100 uF on a trace);
- a cap above the one-charge budget changes nothing (the plan equals the uncapped one);
- a capped run (kws on lea-mac, failure injection) completes bit-identical to the golden
  model, and its results.json plan records the cap;
- a cap below a layer's smallest slice is refused before anything runs, by `ipsim plan`,
  `ipsim run` and `ipsim sweep`, naming the key's file and line; the key on another strategy
  and a value out of range are config errors (exit 2) naming the key.
"""
import json
import os
import re
import shutil
import subprocess
import sys

IPSIM, OUT = sys.argv[1:3]
errors = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        errors.append(what)


def ipsim(*args):
    return subprocess.run([IPSIM] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          universal_newlines=True)


def config(name, body):
    path = os.path.join(OUT, name + ".yaml")
    with open(path, "w") as f:
        f.write("name: %s\nseed: 1\ntime_limit: 1h\n"
                "platform:\n  capacitor: {capacitance: 100uF}\n%s" % (name, body))
    return path


def plan_json(path, *sets):
    args = ["plan", path, "--json"]
    for s in sets:
        args += ["--set", s]
    p = ipsim(*args)
    if p.returncode != 0:
        return None
    return [r["plan"] for r in json.loads(p.stdout[p.stdout.index("["):])]


shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
TRACE = "source: {type: trace, file: traces/mementos_1.csv, loop: true}\n"
for kernel, caps in (("lea-fir", [100000, 130000, 160000]), ("lea-mac", [15000, 25000, 40000])):
    path = config("mnist_" + kernel.replace("-", "_"), TRACE +
                  "workload: {network: mnist, strategy: depth-first, kernel: %s}\n" % kernel)
    free = plan_json(path)
    check(free is not None, "%s: uncapped plan" % kernel)
    slices = []
    for cap in caps:
        p = plan_json(path, "workload.depth_first.max_slice_cycles=%d" % cap)
        if p is None:
            check(False, "%s: plan with cap %d" % (kernel, cap))
            continue
        p = p[0]
        worst = max(g["est_max_slice_cycles"] for g in p["groups"])
        check(worst <= cap and p["platform"]["max_slice_cycles"] == cap and
              p["limit_cycles"] == cap,
              "%s cap %d: largest slice %.0f within it, recorded" % (kernel, cap, worst))
        slices.append(p["slices"])
    check(slices == sorted(slices, reverse=True) and slices[0] > free[0]["slices"],
          "%s: slices %s shrink as the cap grows, more than uncapped %d" %
          (kernel, slices, free[0]["slices"]))
    above = plan_json(path, "workload.depth_first.max_slice_cycles=1e9")
    check(above is not None and above[0]["groups"] == free[0]["groups"],
          "%s: a cap above the budget leaves the plan as it is" % kernel)

# A capped run completes bit-identical.
run_cfg = config("kws_capped", "source: {type: failure-injection, mean_on_cycles: 200000, "
                 "off_time: 1ms}\nworkload:\n  network: kws\n  strategy: depth-first\n"
                 "  kernel: lea-mac\n  depth_first: {max_slice_cycles: 12000}\n")
out = os.path.join(OUT, "kws_capped")
p = ipsim("run", run_cfg, "--out", out)
try:
    with open(os.path.join(out, "results.json")) as f:
        r = json.load(f)["runs"][0]
except (OSError, ValueError, KeyError, IndexError):
    r = {}
plan = r.get("depth_first_plan") or {}
check(r.get("status") == "completed" and r.get("power_failures", 0) >= 1 and
      all(i.get("golden_match") for i in r.get("inferences", [{}])) and
      plan.get("platform", {}).get("max_slice_cycles") == 12000 and
      max(g["est_max_slice_cycles"] for g in plan.get("groups", [{"est_max_slice_cycles": 1e9}]))
      <= 12000,
      "kws capped at 12000 cycles: completed bit-identical through %s failures (%s)" %
      (r.get("power_failures"), r.get("status")))

# Refusals and config errors.
bad = config("mnist_cap_too_small", TRACE + "workload:\n  network: mnist\n"
             "  strategy: depth-first\n  depth_first: {max_slice_cycles: 50000}\n")
p = ipsim("plan", bad)
check(p.returncode == 2 and "max_slice_cycles (50000)" in p.stdout and
      "smallest slice of" in p.stdout, "plan: a cap below the smallest slice is refused")
for cmd in ("run", "sweep"):
    out = os.path.join(OUT, "refused_" + cmd)
    p = ipsim(cmd, bad, "--out", out)
    check(p.returncode == 2 and "refused before anything ran" in p.stderr and
          re.search(re.escape(bad) + r":10: workload\.depth_first\.max_slice_cycles: ", p.stderr)
          and not os.path.exists(os.path.join(out, "results.json")),
          "%s: refused up front at the key's line (exit %d)" % (cmd, p.returncode))
other = config("hawaii_cap", TRACE + "workload:\n  network: mnist\n  strategy: hawaii\n"
               "  depth_first: {max_slice_cycles: 50000}\n")
p = ipsim("plan", other)
check(p.returncode == 2 and re.search(re.escape(other) + r":10: workload\.depth_first\."
                                      r"max_slice_cycles: applies to workload\.strategy "
                                      r"depth-first", p.stderr),
      "the key on hawaii is a config error at its line")
for value in ("0", "-5", "2e12", "fast"):
    p = ipsim("plan", bad, "--set", "workload.depth_first.max_slice_cycles=" + value)
    check(p.returncode == 2 and "workload.depth_first.max_slice_cycles: expected" in p.stderr,
          "max_slice_cycles=%s: a config error" % value)
p = ipsim("plan", bad, "--set", "workload.depth_first.max_tile=3")
check(p.returncode == 2 and "unknown key 'max_tile'" in p.stderr, "unknown key under depth_first")

print("%d failure(s)" % len(errors))
sys.exit(1 if errors else 0)
