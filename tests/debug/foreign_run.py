#!/usr/bin/env python3
"""Foreign firmware under `ipsim run`: a C file built outside the project's CMake, with the
project's crt0 and linker script and ld.lld's default layout (no --nmagic), that ends asleep
in LPM4. The config names only workload.firmware (no strategy). The run must complete and
report its measurements; the ELF's header-only segment is skipped with a warning."""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--root", required=True, help="repository root")
    a = ap.parse_args()
    rt = os.path.join(a.root, "kernels", "runtime")
    failures = []

    def check(cond, what):
        print(("ok   " if cond else "FAIL ") + what)
        if not cond:
            failures.append(what)

    with tempfile.TemporaryDirectory() as tmp:
        cc = ["clang-14", "--target=msp430", "-mhwmult=f5series", "-O2", "-ffreestanding",
              "-ffunction-sections", "-fdata-sections", "-c"]
        objs = []
        for src in (os.path.join(a.root, "tests", "debug", "foreign.c"),
                    os.path.join(rt, "crt0.S")):
            obj = os.path.join(tmp, os.path.basename(src) + ".o")
            subprocess.run(cc + [src, "-o", obj], check=True)
            objs.append(obj)
        elf = os.path.join(tmp, "foreign.elf")
        subprocess.run(["ld.lld-14", "--gc-sections", "-T", os.path.join(rt, "fr5994.ld"),
                        *objs, "-o", elf], check=True)
        cfg = os.path.join(tmp, "foreign.yaml")
        with open(cfg, "w") as f:
            f.write("name: foreign\nplatform: {capacitor: {capacitance: 100uF}}\n"
                    "source: {type: continuous}\n"
                    f"workload: {{firmware: {elf}}}\n")
        out = os.path.join(tmp, "out")
        p = subprocess.run([a.ipsim, "run", cfg, "--out", out], capture_output=True, text=True,
                           timeout=120)
        check(p.returncode == 0, f"ipsim run accepts the foreign firmware (exit {p.returncode})"
              + ("" if p.returncode == 0 else "\n" + p.stderr[-2000:]))
        if p.returncode == 0:
            run = json.load(open(os.path.join(out, "results.json")))["runs"][0]
            check(any("only ELF headers" in w for w in run.get("warnings", [])),
                  "the header-only segment is named in the run's warnings")
            check(run["status"] == "completed" and "sleeps" in run.get("message", ""),
                  f"status completed, ended asleep ({run['status']}, {run.get('message')})")
            check(run["cycles"] > 32 * 4 and run["instructions"] > 32,
                  f"cycles and instructions reported ({run['cycles']}, {run['instructions']})")
            check(run["energy_J"]["consumed"] > 0, "energy reported")
            check(run["nvm"]["write_bytes"] >= 2, "the FRAM write of `runs` is counted")
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("foreign firmware checks passed")


if __name__ == "__main__":
    main()
