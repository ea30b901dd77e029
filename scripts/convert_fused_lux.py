#!/usr/bin/env python3
"""Convert the Fused illuminance trace (UoS-EEC/fused branch memic-solar-cell,
config/Lux_14Oct21.csv) to the ipsim canonical trace format `time_s,illuminance_lux`.

Input: one integer lux value per line, no header, no timestamps. The sampling interval is
ambiguous upstream (config: 100 ms; a code comment: 1 s); we assume 100 ms (see traces/README.md).

Usage: convert_fused_lux.py Lux_14Oct21.csv OUT.csv
"""
import sys

from trace_source import git_blob_id

PERIOD_S = 0.1



def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    raw = open(src, "rb").read()
    values = []
    for lineno, line in enumerate(raw.decode("ascii").splitlines(), 1):
        s = line.strip()
        if not s:
            continue
        try:
            v = float(s)
        except ValueError:
            sys.exit("%s:%d: not a number: %r" % (src, lineno, s))
        if v < 0:
            sys.exit("%s:%d: negative illuminance" % (src, lineno))
        values.append(s)
    with open(dst, "w", newline="\n") as out:
        out.write("# Fused illuminance trace Lux_14Oct21.csv, UoS-EEC/fused branch memic-solar-cell, "
                  "Apache-2.0; see traces/README.md\n")
        out.write("# source blob %s; sample period ASSUMED 100 ms (ambiguous upstream)\n"
                  % git_blob_id(raw))
        out.write("time_s,illuminance_lux\n")
        for i, s in enumerate(values):
            out.write("%.1f,%s\n" % (i * PERIOD_S, s))


if __name__ == "__main__":
    main()
