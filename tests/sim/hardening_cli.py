#!/usr/bin/env python3
"""`ipsim run` and `ipsim sweep` on careless input and under signals (issues 14 and 15): input
errors exit 2 before any run, a run stops at its time limit, and a sweep's workers die with it
while the finished results stay."""
import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

CONFIG = """name: h
time_limit: {time_limit}
platform:
  mclk: 1MHz
  capacitor:
    capacitance: 100uF
{source}workload:
  network: kws
  strategy: continuous
  inferences: {inferences}
"""


def children_of(pid):
    kids = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        kids.append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    return kids


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    a = ap.parse_args()
    failures = []
    work = tempfile.mkdtemp(prefix="ipsim-hardening-")

    def write(name, text):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def ipsim(*args, env=None, timeout=120):
        return subprocess.run([a.ipsim, *args], capture_output=True, text=True, timeout=timeout,
                              env=env)

    def check(name, ok, detail=""):
        print(("ok   " if ok else "FAIL ") + name + ("" if ok else ": " + detail))
        if not ok:
            failures.append(name)

    quick = write("quick.yaml", CONFIG.format(time_limit="50ms", source="", inferences=32))

    # The time limit stops the run within one instruction (it overshot to 106 ms at 1 MHz).
    out = os.path.join(work, "tl")
    p = ipsim("run", quick, "--out", out)
    runs = json.load(open(os.path.join(out, "results.json")))["runs"] if p.returncode == 0 else []
    t = runs[0]["total_time_s"] if runs else None
    check("time_limit 50ms at 1 MHz stops at 50 ms", t is not None and 0.05 <= t <= 0.050002,
          f"exit {p.returncode}, total_time_s {t}, {p.stderr[-300:]}")

    # --out: a newline, and a path that cannot be created.
    p = ipsim("run", quick, "--out", os.path.join(work, "a\nb"))
    check("--out with a newline exits 2", p.returncode == 2 and "control character" in p.stderr,
          p.stderr)
    blocker = write("file", "x")
    p = ipsim("run", quick, "--out", os.path.join(blocker, "sub"))
    check("--out under a regular file exits 2", p.returncode == 2 and "--out" in p.stderr,
          p.stderr)

    # Inputs are checked before any run: the firmware ELF of a built-in network, trace rows.
    env = dict(os.environ, IPSIM_FIRMWARE_DIR=os.path.join(work, "no-firmware-here"))
    out = os.path.join(work, "nofw")
    p = ipsim("run", quick, "--out", out, env=env)
    check("missing firmware ELF exits 2 before any run",
          p.returncode == 2 and "infer_kws_continuous_" in p.stderr
          and "no firmware image" in p.stderr and not os.path.exists(out),
          p.stderr)
    trace = write("bad.csv", "time_s,power_W\n0,0.001\n0.001,0.001\n0.002,abc\n")
    traced = write("traced.yaml", CONFIG.format(
        time_limit="50ms", inferences=1,
        source=f"source:\n  type: trace\n  file: {trace}\n"))
    p = ipsim("run", traced, "--out", os.path.join(work, "badtrace"))
    check("a bad trace row exits 2 with file:line before any run",
          p.returncode == 2 and "bad.csv:4:" in p.stderr, p.stderr)

    # merge takes the lock a sweep holds.
    out = os.path.join(work, "tl")
    with open(os.path.join(out, ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = ipsim("merge", out)
    check("merge waits for no sweep: it refuses a locked directory",
          p.returncode == 2 and "another ipsim" in p.stderr, p.stderr)

    # Signals to the sweep parent: workers stop with it; finished results stay.
    slow = write("slow.yaml", CONFIG.format(time_limit="3600s", source="", inferences=32) +
                 "sweep:\n  seed: [1, 2, 3, 4, 5, 6, 7, 8]\n")
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        out = os.path.join(work, f"sig{int(sig)}")
        parent = subprocess.Popen([a.ipsim, "sweep", slow, "--out", out, "--jobs", "2"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        workers = []
        deadline = time.time() + 30
        while len(workers) < 2 and time.time() < deadline:
            time.sleep(0.1)
            workers = children_of(parent.pid)
        time.sleep(0.3)
        parent.send_signal(sig)
        try:
            rc = parent.wait(timeout=30)
        except subprocess.TimeoutExpired:
            parent.kill()
            rc = None
        err = parent.stderr.read()
        time.sleep(1.0)
        left = [w for w in workers if alive(w)]
        check(f"{sig.name} to the sweep parent leaves no worker running",
              workers and not left, f"workers {workers}, still alive {left}")
        for w in left:
            os.kill(w, signal.SIGKILL)
        if sig != signal.SIGKILL:
            check(f"{sig.name}: exit {128 + int(sig)} and results.json of what finished",
                  rc == 128 + int(sig) and os.path.exists(os.path.join(out, "results.json")),
                  f"exit {rc}, {err[-400:]}")
        leftovers = [f for _, _, fs in os.walk(out) for f in fs if ".tmp" in f]
        # A resumed sweep finishes the rest; its temporary files are gone.
        p = ipsim("sweep", slow, "--out", out, "--jobs", "2", timeout=300)
        runs = json.load(open(os.path.join(out, "results.json")))["runs"] \
            if p.returncode == 0 else []
        check(f"{sig.name}: the resumed sweep completes all 8 runs",
              len(runs) == 8 and all(r["status"] == "completed" for r in runs),
              f"exit {p.returncode}, {p.stderr[-400:]}")
        leftovers = [f for _, _, fs in os.walk(out) for f in fs if ".tmp" in f]
        check(f"{sig.name}: no temporary files remain", not leftovers, str(leftovers))

    if failures:
        print(f"{len(failures)} failed")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
