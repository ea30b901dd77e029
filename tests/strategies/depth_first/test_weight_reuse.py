#!/usr/bin/python3
"""depth-first keeps conv output channels' weights across slices (run by ctest).

    test_weight_reuse.py IPSIM CONFIG OUT_DIR

Runs CONFIG (a depth-first run) with the per-function profile and counts the conv weight loads
of output channels: on lea-mac the calls of lk_conv_load (one channel into LEA RAM), on lea-fir
those of nn_fir_bias (df_conv_fir_resident calls it once per channel it reads into nn_wbuf).
From the run's plan it derives, with the firmware's slice order (channel block outermost, then
rows, then columns) and its weight tag, the channels loaded:
  - lea-mac (lk_conv_region_resident): a channel is loaded unless it is the last one loaded,
    for the same layer; an FC layer or a boot clears the tag;
  - lea-fir (df_conv_fir_resident): a channel is loaded unless it is among those the last load
    brought, for the same layer; a load brings the channel and the rest of its region's when
    they fit nn_wbuf (df_fir_load_span: at most 32 channels, 512 words); a boot clears the tag;
  - with_tag: the loads of one uninterrupted pass (times the inferences);
  - without: one load per output channel of every conv region (the loads before the tag).
Checks that the run is bit-identical to the golden model, that the loads are at most with_tag
plus, per reboot, twice the most any slice loads (the cut slice and its re-run), and that they
are fewer than without (the tag is in use).
"""
import json
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from nvm_closed_form import layers_of  # noqa: E402

IPSIM, CONFIG, OUT = sys.argv[1:4]
shutil.rmtree(OUT, ignore_errors=True)
p = subprocess.run([IPSIM, "run", CONFIG, "--profile", "--out", OUT], stdout=subprocess.PIPE,
                   stderr=subprocess.PIPE, universal_newlines=True)
errors = []
try:
    with open(os.path.join(OUT, "results.json")) as f:
        run = json.load(f)["runs"][0]
except (OSError, ValueError, KeyError, IndexError):
    print("FAIL: no result (exit %d): %s" % (p.returncode, p.stderr[-500:]))
    sys.exit(1)
kernel = run["kernel"]
if kernel not in ("lea-mac", "lea-fir") or run["strategy"] != "depth-first":
    print("FAIL: %s is not a lea-mac or lea-fir depth-first run" % CONFIG)
    sys.exit(1)
counted = "lk_conv_load" if kernel == "lea-mac" else "nn_fir_bias"
WBUF_WORDS, TAG_CHANNELS = 512, 32  # nn_platform.h NN_WBUF_WORDS, depth_first_fir.h
if run["status"] != "completed" or not all(i["golden_match"] for i in run["inferences"]):
    errors.append("status %s, golden_match %s" % (run["status"],
                                                  [i["golden_match"] for i in run["inferences"]]))

calls = None
prof = os.path.join(OUT, "runs", "0-%s" % run["name"], "profile.csv")
with open(prof) as f:
    for line in f:
        if line.startswith(counted + ","):
            calls = int(line.split(",")[5])
if calls is None:
    errors.append("%s not in %s" % (counted, prof))

layers = layers_of(run["network"])
with_tag = without = most = 0
for g in run["depth_first_plan"]["groups"]:
    first, last = g["first"], g["last"]
    (ty, tx, tc), (ny, nx, nc) = g["tile"], g["tiles"]
    out_c = layers[last]["out"][0]
    tag = None  # a new group starts with a conv of its own, or after an FC
    for cb in range(nc):
        for _ in range(ny * nx):
            c0, c1 = cb * tc, min(cb * tc + tc, out_c)
            loads = 0
            # From the group's end backwards: channel-wise layers keep the channel range.
            ranges = {}
            for k in range(last, first - 1, -1):
                ranges[k] = (c0, c1)
                if layers[k]["op"] not in ("pool", "relu"):
                    c0, c1 = 0, layers[k]["inp"][0]
            for k in range(first, last + 1):
                if layers[k]["op"] == "fc" and kernel == "lea-mac":
                    tag = None
                if layers[k]["op"] != "conv":
                    continue
                a, b = ranges[k]
                without += b - a
                if kernel == "lea-mac":
                    loads += (b - a) - (1 if tag == (k, a) else 0)
                    tag = (k, b - 1)
                    continue
                kwords = layers[k]["inp"][0] * layers[k]["kh"] * layers[k]["kw"]
                for oc in range(a, b):
                    if tag is not None and tag[0] == k and tag[1] <= oc < tag[2]:
                        continue
                    span = b - oc
                    if span > TAG_CHANNELS or span * kwords > WBUF_WORDS:
                        span = 1
                    loads += span
                    tag = (k, oc, oc + span)
            with_tag += loads
            most = max(most, loads)

inferences = len(run["inferences"])
with_tag *= inferences
without *= inferences
boots = run["boots"]
bound = with_tag + (boots - 1) * 2 * most
print("%s calls %s; %d pass(es) with the tag %d, without %d; %d boots, at most %d per "
      "slice: bound %d" % (counted, calls, inferences, with_tag, without, boots, most, bound))
if boots == 1 and calls is not None and calls != with_tag:
    errors.append("%d weight loads without a reboot, not the %d of the tag" % (calls, with_tag))
if calls is not None and calls > bound:
    errors.append("%d weight loads, more than the %d the tag allows" % (calls, bound))
if calls is not None and not calls < without:
    errors.append("%d weight loads, not fewer than the %d of one per channel per slice" %
                  (calls, without))
for e in errors:
    print("FAIL:", e)
sys.exit(1 if errors else 0)
