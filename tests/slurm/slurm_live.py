#!/usr/bin/python3
"""A sweep through a live single-node Slurm (scripts/slurm-local), not a mock. Stdlib only.

usage: slurm_live.py --ipsim BUILD/ipsim --slurm-local scripts/slurm-local
                     --config tests/sim/tiny.yaml --elf BUILD/firmware/demo.elf --work DIR

1. starts Slurm with `slurm-local start` in a fresh temporary directory (installs slurm-wlm and
   munge from Debian if missing); if that fails the test FAILS, it never skips;
2. `ipsim sweep CONFIG --emit slurm`, then `sbatch --hold`: every array element is pending;
   `scancel JOB_3` kills run 3 on purpose; `scontrol release JOB`; waits until squeue has no
   element of the job left;
3. `ipsim merge` must exit 1 and name exactly run 3 as missing;
4. `ipsim sweep --emit slurm --only-missing` must emit an array of just index 3; sbatch, wait;
5. `ipsim merge` must exit 0; DIR/results.json must equal `ipsim sweep CONFIG --jobs 2` run
   locally, except each run's `host` object ({seconds, mips}: wall-clock time of the simulation
   and the MIPS derived from it, different on every execution). Nothing else is excluded: the
   config echo, spec digests, the firmware path and every measurement must match exactly
   (both sweeps use the same config file and ELF, so their absolute paths agree). results.csv
   must match likewise without its host.seconds and host.mips columns;
6. always stops Slurm again (`slurm-local stop`), also on failure.
"""
import argparse
import csv
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

START_TIMEOUT = 420.0   # may include apt-get install of slurm-wlm and munge
JOB_TIMEOUT = 180.0     # one sweep of cheap runs through the queue
KILLED = 3              # the array index cancelled on purpose
HOST_FIELDS = ("host",)  # per-run fields that legitimately differ between executions
HOST_CSV_COLUMNS = ("host.seconds", "host.mips")


class Failure(Exception):
    pass


def log(msg):
    print("slurm_live: " + msg, flush=True)


def run(cmd, expect_rc=0, env=None, timeout=120.0):
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise Failure("%s timed out after %.0fs\nstdout:\n%s\nstderr:\n%s"
                      % (" ".join(cmd), timeout, e.stdout, e.stderr))
    if expect_rc is not None and p.returncode != expect_rc:
        raise Failure("%s exited %d (expected %d)\nstdout:\n%s\nstderr:\n%s"
                      % (" ".join(cmd), p.returncode, expect_rc, p.stdout, p.stderr))
    return p


class Slurm:
    def __init__(self, script, directory):
        self.script = script
        self.dir = directory
        self.env = None

    def start(self):
        t0 = time.time()
        try:
            p = subprocess.run([self.script, "start", self.dir], capture_output=True, text=True,
                               timeout=START_TIMEOUT)
        except subprocess.TimeoutExpired as e:
            raise Failure("could not start a local Slurm cluster: `%s start %s` did not finish "
                          "in %.0fs\n%s%s" % (self.script, self.dir, START_TIMEOUT,
                                              e.stdout or "", e.stderr or ""))
        sys.stdout.write(p.stderr)
        if p.returncode != 0:
            raise Failure("could not start a local Slurm cluster with `%s start %s` (exit %d); "
                          "this test needs a live Slurm and does not skip.\n%s"
                          % (self.script, self.dir, p.returncode, p.stdout))
        m = re.search(r"^export SLURM_CONF=(\S+)$", p.stdout, re.M)
        if not m or not os.path.isfile(m.group(1)):
            raise Failure("slurm-local start printed no usable `export SLURM_CONF=`:\n" + p.stdout)
        with open(os.path.join(self.dir, "env")) as f:
            if f.read().strip() != m.group(0):
                raise Failure("DIR/env differs from the printed export line")
        self.env = dict(os.environ, SLURM_CONF=m.group(1))
        log("Slurm up in %.1fs (SLURM_CONF=%s)" % (time.time() - t0, m.group(1)))
        # start is idempotent: a second call finds the running cluster.
        p2 = run([self.script, "start", self.dir], timeout=60)
        if "already running" not in p2.stderr or m.group(0) not in p2.stdout:
            raise Failure("a second `slurm-local start` did not report the running cluster:\n"
                          + p2.stdout + p2.stderr)

    def stop(self):
        p = subprocess.run([self.script, "stop", self.dir], capture_output=True, text=True,
                           timeout=120)
        sys.stdout.write(p.stderr)
        if p.returncode != 0:
            raise Failure("`slurm-local stop %s` exited %d" % (self.dir, p.returncode))
        if os.path.exists(self.dir):
            raise Failure("slurm-local stop left %s behind" % self.dir)

    def cmd(self, args, expect_rc=0, timeout=60.0):
        return run(args, expect_rc=expect_rc, env=self.env, timeout=timeout)

    def sbatch(self, script, hold=False):
        args = ["sbatch", "--parsable"] + (["--hold"] if hold else []) + [script]
        out = self.cmd(args).stdout.strip()
        m = re.match(r"^(\d+)(;\S+)?$", out)
        if not m:
            raise Failure("sbatch printed %r, expected a job id" % out)
        return m.group(1)

    def elements(self, job):
        """Array elements of `job` that squeue still lists (pending, running, completing)."""
        p = self.cmd(["squeue", "-h", "-r", "-o", "%i %t"])
        out = {}
        for line in p.stdout.splitlines():
            jid, state = line.split()
            if jid == job or jid.startswith(job + "_"):
                out[jid] = state
        return out

    def wait_gone(self, job):
        t0 = time.time()
        while True:
            left = self.elements(job)
            if not left:
                return time.time() - t0
            if time.time() - t0 > JOB_TIMEOUT:
                node = self.cmd(["scontrol", "show", "node"], expect_rc=None).stdout
                raise Failure("job %s still queued after %.0fs: %s\n%s"
                              % (job, JOB_TIMEOUT, left, node))
            time.sleep(0.5)


