#!/usr/bin/env python3
"""GDB remote server of `ipsim exec --gdb`, driven by two independent clients on loopback.

1. mspdebug's GDB client driver (`mspdebug gdbc`): break at a function and continue, read
   registers and memory, single-step, then quit (taken as a detach: the run goes on).
2. A small RSP client of our own, for what gdbc cannot send: 32-bit registers after
   qSupported, a write watchpoint on an FRAM variable, changing a variable (the exit code
   follows it), monitor power / fail, the brown-out and reboot stops (FRAM kept, SRAM not),
   detach; and a firmware fault stopping with its PC, address and cycle.
Every step has a timeout; the server picks a free port (--gdb 0) and prints it.
"""
import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time

TIMEOUT = 20


def symbols(elf):
    out = subprocess.run(["llvm-nm-14", elf], capture_output=True, text=True, check=True).stdout
    syms = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3:
            syms[parts[2]] = int(parts[0], 16)
    return syms


def start_server(ipsim, elf, *extra, command=None):
    command = command or ["exec", elf]
    proc = subprocess.Popen([ipsim, *command, "--gdb", "0", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if m:
            return proc, int(m.group(1))
        if not line and proc.poll() is not None:
            break
    proc.kill()
    sys.exit("ipsim did not announce its GDB port")


def finish(proc):
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        sys.exit("ipsim did not end after the debugger left")
    return proc.returncode, out, err


class Rsp:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""
        self.console = ""

    def _read_packet(self):
        while True:
            while b"#" not in self.buf or len(self.buf) < self.buf.index(b"#") + 3:
                chunk = self.s.recv(4096)
                if not chunk:
                    raise EOFError("server closed the connection")
                self.buf += chunk
            start = self.buf.index(b"$")
            end = self.buf.index(b"#", start)
            data = self.buf[start + 1:end].decode()
            cksum = int(self.buf[end + 1:end + 3], 16)
            self.buf = self.buf[end + 3:]
            assert sum(data.encode()) % 256 == cksum, f"bad checksum on {data!r}"
            self.s.sendall(b"+")
            if data.startswith("O") and data != "OK":
                self.console += bytes.fromhex(data[1:]).decode()
                continue
            return data

    def cmd(self, data):
        cksum = sum(data.encode()) % 256
        self.s.sendall(f"${data}#{cksum:02x}".encode())
        return self._read_packet()

    def monitor(self, text):
        self.console = ""
        reply = self.cmd("qRcmd," + text.encode().hex())
        assert reply == "OK", reply
        return self.console

    def regs(self):
        g = self.cmd("g")
        assert len(g) == 16 * 8, f"expected 16 32-bit registers, got {g!r}"
        return [int.from_bytes(bytes.fromhex(g[i * 8:i * 8 + 8]), "little") for i in range(16)]

    def read16(self, addr):
        return int.from_bytes(bytes.fromhex(self.cmd(f"m{addr:x},2")), "little")

    def write16(self, addr, value):
        assert self.cmd(f"M{addr:x},2:{value.to_bytes(2, 'little').hex()}") == "OK"


def check(cond, what, failures):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        failures.append(what)


def mspdebug_part(ipsim, elf, syms, failures):
    proc, port = start_server(ipsim, elf)
    work, counter = syms["work"], syms["fram_counter"]
    p = subprocess.run(["mspdebug", "gdbc", "-d", f"127.0.0.1:{port}", "regs",
                        f"setbreak 0x{work:x}", "run", "regs", f"md 0x{counter:x} 2", "step",
                        "regs"], capture_output=True, text=True, timeout=TIMEOUT)
    out = p.stdout + p.stderr
    print("--- mspdebug gdbc transcript (excerpt) ---")
    print("\n".join(l for l in out.splitlines() if "PC:" in l or ":" in l[:8])[:1500])
    # mspdebug also prints the registers whenever the target halts (after run and step).
    pcs = [int(x, 16) for x in re.findall(r"\( PC: ([0-9a-f]{5})\)", out)]
    check(len(pcs) == 5, f"gdbc read the registers five times ({pcs})", failures)
    ok = len(pcs) == 5
    check(ok and pcs[0] == syms["_start"], "gdbc: first stop at _start", failures)
    check(ok and pcs[1] == pcs[2] == work, "gdbc: setbreak work + run stops at work", failures)
    check(ok and pcs[3] == pcs[4] and pcs[4] not in (work, syms["_start"]),
          "gdbc: step moves the PC", failures)
    check(re.search(rf"{counter:05x}: 00 00", out) is not None,
          "gdbc: md reads fram_counter (0 before the first call)", failures)
    rc, stdout, _ = finish(proc)
    check(rc == 42 and "exit (code 42)" in stdout, f"after gdbc quits the run ends (exit {rc})",
          failures)


def rsp_part(ipsim, elf, syms, failures):
    proc, port = start_server(ipsim, elf)
    g = Rsp(port)
    g.cmd("qSupported:swbreak+;hwbreak+")
    check(g.cmd("?").startswith("S05"), "stopped before the first instruction", failures)
    check(g.regs()[0] == syms["_start"], "PC is _start (20-bit register slots)", failures)
    work, counter, bonus, sram = (syms["work"], syms["fram_counter"], syms["fram_bonus"],
                                  syms["sram_value"])
    check(g.cmd(f"Z2,{counter:x},2") == "OK", "write watchpoint on fram_counter", failures)
    reply = g.cmd("c")
    check(reply.startswith("T05watch:") and int(reply.split(":")[1].rstrip(";"), 16) == counter,
          f"continue stops at the write to fram_counter ({reply})", failures)
    check(g.read16(counter) == 1, "the watched write has happened (fram_counter == 1)", failures)
    g.cmd(f"z2,{counter:x},2")
    check(g.cmd(f"Z0,{work:x},2") == "OK", "breakpoint at work", failures)
    reply = g.cmd("c")
    check(reply.startswith("S05") and g.regs()[0] == work, "continue stops at work", failures)
    check(g.read16(sram) == 1, "sram_value == 1 after work(0)", failures)
    pc = g.regs()[0]
    g.cmd("s")
    check(g.regs()[0] != pc, "single step moves the PC", failures)
    g.write16(bonus, 5)
    check(g.read16(bonus) == 5, "fram_bonus changed to 5", failures)
    power = g.monitor("power")
    check("Vcap" in power and "power failures 0" in power, f"monitor power: {power.strip()}",
          failures)
    g.cmd(f"z0,{work:x},2")
    g.monitor("fail")
    g.console = ""
    reply = g.cmd("c")
    check(reply.startswith("S05") and "brown-out" in g.console,
          f"monitor fail + continue stops at the brown-out ({g.console.strip()})", failures)
    g.console = ""
    reply = g.cmd("c")
    check(reply.startswith("S05") and "reboot" in g.console, "continue stops at the reboot",
          failures)
    check(g.regs()[0] == syms["_start"], "after the reboot the PC is the reset vector", failures)
    check(g.read16(counter) == 1, "FRAM survived the power failure (fram_counter == 1)",
          failures)
    check(g.read16(sram) != 1, f"SRAM did not (sram_value {g.read16(sram):#x})", failures)
    check("power failures 1" in g.monitor("power"), "monitor power counts the failure", failures)
    check(g.cmd(f"Z4,{bonus:x},2") == "OK", "access watchpoint on fram_bonus", failures)
    reply = g.cmd("c")
    check(reply.startswith("T05awatch:") and g.read16(counter) == 9,
          f"it stops where main reads fram_bonus, after 8 more calls ({reply})", failures)
    g.cmd(f"z4,{bonus:x},2")
    check(g.cmd("D") == "OK", "detach", failures)
    rc, stdout, _ = finish(proc)
    check(rc == 45 and "exit (code 45)" in stdout,
          f"after detach the run ends with the changed exit code 45 (exit {rc})", failures)


def fault_part(ipsim, vacant_elf, failures):
    proc, port = start_server(ipsim, vacant_elf)
    g = Rsp(port)
    g.cmd("qSupported")
    reply = g.cmd("c")
    check(reply.startswith("S0b") and "vacant address 0x01B00 at PC 0x" in g.console
          and "cycle" in g.console, f"a fault stops with SIGSEGV ({g.console.strip()})", failures)
    check(g.cmd("c").startswith("S0b"), "a faulted target stays stopped", failures)
    first = g.console
    reset = g.monitor("reset")
    check("node reset" in reset and g.regs()[0] != 0, f"monitor reset: {reset.strip()}", failures)
    g.console = ""
    check(g.cmd("c").startswith("S0b") and g.console != first,
          f"after the reset the firmware runs again to the fault ({g.console.strip()})", failures)
    g.cmd("D")
    rc, _, err = finish(proc)
    check(rc == 3 and "firmware fault" in err, f"detached at a fault: exit 3 (got {rc})",
          failures)


def run_part(ipsim, elf, syms, failures):
    """`ipsim run CONFIG --gdb`: the single run of a config under GDB, results written."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = os.path.join(tmp, "dbg.yaml")
        with open(cfg, "w") as f:
            f.write("name: dbg\nplatform: {capacitor: {capacitance: 100uF}}\n"
                    f"source: {{type: continuous}}\nworkload: {{firmware: {elf}}}\n")
        out = os.path.join(tmp, "out")
        proc, port = start_server(ipsim, elf, command=["run", cfg, "--out", out])
        g = Rsp(port)
        g.cmd("qSupported")
        g.cmd(f"Z0,{syms['work']:x},2")
        reply = g.cmd("c")
        check(reply.startswith("S05") and g.regs()[0] == syms["work"],
              "run --gdb: continue stops at work", failures)
        g.cmd("D")
        rc, _, _ = finish(proc)
        status = json.load(open(os.path.join(out, "results.json")))["runs"][0]["status"]
        check(rc == 0 and status == "completed", f"run --gdb: the run completes ({status})",
              failures)


def supervised_part(ipsim, elf, syms, config, failures):
    """On a harvested supply: the node starts uncharged, `monitor fail` drains the capacitor."""
    proc, port = start_server(ipsim, elf, "--power", config)
    g = Rsp(port)
    g.cmd("qSupported")
    power = g.monitor("power")
    check("boots 1" in power and g.regs()[0] == syms["_start"],
          f"uncharged node: the first stop is at the first instruction ({power.strip()})", failures)
    g.monitor("fail")
    g.console = ""
    g.cmd("c")
    check("brown-out" in g.console and "Vcap 2.400 V" in g.console,
          f"monitor fail drains the capacitor to v_off ({g.console.strip()})", failures)
    g.cmd("D")
    rc, _, _ = finish(proc)
    check(rc == 42, f"the run recharges, reboots and ends (exit {rc})", failures)


def interrupt_part(ipsim, bench_elf, failures):
    """^C while the target runs stops it (SIGINT); kill ends the run."""
    proc, port = start_server(ipsim, bench_elf)
    g = Rsp(port)
    g.cmd("qSupported")
    g.s.sendall(b"$c#63")
    time.sleep(0.3)
    g.s.sendall(b"\x03")
    reply = g._read_packet()
    check(reply.startswith("S02"), f"^C stops a running target with SIGINT ({reply})", failures)
    g.s.sendall(b"$k#6b")
    rc, out, _ = finish(proc)
    check("stop: killed" in out, "kill ends the run (stop: killed)", failures)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ipsim", required=True)
    ap.add_argument("--elf", required=True, help="build/firmware/dbgtest.elf")
    ap.add_argument("--vacant-elf", required=True)
    ap.add_argument("--rf-config", required=True, help="configs/bench_rf.yaml")
    ap.add_argument("--bench-elf", required=True, help="a long-running ELF (bench.elf)")
    a = ap.parse_args()
    syms = symbols(a.elf)
    failures = []
    mspdebug_part(a.ipsim, a.elf, syms, failures)
    rsp_part(a.ipsim, a.elf, syms, failures)
    fault_part(a.ipsim, a.vacant_elf, failures)
    run_part(a.ipsim, a.elf, syms, failures)
    supervised_part(a.ipsim, a.elf, syms, a.rf_config, failures)
    interrupt_part(a.ipsim, a.bench_elf, failures)
    if failures:
        sys.exit(f"{len(failures)} check(s) failed")
    print("all GDB server checks passed")


if __name__ == "__main__":
    main()
