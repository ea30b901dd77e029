#!/usr/bin/env python3
"""Convert the shepherd jogging PV recording (CSV decoded from nes-lab/shepherd-tools
shepherd_data/examples/jogging_10m.iv, see traces/README.md) to the ipsim canonical trace format
`time_s,a_A,b_A,c_per_V,p_mpp_W`.

Single-diode (IVonne) model per sample: I(V) = a - b*(exp(c*V) - 1); a = Isc, b = saturation
current, c = 1/(n*U_T). p_mpp_W is the maximum of V*I(V) over [0, Voc] (golden-section search,
recomputed here so the file is reproducible from a, b, c alone).

Usage: convert_shepherd.py jogging_10m_isc_voc.csv OUT.csv
"""
import math
import sys

from trace_source import git_blob_id



def p_mpp(a, b, c):
    voc = math.log(a / b + 1.0) / c
    lo, hi = 0.0, voc
    g = (math.sqrt(5.0) - 1.0) / 2.0

    def p(v):
        return v * (a - b * (math.exp(c * v) - 1.0))

    x1, x2 = hi - g * (hi - lo), lo + g * (hi - lo)
    f1, f2 = p(x1), p(x2)
    for _ in range(80):
        if f1 < f2:
            lo, x1, f1 = x1, x2, f2
            x2 = lo + g * (hi - lo)
            f2 = p(x2)
        else:
            hi, x2, f2 = x2, x1, f1
            x1 = hi - g * (hi - lo)
            f1 = p(x1)
    return p(0.5 * (lo + hi))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    src, dst = sys.argv[1], sys.argv[2]
    raw = open(src, "rb").read()
    lines = raw.decode("ascii").splitlines()
    header = lines[0].split(",")
    try:
        it, ia, ib, ic = (header.index(n) for n in ("time_s", "a_A", "b_A", "c_per_V"))
    except ValueError:
        sys.exit("%s:1: header lacks time_s,a_A,b_A,c_per_V" % src)
    with open(dst, "w", newline="\n") as out:
        out.write("# shepherd jogging PV recording (IVonne, 50 Hz), nes-lab/shepherd-tools "
                  "jogging_10m.iv, MIT; see traces/README.md\n")
        out.write("# derived from decoded CSV blob %s; I(V) = a - b*(exp(c*V)-1)\n"
                  % git_blob_id(raw))
        out.write("time_s,a_A,b_A,c_per_V,p_mpp_W\n")
        for lineno, line in enumerate(lines[1:], 2):
            if not line.strip():
                continue
            f = line.split(",")
            if len(f) != len(header):
                sys.exit("%s:%d: expected %d columns" % (src, lineno, len(header)))
            a, b, c = float(f[ia]), float(f[ib]), float(f[ic])
            out.write("%s,%.6e,%.6e,%.6f,%.6e\n" % (f[it], a, b, c, p_mpp(a, b, c)))


if __name__ == "__main__":
    main()
