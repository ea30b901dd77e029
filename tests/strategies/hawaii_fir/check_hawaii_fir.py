#!/usr/bin/python3
"""Runs hawaii on lea-fir once and checks its results.json (stdlib only):

    check_hawaii_fir.py IPSIM CONFIG OUT_DIR --golden-tool GOLDEN --network-source NET.c
        [--set KEY=VALUE]... [--min-failures N] [--golden match|mismatch] [--closed-form]
        [--overruns zero|some] [--nvm internal|spi-fram]

--golden match: the run is on the lea-fir kernel and the scores of every inference are
bit-identical to `GOLDEN --kernel lea-fir`, the host golden model of that kernel, and
golden_match (mismatch: at least one is not; for the unguarded negative control). --closed-form: FRAM bytes written per symbol
equal the closed form in kernels/strategies/hawaii_fir.c's header, computed here from the
layer table of NET.c (exact; the pacing's probes and repairs are accounted for from the
counters lea_paced.c keeps). --overruns: lea_paced_overruns never written / written.
--nvm spi-fram: the run uses the external-FRAM image (platform.nvm.kind spi-fram,
infer_<net>_hawaii_lea_fir_spi.elf); --closed-form then checks the external FRAM's bytes per
symbol (results.json nvm.spi_fram.by_symbol) against that image's form (hawaii_fir.c's header:
jobs of HF_BATCH words) and that on-chip FRAM got only the application's words."""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import nvm_closed_form  # noqa: E402 (the application's words, infer_main.c)

HF_BATCH = 128  # hawaii_fir.c: words per external-FRAM job
LAYER_RE = re.compile(r"\{(NN_OP_\w+), (\d+), (\d+), (-?\d+), (\d+), (\d+), (\d+), (\d+), "
                      r"\{(\d+), (\d+), (\d+)\}, \{(\d+), (\d+), (\d+)\}")
NET_RE = re.compile(r"\"(\w+)\", \{(\d+), (\d+), (\d+)\}, \d+, (\d+), \w+_layers")


def read_network(path):
    text = open(path).read()
    layers = []
    for m in LAYER_RE.finditer(text):
        v = [int(x) if i else x for i, x in enumerate(m.groups())]
        layers.append(dict(op=v[0], kh=v[4], kw=v[5], sh=v[6], sw=v[7],
                           cin=v[8], hin=v[9], win=v[10], cout=v[11], hout=v[12], wout=v[13]))
    net = NET_RE.search(text)
    if not layers or not net or int(net.group(5)) != len(layers):
        sys.exit("%s: cannot read the layer table" % path)
    return (int(net.group(2)), int(net.group(3)), int(net.group(4))), layers


def fir_len(l):
    return (l["hout"] * l["win"] + 1) & ~1


