#!/usr/bin/env python3
"""`ipsim exec` debugging options on real firmware: several --stop-at with --continue, --dump
in the order given, the firmware's exit code, --trace (bounded, with interrupt, brown-out and
reboot lines) and --profile (its totals equal the run's own figures)."""
import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile

failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def run(ipsim, *args):
    p = subprocess.run([ipsim, "exec", *args], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def profile_totals(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    keys = ["self_cycles", "instructions", "fram_read_bytes", "fram_write_bytes",
            "lea_busy_cycles", "reexec_cycles"]
    tot = {k: sum(int(r[k]) for r in rows) for k in keys}
    tot["energy_J"] = sum(float(r["energy_J"]) for r in rows)
    return rows, tot


def check_profile(name, ipsim, elf, tmp, *extra):
    path = os.path.join(tmp, name + ".csv")
    rc, out, err = run(ipsim, elf, "--profile", path, "--json", *extra)
    res = json.loads(out)
    rows, tot = profile_totals(path)
    check(tot["self_cycles"] == res["cycles"], f"{name}: profile cycles {tot['self_cycles']} == "
          f"run cycles {res['cycles']}")
    check(tot["instructions"] == res["instructions"], f"{name}: instructions equal")
    check(tot["fram_read_bytes"] == res["nvm"]["read_bytes"] and
          tot["fram_write_bytes"] == res["nvm"]["write_bytes"], f"{name}: FRAM bytes equal")
    check(tot["lea_busy_cycles"] == res["lea_busy_cycles"], f"{name}: LEA cycles equal "
          f"({tot['lea_busy_cycles']})")
    e = res["energy_J"]["consumed"]
    # The CSV keeps 9 significant digits per row.
    check(abs(tot["energy_J"] - e) <= 1e-7 * e, f"{name}: energy {tot['energy_J']:.6g} J equal")
    check(tot["reexec_cycles"] == res["wasted_cycles"],
          f"{name}: re-execution {tot['reexec_cycles']} == wasted cycles {res['wasted_cycles']}")
    table = path[:-4] + ".txt"
    check(os.path.exists(table) and "total" in open(table).read(),
          f"{name}: flat table written")
    return rows, res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--fw-dir", required=True)
    ap.add_argument("--inject", required=True, help="tests/debug/inject.yaml")
    a = ap.parse_args()
    dbg = os.path.join(a.fw_dir, "dbgtest.elf")
    lea = os.path.join(a.fw_dir, "fwtest_lea_conv.elf")
    with tempfile.TemporaryDirectory() as tmp:
        # Exit status: main returns 40 + fram_bonus (2).
        rc, out, _ = run(a.ipsim, dbg)
        check(rc == 42 and "exit (code 42)" in out, f"exec exits with the firmware's code (42, got {rc})")

        # Breakpoints: main is hit once, work every iteration; continue 3 stops at the third
        # call of work, after two increments of fram_counter and work(1) wrote sram_value 4.
        rc, out, _ = run(a.ipsim, dbg, "--stop-at", "work", "--stop-at", "main", "--continue",
                         "3", "--dump", "sram_value", "--dump", "fram_counter", "--json")
        res = json.loads(out)
        check(res["stop_reason"] == "breakpoint" and res["breakpoint_stops"] == 4,
              f"two --stop-at and --continue 3: four stops ({res.get('breakpoint_stops')})")
        check(res["dumps"]["fram_counter"] == "0200" and res["dumps"]["sram_value"] == "0400",
              f"state at the third call of work: {res['dumps']}")
        rc, out, _ = run(a.ipsim, dbg, "--stop-at", "work", "--continue", "3", "--dump",
                         "sram_value", "--dump", "fram_counter")
        lines = [l.split(":")[0] for l in out.splitlines() if l.startswith(("sram_value", "fram_counter"))]
        check(lines == ["sram_value", "fram_counter"], f"--dump prints in the order given {lines}")
        check("fram_counter: 0300" in out, "--continue 3 at work alone: fram_counter 3")

        # Trace: bounded, one line per instruction, registers changed.
        tr = os.path.join(tmp, "t.txt")
        rc, out, _ = run(a.ipsim, dbg, "--trace", tr, "--trace-limit", "50")
        text = open(tr).read().splitlines()
        insn = [l for l in text if re.match(r"^\s+\d+ [0-9A-F]{5}  ", l)]
        check(len(insn) == 50 and "limit of 50" in text[-1], f"trace holds 50 instructions ({len(insn)})")
        check("mov.w #0x2c00, r1" in text[2] and "SP=02C00" in text[2],
              f"trace line names the instruction and the changed register: {text[2].strip()}")
        rc, out, _ = run(a.ipsim, lea, "--trace", tr)
        check(any("interrupt vector" in l for l in open(tr)), "trace shows interrupts (LEA)")
        rc, out, _ = run(a.ipsim, dbg, "--trace", tr, "--power", a.inject)
        text = open(tr).read()
        check("brown-out" in text and "reboot (PC 04000)" in text, "trace shows brown-outs and reboots")

        # Profile totals, with LEA and DMA, and with power failures (re-execution).
        rows, res = check_profile("lea", a.ipsim, lea, tmp)
        # The observed loop must simulate exactly what the fast loop does.
        plain = json.loads(run(a.ipsim, lea, "--json")[1])
        same = all(plain[k] == res[k] for k in ("cycles", "instructions", "registers", "nvm",
                                                 "energy_J", "lea_busy_cycles"))
        check(same, "profiled and unprofiled runs agree on cycles, registers, NVM and energy")
        names = {r["function"]: r for r in rows}
        check(int(names["lea_fir_q15"]["lea_busy_cycles"]) > 0, "LEA cycles go to lea_fir_q15")
        rows, res = check_profile("inject", a.ipsim, dbg, tmp, "--power", a.inject)
        check(res["power_failures"] > 0 and res["wasted_cycles"] > 0,
              f"the injected run has failures ({res['power_failures']})")
        names = {r["function"]: r for r in rows}
        check(int(names["work"]["calls"]) >= 8 and
              int(names["main"]["inclusive_cycles"]) > int(names["work"]["inclusive_cycles"]),
              "calls and inclusive cycles through the call stack")
        # `ipsim run --profile`: one profile per run in its artifact directory.
        cfg = os.path.join(tmp, "dbg.yaml")
        with open(cfg, "w") as f:
            f.write("name: dbg\nplatform: {capacitor: {capacitance: 100uF}}\n"
                    f"source: {{type: continuous}}\nworkload: {{firmware: {dbg}}}\n")
        out = os.path.join(tmp, "run")
        p = subprocess.run([a.ipsim, "run", cfg, "--profile", "--out", out], capture_output=True,
                           text=True, timeout=300)
        run_json = json.load(open(os.path.join(out, "results.json")))["runs"][0]
        prof = os.path.join(out, "runs", "0-dbg", "profile.csv")
        ok = p.returncode == 0 and os.path.exists(prof)
        check(ok and profile_totals(prof)[1]["self_cycles"] == run_json["cycles"],
              "run --profile: DIR/runs/0-dbg/profile.csv, cycles equal the run's")
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("all debug CLI checks passed")


if __name__ == "__main__":
    main()