def result_indices(out_dir):
    runs = os.path.join(out_dir, "runs")
    return sorted(int(m.group(1)) for m in
                  (re.match(r"^(\d+)-.+\.json$", n) for n in os.listdir(runs)) if m)


def strip_host(results):
    for r in results["runs"]:
        for k in HOST_FIELDS:
            if k not in r:
                raise Failure("run %s has no %r field" % (r.get("name"), k))
            del r[k]
    return results


def csv_without_host(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    for c in HOST_CSV_COLUMNS:
        if c not in header:
            raise Failure("%s has no column %s" % (path, c))
    keep = [i for i, c in enumerate(header) if c not in HOST_CSV_COLUMNS]
    return [[row[i] for i in keep] for row in rows]


def first_difference(a, b, path="results"):
    if type(a) is not type(b):
        return "%s: %r vs %r" % (path, a, b)
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s present on one side only" % (path, k)
            d = first_difference(a[k], b[k], path + "." + k)
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: %d vs %d elements" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


def test(args, slurm):
    sets = ["--set", "workload.firmware=" + args.elf]
    # A space in DIR: the #SBATCH --output path must survive sbatch's directive parsing.
    out = os.path.join(args.work, "slurm sweep")
    sweep = [args.ipsim, "sweep", args.config, "--out", out] + sets

    # 1. The whole sweep, held; one element cancelled before anything runs.
    run(sweep + ["--emit", "slurm"])
    script = os.path.join(out, "sweep.sbatch")
    with open(os.path.join(out, "runs", "specs.json")) as f:
        names = [r["name"] for r in json.load(f)["runs"]]
    n = len(names)
    if n < 6 or KILLED >= n:
        raise Failure("the config must expand to at least 6 runs, got %d" % n)
    job = slurm.sbatch(script, hold=True)
    pending = slurm.elements(job)
    want = {"%s_%d" % (job, i) for i in range(n)}
    if set(pending) != want or set(pending.values()) != {"PD"}:
        raise Failure("held job %s: squeue shows %s, expected %s all pending"
                      % (job, pending, sorted(want)))
    killed = "%s_%d" % (job, KILLED)
    slurm.cmd(["scancel", killed])
    left = slurm.elements(job)
    if killed in left or len(left) != n - 1:
        raise Failure("after scancel %s squeue shows %s" % (killed, left))
    slurm.cmd(["scontrol", "release", job])
    log("job %s: %d array tasks submitted held, %s cancelled, released" % (job, n, killed))
    waited = slurm.wait_gone(job)
    log("job %s left the queue after %.1fs" % (job, waited))

    have = result_indices(out)
    if have != [i for i in range(n) if i != KILLED]:
        raise Failure("after job %s the result files are for runs %s; expected all but %d"
                      % (job, have, KILLED))
    logs_dir = os.path.join(out, "logs")
    for i in range(n):
        exists = os.path.isfile(os.path.join(logs_dir, "%s_%d.out" % (job, i)))
        if exists != (i != KILLED):
            raise Failure("task log %s_%d.out %s" % (job, i, "exists" if exists else "is missing"))

    # 2. merge reports exactly the cancelled run.
    m1 = run([args.ipsim, "merge", out], expect_rc=1)
    missing = [l.strip() for l in m1.stderr.splitlines() if re.match(r"^\s+\d+-", l)]
    if missing != ["%d-%s" % (KILLED, names[KILLED])]:
        raise Failure("merge should name only run %d-%s as missing:\n%s"
                      % (KILLED, names[KILLED], m1.stderr))
    log("merge: exit 1, missing %s" % missing)

    # 3. Resubmit only the missing run.
    run(sweep + ["--emit", "slurm", "--only-missing"])
    with open(script) as f:
        text = f.read()
    if not re.search(r"^#SBATCH --array=%d(%%\d+)?$" % KILLED, text, re.M):
        raise Failure("--only-missing should emit an array of index %d:\n%s" % (KILLED, text))
    job2 = slurm.sbatch(script)
    waited = slurm.wait_gone(job2)
    log("job %s (only run %d) left the queue after %.1fs" % (job2, KILLED, waited))
    if result_indices(out) != list(range(n)):
        raise Failure("after the resubmission the result files are for runs %s"
                      % result_indices(out))

    m2 = run([args.ipsim, "merge", out], expect_rc=0)
    if "%d of %d runs have results (0 failed)" % (n, n) not in m2.stderr:
        raise Failure("merge did not report a complete sweep:\n" + m2.stderr)
    log("merge: exit 0, %d of %d runs" % (n, n))

    # 4. Same results as a local sweep, apart from host timings.
    ref = os.path.join(args.work, "local")
    run([args.ipsim, "sweep", args.config, "--jobs", "2", "--out", ref] + sets, timeout=300)
    with open(os.path.join(out, "results.json")) as f:
        got = strip_host(json.load(f))
    with open(os.path.join(ref, "results.json")) as f:
        exp = strip_host(json.load(f))
    d = first_difference(got, exp)
    if d:
        raise Failure("Slurm results.json differs from the local sweep (host excluded): " + d)
    if csv_without_host(os.path.join(out, "results.csv")) != \
            csv_without_host(os.path.join(ref, "results.csv")):
        raise Failure("Slurm results.csv differs from the local sweep (host columns excluded)")
    bad = [r["name"] for r in got["runs"] if r["status"] == "error"]
    if bad:
        raise Failure("runs with status error: %s" % bad)
    log("results.json and results.csv equal the local `sweep --jobs 2` (runs[].host excluded)")
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--slurm-local", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--work", required=True, help="scratch directory (emptied first)")
    args = ap.parse_args()
    args.ipsim = os.path.abspath(args.ipsim)
    args.config = os.path.abspath(args.config)
    args.elf = os.path.abspath(args.elf)
    for what, path in (("ipsim", args.ipsim), ("ELF", args.elf), ("config", args.config),
                       ("slurm-local", args.slurm_local)):
        if not os.path.isfile(path):
            print("FAIL: %s not found: %s" % (what, path), file=sys.stderr)
            return 1
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    t0 = time.time()
    # Slurm's directory is short (the munge socket path is limited to 107 bytes) and fresh.
    slurm = Slurm(args.slurm_local, tempfile.mkdtemp(prefix="ipsim-slurm-", dir="/tmp"))
    status = 0

    def terminated(signum, _frame):  # ctest's timeout: still tear Slurm down
        raise Failure("terminated by signal %d" % signum)
    signal.signal(signal.SIGTERM, terminated)
    signal.signal(signal.SIGINT, terminated)
    try:
        slurm.start()
        n = test(args, slurm)
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        status = 1
    finally:
        try:
            slurm.stop()
        except (Failure, subprocess.TimeoutExpired) as e:
            print("FAIL: %s" % e, file=sys.stderr)
            status = 1
    if status == 0:
        log("OK (%d runs through sbatch, one cancelled and resubmitted; %.1fs)"
            % (n, time.time() - t0))
    return status


if __name__ == "__main__":
    sys.exit(main())