def ceil_div(a, b):
    return -(-a // b)


def closed_form(shape_in, layers, spi=False):
    """Words written per symbol under continuous power (hawaii_fir.c's header); the footprint
    words are split between hf_sub_footprint and lea_paced_probe_footprint by probes. spi: the
    external-FRAM image's form (a job counter store per job, one reset per phase; no probe)."""
    w = dict(hf_psum=0, fmap=0, footprint=0, hw_fp=0, hw_stage=0)
    w["fmap"] += shape_in[0] * shape_in[1] * shape_in[2]
    w["hw_fp"] += 2
    w["footprint"] += 2 if spi else 6
    w["hw_stage"] += 2
    probes = []  # (key, L) of every probe of a pacing, in order
    verified = {}
    for i, l in enumerate(layers):
        if l["op"] in ("NN_OP_CONV2D", "NN_OP_CONV1D"):
            L, c, kh = fir_len(l), l["cin"], l["kh"]
            outs = l["hout"] * l["wout"]
            w["hf_psum"] += l["cout"] * 2 * c * kh * L
            w["fmap"] += l["cout"] * outs
            if spi:
                w["footprint"] += l["cout"] * (2 * c * kh * ceil_div(L, HF_BATCH) +
                                              ceil_div(outs, HF_BATCH) + 2 * c + 4)
            else:
                w["footprint"] += l["cout"] * (2 * c * kh * L + outs + 3 * 2 * c * kh +
                                              3 * (2 * c + 4))
            w["hw_fp"] += l["cout"] * (2 * c + 4)
            # Sub-ops in order: the FIR pacing first, then adds (row sums, or the bias).
            for key in (("fir", l["kw"]), ("add",)):
                if L > verified.get(key, 0):
                    probes.append((key, L))
                    verified[key] = L
        else:
            outs = l["cout"] * l["hout"] * l["wout"]
            w["fmap"] += outs
            w["hw_fp"] += outs
        if i + 1 < len(layers):
            w["hw_fp"] += 1
            w["footprint"] += 1 if spi else 3
        w["hw_stage"] += 1
    return w, probes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("ipsim")
    ap.add_argument("config")
    ap.add_argument("out")
    ap.add_argument("--golden-tool", required=True)
    ap.add_argument("--network-source", required=True)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--min-failures", type=int, default=0)
    ap.add_argument("--golden", choices=["match", "mismatch"], default="match")
    ap.add_argument("--closed-form", action="store_true")
    ap.add_argument("--overruns", choices=["zero", "some"])
    ap.add_argument("--nvm", choices=["internal", "spi-fram"], default="internal")
    a = ap.parse_args()
    shutil.rmtree(a.out, ignore_errors=True)  # a stale results.json must not pass
    os.makedirs(a.out)
    cmd = [a.ipsim, "run", a.config, "--out", a.out]
    for s in a.set:
        cmd += ["--set", s]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       universal_newlines=True)
    print(p.stdout)
    if p.returncode != 0:
        sys.exit("FAIL: ipsim exited with %d" % p.returncode)
    run = json.load(open(os.path.join(a.out, "results.json")))["runs"][0]
    errors = []
    infs = run.get("inferences", [])
    if run.get("status") != "completed" or not infs:
        errors.append("status %s, %d inferences" % (run.get("status"), len(infs)))
    matched = True
    for inf in infs:
        g = subprocess.run([a.golden_tool, "--network", run["network"], "--kernel", "lea-fir",
                            "--input", str(inf["input"]), "--json"], stdout=subprocess.PIPE,
                           universal_newlines=True, check=True)
        want = json.loads(g.stdout)["scores"]
        print("input %d: scores %s, lea-fir golden %s" % (inf["input"], inf.get("scores"), want))
        # Both the sim's own check (its kernel's golden model) and the golden tool's scores.
        matched = matched and inf.get("scores") == want and bool(inf.get("golden_match"))
    if run.get("kernel") != "lea-fir":
        errors.append("kernel %s, expected lea-fir" % run.get("kernel"))
    if a.golden == "match" and not matched:
        errors.append("inferences not bit-identical to the golden model")
    if a.golden == "mismatch" and matched:
        errors.append("expected a golden mismatch (negative control), all matched")
    pf = run.get("power_failures", 0)
    if pf < a.min_failures:
        errors.append("power_failures %d < %d" % (pf, a.min_failures))
    spi = a.nvm == "spi-fram"
    if spi != ("spi_fram" in run["nvm"]):
        errors.append("expected platform.nvm.kind %s, results.json says otherwise" % a.nvm)
    sym = run["nvm"]["by_symbol"]
    if spi and "spi_fram" in run["nvm"]:
        sym = run["nvm"]["spi_fram"]["by_symbol"]
        if run["nvm"]["spi_fram"].get("protocol_errors"):
            errors.append("external FRAM protocol errors %s" %
                          run["nvm"]["spi_fram"]["protocol_errors"])

    def words(name):
        return sym.get(name, {}).get("write_bytes", 0) // 2

    overruns = words("lea_paced_overruns")
    print("power failures %d, overruns %d, FRAM words written: %s" % (
        pf, overruns, {k: words(k) for k in sorted(sym) if words(k)}))
    if a.overruns == "zero" and overruns:
        errors.append("%d pacing overruns, expected none" % overruns)
    if a.overruns == "some" and not overruns:
        errors.append("no pacing overrun, expected some")
    if a.closed_form and pf:
        errors.append("--closed-form needs a run without power failures, got %d" % pf)
    if a.closed_form:
        shape_in, layers = read_network(a.network_source)
        want, probes = closed_form(shape_in, layers, spi)
        got = dict(hf_psum=words("hf_psum"), fmap=words("fmap_a") + words("fmap_b"),
                   footprint=words("hf_sub_footprint") + words("lea_paced_probe_footprint"),
                   hw_fp=words("hw_fp"), hw_stage=words("hw_stage"))
        if spi:
            # Nothing else in the external FRAM; on chip only the application's words.
            extra = sorted(k for k in sym if words(k) and k not in (
                "hf_psum", "fmap_a", "fmap_b", "hf_sub_footprint", "hw_fp", "hw_stage"))
            if extra:
                errors.append("external FRAM: unexpected symbols written: %s" % extra)
            app = nvm_closed_form.app_writes(run["network"], nvm_closed_form.layers_of(
                run["network"]), len(infs))
            on_chip = {k: v["write_bytes"] for k, v in run["nvm"]["by_symbol"].items()
                       if v["write_bytes"]}
            if on_chip != app:
                errors.append("on-chip FRAM bytes per symbol %s, expected only the "
                              "application's %s" % (on_chip, app))
        elif overruns:
            # Each overrun recopies one vector: hf_psum grows, everything else stays exact.
            if got["hf_psum"] <= want["hf_psum"]:
                errors.append("hf_psum %d words with %d overruns, expected more than %d" %
                              (got["hf_psum"], overruns, want["hf_psum"]))
            want["hf_psum"] = got["hf_psum"]
        else:
            probe_words = sum(L for _, L in probes)
            keys = len({k for k, _ in probes})
            for name, value in (("lea_paced_probe_footprint", probe_words),
                                ("lea_paced_cal", 5 * keys + len(probes))):
                if words(name) != value:
                    errors.append("%s: %d words written, closed form %d" %
                                  (name, words(name), value))
        for k in want:
            if got[k] != want[k]:
                errors.append("%s: %d words written, closed form %d" % (k, got[k], want[k]))
        print("closed form (words):", want)
    for e in errors:
        print("FAIL:", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
