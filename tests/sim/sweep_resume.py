#!/usr/bin/python3
"""Process-level test of `ipsim sweep`: parallel workers, SIGKILL and resume, Slurm and
GNU-parallel emission, `ipsim merge`, resume by content (a rebuilt ELF runs again) and by
spec (a grown or shrunk sweep axis keeps unchanged runs). Standard library only.

usage: sweep_resume.py --ipsim BUILD/ipsim --config tests/sim/tiny.yaml --elf TEST.elf --work DIR
       [--set key=value]...

The config must expand to at least 4 runs; every run must finish with a status other than
`error`. Exits 77 (ctest: skipped) when no ELF is given.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

RESULT = re.compile(r"^(\d+)-.+\.json$")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def result_files(runs_dir):
    if not os.path.isdir(runs_dir):
        return {}
    out = {}
    for name in os.listdir(runs_dir):
        m = RESULT.match(name)
        if m:
            out.setdefault(int(m.group(1)), []).append(name)
    return out


def temp_files(root):
    found = []
    for dirpath, _, files in os.walk(root):
        found += [os.path.join(dirpath, f) for f in files if f.startswith(".") and ".tmp." in f]
    return found


def run(cmd, expect_rc=0, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if expect_rc is not None and p.returncode != expect_rc:
        fail("%s exited %d (expected %d)\nstdout:\n%s\nstderr:\n%s"
             % (" ".join(cmd), p.returncode, expect_rc, p.stdout, p.stderr))
    return p


def check_complete(out_dir, n_runs):
    """Every run exactly once in results.json, one result file each, no temp files."""
    with open(os.path.join(out_dir, "results.json")) as f:
        results = json.load(f)
    indices = [r["index"] for r in results["runs"]]
    if indices != list(range(n_runs)):
        fail("results.json indices %s, expected 0..%d" % (indices, n_runs - 1))
    names = [r["name"] for r in results["runs"]]
    if len(set(names)) != n_runs:
        fail("duplicate run names: %s" % names)
    bad = [r["name"] for r in results["runs"] if r["status"] == "error"]
    if bad:
        fail("runs with status error: %s" % [(r["name"], r.get("error")) for r in results["runs"]
                                              if r["status"] == "error"])
    files = result_files(os.path.join(out_dir, "runs"))
    if sorted(files) != list(range(n_runs)) or any(len(v) != 1 for v in files.values()):
        fail("result files %s" % files)
    with open(os.path.join(out_dir, "results.csv")) as f:
        rows = f.read().splitlines()
    if len(rows) != n_runs + 1:
        fail("results.csv has %d lines, expected %d" % (len(rows), n_runs + 1))
    leftovers = temp_files(out_dir)
    if leftovers:
        fail("temporary files left behind: %s" % leftovers)
    if os.path.exists(os.path.join(out_dir, ".lock")):
        fail("the lock file %s outlived the sweep" % os.path.join(out_dir, ".lock"))
    return results


def wait_group_gone(pgid, timeout=10.0):
    """Waits until no live process is left in group pgid. The workers die with the group but
    not necessarily before its leader is reaped, and one spawned at the moment of the kill
    shares the lock file's open file (posix_spawn, until its exec): the restart would find the
    output directory still locked. A zombie has closed its files."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        alive = False
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive = True
                break
        if not alive:
            return
        time.sleep(0.005)
    fail("processes of the killed sweep's group %d outlived it by %.0f s" % (pgid, timeout))


