#!/usr/bin/env python3
"""Block runs against instruction-by-instruction execution on the whole firmware suite.

`ipsim exec` runs the core's block path; with --no-blocks it executes one instruction at a
time. Every ELF under the firmware directory runs both ways (continuously, and the
intermittent config given by --power on a few of them) and the JSON reports must be equal in
everything but host timing: cycles, instructions, NVM and memory event counts, registers,
stop reason, energy, and dumps of all of SRAM and FRAM. The same holds with --profile, whose
observer loop books block runs at once; there the profiles must be equal too.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

DUMPS = ["0x1800:0x300", "0x1C00:0x2000", "0x4000:0xC000", "0x10000:0x34000"]


def run(ipsim, elf, extra, cap, profile=None):
    """The JSON report without host timing; with profile (a CSV path), the profile's rows."""
    cmd = [ipsim, "exec", elf, "--json", "--max-cycles", str(cap)] + extra
    for d in DUMPS:
        cmd += ["--dump", d]
    if profile:
        cmd += ["--profile", profile]
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:  # the exit status is the firmware's: compared through the report's exit_code
        r = json.loads(p.stdout)
    except json.JSONDecodeError:
        return {"error": p.stderr.strip()[-400:], "returncode": p.returncode}
    r.pop("host", None)
    if profile:
        with open(profile) as f:
            r["profile"] = f.read().splitlines()
    return r


def diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from diff(a.get(k), b.get(k), f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from diff(x, y, f"{path}[{i}]")
    elif a != b:
        yield f"{path}: {str(a)[:80]} != {str(b)[:80]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--firmware", required=True, help="directory of the firmware ELFs")
    ap.add_argument("--max-cycles", type=int, default=3_000_000)
    ap.add_argument("--power", help="intermittent config, also run on --power-elf")
    ap.add_argument("--power-elf", action="append", default=[])
    ap.add_argument("--elf", action="append", default=[], help="another ELF to compare")
    a = ap.parse_args()
    elfs = sorted(glob.glob(os.path.join(a.firmware, "*.elf")))
    if len(elfs) < 10:
        sys.exit(f"only {len(elfs)} ELFs under {a.firmware}: is the firmware built?")
    elfs += a.elf
    cases = [(e, []) for e in elfs]
    if a.power:
        for name in a.power_elf:
            cases.append((os.path.join(a.firmware, name), ["--power", a.power]))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for elf, extra in cases:
            name = os.path.basename(elf) + (" (intermittent)" if extra else "")
            csv = os.path.join(tmp, "p.csv")
            args = extra + ["--out", tmp]
            blocks = run(a.ipsim, elf, args, a.max_cycles)
            steps = run(a.ipsim, elf, args + ["--no-blocks"], a.max_cycles)
            profiled = run(a.ipsim, elf, args, a.max_cycles, csv)
            profiled_steps = run(a.ipsim, elf, args + ["--no-blocks"], a.max_cycles, csv)
            runs = [blocks, steps, profiled, profiled_steps]
            errors = [r["error"] for r in runs if "error" in r]
            if errors:
                failed += 1
                print(f"FAIL {name}: {errors[0]}")
                continue
            profile = profiled.pop("profile")
            d = list(diff(blocks, steps)) + list(diff(blocks, profiled))
            d += list(diff(profile, profiled_steps.pop("profile"), ".profile"))
            d += list(diff(blocks, profiled_steps))
            if d:
                failed += 1
                print(f"FAIL {name}: " + "; ".join(d[:5]))
            else:
                print(f"ok   {name}: {blocks['instructions']} instructions,"
                      f" {blocks['cycles']} cycles, {blocks['stop_reason']},"
                      f" {len(profile) - 1} functions profiled")
    print(f"{len(cases) - failed} of {len(cases)} equal")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
