#!/usr/bin/env python3
"""Firmware tests of the external SPI FRAM platform (platform.nvm.kind: spi-fram), checked
against the device model.

  spi_fram_test.py blocks   --ipsim IPSIM --elf spifram_blocks.elf   --config CONTINUOUS.yaml
                            --unpowered UNPOWERED.yaml
  spi_fram_test.py brownout --ipsim IPSIM --elf spifram_brownout.elf --config BROWNOUT.yaml

blocks: the driver's blocks read back equal; the model's array holds what was written; the
model's NVM report names each `.spifram` object with exactly the bytes and commands moved; the
cost of a DMA transfer of n words stays within BOUND of iNAS's fit (64n + 424 cycles per read,
64n + 422 per write, at 16 MHz; docs/spi_fram.md): slope within SLOPE_BOUND of 64 cycles per
word and the fixed cost within FIXED_BOUND cycles of iNAS's.
The part's energy (the run minus the same run with its currents zeroed) must equal
3 V x (100 uA x on time + (300 uA/MHz x 4 MHz - 100 uA) x 2 us per byte clocked).
brownout: a 2 KB DMA write is cut by a brown-out; after it the firmware sees a prefix of the
new bytes and the old bytes after it, and the model's array holds exactly that.
"""
import argparse
import json
import struct
import subprocess
import sys

