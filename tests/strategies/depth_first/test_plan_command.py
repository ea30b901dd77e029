#!/usr/bin/python3
"""`ipsim plan` and the up-front refusal of `ipsim run` / `ipsim sweep` (run by ctest).

    test_plan_command.py IPSIM CONFIG_DIR OUT_DIR

- har at 5 uF: `ipsim plan` exits 2 naming the smallest capacitor; that capacitor is planned
  (exit 0) and 1 % less is refused, so the named value is the threshold, not a guess;
- `ipsim run` and `ipsim sweep` refuse such runs with exit 2 before anything runs (no run
  result is written), naming the file and line of the capacitance;
- the plan follows the platform: under continuous power mnist gets fewer, larger slices than
  at 100 uF, and a larger capacitor never needs more slices;
- the report names groups, tiles, SRAM per arena, FRAM writes, halo and the budget.
"""
import json
import os
import re
import shutil
import subprocess
import sys

IPSIM, CONFIGS, OUT = sys.argv[1:4]
errors = []


def ipsim(*args):
    p = subprocess.run([IPSIM] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True)
    return p.returncode, p.stdout, p.stderr


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        errors.append(what)


def plan_json(config, *sets):
    args = ["plan", os.path.join(CONFIGS, config), "--json"]
    for s in sets:
        args += ["--set", s]
    rc, out, err = ipsim(*args)
    return rc, json.loads(out[out.index("["):]) if "[" in out else None, err


har5 = os.path.join(CONFIGS, "har_trace_5uF.yaml")
rc, out, err = ipsim("plan", har5)
m = re.search(r"smallest capacitor that works is ([0-9.]+) uF", out + err)
check(rc == 2 and m is not None, "ipsim plan har at 5 uF: exit 2 naming the smallest capacitor "
      "(exit %d)" % rc)
if m:
    c_min = float(m.group(1))
    rc_at, _, _ = ipsim("plan", har5, "--set", "platform.capacitor.capacitance=%guF" % c_min)
    rc_below, _, _ = ipsim("plan", har5, "--set",
                           "platform.capacitor.capacitance=%guF" % (c_min * 0.99))
    check(rc_at == 0 and rc_below == 2, "har: planned at the named %g uF (exit %d), refused 1 %% "
          "below (exit %d)" % (c_min, rc_at, rc_below))

for cmd, config in (("run", "har_trace_5uF.yaml"), ("sweep", "sweep_10uF_100uF.yaml")):
    out_dir = os.path.join(OUT, cmd)
    shutil.rmtree(out_dir, ignore_errors=True)
    rc, out, err = ipsim(cmd, os.path.join(CONFIGS, config), "--out", out_dir)
    ran = os.path.exists(os.path.join(out_dir, "results.json")) or \
        os.path.isdir(os.path.join(out_dir, "runs")) and os.listdir(os.path.join(out_dir, "runs"))
    # The message points at the line the capacitance was written on (config error style).
    located = re.search(re.escape(config) + r":\d+: platform\.capacitor\.capacitance: ", err)
    check(rc == 2 and "refused before anything ran" in err and located is not None and
          "smallest capacitor that works" in err and not ran,
          "ipsim %s %s: refused up front with exit 2 (exit %d, ran: %s)" % (cmd, config, rc,
                                                                           bool(ran)))

mnist = "mnist_continuous.yaml"
rc, cont, _ = plan_json(mnist)
_, c100, _ = plan_json(mnist, "source={type: failure-injection, mean_on_cycles: 100000, off_time: 1ms}")
_, c470, _ = plan_json(mnist, "source={type: failure-injection, mean_on_cycles: 100000, off_time: 1ms}",
                       "platform.capacitor.capacitance=470uF")
if cont and c100 and c470:
    s_cont, s100, s470 = (p[0]["plan"]["slices"] for p in (cont, c100, c470))
    check(cont[0]["plan"]["platform"]["continuous"] and cont[0]["plan"]["budget_cycles"] == "inf",
          "continuous supply: no energy budget")
    check(s_cont < s470 <= s100, "mnist slices: continuous %d < 470 uF %d <= 100 uF %d" %
          (s_cont, s470, s100))
    for p in (c100, c470):
        plan = p[0]["plan"]
        worst = max(g["est_max_slice_cycles"] for g in plan["groups"])
        check(worst <= plan["budget_cycles"], "%.0f uF: largest slice %.0f <= budget %.0f cycles"
              % (plan["platform"]["capacitance_F"] * 1e6, worst, plan["budget_cycles"]))
else:
    check(False, "ipsim plan --json on %s (exit %d)" % (mnist, rc))

rc, out, _ = ipsim("plan", os.path.join(CONFIGS, "mnist_failures.yaml"))
for word in ("group 0: layers", "tile ", "SRAM arena 0", "FRAM writes", "recomputed halo",
             "of the budget", "slice budget"):
    check(rc == 0 and word in out, "report of mnist at 100 uF mentions '%s'" % word)

print("%d failure(s)" % len(errors))
sys.exit(1 if errors else 0)
