#!/usr/bin/python3
"""Constraint tests of scripts/plan_slices.py (run by ctest; stdlib only).

- every slice of every network's default plan fits the SRAM arenas and the per-charge cycle
  budget, and the plan writes fewer FRAM bytes than the layer-wise buffers;
- the committed plans/<net>_plan.{h,c} and <net>_lea_fir_plan.{h,c} are what the planner
  generates (reproducible), and the lea-fir plans fit LEA RAM and the budget;
- a too-small capacitor is refused with a clear message and a non-zero exit status;
- a larger capacitor gives no more slices than the default one."""
import filecmp
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PLANNER = os.path.join(ROOT, "scripts", "plan_slices.py")
NETS = ["kws", "har", "mnist"]
LEA_WORDS, CPU_WORDS = 2048, 1000  # the planner's defaults
failures = []


def check(cond, msg):
    print(("ok   " if cond else "FAIL ") + msg)
    if not cond:
        failures.append(msg)


def plan(net, *extra):
    p = subprocess.run([sys.executable, PLANNER, "--network", net, "--json"] + list(extra),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    return p.returncode, (json.loads(p.stdout) if p.returncode == 0 else None), p.stderr


for net in NETS:
    rc, p, err = plan(net)
    check(rc == 0, "%s: default plan generated (%s)" % (net, err.strip()))
    if rc:
        continue
    budget = p["budget_cycles"]
    # LEA RAM: the LEA stack (8 words), the MAC result (2), the LEA operand buffers and the
    # arenas that go there; the operand buffers hold the largest receptive field / FC input.
    lea = p["lea_arena_words"]
    check(lea + p["lea_w_words"] + p["lea_x_words"] + 8 + 2 <= LEA_WORDS,
          "%s: LEA RAM split %d + %d + %d + 10 <= %d words" %
          (net, lea, p["lea_w_words"], p["lea_x_words"], LEA_WORDS))
    for i, g in enumerate(p["groups"]):
        a, b = [n + (n & 1) for n in g["sram_words"]]
        fits = a + b <= lea or (a <= lea and b <= CPU_WORDS) or (b <= lea and a <= CPU_WORDS)
        check(fits, "%s group %d: SRAM arenas %d + %d words fit" % (net, i, a, b))
        check(g["max_cycles"] <= budget, "%s group %d: largest slice %.0f <= budget %.0f cycles"
              % (net, i, g["max_cycles"], budget))
    check(p["groups"][0]["first"] == 0 and p["groups"][-1]["last"] ==
          max(g["last"] for g in p["groups"]), "%s: groups cover the network" % net)
    check(all(x["last"] + 1 == y["first"] for x, y in zip(p["groups"], p["groups"][1:])),
          "%s: groups are consecutive" % net)
    check(p["write_bytes"] < p["layerwise_write_bytes"],
          "%s: FRAM writes %d B < layer-wise %d B" % (net, p["write_bytes"],
                                                       p["layerwise_write_bytes"]))
    rc, big, _ = plan(net, "--capacitance", "1e-3")
    check(rc == 0 and sum(g["slices"] for g in big["groups"]) <=
          sum(g["slices"] for g in p["groups"]), "%s: 1 mF plan has no more slices" % net)

    # Reproducible: regenerating gives the committed files byte for byte.
    with tempfile.TemporaryDirectory() as d:
        q = subprocess.run([sys.executable, PLANNER, "--network", net, "--write", "--out-dir", d],
                           stdout=subprocess.PIPE, universal_newlines=True)
        committed = os.path.join(ROOT, "kernels", "strategies", "plans")
        for ext in (".h", ".c"):
            name = net + "_plan" + ext
            same = q.returncode == 0 and filecmp.cmp(os.path.join(d, name),
                                                      os.path.join(committed, name), False)
            check(same, "%s: committed %s matches the planner" % (net, name))

# lea-fir plans (--kernel lea-fir): LEA RAM holds the FIR work buffers (input band = lea_x,
# taps, three output bands of lea_w words) next to the arenas; every slice fits the budget;
# the committed plans/<net>_lea_fir_plan.{h,c} are what the planner generates.
for net in NETS:
    rc, p, err = plan(net, "--kernel", "lea-fir")
    check(rc == 0, "%s lea-fir: plan generated (%s)" % (net, err.strip()))
    if rc:
        continue
    check(p["lea_arena_words"] + 3 * p["lea_w_words"] + p["lea_x_words"] + 16 + 8 + 2 <= LEA_WORDS,
          "%s lea-fir: LEA RAM split fits %d words" % (net, LEA_WORDS))
    check(all(g["max_cycles"] <= p["budget_cycles"] for g in p["groups"]),
          "%s lea-fir: every slice within the budget" % net)
    with tempfile.TemporaryDirectory() as d:
        q = subprocess.run([sys.executable, PLANNER, "--network", net, "--kernel", "lea-fir",
                            "--write", "--out-dir", d], stdout=subprocess.PIPE,
                           universal_newlines=True)
        committed = os.path.join(ROOT, "kernels", "strategies", "plans")
        for ext in (".h", ".c"):
            name = net + "_lea_fir_plan" + ext
            same = q.returncode == 0 and filecmp.cmp(os.path.join(d, name),
                                                      os.path.join(committed, name), False)
            check(same, "%s: committed %s matches the planner" % (net, name))

# Refusal: 1 uF gives ~2.5k cycles per charge, below any slice of mnist's conv layers.
rc, _, err = plan("mnist", "--capacitance", "1e-6")
check(rc == 2, "1 uF mnist refused with exit status 2 (got %d)" % rc)
check("REFUSED" in err and "capacitor" in err and "cycles" in err,
      "refusal message names the capacitor and the cycles: " + err.strip())

print("%d failure(s)" % len(failures))
sys.exit(1 if failures else 0)