WORDS = [8, 32, 128, 512]  # kernels/apps/spifram_blocks.c kWords
MAX_WORDS = 512
INAS_READ = (64.0, 424.0)  # cycles per word, fixed cycles
INAS_WRITE = (64.0008, 422.2)
SLOPE_BOUND = 0.01  # relative
FIXED_BOUND = 150.0  # cycles


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def run(args, dumps, config=None):
    cmd = [args.ipsim, "exec", args.elf, "--power", config or args.config, "--json"]
    for d in dumps:
        cmd += ["--dump", d]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        fail(f"{' '.join(cmd)} exited with {out.returncode}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def words(hex_text):
    b = bytes.fromhex(hex_text)
    return list(struct.unpack(f"<{len(b) // 2}H", b))


def fit(points):
    n = len(points)
    sx = sum(x for x, _ in points)
    sy = sum(y for _, y in points)
    sxx = sum(x * x for x, _ in points)
    sxy = sum(x * y for x, y in points)
    slope = (n * sxy - sx * sy) / (n * sxx - sx * sx)
    return slope, (sy - slope * sx) / n


def blocks(args):
    r = run(args, ["spifram_result", "ext_blocks", "ext_small"])
    if r["stop_reason"] != "exit" or r.get("exit_code") != 0:
        fail(f"run ended with {r['stop_reason']} {r.get('exit_code')} {r.get('fault')}")
    res = words(r["dumps"]["spifram_result"])
    if res[0] != 0:
        fail("RDID did not return the CY15B104Q's ID")
    if res[1] != 0:
        fail(f"{res[1]} bytes read back wrong")
    blocks_mem = words(r["dumps"]["ext_blocks"])
    for k, n in enumerate(WORDS):
        want = [(0x1357 * (k + 1) + 0x0101 * i) & 0xFFFF for i in range(n)]
        got = blocks_mem[MAX_WORDS * k:MAX_WORDS * k + n]
        if got != want:
            fail(f"the model's array differs from block {k} ({n} words)")
    small = bytes.fromhex(r["dumps"]["ext_small"])
    if small[3:10] != bytes([0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x80, 0x7F]):
        fail(f"the model's ext_small is {small.hex()}")
    spi = r["nvm"].get("spi_fram")
    if spi is None:
        fail("no nvm.spi_fram in the result")
    moved = 2 * sum(WORDS)
    # Each block is read twice: once timed, once to check it.
    want = {"ext_small": (7, 1, 7, 1),
            "ext_blocks": (moved, len(WORDS), 2 * moved, 2 * len(WORDS))}
    for sym, (wb, w, rb, rd) in want.items():
        s = spi["by_symbol"].get(sym)
        got = s and (s["write_bytes"], s["writes"], s["read_bytes"], s["reads"])
        if got != (wb, w, rb, rd):
            fail(f"nvm.spi_fram.by_symbol.{sym}: {got}, expected {(wb, w, rb, rd)}")
    if spi["protocol_errors"] != 0:
        fail(f"{spi['protocol_errors']} bytes rejected by the part")

    bare = run(args, [], args.unpowered)
    if bare["cycles"] != r["cycles"]:
        fail("the part's currents changed the timing")
    part_j = r["energy_J"]["consumed"] - bare["energy_J"]["consumed"]
    want_j = 3.0 * (100e-6 * r["on_time_s"] + (1.2e-3 - 100e-6) * 2e-6 * spi["characters"])
    if abs(part_j - want_j) > 1e-6 * want_j:
        fail(f"the part drew {part_j} J, expected {want_j} J")
    print(f"SPI FRAM energy {part_j * 1e6:.3f} uJ over {r['on_time_s'] * 1e3:.3f} ms, "
          f"{spi['characters']} bytes clocked")

    for name, col, ref in (("write", 2, INAS_WRITE), ("read", 3, INAS_READ)):
        points = [(n, res[col + 2 * k]) for k, n in enumerate(WORDS)]
        slope, fixed = fit(points)
        print(f"{name}: cycles = {slope:.3f} n + {fixed:.1f}  (iNAS {ref[0]} n + {ref[1]}); "
              + ", ".join(f"n={n}: {c} ({100.0 * (c / (ref[0] * n + ref[1]) - 1):+.1f}%)"
                          for n, c in points))
        if abs(slope / ref[0] - 1) > SLOPE_BOUND:
            fail(f"{name} slope {slope:.3f} cycles/word is more than {SLOPE_BOUND:.0%} off "
                 f"iNAS's {ref[0]}")
        if abs(fixed - ref[1]) > FIXED_BOUND:
            fail(f"{name} fixed cost {fixed:.0f} cycles is more than {FIXED_BOUND:.0f} off "
                 f"iNAS's {ref[1]}")


def brownout(args):
    r = run(args, ["spifram_bo_result", "ext_victim"])
    if r["stop_reason"] != "exit" or r.get("exit_code") != 0:
        fail(f"run ended with {r['stop_reason']} {r.get('exit_code')}: "
             "the 2 KB write was not cut (exit 1) or the firmware made no progress")
    if r["power_failures"] < 1:
        fail("no power failure")
    res = words(r["dumps"]["spifram_bo_result"])
    if res[0] != 3 or res[1] != 0:
        fail(f"phase {res[0]}, RDID mismatch {res[1]}")
    chunks = (len(res) - 2) // 3
    chunk = 2048 // chunks
    pattern_bytes = 0
    for c in range(chunks):
        pat, fill, prefix = res[2 + 3 * c:5 + 3 * c]
        if pat + fill != chunk or not prefix:
            fail(f"chunk {c}: {pat} new bytes, {fill} old bytes, prefix {prefix}")
        if pat and pattern_bytes != chunk * c:
            fail(f"new bytes in chunk {c} after a chunk with old bytes")
        pattern_bytes += pat
    if not 0 < pattern_bytes < 2048:
        fail(f"{pattern_bytes} of 2048 new bytes: the brown-out did not cut the transfer")
    victim = bytes.fromhex(r["dumps"]["ext_victim"])
    want = bytes((j & 0x7F) + 1 for j in range(pattern_bytes)) + bytes(2048 - pattern_bytes)
    if victim != want:
        fail("the model's array is not the prefix the firmware read back")
    spi = r["nvm"]["spi_fram"]["by_symbol"]["ext_victim"]
    if spi["write_bytes"] < 2048 + pattern_bytes:
        fail(f"the model counted {spi['write_bytes']} bytes written, fewer than 2048 + "
             f"{pattern_bytes}")
    print(f"brown-out after {pattern_bytes} of 2048 bytes; {r['power_failures']} power failures")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["blocks", "brownout"])
    p.add_argument("--ipsim", required=True)
    p.add_argument("--elf", required=True)
    p.add_argument("--config", required=True)
    p.add_argument("--unpowered", help="blocks: the config with the part's currents zeroed")
    args = p.parse_args()
    (blocks if args.mode == "blocks" else brownout)(args)


if __name__ == "__main__":
    main()
