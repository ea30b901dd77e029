#!/usr/bin/env python3
"""Time an MSP430 ELF under `mspdebug sim`, for comparing ipsim's speed with mspdebug's.

    bench_mspdebug.py FIRMWARE.elf --stop SYMBOL|ADDR [--instructions N] [--repeat K] [--json]

Runs `mspdebug -q -n sim` non-interactively (commands on stdin: prog, reset, setbreak, run,
regs), once with `run` and once without (load only), and reports the host seconds of the
run alone (total minus load/start-up), best of --repeat. mspdebug counts no instructions and
its cycle model is its own, so simulated MIPS is given only when the instruction count is
known, e.g. from `ipsim exec --json` ("instructions") on the same ELF: pass it with
--instructions. The stop point is a breakpoint: execution stops before the instruction at
the symbol, as with `ipsim exec --stop-at`.

What was found about running mspdebug fast: the simulator steps 1,000,000 instructions per
poll and prints nothing while running, so output is not the bottleneck; `-q` drops the
load progress lines and `-n` skips ~/.mspdebug. Output goes to a pipe that is read once at
the end. The simulator has 64 KB of RAM only (no upper FRAM, no MSP430X instructions).
"""

import argparse
import json
import re
import shutil
import struct
import subprocess
import sys
import time


def elf_symbols(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF" or data[4] != 1:
        raise SystemExit("%s: not an ELF32 file" % path)
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    secs = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
    out = {}
    for s in secs:
        if s[1] != 2:
            continue
        strtab = secs[s[6]]
        for off in range(s[4], s[4] + s[5], 16):
            name, value = struct.unpack_from("<II", data, off)
            end = data.index(b"\0", strtab[4] + name)
            out.setdefault(data[strtab[4] + name:end].decode(), value)
    return out


def run_mspdebug(mspdebug, cmds, timeout):
    t0 = time.perf_counter()
    r = subprocess.run([mspdebug, "-q", "-n", "sim"], input="\n".join(cmds) + "\n",
                       capture_output=True, text=True, timeout=timeout)
    return time.perf_counter() - t0, r.stdout + r.stderr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("elf")
    ap.add_argument("--stop", required=True, help="symbol or address to stop at")
    ap.add_argument("--instructions", type=int,
                    help="instructions executed up to the stop (e.g. from ipsim exec --json)")
    ap.add_argument("--repeat", type=int, default=3, help="runs; the fastest counts")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per run")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()

    mspdebug = shutil.which("mspdebug")
    if not mspdebug:
        raise SystemExit("mspdebug not found")
    try:
        addr = int(args.stop, 0)
    except ValueError:
        syms = elf_symbols(args.elf)
        if args.stop not in syms:
            raise SystemExit("%s: no symbol %r" % (args.elf, args.stop))
        addr = syms[args.stop]
    if addr > 0xFFFF:
        raise SystemExit("stop address 0x%x is beyond mspdebug sim's 64 KB" % addr)

    load = ["prog %s" % args.elf, "reset"]
    full = load + ["setbreak 0x%x" % addr, "run", "regs"]
    load_s, run_s, out = [], [], ""
    for _ in range(max(1, args.repeat)):
        t, _o = run_mspdebug(mspdebug, load, args.timeout)
        load_s.append(t)
        try:
            t, out = run_mspdebug(mspdebug, full, args.timeout)
        except subprocess.TimeoutExpired:
            raise SystemExit("mspdebug did not reach 0x%x within %gs" % (addr, args.timeout))
        run_s.append(t)
    regs = dict((k.lower(), int(v, 16)) for k, v in
                re.findall(r"\(\s*(PC|SP|SR|R\d+):\s*([0-9a-fA-F]+)\)", out))
    if regs.get("pc") != addr:
        sys.stderr.write(out[-3000:])
        raise SystemExit("mspdebug stopped at pc=%s, not at 0x%x" % (
            "?" if "pc" not in regs else "0x%x" % regs["pc"], addr))

    total = min(run_s)
    startup = min(load_s)
    sim_s = max(total - startup, 1e-6)
    res = {"elf": args.elf, "stop": args.stop, "stop_addr": addr,
           "total_seconds": round(total, 4), "startup_seconds": round(startup, 4),
           "seconds": round(sim_s, 4), "instructions": args.instructions,
           "mips": round(args.instructions / sim_s / 1e6, 3) if args.instructions else None,
           "repeat": len(run_s)}
    if args.json:
        print(json.dumps(res))
    else:
        print("mspdebug sim: %s to %s (0x%04x)" % (args.elf, args.stop, addr))
        print("  host seconds: %.3f run (%.3f total, %.3f load/start-up), best of %d" % (
            sim_s, total, startup, len(run_s)))
        if res["mips"] is not None:
            print("  instructions: %d  ->  %.2f MIPS" % (args.instructions, res["mips"]))
        else:
            print("  MIPS: pass --instructions N (mspdebug counts no instructions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
