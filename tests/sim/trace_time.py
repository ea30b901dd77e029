#!/usr/bin/python3
"""`ipsim run` with real trace sources: source.offset and source.time_scale move and stretch
the trace, and a run whose trace ends before the firmware finishes has status trace-ended
with a message. Standard library only.

usage: trace_time.py --ipsim BUILD/ipsim --elf demo.elf --work DIR
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

# Dark for 5 s, then 10 mW for 2 s: the demo firmware finishes shortly after the light comes.
LATE_LIGHT = "time_s,power_W\n0,0\n5,0.01\n6,0.01\n"
DARK = "time_s,power_W\n0,0\n1,0\n"
CONFIG = """name: trace-time
time_limit: 20s
platform:
  capacitor:
    capacitance: 100uF
source:
  type: trace
  file: late_light.csv
workload:
  strategy: continuous
"""


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def run(args, work, name, sets, expect_rc=0):
    out = os.path.join(work, name)
    cmd = [args.ipsim, "run", os.path.join(work, "c.yaml"), "--out", out,
           "--set", "workload.firmware=" + os.path.abspath(args.elf)]
    for s in sets:
        cmd += ["--set", s]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != expect_rc:
        fail("%s exited %d:\n%s%s" % (" ".join(cmd), p.returncode, p.stdout, p.stderr))
    if "\r" in p.stderr or "\033[" in p.stderr:
        fail("progress lines reached a stderr that is not a terminal:\n%r" % p.stderr)
    with open(os.path.join(out, "results.json")) as f:
        return json.load(f)["runs"][0], p.stdout


EXEC_CONFIG = """name: exec-timeline
time_limit: %s
outputs: {timeline_csv: true, waves_vcd: true, timeline_decimation: %s}
platform:
  capacitor:
    capacitance: %s
