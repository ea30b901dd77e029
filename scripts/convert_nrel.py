#!/usr/bin/env python3
"""Convert an NREL SRRL BMS 1-minute global horizontal irradiance file (as stored in
LENS-TUGraz/simba .../SolarTraces/NREL/Raw/<month>.txt) to the ipsim canonical trace format
`time_s,irradiance_W_per_m2`.

Input header: `DATE (MM/DD/YYYY),MST,Global CM3 (cor) [W/m^2]`.
Time: seconds from the first row, computed from the DATE and MST (local standard time, no DST)
columns. Negative night values (pyranometer offset) are clipped to 0.

Usage: convert_nrel.py RAW.txt OUT.csv
"""
import datetime
import sys

from trace_source import git_blob_id



def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    raw = open(src, "rb").read()
    lines = raw.decode("ascii").splitlines()
    if not lines or not lines[0].startswith("DATE (MM/DD/YYYY),MST,"):
        sys.exit("%s:1: unexpected header" % src)
    t0 = None
    rows = []
    for lineno, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        parts = line.split(",")
        if len(parts) != 3:
            sys.exit("%s:%d: expected 3 columns" % (src, lineno))
        month, day, year = (int(x) for x in parts[0].split("/"))
        hour, minute = (int(x) for x in parts[1].split(":"))
        t = datetime.datetime(year, month, day, hour, minute)
        if t0 is None:
            t0 = t
            first = parts[0] + " " + parts[1]
        g = max(0.0, float(parts[2]))
        rows.append((int((t - t0).total_seconds()), g))
    with open(dst, "w", newline="\n") as out:
        out.write("# NREL SRRL BMS Golden CO, Global CM3 (cor) 1-min GHI (Andreas & Stoffel 1981, "
                  "doi:10.5439/1052221), via LENS-TUGraz/simba (MIT); see traces/README.md\n")
        out.write("# source blob %s; t=0 at %s MST; negatives clipped to 0\n"
                  % (git_blob_id(raw), first))
        out.write("time_s,irradiance_W_per_m2\n")
        for t, g in rows:
            out.write("%d,%.6g\n" % (t, g))


if __name__ == "__main__":
    main()
