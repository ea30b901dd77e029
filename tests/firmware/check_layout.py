#!/usr/bin/env python3
"""Checks an MSP430FR5994 firmware ELF against the memory map (facts §1.1, §1.3):
every LOAD segment (by virtual and physical address) lies in SRAM, lower FRAM, the vector
table or upper FRAM; .vectors is 0xFF90-0xFFFF; the reset vector (0xFFFE) holds _start.

  check_layout.py --readelf LLVM_READELF FW.elf
"""
import argparse
import re
import subprocess
import sys

REGIONS = [  # name, start, end (exclusive)
    ("SRAM", 0x1C00, 0x3C00),  # CPU SRAM + LEA RAM
    ("FRAM", 0x4000, 0xFF80),
    ("vectors", 0xFF90, 0x10000),
    ("upper FRAM", 0x10000, 0x44000),
]


def region(lo, size):
    for name, start, end in REGIONS:
        if start <= lo and lo + size <= end:
            return name
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--readelf", default="llvm-readelf-14")
    ap.add_argument("elf")
    a = ap.parse_args()
    run = lambda *args: subprocess.run([a.readelf, *args, a.elf], capture_output=True,
                                       text=True, check=True).stdout
    errors = []
    for line in run("-lW").splitlines():
        f = line.split()
        if not f or f[0] != "LOAD":
            continue
        vaddr, paddr = int(f[2], 16), int(f[3], 16)
        filesz, memsz = int(f[4], 16), int(f[5], 16)
        if memsz and not region(vaddr, memsz):
            errors.append(f"segment at 0x{vaddr:x} (+0x{memsz:x}) is outside the memory map")
        if filesz and region(paddr, filesz) not in ("FRAM", "vectors", "upper FRAM"):
            errors.append(f"segment image at 0x{paddr:x} (+0x{filesz:x}) is not in FRAM")

    sections = {}
    for line in run("-SW").splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line)
        if m:
            sections[m.group(1)] = (int(m.group(2), 16), int(m.group(3), 16))
    if sections.get(".vectors") != (0xFF90, 0x70):
        errors.append(f".vectors is {sections.get('.vectors')}, expected (0xff90, 0x70)")

    start = None
    for line in run("-sW").splitlines():
        f = line.split()
        if len(f) >= 8 and f[-1] == "_start":
            start = int(f[1], 16)
    dump = run("-x", ".vectors")
    m = re.search(r"0x0000fff0\s+(?:[0-9a-f]{8}\s+){3}([0-9a-f]{8})", dump)
    reset = None
    if m:
        b = bytes.fromhex(m.group(1))
        reset = b[2] | b[3] << 8
    if start is None or reset != start:
        errors.append(f"reset vector is {reset}, _start is {start}")

    if errors:
        print(f"FAIL {a.elf}:\n  " + "\n  ".join(errors), file=sys.stderr)
        sys.exit(1)
    print(f"OK {a.elf}: segments in the FR5994 map, reset vector -> _start 0x{start:x}")


if __name__ == "__main__":
    main()