def test_kill_and_resume(args, sets, work):
    out = os.path.join(work, "sweep")
    runs_dir = os.path.join(out, "runs")
    cmd = [args.ipsim, "sweep", args.config, "--jobs", "2", "--out", out] + sets
    # Its own process group, so that SIGKILL takes the workers down with the parent.
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                         start_new_session=True)
    deadline = time.time() + args.timeout
    while not result_files(runs_dir) and p.poll() is None and time.time() < deadline:
        time.sleep(0.005)
    killed = p.poll() is None
    if killed:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    wait_group_gone(p.pid)
    if not killed:
        print("note: the sweep finished before it could be killed; resume is trivially tested",
              file=sys.stderr)
    before = {}
    for idx, names in result_files(runs_dir).items():
        path = os.path.join(runs_dir, names[0])
        try:
            with open(path) as f:
                status = json.load(f)["status"]
        except (OSError, ValueError, KeyError):
            fail("a result file is not complete JSON after SIGKILL: %s" % path)
        if status != "error":
            before[idx] = os.stat(path).st_ino

    p2 = run(cmd)
    with open(os.path.join(runs_dir, "specs.json")) as f:
        n_runs = len(json.load(f)["runs"])
    if n_runs < 4:
        fail("the config must expand to at least 4 runs, got %d" % n_runs)
    check_complete(out, n_runs)
    # Finished runs were skipped, not simulated again (same file, same inode).
    for idx, ino in before.items():
        (name,) = result_files(runs_dir)[idx]
        if os.stat(os.path.join(runs_dir, name)).st_ino != ino:
            fail("run %d was simulated again after the restart" % idx)
    if before and "already done" not in p2.stderr:
        fail("the restart did not report finished runs:\n" + p2.stderr)

    # A third invocation has nothing to do and changes nothing.
    p3 = run(cmd)
    if "0 to run" not in p3.stderr:
        fail("a complete sweep ran again:\n" + p3.stderr)
    check_complete(out, n_runs)
    return n_runs


def test_emit(args, sets, work, n_runs):
    out = os.path.join(work, "slurm")
    base = [args.ipsim, "sweep", args.config, "--out", out] + sets
    run(base + ["--emit", "slurm"])
    script = os.path.join(out, "sweep.sbatch")
    with open(script) as f:
        text = f.read()
    run(["bash", "-n", script])
    m = re.search(r"^#SBATCH --array=0-(\d+)(%\d+)?$", text, re.M)
    if not m or int(m.group(1)) != n_runs - 1:
        fail("bad --array line in %s:\n%s" % (script, text))
    for opt in ("--time=", "--mem=", "--output=" + os.path.join(out, "logs", "%A_%a.out")):
        if "#SBATCH " + opt not in text:
            fail("%s lacks #SBATCH %s" % (script, opt))
    if os.path.abspath(args.ipsim) not in text and os.path.realpath(args.ipsim) not in text:
        fail("%s does not name the ipsim binary by absolute path" % script)

    # Two array tasks, run locally.
    for task in (0, 1):
        env = dict(os.environ, SLURM_ARRAY_TASK_ID=str(task), SLURM_ARRAY_JOB_ID="1")
        run(["bash", script], env=env)
    have = result_files(os.path.join(out, "runs"))
    if sorted(have) != [0, 1]:
        fail("after two array tasks the result files are %s" % have)

    m1 = run([args.ipsim, "merge", out], expect_rc=1)
    missing = [line for line in m1.stderr.splitlines() if re.match(r"^\s+\d+-", line)]
    if len(missing) != n_runs - 2:
        fail("merge should list %d missing runs:\n%s" % (n_runs - 2, m1.stderr))

    # Only the missing runs: the array and the GNU parallel command list.
    run(base + ["--emit", "slurm", "--only-missing"])
    with open(script) as f:
        text = f.read()
    if not re.search(r"^#SBATCH --array=2-%d(%%\d+)?$" % (n_runs - 1), text, re.M):
        fail("--only-missing array is wrong:\n" + text)
    run(base + ["--emit", "commands", "--only-missing"])
    with open(os.path.join(out, "commands.txt")) as f:
        commands = f.read().splitlines()
    if len(commands) != n_runs - 2:
        fail("commands.txt has %d lines, expected %d" % (len(commands), n_runs - 2))
    for c in commands:
        run(["bash", "-c", c])

    m2 = run([args.ipsim, "merge", out], expect_rc=0)
    if "run" not in m2.stdout:
        fail("merge printed no table:\n" + m2.stdout)
    check_complete(out, n_runs)


