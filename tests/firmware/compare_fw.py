#!/usr/bin/env python3
"""Runs one test-as-firmware on a simulator and compares its fw_result bytes with the host
build of the same source (the golden model).

  compare_fw.py --host HOST_EXE --elf FW.elf --ipsim IPSIM_BINARY
  compare_fw.py --host HOST_EXE --elf FW_swmul.elf --mspdebug MSPDEBUG --nm LLVM_NM

The host executable prints fw_result as one hex line in memory order. ipsim is run as
`ipsim exec FW.elf --stop-at exit --max-cycles N --dump fw_result --json` (design.md §7);
mspdebug's simulator runs to a breakpoint on `exit` and fw_result is read with `md`.
Exit status 0 on equal results, 1 on a mismatch or a failed run (with the reason).
"""
import argparse
import json
import os
import re
import subprocess
import sys

SYMBOL = "fw_result"
MAX_CYCLES = 200_000_000


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def norm_hex(s):
    s = re.sub(r"[\s_]", "", str(s)).lower()
    return s[2:] if s.startswith("0x") else s


def host_result(host):
    out = subprocess.run([host], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        fail(f"host build {host} exited with {out.returncode}: {out.stderr.strip()}")
    return norm_hex(out.stdout.strip().splitlines()[-1])


def run_ipsim(ipsim, elf):
    if not os.path.exists(ipsim):
        fail(f"ipsim binary not found at {ipsim}: `ipsim exec` (design.md §7) is not built yet")
    cmd = [ipsim, "exec", elf, "--stop-at", "exit", "--max-cycles", str(MAX_CYCLES),
           "--dump", SYMBOL, "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        fail(f"`{' '.join(cmd)}` exited with {out.returncode}:\n{out.stderr.strip()}")
    try:
        res = json.loads(out.stdout)
    except json.JSONDecodeError as e:
        fail(f"`ipsim exec` printed no JSON object ({e}); stdout was:\n{out.stdout[:2000]}")
    dumps = res.get("dumps", {})
    if SYMBOL not in dumps:
        fail(f"`ipsim exec` JSON has no dumps[{SYMBOL!r}]; keys: {sorted(dumps)}")
    stop = res.get("stop_reason")
    regs = res.get("registers", {})
    # Stopped at exit (or by its DBG_EXIT write): R12 holds the exit code.
    if "r12" in regs and int(regs["r12"]) != 0:
        fail(f"firmware exit code {regs['r12']} (stop_reason {stop!r}), expected 0")
    print(f"ipsim: stop_reason={stop} cycles={res.get('cycles')} "
          f"instructions={res.get('instructions')}")
    return norm_hex(dumps[SYMBOL])


def symbol(nm, elf, name):
    out = subprocess.run([nm, "-S", elf], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if f[-1] == name:
            return int(f[0], 16), (int(f[1], 16) if len(f) == 4 else 0)
    fail(f"symbol {name} not in {elf}")


def run_mspdebug(mspdebug, nm, elf):
    exit_addr, _ = symbol(nm, elf, "exit")
    addr, size = symbol(nm, elf, SYMBOL)
    script = (f"prog {elf}\nreset\nsetbreak 0x{exit_addr:x}\nrun\nregs\n"
              f"md 0x{addr:x} {size}\n")
    out = subprocess.run([mspdebug, "-q", "sim"], input=script, capture_output=True,
                         text=True, timeout=300)
    text = out.stdout + out.stderr
    pc = re.search(r"\(\s*PC:\s*([0-9a-fA-F]+)\)", text)
    if not pc or int(pc.group(1), 16) != exit_addr:
        fail(f"mspdebug did not stop at exit (0x{exit_addr:x}):\n{text[-2000:]}")
    r12 = re.search(r"\(R12:\s*([0-9a-fA-F]+)\)", text)
    if r12 and int(r12.group(1), 16) != 0:
        fail(f"firmware exit code 0x{r12.group(1)}, expected 0")
    data = ""
    # md lines end in an ASCII column |...|; disassembly lines from `regs` do not
    for m in re.finditer(r"^\s*([0-9a-fA-F]+):((?:\s[0-9a-fA-F]{2})+)\s+\|.*\|\s*$", text, re.M):
        data += m.group(2).replace(" ", "")
    return norm_hex(data[: 2 * size])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--host", required=True)
    ap.add_argument("--elf", required=True)
    ap.add_argument("--ipsim")
    ap.add_argument("--mspdebug")
    ap.add_argument("--nm", default="llvm-nm-14")
    a = ap.parse_args()
    if not os.path.exists(a.elf):
        fail(f"firmware {a.elf} not found: build the top-level project (target firmware)")
    want = host_result(a.host)
    if a.ipsim:
        got = run_ipsim(a.ipsim, a.elf)
    elif a.mspdebug:
        got = run_mspdebug(a.mspdebug, a.nm, a.elf)
    else:
        fail("give --ipsim or --mspdebug")
    if got != want:
        words = [(i // 8, want[i:i + 8], got[i:i + 8]) for i in range(0, max(len(want), len(got)), 8)
                 if want[i:i + 8] != got[i:i + 8]]
        detail = "\n".join(f"  fw_result[{w}] host {h} target {t}" for w, h, t in words[:16])
        fail(f"{os.path.basename(a.elf)}: fw_result differs from the host build\n"
             f"  host   {want}\n  target {got}\n{detail}")
    print(f"OK {os.path.basename(a.elf)}: {len(want) // 2} bytes of {SYMBOL} match the host build")


if __name__ == "__main__":
    main()