source:
%s
"""


def exec_power(args, name, config):
    out = os.path.join(args.work, name)
    os.makedirs(out)
    path = os.path.join(args.work, name + ".yaml")
    with open(path, "w") as f:
        f.write(config)
    p = subprocess.run([args.ipsim, "exec", os.path.abspath(args.elf), "--power", path,
                        "--out", out], capture_output=True, text=True)
    # exec's status is the firmware's own exit code (mod 256) when it exits normally.
    code = re.search(r"stop: exit \(code (-?\d+)\)", p.stdout)
    if p.returncode != (int(code.group(1)) % 256 if code else 0):
        fail("exec --power %s exited %d:\n%s%s" % (name, p.returncode, p.stdout, p.stderr))
    with open(os.path.join(out, "timeline.csv")) as f:
        rows = [line.split(",") for line in f.read().splitlines()]
    with open(os.path.join(out, "waves.vcd")) as f:
        vcd = f.read()
    return p.stdout, rows, vcd


def check_timeline(args):
    """exec --power writes the config's outputs; the timeline covers the initial charge and
    the off periods at the decimation; power-off rows have no load; the VCD has $dumpvars
    and records changes only."""
    dark_then_light = "  type: trace\n  file: %s" % os.path.join(args.work, "late_light.csv")
    out, rows, vcd = exec_power(args, "charge", EXEC_CONFIG % ("20s", "0.5s", "100uF",
                                                               dark_then_light))
    if rows[0] != ["time_s", "vcap_V", "harvest_W", "load_A", "power_on", "event"]:
        fail("timeline header %s" % rows[0])
    times = [float(r[0]) for r in rows[1:]]
    off = [float(r[0]) for r in rows[1:] if r[4] == "0" and r[5] == ""]
    want = [0.5 * k for k in range(11)]  # 0 .. 5 s dark, every 0.5 s
    if [round(t, 6) for t in off] != want:
        fail("the initial charge should be sampled every 0.5 s from 0 s: %s" % off)
    if times != sorted(times):
        fail("timeline rows are not in time order")
    markers = [r for r in rows[1:] if r[5].startswith("inference_")]
    if len(markers) != 2 or len({r[1] for r in markers}) != 2:
        fail("marker rows should carry their own Vcap: %s" % markers)
    if "$dumpvars" not in vcd or vcd.index("$dumpvars") > vcd.index("#5"):
        fail("waves.vcd has no $dumpvars section before its first change")
    # During the dark 5 s nothing changes: no value is written again.
    body = vcd[vcd.index("$end", vcd.index("$dumpvars")):]
    first_change = body.split("\n#")[1].split("\n")[0]
    if not first_change.startswith("5000000000"):
        fail("waves.vcd records unchanged values before the light comes: #%s" % first_change)
    if "wrote" not in out or "power: 0 failures, 1 boots" not in out:
        fail("exec summary lacks the power line or the outputs:\n" + out)

    out, rows, vcd = exec_power(args, "failures", EXEC_CONFIG % ("200ms", "10ms", "1uF",
                                                                 "  type: constant\n  power: 1mW"))
    offs = [r for r in rows[1:] if r[5] == "power-off"]
    if not offs or any(float(r[3]) != 0 or r[4] != "0" for r in offs):
        fail("power-off rows must show no load and power_on 0: %s" % offs[:3])
    m = re.search(r"power: (\d+) failures, (\d+) boots, on ([\d.]+) s, off ([\d.]+) s", out)
    if not m or int(m.group(1)) != len(offs) or int(m.group(1)) < 10:
        fail("exec summary should count %d power failures:\n%s" % (len(offs), out))
    sim = re.search(r"simulated: ([\d.]+) s", out)
    # The run stops at the time limit within one instruction (at most 10 us at 1 MHz).
    if not sim or abs(float(sim.group(1)) - 0.2) > 10e-6:
        fail("the run should stop at its 200 ms limit: " + out)
    if abs(float(m.group(3)) + float(m.group(4)) - float(sim.group(1))) > 1e-6:
        fail("on + off time should be the simulated time: " + out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--work", required=True)
    args = ap.parse_args()
    if not os.path.isfile(args.elf):
        print("skipped: no test ELF %r" % args.elf)
        return 77
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    for name, text in (("late_light.csv", LATE_LIGHT), ("dark.csv", DARK),
                       ("c.yaml", CONFIG)):
        with open(os.path.join(args.work, name), "w") as f:
            f.write(text)

    plain, _ = run(args, args.work, "plain", [])
    if plain["status"] != "completed" or not 5.0 < plain["total_time_s"] < 5.5:
        fail("without offset the run should complete just after 5 s: %s %s"
             % (plain["status"], plain["total_time_s"]))
    late = plain["total_time_s"] - 5.0
    shifted, _ = run(args, args.work, "offset", ["source.offset=5s"])
    if shifted["status"] != "completed" or abs(shifted["total_time_s"] - late) > 1e-3:
        fail("offset 5 s should start in the light: %s s, expected %s s"
             % (shifted["total_time_s"], late))
    day, _ = run(args, args.work, "time_of_day", ["source.offset=\"00:00:05\""])
    if abs(day["total_time_s"] - shifted["total_time_s"]) > 1e-9:
        fail("offset 00:00:05 and 5s differ: %s vs %s"
             % (day["total_time_s"], shifted["total_time_s"]))
    fast, _ = run(args, args.work, "time_scale", ["source.time_scale=0.1"])
    if fast["status"] != "completed" or not 0.5 < fast["total_time_s"] < 0.5 + late + 0.1:
        fail("time_scale 0.1 should bring the light at 0.5 s: %s" % fast["total_time_s"])
    if fast["provenance"]["config"]["source"]["time_scale"] != 0.1:
        fail("the resolved config does not record time_scale")

    ended, table = run(args, args.work, "dark", ["source.file=" + os.path.join(args.work, "dark.csv")])
    if ended["status"] != "trace-ended" or "trace ended" not in ended.get("message", ""):
        fail("a dark trace must end the run with status trace-ended and a message: %s %r"
             % (ended["status"], ended.get("message")))
    if abs(ended["total_time_s"] - 2.0) > 1e-6:
        fail("the dark trace lasts 2 s, the run %s s" % ended["total_time_s"])
    if "trace-ended: the energy trace ended" not in table:
        fail("the table does not say why the run did not complete:\n" + table)
    limited, _ = run(args, args.work, "limit", ["time_limit=2s"])
    if limited["status"] != "time-limit" or "time_limit" not in limited.get("message", ""):
        fail("time_limit 2s: status %s, message %r" % (limited["status"], limited.get("message")))
    # Firmware asleep for good on a harvested supply that never browns out: the run stops at
    # the limit (it once slept to SystemC's end of time, 9.2e6 s, and reported time-limit).
    idle = os.path.join(os.path.dirname(os.path.abspath(args.elf)), "idle.elf")
    asleep, _ = run(args, args.work, "asleep", ["time_limit=2s", "workload.firmware=" + idle,
                                                "source={type: constant, power: 1mW}"])
    if asleep["status"] != "time-limit" or not 2.0 <= asleep["total_time_s"] <= 2.001:
        fail("idle firmware on 1 mW with time_limit 2s: status %s after %s s"
             % (asleep["status"], asleep["total_time_s"]))
    check_timeline(args)
    print("trace_time: OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
