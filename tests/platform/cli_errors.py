#!/usr/bin/env python3
"""`ipsim exec` on bad input: each case must exit non-zero with a message a person can act on."""
import argparse
import json
import os
import subprocess
import sys
import tempfile


def run(ipsim, *args):
    p = subprocess.run([ipsim, "exec", *args], capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--elf-dir", required=True)
    a = ap.parse_args()
    failures = []

    def expect(name, args, patterns, code=None):
        rc, out, err = run(a.ipsim, *args)
        text = out + err
        ok = rc != 0 and (code is None or rc == code)
        missing = [p for p in patterns if p.lower() not in text.lower()]
        if not ok or missing:
            failures.append(f"{name}: exit {rc}, missing {missing}\n--- output ---\n{text}")
        else:
            print(f"ok   {name}: exit {rc}: {err.strip().splitlines()[-1] if err.strip() else ''}")

    d = a.elf_dir
    expect("missing file", [os.path.join(d, "no-such.elf")], ["no-such.elf", "cannot open"], 2)
    with tempfile.NamedTemporaryFile("w", suffix=".elf", delete=False) as f:
        f.write("this is not an ELF file\n")
        text_file = f.name
    expect("not an ELF", [text_file], ["not an ELF"], 2)
    os.unlink(text_file)
    expect("x86-64 ELF", ["/bin/true"] if os.path.exists("/bin/true") else [sys.executable],
           ["not a 32-bit"], 2)
    expect("segment outside memory", [os.path.join(d, "outside.elf")],
           ["outside.elf", "0x01B00", "outside FRAM"], 2)
    expect("illegal instruction", [os.path.join(d, "illegal.elf"), "--json"],
           ["illegal", "pc 0x0", "cycle"], 3)
    expect("vacant access", [os.path.join(d, "vacant.elf"), "--json"],
           ["vacant", "0x01B00", "cycle"], 3)
    expect("bad --dump", [os.path.join(d, "vacant.elf"), "--dump", "nosuchsym"],
           ["nosuchsym", "no such symbol"], 2)
    # Ranges that used to read outside the host buffers; rejected before the run.
    for bad in ("0xFFFFFFFF:1", "-1:1", "0x4000:0", "0x43FFF:2", "0x1C00:x", "0x4000:1junk"):
        expect(f"--dump {bad}", [os.path.join(d, "wdt.elf"), "--dump", bad], ["--dump " + bad], 2)
    if hasattr(os, "mkfifo"):
        fifo_dir = tempfile.mkdtemp()
        fifo = os.path.join(fifo_dir, "fifo.elf")
        os.mkfifo(fifo)
        expect("FIFO instead of an ELF", [fifo], ["not a regular file"], 2)
        os.unlink(fifo)
        os.rmdir(fifo_dir)

    rc, out, _ = run(a.ipsim, os.path.join(d, "wdt.elf"), "--stop-at", "_start", "--json")
    stopped = json.loads(out) if rc == 0 else {}
    if stopped.get("stop_reason") != "breakpoint" or stopped.get("instructions") != 0:
        failures.append(f"--stop-at _start: exit {rc}, {stopped.get('stop_reason')}")
    else:
        print("ok   --stop-at _start stops before the first instruction")
    rc, out, _ = run(a.ipsim, os.path.join(d, "wdt.elf"), "--dump", "0x4400:2", "--json")
    # wdt.elf exits with its boot count (3): exec's status is the firmware's exit code.
    if rc != 3 or json.loads(out)["dumps"].get("0x4400:2") is None:
        failures.append(f"--dump 0x4400:2: exit {rc}")

    # A (strategy, kernel) the config allows but the firmware directory lacks: the run fails
    # with a message naming the strategy, the kernel and the missing image.
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "k.yaml")
        with open(cfg, "w") as f:
            f.write("name: k\nplatform: {capacitor: {capacitance: 100uF}}\n"
                    "workload: {network: kws, strategy: continuous, kernel: lea-fir}\n")
        env = dict(os.environ, IPSIM_FIRMWARE_DIR=os.path.join(tmp, "empty"))
        p = subprocess.run([a.ipsim, "run", cfg, "--out", os.path.join(tmp, "out")],
                           capture_output=True, text=True, timeout=60, env=env)
        text = p.stdout + p.stderr
        want = ["no firmware image for workload.strategy continuous on workload.kernel lea-fir",
                "infer_kws_continuous_lea_fir.elf"]
        missing = [w for w in want if w not in text]
        if missing:
            failures.append(f"missing image: missing {missing}\n--- output ---\n{text}")
        else:
            print("ok   missing image: " + want[0])
    # Markers in a loop: the first 100,000 are printed, the rest counted; memory stays bounded
    # (it reached 17 GB when every marker became a JSON object).
    import resource
    p = subprocess.run(["/usr/bin/env", a.ipsim, "exec", os.path.join(d, "markers.elf"),
                        "--max-cycles", "30000000", "--json"], capture_output=True, text=True,
                       timeout=300)
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    result = json.loads(p.stdout) if p.returncode == 0 else {}
    kept, dropped = len(result.get("markers", [])), result.get("markers_dropped", 0)
    if kept != 100000 or dropped < 1000000 or peak_mb > 400:
        failures.append(f"markers loop: exit {p.returncode}, kept {kept}, dropped {dropped}, "
                        f"peak {peak_mb:.0f} MB")
    else:
        print(f"ok   markers loop: {kept} kept, {dropped} dropped, peak RSS {peak_mb:.0f} MB")

    # The fault JSON names the faulting PC: the `bad` label of each program.
    for prog in ("illegal", "vacant"):
        rc, out, _ = run(a.ipsim, os.path.join(d, f"{prog}.elf"), "--json")
        result = json.loads(out)
        nm = subprocess.run(["llvm-nm-14", os.path.join(d, f"{prog}.elf")], capture_output=True,
                            text=True).stdout
        bad = next(int(l.split()[0], 16) for l in nm.splitlines() if l.endswith(" bad"))
        if result["stop_reason"] != "fault" or result["fault"]["pc"] != bad:
            failures.append(f"{prog}: expected fault at pc {bad:#x}, got {result.get('fault')}")
        else:
            print(f"ok   {prog}: fault pc {bad:#x}, cycle {result['fault']['cycle']}")

    if failures:
        print("\n\n".join(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
