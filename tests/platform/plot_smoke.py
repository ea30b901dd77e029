#!/usr/bin/env python3
"""scripts/plot_results.py on a real results directory: the three figures of the quick start
(FRAM writes by kind, total inference time, the Vcap timeline) are written as PNG files, and
the time axis is linear for close values. The figures themselves are checked by eye
(docs/figures/quickstart_*.png come from a real quickstart run)."""
import os
import subprocess
import sys
import tempfile


def main():
    ipsim, config, plot = sys.argv[1:4]
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results")
        subprocess.run([ipsim, "run", config, "--out", out], check=True,
                       stdout=subprocess.DEVNULL)
        subprocess.run([sys.executable, plot, out], check=True)
        missing = []
        for name in ("nvm_writes.png", "inference_time.png", "timeline.png"):
            path = os.path.join(out, name)
            if not os.path.exists(path):
                missing.append(name)
                continue
            with open(path, "rb") as f:
                if f.read(8) != b"\x89PNG\r\n\x1a\n":
                    missing.append(name)
        if missing:
            print("not written as PNG:", missing)
            return 1
    # The axis rule: linear unless the values span more than 30x.
    sys.path.insert(0, os.path.dirname(os.path.abspath(plot)))
    import plot_results  # noqa: E402
    if plot_results.needs_log([24.6, 26.1]) or not plot_results.needs_log([1.2, 24.6, 664.4]):
        print("needs_log picks the wrong axis")
        return 1
    print("ok: three figures")
    return 0


if __name__ == "__main__":
    sys.exit(main())