def stems(directory, ext):
    if not os.path.isdir(directory):
        return []
    return sorted(f[: -len(ext)] for f in os.listdir(directory) if f.endswith(ext)
                  and f != "specs.json")


def test_identity(args, work):
    """Runs follow their spec across sweep shapes; a rebuilt ELF invalidates its results."""
    out = os.path.join(work, "identity")
    elf = os.path.join(work, "identity.elf")
    shutil.copyfile(args.elf, elf)
    base = [args.ipsim, "sweep", args.config, "--jobs", "2", "--out", out,
            "--set", "workload.firmware=" + elf]

    def sweep(seeds, expect_done, expect_todo):
        p = run(base + ["--set", "sweep.seed=[%s]" % ", ".join(map(str, seeds))])
        want = "%d to run" % expect_todo
        if want not in p.stderr or (expect_done and "%d already done" % expect_done
                                    not in p.stderr):
            fail("sweep of seeds %s: expected %d already done, %d to run:\n%s"
                 % (seeds, expect_done, expect_todo, p.stderr))
        names = ["%d-seed%d" % (i, s) for i, s in enumerate(seeds)]
        runs_dir, logs_dir = os.path.join(out, "runs"), os.path.join(out, "logs")
        if stems(runs_dir, ".json") != sorted(names) or stems(logs_dir, ".log") != sorted(names):
            fail("seeds %s: runs/ %s and logs/ %s, expected exactly %s"
                 % (seeds, stems(runs_dir, ".json"), stems(logs_dir, ".log"), names))
        check_complete(out, len(seeds))
        with open(os.path.join(out, "results.json")) as f:
            return {r["seed"]: r for r in json.load(f)["runs"]}

    first = sweep([1, 2, 3], 0, 3)
    # A value in front shifts every index: only the new run is simulated.
    grown = sweep([9, 1, 2, 3], 3, 1)
    for seed in (1, 2, 3):
        if grown[seed]["host"] != first[seed]["host"]:
            fail("seed %d was simulated again after the axis grew" % seed)
    # Dropped values move to superseded/ and come back from there.
    sweep([2, 3], 2, 0)
    old = stems(os.path.join(out, "superseded", "runs"), ".json")
    if old != ["0-seed9", "1-seed1"]:
        fail("superseded/runs holds %s, expected the dropped seeds 9 and 1" % old)
    back = sweep([1, 2, 3], 3, 0)
    if back[1]["host"] != first[1]["host"]:
        fail("seed 1 was simulated again instead of taken back from superseded/")
    run([args.ipsim, "merge", out], expect_rc=0)

    # The same ELF path with new content: every result is stale, for merge and for sweep.
    with open(elf, "ab") as f:
        f.write(b"\0")
    m = run([args.ipsim, "merge", out], expect_rc=1)
    if m.stderr.count("stale") != 3:
        fail("merge after an ELF rebuild should list 3 stale runs:\n" + m.stderr)
    rebuilt = sweep([1, 2, 3], 0, 3)
    digests = {r["provenance"]["inputs"]["firmware"]["sha256"] for r in rebuilt.values()}
    if len(digests) != 1 or digests == {first[1]["provenance"]["inputs"]["firmware"]["sha256"]}:
        fail("the rebuilt runs do not record the new ELF digest: %s" % digests)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--elf", default="", help="passed as --set workload.firmware=ELF")
    ap.add_argument("--work", required=True, help="scratch directory (emptied first)")
    ap.add_argument("--set", action="append", default=[], help="extra --set key=value")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()
    if not args.elf or not os.path.isfile(args.elf):
        print("skipped: no test ELF (--elf %r)" % args.elf)
        return 77
    args.ipsim = os.path.abspath(args.ipsim)
    sets = ["--set", "workload.firmware=" + os.path.abspath(args.elf)]
    for s in args.set:
        sets += ["--set", s]
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    n_runs = test_kill_and_resume(args, sets, args.work)
    test_emit(args, sets, args.work, n_runs)
    test_identity(args, args.work)
    print("sweep_resume: OK (%d runs)" % n_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
