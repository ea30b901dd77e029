#!/usr/bin/env python3
"""Convert a Mementos WISP 4.1 RF trace (ransford/mspsim@mementos traces/<n>.txt) to the
ipsim canonical trace format `time_s,power_W`.

Input: whitespace-separated `<time_ms> <voltage_V>` lines, 1 kHz, voltage across a 30 kOhm load.
Output: power delivered to the 30 kOhm load, P = V^2 / 30e3 (a lower bound on harvestable power).
Time is rebuilt as sample index x 1 ms: the recorded timestamps contain logging glitches
(+1000 ms / +40000 ms jumps while the voltage is continuous).

Usage: convert_mementos.py RAW.txt OUT.csv
"""
import sys

from trace_source import git_blob_id

LOAD_OHM = 30e3
PERIOD_S = 1e-3



def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    raw = open(src, "rb").read()
    rows = []
    for lineno, line in enumerate(raw.decode("ascii").splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        if len(parts) != 2:
            sys.exit("%s:%d: expected '<time_ms> <voltage_V>'" % (src, lineno))
        v = float(parts[1])
        rows.append(v * v / LOAD_OHM)
    with open(dst, "w", newline="\n") as out:
        out.write("# Mementos RF trace (Ransford, Sorber, Fu, ASPLOS 2011), ransford/mspsim branch "
                  "mementos, BSD-3-Clause; see traces/README.md\n")
        out.write("# source blob %s; power into 30 kOhm = V^2/30e3; time = index x 1 ms\n"
                  % git_blob_id(raw))
        out.write("time_s,power_W\n")
        for i, p in enumerate(rows):
            out.write("%.3f,%.6g\n" % (i * PERIOD_S, p))


if __name__ == "__main__":
    main()
