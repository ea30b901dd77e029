#!/usr/bin/env python3
"""Block runs against instruction-by-instruction execution on the whole firmware suite.

`ipsim exec` runs the core's block path; with --profile it takes the observer loop, which
executes one instruction at a time. Every ELF under the firmware directory runs both ways
(continuously, and the intermittent config given by --power on a few of them) and the JSON
reports must be equal in everything but host timing: cycles, instructions, NVM and memory
event counts, registers, stop reason, energy, and dumps of all of SRAM and FRAM.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile

DUMPS = ["0x1800:0x300", "0x1C00:0x2000", "0x4000:0xC000", "0x10000:0x34000"]


def run(ipsim, elf, extra, cap, profile_dir=None):
    cmd = [ipsim, "exec", elf, "--json", "--max-cycles", str(cap)] + extra
    for d in DUMPS:
        cmd += ["--dump", d]
    if profile_dir:
        cmd += ["--profile", os.path.join(profile_dir, "p.csv")]
    p = subprocess.run(cmd, capture_output=True, text=True)
    try:  # the exit status is the firmware's: compared through the report's exit_code
        r = json.loads(p.stdout)
    except json.JSONDecodeError:
        return {"error": p.stderr.strip()[-400:], "returncode": p.returncode}
    r.pop("host", None)
    return r


def diff(a, b, path=""):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            yield from diff(a.get(k), b.get(k), f"{path}.{k}")
    elif a != b:
        yield f"{path}: {str(a)[:80]} != {str(b)[:80]}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--firmware", required=True, help="directory of the firmware ELFs")
    ap.add_argument("--max-cycles", type=int, default=3_000_000)
    ap.add_argument("--power", help="intermittent config, also run on --power-elf")
    ap.add_argument("--power-elf", action="append", default=[])
    a = ap.parse_args()
    elfs = sorted(glob.glob(os.path.join(a.firmware, "*.elf")))
    if len(elfs) < 10:
        sys.exit(f"only {len(elfs)} ELFs under {a.firmware}: is the firmware built?")
    cases = [(e, []) for e in elfs]
    if a.power:
        for name in a.power_elf:
            cases.append((os.path.join(a.firmware, name), ["--power", a.power]))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for elf, extra in cases:
            blocks = run(a.ipsim, elf, extra + ["--out", tmp], a.max_cycles)
            steps = run(a.ipsim, elf, extra + ["--out", tmp], a.max_cycles, tmp)
            name = os.path.basename(elf) + (" (intermittent)" if extra else "")
            if "error" in blocks or "error" in steps:
                failed += 1
                print(f"FAIL {name}: {blocks.get('error') or steps.get('error')}")
                continue
            d = list(diff(blocks, steps))
            if d:
                failed += 1
                print(f"FAIL {name}: " + "; ".join(d[:5]))
            else:
                print(f"ok   {name}: {blocks['instructions']} instructions,"
                      f" {blocks['cycles']} cycles, {blocks['stop_reason']}")
    print(f"{len(cases) - failed} of {len(cases)} equal")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
