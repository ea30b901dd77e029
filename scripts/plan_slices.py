#!/usr/bin/python3
"""Slice planner of the depth-first strategy (kernels/strategies/depth_first.c).

    /usr/bin/python3 scripts/plan_slices.py --network mnist            # report only
    /usr/bin/python3 scripts/plan_slices.py --network mnist --write    # plans/mnist_plan.{h,c}
    /usr/bin/python3 scripts/plan_slices.py --network mnist --capacitance 470e-6 --write

It chooses the layer groups and the slice tile of each group (rows per slice, or columns for
1-D maps; columns and channel ranges too for single-layer groups) so that
  (a) the in-slice intermediates fit the SRAM arenas (what the LEA leaves of LEA RAM + free
      CPU SRAM), and
  (b) the largest slice, plus a reboot, finishes within the energy of one charge cycle,
and, among those, minimises estimated cycles (halo recompute included) + the expected
re-execution after power failures + a weight per FRAM byte written. If even one-layer groups
with single-row, single-channel tiles do not fit one charge it refuses (exit status 2).

SRAM. The slices compute on the LEA (kernels/strategies/lea_kernels.c, the same jobs as
HAWAII), so LEA RAM (2048 words) is split as
    LEA stack (parameter blocks, top 8 words; the driver's deepest block is 3 words)
  + MAC result (2 words)
  + lea_w: one conv output channel's weights / FC weight-row chunk = the largest conv
    receptive field (in_c*kh*kw, rounded up to even)
  + lea_x: one gathered receptive field / the FC input vector = max(lea_w, largest FC input)
  + the slice arenas that fit in the rest (both, or one with the other in CPU SRAM).

On lea-fir (--kernel lea-fir, plans/<net>_lea_fir_plan.{h,c}) the slices' convs are LEA FIRs
and adds over full-width rows (nn_conv_fir, docs/kernels.md): conv bands span all columns, and
LEA RAM holds the FIR work buffers (input band = lea_x, taps, and three output bands of lea_w
words: FIR output, row sum, channel sum) instead of lea_w / lea_x. The band size and whether
the FC input stays resident are searched (--fir-out-words 0), the cycle model is FIR-specific
(COEFFICIENTS_FIR).

THE PLAN DEPENDS ON THE CAPACITOR. The committed plans are for the default experiment
capacitor (100 uF, v_on 2.8 V, v_off 2.4 V); for another one, regenerate with --write and
rebuild the firmware, e.g.
    scripts/plan_slices.py --network mnist --capacitance 470e-6 --v-on 2.8 --v-off 2.4 --write

Energy -> cycles. One charge cycle delivers E = 0.5*C*(v_on^2 - v_off^2). The load model
(energy/load_model.h) draws a supply current I = 118 uA/MHz * f_MCLK from the capacitor
(LDO assumption), i.e. a constant charge q = 118 pC per cycle at any MCLK, plus 141 pC
(0.423 nJ / 3 V) per FRAM cache miss. With a constant current the capacitor discharges
linearly, so E = I*t*(v_on + v_off)/2 and the cycles per charge are
    N = E / (q_eff * (v_on + v_off)/2) = C*(v_on - v_off) / q_eff,
with q_eff = q + miss_rate * 141 pC (miss_rate calibrated, see COEFFICIENTS). From N we
subtract the reboot (reset charge 102 nC ~ 860 cycles, crt0 + boot + resuming) and keep a
safety margin (default 30 %) for the model's error.

Slice cycles = sum over the group's layers of the work of that layer's region (the cost
model below) + staging of the input band + a per-slice overhead. The coefficients were
calibrated on this simulator: infer_<net>_depth_first_lea_mac.elf run under `ipsim exec --json`
(continuous power), per-slice cycles taken from the DBG_SLICE_DONE marker timestamps, and
fitted by least squares over kws, har and mnist slices:
    scripts/plan_slices.py --calibrate kws=kws.json har=har.json mnist=mnist.json
(last fit, LEA firmware: 1226 slices, max error 7.9 %, mean 0.8 %; the per-slice overhead
"slice" is fixed, being collinear with the per-group features; the measured FRAM miss rate
was 0.12-0.15 per cycle, hence FRAM_MISS_PER_CYCLE = 0.15; the 30 % default margin is kept).
"""

import argparse
import itertools
import json
import math
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CONV, CONV1D, MAXPOOL, AVGPOOL, FC, RELU = 1, 2, 3, 4, 5, 6
OPS = {"NN_OP_CONV2D": CONV, "NN_OP_CONV1D": CONV1D, "NN_OP_MAXPOOL": MAXPOOL,
       "NN_OP_AVGPOOL": AVGPOOL, "NN_OP_FC": FC, "NN_OP_RELU": RELU}
OP_NAMES = {CONV: "conv2d", CONV1D: "conv1d", MAXPOOL: "maxpool", AVGPOOL: "avgpool",
            FC: "fc", RELU: "relu"}

# Cycle-model coefficients (16 MHz, LEA jobs of lea_kernels.c, clang -O2), calibrated as
# described in the module docstring. Features of a layer region: conv MACs (one gathered
# input word + 1.5 LEA cycles each), conv kernel rows (one gather run each), conv outputs
# (one LEA command + requantize + store), pool window elements (CPU), FC MACs, output
# channels (one weight fetch each), weight/input words moved by DMA.
COEFFICIENTS = {
    "conv_mac": 8.85,      # per conv MAC: one word gathered into LEA RAM + 1.5 LEA cycles
    "conv_krow": 20.1,     # per kernel row (output x in_c x kh): one gather run
    "conv_out": 1073.5,    # per conv output: LEA command (driver, LPM0, ISR), requantise, store
    "pool_elem": 106.2,    # per pool window element (CPU, kernels/nn)
    "pool_out": 0.0,       # per pool output (absorbed by pool_elem in the fit)
    "fc_mac": 1.5,         # per FC multiply-accumulate (LEA)
    "fc_chunk": 642.5,     # per FC weight-row chunk (lea_w words): DMA set-up + LEA command
    "channel": 580.2,      # per output channel of a region: weight row/channel + bias fetch
    "weight_word": 1.5,    # per weight or FC input word moved by DMA into LEA RAM (not fitted)
    "stage_row": 60.0,     # per input row segment staged from far FRAM, one DMA (not fitted)
    "stage_word": 1.5,     # per input word staged (not fitted)
    "layer_call": 150.0,   # per layer region call (not fitted)
    "slice": 2500.0,       # per slice: locate, region arithmetic, commit, marker (not fitted)
    # lea-fir conv (nn_conv_fir, --kernel lea-fir), per:
    "lea_cmd": 0.0,        # LEA FIR or ADD command: driver, LPM0, ISR
    "lea_cycles": 0.0,     # LEA cycle of those commands (models/lea.h: FIR 6 + taps, ADD 2)
    "fir_load": 0.0,       # band of one input channel loaded by DMA into LEA RAM
    "fir_coeff": 0.0,      # kernel row reversed into the FIR taps (not fitted)
    "fir_out": 0.0,        # output finished (bias, requantize, ReLU, store)
}
# On lea-fir (--kernel lea-fir), fitted the same way on infer_<net>_depth_first_lea_fir.elf
# (--kernel lea-fir --calibrate; last fit 287 slices, max error 15.3 %, mean 2.8 %).
COEFFICIENTS_FIR = dict(COEFFICIENTS, lea_cmd=272.5, lea_cycles=1.0, fir_load=366.7,
                        fir_coeff=60.0, fir_out=144.6, pool_elem=152.5, fc_chunk=791.3,
                        channel=771.1)
FIT_KEYS = ["conv_mac", "conv_krow", "conv_out", "pool_elem", "fc_chunk", "channel"]
FIT_KEYS_FIR = ["lea_cmd", "fir_load", "fir_out", "pool_elem", "fc_chunk", "channel"]
# lea-fir work buffers in LEA RAM (nn_fir_work_t; None on lea-mac): dict x, c, out words.
FIR = None
FIR_C_WORDS = 16  # FIR taps buffer (kw + 1 <= 16)
LEA_RAM_WORDS = 2048   # 0x2C00-0x3BFF
LEA_STACK_WORDS = 8    # LEA stack at the top of LEA RAM (lea_init: LEACNF2 = LEAMT >> 2)
LEA_RESULT_WORDS = 2   # lea_kernels.c's IQ31 MAC result
FRAM_MISS_PER_CYCLE = 0.15  # FRAM cache misses per cycle (measured, see --calibrate)
Q_CYCLE = 118e-6 / 1e6      # C per cycle: 118 uA/MHz (load_model.h), independent of MCLK
Q_MISS = (6.347e-10 - 2.116e-10) / 3.0  # C per FRAM miss beyond a hit (load_model.h)
RESET_CHARGE = 102e-9       # C, RST/BOR -> active (load_model.h)
BOOT_CYCLES = 3000          # crt0 (.data/.bss init) + main + clock set-up + reaching the slice


class Layer:
    def __init__(self, idx, op, relu, kh, kw, sh, sw, inp, out, ph=0, pw=0):
        self.idx, self.op, self.relu = idx, op, relu
        self.kh, self.kw, self.sh, self.sw = kh, kw, sh, sw
        self.ph, self.pw = ph, pw  # zero padding (nn_layer_t.ph/pw)
        self.inp, self.out = inp, out  # (c, h, w)

    # As nn_input_rows/cols: clipped to the map (the zero padding is not stored).
    def in_rows(self, y0, y1):
        if self.op in (CONV, CONV1D, MAXPOOL, AVGPOOL):
            return (max(0, y0 * self.sh - self.ph),
                    min(self.inp[1], (y1 - 1) * self.sh - self.ph + self.kh))
        if self.op == RELU:
            return y0, y1
        return 0, self.inp[1]

    def in_cols(self, x0, x1):
        if self.op in (CONV, CONV1D, MAXPOOL, AVGPOOL):
            return (max(0, x0 * self.sw - self.pw),
                    min(self.inp[2], (x1 - 1) * self.sw - self.pw + self.kw))
        if self.op == RELU:
            return x0, x1
        return 0, self.inp[2]

    def name(self):
        return "L%d %s %s->%s" % (self.idx, OP_NAMES[self.op], "x".join(map(str, self.inp)),
                                  "x".join(map(str, self.out)))


def parse_network(net):
    """Layers and buffer sizes from the generated kernels/networks/<net>/<net>.c."""
    path = os.path.join(ROOT, "kernels", "networks", net, net + ".c")
    with open(path) as f:
        text = f.read()
    layers = []
    pat = re.compile(r"\{(NN_OP_\w+),\s*(\d+),\s*(\d+),\s*(-?\d+),\s*(\d+),\s*(\d+),\s*(\d+),"
                     r"\s*(\d+),\s*\{(\d+),\s*(\d+),\s*(\d+)\},\s*\{(\d+),\s*(\d+),\s*(\d+)\}"
                     r",\s*[^,]+,\s*[^,}]+(?:,\s*(\d+),\s*(\d+))?\}")
    for m in pat.finditer(text):
        g = m.groups()
        v = [int(x) if x is not None else 0 for x in g[1:]]
        layers.append(Layer(len(layers), OPS[g[0]], v[0], v[3], v[4], v[5], v[6],
                            tuple(v[7:10]), tuple(v[10:13]), v[13], v[14]))
    m = re.search(r"const nn_network_t nn_net_%s = \{\s*\"%s\",\s*\{(\d+),\s*(\d+),\s*(\d+)\},"
                  r"[^{]*\{(\d+),\s*(\d+)\}" % (net, net), text)
    if not layers or not m:
        sys.exit("plan_slices: cannot parse the network tables in %s" % path)
    inp = tuple(int(x) for x in m.groups()[:3])
    bufs = (int(m.group(4)), int(m.group(5)))
    return inp, layers, bufs


def words(r):
    return (r[1] - r[0]) * (r[3] - r[2]) * (r[5] - r[4])


def fir_band(L, fir):
    """Output rows per band of nn_conv_fir with work buffers fir (as nn_conv_fir.c)."""
    band = fir["out"] // L.inp[2]
    while band and (even(band * L.inp[2]) > fir["out"] or
                    (band + L.kh - 1) * L.inp[2] + L.kw + (L.kw & 1) + 1 > fir["x"]):
        band -= 1
    return band


def fir_work(L, r, fir):
    """Cost features of conv output region r on lea-fir (nn_conv_fir): per output channel,
    per band, per input channel one band load and kh FIRs, kh - 1 row adds, one channel add."""
    f = dict.fromkeys(COEFFICIENTS, 0.0)
    nc, ic, kh, w = r[1] - r[0], L.inp[0], L.kh, L.inp[2]
    taps = L.kw + (L.kw & 1)
    band, rows = fir_band(L, fir), r[3] - r[2]
    for y in range(0, rows, band):
        n = even(min(band, rows - y) * w)
        cmds_fir, cmds_add = ic * kh, ic * (kh - 1) + ic - 1
        f["lea_cmd"] += nc * (cmds_fir + cmds_add)
        f["lea_cycles"] += nc * n * (cmds_fir * (6 + taps) + cmds_add * 2)
        f["fir_load"] += nc * ic * (kh if w & 1 else 1)
        f["stage_word"] += nc * ic * (kh if w & 1 else 1) * (min(band, rows - y) + kh - 1) * w
        f["fir_coeff"] += nc * ic * kh
    f["fir_out"] = words(r)
    f["channel"], f["weight_word"] = nc, nc * ic * kh * L.kw
    return f


def layer_work(L, r, chunk):
    """Cost features of computing output region r = (c0, c1, y0, y1, x0, x1) of layer L
    (chunk: the LEA weight buffer, lea_w words, in which FC rows are MACed)."""
    nc, outs = r[1] - r[0], words(r)
    f = dict.fromkeys(COEFFICIENTS, 0.0)
    f["layer_call"] = 1
    macs = 0
    if L.op in (CONV, CONV1D) and FIR:
        f.update({k: v for k, v in fir_work(L, r, FIR).items() if v})
        macs = outs * L.inp[0] * L.kh * L.kw
    elif L.op in (CONV, CONV1D):
        k = L.inp[0] * L.kh * L.kw
        macs = outs * k
        f["conv_mac"], f["conv_out"] = macs, outs
        f["conv_krow"] = outs * L.inp[0] * L.kh
        f["channel"], f["weight_word"] = nc, nc * k
    elif L.op in (MAXPOOL, AVGPOOL):
        f["pool_elem"], f["pool_out"] = outs * L.kh * L.kw, outs
    elif L.op == FC:
        k = L.inp[0] * L.inp[1] * L.inp[2]
        macs = nc * k
        f["fc_mac"], f["channel"], f["weight_word"] = macs, nc, macs + k  # rows + input
        f["fc_chunk"] = nc * -(-k // chunk)
    else:
        f["pool_out"] = outs
    return f, macs


def coefficients():
    return COEFFICIENTS_FIR if FIR else COEFFICIENTS


def cycles_of(f):
    return sum(coefficients()[k] * v for k, v in f.items())


class Group:
    """Layers [first, last] of the network with a tile (ty, tx, tc) of the last output."""

    def __init__(self, layers, first, last, ty, tx, tc, staged):
        self.layers, self.first, self.last = layers, first, last
        self.ty, self.tx, self.tc, self.staged = ty, tx, tc, staged
        out = layers[last].out
        self.ny, self.nx, self.nc = (-(-out[1] // ty), -(-out[2] // tx), -(-out[0] // tc))
        self.chunk = FIR["fc_chunk"] if FIR else lea_buffers(layers)[0]
        self.n = self.ny * self.nx * self.nc

    def slice_regions(self, s):
        """Regions r[0] (input band) .. r[n] (output tile) of slice s (as depth_first.c)."""
        cb, s = s % self.nc, s // self.nc
        xb, yb = s % self.nx, s // self.nx
        L = self.layers[self.last]
        n = self.last - self.first + 1
        r = [None] * (n + 1)
        c0, y0, x0 = cb * self.tc, yb * self.ty, xb * self.tx
        r[n] = (c0, min(c0 + self.tc, L.out[0]), y0, min(y0 + self.ty, L.out[1]),
                x0, min(x0 + self.tx, L.out[2]))
        for k in range(n, 0, -1):
            Lk = self.layers[self.first + k - 1]
            if FIR and Lk.op in (CONV, CONV1D):  # lea-fir: full-width rows (depth_first.c)
                r[k] = r[k][:4] + (0, Lk.out[2])
            a, b = Lk.in_rows(r[k][2], r[k][3])
            p, q = Lk.in_cols(r[k][4], r[k][5])
            if Lk.op in (MAXPOOL, AVGPOOL, RELU):  # channel-wise: same channels
                r[k - 1] = (r[k][0], r[k][1], a, b, p, q)
            else:
                r[k - 1] = (0, Lk.inp[0], a, b, p, q)
        return r

    def evaluate(self):
        """Per-slice statistics, and the group's totals."""
        n = self.last - self.first + 1
        self.max_cycles, self.total_cycles, self.macs = 0.0, 0.0, 0
        self.features = []
        self.need = [0, 0]  # words of the two SRAM arenas
        self.words_computed = [0] * n  # words of each intermediate computed, all slices
        for s in range(self.n):
            r = self.slice_regions(s)
            f = dict.fromkeys(COEFFICIENTS, 0.0)
            f["slice"] = 1
            arena = 0
            if self.staged:
                self.need[0] = max(self.need[0], words(r[0]))
                f["stage_row"] = (r[0][1] - r[0][0]) * (r[0][3] - r[0][2])
                f["stage_word"] = words(r[0])
                arena = 1
            for k in range(1, n + 1):
                Lk = self.layers[self.first + k - 1]
                fk, macs = layer_work(Lk, r[k], self.chunk)
                self.macs += macs
                for key, v in fk.items():
                    f[key] += v
                if k < n:
                    self.need[arena] = max(self.need[arena], words(r[k]))
                    self.words_computed[k - 1] += words(r[k])
                arena ^= 1
            self.features.append(f)
            cyc = cycles_of(f)
            self.max_cycles = max(self.max_cycles, cyc)
            self.total_cycles += cyc
        # What one whole-group pass needs (no slicing): the reference for halo recompute.
        out = self.layers[self.last].out
        whole = Group(self.layers, self.first, self.last, out[1], out[2], out[0], False)
        rf = whole.slice_regions(0)
        self.golden_macs = sum(layer_work(self.layers[self.first + k - 1], rf[k], self.chunk)[1]
                               for k in range(1, n + 1))
        # Halo: intermediate values computed beyond one whole pass (recomputed by 2 slices).
        self.halo_words = [self.words_computed[k - 1] - words(rf[k]) for k in range(1, n)]
        out = self.layers[self.last].out
        self.write_bytes = 2 * out[0] * out[1] * out[2] + 2 * self.n  # tiles + commit words
        return self


def steps(n):
    """Tile sizes worth trying along a dimension of n: the smallest for each slice count."""
    return sorted({-(-n // k) for k in range(1, n + 1)}, reverse=True)


def candidate_tiles(layers, first, last):
    L = layers[last]
    c, h, w = L.out
    if L.op == FC:
        for tc in steps(c):
            yield 1, 1, tc
        return
    if FIR and any(layers[i].op in (CONV, CONV1D) for i in range(first, last + 1)):
        # lea-fir convolves full-width rows: bands of rows, and channel ranges where no
        # channel is recomputed.
        chan = all(layers[i].op in (MAXPOOL, AVGPOOL, RELU) for i in range(first + 1, last + 1))
        for ty in steps(h):
            for tc in steps(c) if chan else [c]:
                yield ty, w, tc
        return
    # Bands of rows (of columns for 1-D maps); narrower tiles when even one row is too much.
    for ty in steps(h):
        for tx in steps(w):
            yield ty, tx, c
    # Channel ranges too, where no channel is recomputed: one layer, or a first layer
    # followed only by channel-wise layers (pools, ReLU).
    if all(layers[i].op in (MAXPOOL, AVGPOOL, RELU) for i in range(first + 1, last + 1)):
        for tx in steps(w):
            for tc in steps(c):
                if tc != c:
                    yield 1, tx, tc


def even(n):
    return n + (n & 1)


def lea_buffers(layers):
    """Words of the LEA operand buffers (lea_w, lea_x) the network's jobs need."""
    conv_k = [L.inp[0] * L.kh * L.kw for L in layers if L.op in (CONV, CONV1D)]
    fc_k = [L.inp[0] * L.inp[1] * L.inp[2] for L in layers if L.op == FC]
    w = even(max(conv_k + [2]))
    x = max(w, even(max(fc_k + [2])))
    return w, x


def placement(need, a):
    """Where the two arenas go: "LL" both in LEA RAM, "LC" / "CL" one in each; or None."""
    lea, cpu = a.lea_arena_words, a.cpu_words
    need = [even(n) for n in need]
    if need[0] + need[1] <= lea:
        return "LL"
    if need[0] <= lea and need[1] <= cpu:
        return "LC"
    if need[1] <= lea and need[0] <= cpu:
        return "CL"
    return None


class Budget:
    def __init__(self, a):
        self.q_eff = Q_CYCLE + a.fram_miss_per_cycle * Q_MISS
        self.energy_j = 0.5 * a.capacitance * (a.v_on ** 2 - a.v_off ** 2)
        self.charge_cycles = a.capacitance * (a.v_on - a.v_off) / self.q_eff
        self.reboot_cycles = RESET_CHARGE / self.q_eff + a.boot_cycles
        self.cycles = (self.charge_cycles - self.reboot_cycles) * (1.0 - a.margin)
        self.j_per_cycle = self.q_eff * 0.5 * (a.v_on + a.v_off)


def best_group(layers, first, last, staged, a, budget):
    """Cheapest feasible tile for a group, or None; and the smallest slice seen."""
    best, smallest = None, None
    for ty, tx, tc in candidate_tiles(layers, first, last):
        g = Group(layers, first, last, ty, tx, tc, staged).evaluate()
        if smallest is None or g.max_cycles < smallest.max_cycles:
            smallest = g
        if placement(g.need, a) is None:
            continue
        if g.max_cycles > budget.cycles:
            continue
        # Expected re-execution: about one power failure per charge, each losing half a slice.
        failures = g.total_cycles / budget.cycles
        g.cost = (g.total_cycles + failures * 0.5 * (g.total_cycles / g.n)
                  + a.write_weight * g.write_bytes)
        if best is None or g.cost < best.cost:
            best = g
    return best, smallest


class Refused(Exception):
    pass


def fir_buffers(layers, out_words, fc_resident):
    """lea-fir work buffers (words): out = one FIR output band (also the FC weight-row chunk),
    x = the largest conv input band + zero tail at that band, and the largest FC input when
    fc_resident (else FC inputs stream through x in chunks, lea_kernels.c)."""
    x = 2
    if fc_resident:
        x = max([x] + [L.inp[0] * L.inp[1] * L.inp[2] for L in layers if L.op == FC])
    for L in layers:
        if L.op in (CONV, CONV1D):
            band = min(out_words // L.inp[2], L.out[1])
            if not band:
                sys.exit("plan_slices: --fir-out-words %d is less than one input row of %s"
                         % (out_words, L.name()))
            x = max(x, (band + L.kh - 1) * L.inp[2] + L.kw + (L.kw & 1) + 1)
    x, out = even(x), even(out_words)
    return dict(x=x, c=FIR_C_WORDS, out=out, fc_chunk=out if fc_resident else min(out, x))


def plan(net, a):
    global FIR
    inp, layers, bufs = parse_network(net)
    FIR = (fir_buffers(layers, a.fir_out_words, a.fir_fc_resident) if a.kernel == "lea-fir"
           else None)
    if FIR:  # FC runs in the FIR buffers: input in x, weight-row chunks in the output band
        a.lea_w_words, a.lea_x_words = FIR["out"], FIR["x"]
        fixed = FIR["x"] + FIR["c"] + 3 * FIR["out"]
    else:
        a.lea_w_words, a.lea_x_words = lea_buffers(layers)
        fixed = a.lea_w_words + a.lea_x_words
    a.lea_arena_words = a.lea_words - LEA_STACK_WORDS - LEA_RESULT_WORDS - fixed
    if a.lea_arena_words < 0:
        sys.exit("plan_slices: the LEA operand buffers of %s (%d + %d words) do not fit LEA RAM"
                 % (net, a.lea_w_words, a.lea_x_words))
    budget = Budget(a)
    n = len(layers)
    cache, best_plan, refusal = {}, None, None
    for cuts in itertools.product((0, 1), repeat=n - 1):
        bounds, start = [], 0
        for i, cut in enumerate(cuts):
            if cut:
                bounds.append((start, i))
                start = i + 1
        bounds.append((start, n - 1))
        groups, ok = [], True
        for first, last in bounds:
            key = (first, last)
            if key not in cache:
                cache[key] = best_group(layers, first, last, first == 0, a, budget)
            g, smallest = cache[key]
            if g is None:
                ok = False
                if first == last and (refusal is None or smallest.max_cycles > refusal[1]):
                    refusal = (layers[first], smallest.max_cycles, smallest)
                break
            groups.append(g)
        if not ok:
            continue
        # FRAM buffers: the group outputs alternate between fmap_a and fmap_b.
        assign = None
        for start_buf in (0, 1):
            outs = [(start_buf + i) % 2 for i in range(len(groups))]
            if all(words((0, g.layers[g.last].out[0], 0, g.layers[g.last].out[1], 0,
                          g.layers[g.last].out[2])) <= bufs[o] for g, o in zip(groups, outs)):
                assign = outs
                break
        if assign is None or placement([max(g.need[i] for g in groups) for i in (0, 1)],
                                       a) is None:
            continue
        cost = sum(g.cost for g in groups)
        if best_plan is None or cost < best_plan[0]:
            best_plan = (cost, groups, assign)
    if best_plan is None:
        if refusal is not None:
            L, cyc, _ = refusal
            sys.stderr.write(
                "plan_slices: REFUSED: network %s cannot run depth-first on this capacitor: even "
                "the smallest slice of %s (one row, one column, one channel) needs ~%.0f cycles, "
                "but one charge of %.3g F from %.2f V to %.2f V (%.1f uJ) gives only %.0f cycles "
                "after the reboot and a %.0f %% margin. Use a larger capacitor.\n"
                % (net, L.name(), cyc, a.capacitance, a.v_on, a.v_off, budget.energy_j * 1e6,
                   max(0.0, budget.cycles), a.margin * 100))
            raise Refused()
        else:
            sys.stderr.write("plan_slices: REFUSED: no grouping of %s fits SRAM arenas %s words "
                             "and the FRAM buffers %s\n" % (net, (a.lea_arena_words,
                                                                   a.cpu_words), bufs))
        raise Refused()
    _, groups, assign = best_plan
    layerwise = 2 * (inp[0] * inp[1] * inp[2] + sum(L.out[0] * L.out[1] * L.out[2]
                                                   for L in layers))
    return dict(net=net, inp=inp, layers=layers, bufs=bufs, groups=groups, out_bufs=assign,
                budget=budget, layerwise_write_bytes=layerwise)


def fir_search(a):
    """lea-fir: the cheapest plan over FIR band sizes and FC input placements (each choice
    moves LEA RAM between the FIR buffers and the slice arenas)."""
    best, err = None, sys.stderr
    sys.stderr = open(os.devnull, "w")  # refusals of single candidates are not news
    try:
        for out_words in ([a.fir_out_words] if a.fir_out_words else range(64, 449, 32)):
            for resident in (1, 0):
                b = argparse.Namespace(**vars(a))
                b.fir_out_words, b.fir_fc_resident = out_words, resident
                try:
                    p = plan(a.network, b)
                except (Refused, SystemExit):
                    continue
                cost = sum(g.cost for g in p["groups"])
                if best is None or cost < best[0]:
                    best = (cost, p, b)
    finally:
        sys.stderr.close()
        sys.stderr = err
    if best is None:
        a.fir_out_words, a.fir_fc_resident = a.fir_out_words or 256, 0
        return plan(a.network, a)  # refuses, with its message
    vars(a).update(vars(best[2]))
    return plan(a.network, a)  # again, so that FIR holds the chosen buffers


def report(p, a):
    b = p["budget"]
    lines = ["depth-first plan for %s: capacitor %.3g F, v_on %.2f V, v_off %.2f V" %
             (p["net"], a.capacitance, a.v_on, a.v_off),
             "  one charge: %.1f uJ = %.0f cycles at %.1f pC/cycle (%.2f FRAM misses/cycle); "
             "reboot %.0f cycles; margin %.0f %% -> slice budget %.0f cycles" %
             (b.energy_j * 1e6, b.charge_cycles, b.q_eff * 1e12, a.fram_miss_per_cycle,
              b.reboot_cycles, a.margin * 100, b.cycles),
             "  LEA RAM %d words: stack %d, MAC result %d, weights %d, operands %d, arenas %d;"
             " CPU SRAM for arenas %d words" %
             (a.lea_words, LEA_STACK_WORDS, LEA_RESULT_WORDS, a.lea_w_words, a.lea_x_words,
              a.lea_arena_words, a.cpu_words)]
    total_w = 0
    for i, g in enumerate(p["groups"]):
        Ls = p["layers"][g.first:g.last + 1]
        total_w += g.write_bytes
        lines.append("  group %d: layers %d-%d (%s) -> fmap_%s" %
                     (i, g.first, g.last, ", ".join(OP_NAMES[L.op] for L in Ls),
                      "ab"[p["out_bufs"][i]]))
        lines.append("    tile %d rows x %d cols x %d ch, %d slices; SRAM %d + %d words; FRAM "
                     "%d B/slice (tile + commit), %d B total" %
                     (g.ty, g.tx, g.tc, g.n, g.need[0], g.need[1],
                      g.write_bytes // g.n, g.write_bytes))
        lines.append("    MACs %d (golden %d, halo recompute +%d = %.1f %%); recomputed halo "
                     "words per intermediate map %s" %
                     (g.macs, g.golden_macs, g.macs - g.golden_macs,
                      100.0 * (g.macs - g.golden_macs) / max(1, g.golden_macs), g.halo_words))
        lines.append("    est. cycles: largest slice %.0f (%.1f uJ, %.0f %% of budget), group %.0f"
                     % (g.max_cycles, g.max_cycles * b.j_per_cycle * 1e6,
                        100 * g.max_cycles / b.cycles, g.total_cycles))
    lines.append("  FRAM writes per inference: %d B (layer-wise buffers: %d B, input + every map)"
                 % (total_w, p["layerwise_write_bytes"]))
    lines.append("  est. cycles per inference: %.0f" % sum(g.total_cycles for g in p["groups"]))
    return "\n".join(lines)


def to_json(p, a):
    return dict(network=p["net"], budget_cycles=p["budget"].cycles,
                lea_arena_words=a.lea_arena_words, lea_w_words=a.lea_w_words,
                lea_x_words=a.lea_x_words, cpu_arena_words=a.cpu_words,
                layerwise_write_bytes=p["layerwise_write_bytes"],
                write_bytes=sum(g.write_bytes for g in p["groups"]),
                groups=[dict(first=g.first, last=g.last, tile=[g.ty, g.tx, g.tc], slices=g.n,
                             sram_words=g.need, max_cycles=g.max_cycles,
                             total_cycles=g.total_cycles, write_bytes=g.write_bytes,
                             macs=g.macs, golden_macs=g.golden_macs, halo_words=g.halo_words,
                             out_buf=o)
                        for g, o in zip(p["groups"], p["out_bufs"])])


def write_plan(p, a):
    net = p["net"]
    groups = p["groups"]
    need0 = even(max(1, max(g.need[0] for g in groups)))
    need1 = even(max(1, max(g.need[1] for g in groups)))
    # Arenas go to LEA RAM (plain SRAM for the CPU) when they fit, else CPU SRAM (.bss).
    where = placement([need0, need1], a)
    base = plan_base(net, a.kernel)
    hdr = os.path.join(a.out_dir, base + ".h")
    src = os.path.join(a.out_dir, base + ".c")
    cmd = ("scripts/plan_slices.py --network %s --capacitance %g --v-on %g --v-off %g "
           "--margin %g --lea-words %d --cpu-words %d%s --write" %
           (net, a.capacitance, a.v_on, a.v_off, a.margin, a.lea_words, a.cpu_words,
            " --kernel lea-fir --fir-out-words %d --fir-fc-resident %d" %
            (a.fir_out_words, a.fir_fc_resident) if FIR else ""))
    head = ("/* Generated by\n *   %s\n * Do not edit.\n * Depth-first slice plan of %s for a %.3g F "
            "capacitor, v_on %.2f V, v_off %.2f V:\n * regenerate for another capacitor "
            "(scripts/plan_slices.py --help). */\n" % (cmd, net, a.capacitance, a.v_on, a.v_off))
    with open(hdr, "w") as f:
        f.write(head + "#pragma once\n\n")
        f.write("#define DF_%s_GROUPS %d\n" % (net.upper(), len(groups)))
        f.write("#define DF_%s_SLICES %d\n" % (net.upper(), sum(g.n for g in groups)))
        f.write("#define DF_%s_SCRATCH0_WORDS %d\n" % (net.upper(), need0))
        f.write("#define DF_%s_SCRATCH1_WORDS %d\n" % (net.upper(), need1))
        f.write("#define DF_%s_LEA_W_WORDS %d\n" % (net.upper(), a.lea_w_words))
        f.write("#define DF_%s_LEA_X_WORDS %d\n" % (net.upper(), a.lea_x_words))
        if FIR:
            f.write("#define DF_%s_FIR_C_WORDS %d\n" % (net.upper(), FIR["c"]))
    with open(src, "w") as f:
        f.write(head + "/* clang-format off */\n")
        f.write('#include "kernels/strategies/plans/%s.h"\n\n' % base)
        f.write('#include "kernels/runtime/sections.h"\n'
                '#include "kernels/strategies/depth_first_plan.h"\n\n')
        if FIR:
            N = net.upper()
            f.write("/* lea-fir work buffers (nn_conv_fir.h): the input band (also the FC input, "
                    "lea_x), the taps, and\n * the FIR output, row sum and channel sum bands "
                    "(the first also the FC weight-row chunk, lea_w). */\n")
            f.write("IPSIM_LEARAM static int16_t df_lea_x[DF_%s_LEA_X_WORDS];\n" % N)
            f.write("IPSIM_LEARAM static int16_t df_fir_c[DF_%s_FIR_C_WORDS];\n" % N)
            f.write("IPSIM_LEARAM static int16_t df_lea_w[DF_%s_LEA_W_WORDS];\n" % N)
            f.write("IPSIM_LEARAM static int16_t df_fir_row_sum[DF_%s_LEA_W_WORDS];\n" % N)
            f.write("IPSIM_LEARAM static int16_t df_fir_acc[DF_%s_LEA_W_WORDS];\n" % N)
            f.write("const nn_fir_work_t df_fir_work = {df_lea_x, DF_%s_LEA_X_WORDS, df_fir_c, "
                    "DF_%s_FIR_C_WORDS,\n    df_lea_w, df_fir_row_sum, df_fir_acc, "
                    "DF_%s_LEA_W_WORDS};\n" % (N, N, N))
        else:
            f.write("/* LEA operand buffers (lea_kernels.h). */\n")
            f.write("IPSIM_LEARAM static int16_t df_lea_w[DF_%s_LEA_W_WORDS];\n" % net.upper())
            f.write("IPSIM_LEARAM static int16_t df_lea_x[DF_%s_LEA_X_WORDS];\n" % net.upper())
        f.write("/* SRAM arenas for the slices' staged inputs and intermediates. */\n")
        for i in (0, 1):
            f.write("%sstatic int16_t df_scratch%d[DF_%s_SCRATCH%d_WORDS];\n" %
                    ("IPSIM_LEARAM " if where[i] == "L" else "", i, net.upper(), i))
        lea_sum = " + ".join(["DF_%s_LEA_W_WORDS" % net.upper()] * (3 if FIR else 1)
                             + ["DF_%s_LEA_X_WORDS" % net.upper()]
                             + ["DF_%s_FIR_C_WORDS" % net.upper()] * (1 if FIR else 0)
                             + ["DF_%s_SCRATCH%d_WORDS" % (net.upper(), i) for i in (0, 1)
                                if where[i] == "L"])
        f.write("/* LEA RAM: these + the MAC result (%d words) + the LEA stack (%d words). */\n"
                % (LEA_RESULT_WORDS, LEA_STACK_WORDS))
        f.write("_Static_assert(%s <= %d, \"LEA RAM overcommitted\");\n\n"
                % (lea_sum, a.lea_words - LEA_RESULT_WORDS - LEA_STACK_WORDS))
        f.write("static const df_group_t df_groups[DF_%s_GROUPS] = {\n" % net.upper())
        for g, o in zip(groups, p["out_bufs"]):
            inb = "DF_BUF_INPUT" if g.staged else ("DF_BUF_A" if o == 1 else "DF_BUF_B")
            f.write("    {%d, %d, %s, %s, %d, %d, %d, %d, %d, %d}, /* %d slices, est. max %.0f "
                    "cycles */\n" % (g.first, g.last, inb, "DF_BUF_B" if o else "DF_BUF_A",
                                     g.ty, g.tx, g.tc, g.ny, g.nx, g.nc, g.n, g.max_cycles))
        f.write("};\n\n")
        f.write("const df_plan_t df_plan = {\n    DF_%s_GROUPS, df_groups, DF_%s_SLICES,\n"
                "    {df_scratch0, df_scratch1},\n    {DF_%s_SCRATCH0_WORDS, "
                "DF_%s_SCRATCH1_WORDS},\n    df_lea_w, DF_%s_LEA_W_WORDS, df_lea_x, "
                "DF_%s_LEA_X_WORDS,\n};\n" % ((net.upper(),) * 6))


def plan_base(net, kernel):
    """File name (no extension) of the plan of (net, kernel): <net>_plan on lea-mac,
    <net>_lea_fir_plan on lea-fir."""
    return net + ("_lea_fir_plan" if kernel == "lea-fir" else "_plan")


def committed_plan(net, out_dir, kernel="lea-mac"):
    """The groups of the plan in <out_dir>/<net>_plan.c (what the firmware was built with)."""
    global FIR
    _, layers, _ = parse_network(net)
    FIR = None
    if kernel == "lea-fir":
        with open(os.path.join(out_dir, plan_base(net, kernel) + ".h")) as f:
            m = dict(re.findall(r"#define DF_\w+?_(LEA_W|LEA_X|FIR_C)_WORDS (\d+)", f.read()))
        FIR = dict(x=int(m["LEA_X"]), c=int(m["FIR_C"]), out=int(m["LEA_W"]))
        fc_k = max([0] + [L.inp[0] * L.inp[1] * L.inp[2] for L in layers if L.op == FC])
        FIR["fc_chunk"] = FIR["out"] if FIR["x"] >= fc_k else min(FIR["out"], FIR["x"])
    with open(os.path.join(out_dir, plan_base(net, kernel) + ".c")) as f:
        text = f.read()
    groups = []
    for m in re.finditer(r"\{(\d+), (\d+), (DF_BUF_\w+), DF_BUF_\w+, (\d+), (\d+), (\d+),", text):
        first, last = int(m.group(1)), int(m.group(2))
        g = Group(layers, first, last, int(m.group(4)), int(m.group(5)), int(m.group(6)),
                  m.group(3) == "DF_BUF_INPUT")
        groups.append(g.evaluate())
    return dict(net=net, groups=groups)


def calibrate(p, paths):
    """Least-squares fit of COEFFICIENTS to measured slice cycles.

    Each path is the JSON of `ipsim exec infer_<net>_depth_first_lea_mac.elf --json` (continuous
    power) built from the plan p of that network; slice k's cycles are the distance between
    consecutive DBG_SLICE_DONE markers (the first from the first marker after boot)."""
    import numpy as np
    keys = list(COEFFICIENTS)
    rows, ys, tags = [], [], []
    for net_plan, path in zip(p, paths):
        with open(path) as f:
            ex = json.load(f)
        marks = [m for m in ex["markers"]]
        feats = [f for g in net_plan["groups"] for f in g.features]
        done = [m for m in marks if m["code"] == 4]
        start = [m for m in marks if m["code"] == 1]  # DBG_INFERENCE_START
        # Marker times in MCLK cycles (16 MHz once the firmware has set the clock).
        t = [x["time_s"] * 16e6 for x in [start[0]] + done]
        gtag = ["%s g%d" % (net_plan.get("net", "?"), i)
                for i, g in enumerate(net_plan["groups"]) for _ in g.features]
        for k, f in enumerate(feats[:len(done)]):
            rows.append([f[key] for key in keys])
            ys.append(t[k + 1] - t[k])
            tags.append(gtag[k])
        misses, cycles = ex["nvm"]["cache"]["misses"], ex["cycles"]
        print("%s: %d cycles, %d FRAM cache misses = %.3f per cycle" %
              (net_plan.get("net", "?"), cycles, misses, misses / cycles))
    A, y = np.array(rows, float), np.array(ys, float)
    tags = np.array(tags)
    # The slices of one plan are nearly collinear in the minor features, so only the main
    # ones are fitted; the rest keep their set-up estimates and are subtracted first.
    used = [keys.index(k) for k in (FIT_KEYS_FIR if FIR else FIT_KEYS)]
    fixed = [i for i in range(len(keys)) if i not in used]
    rest = A[:, fixed] @ np.array([coefficients()[keys[i]] for i in fixed])
    coef, *_ = np.linalg.lstsq(A[:, used], y - rest, rcond=None)
    fitted = dict(coefficients())
    for i, c in zip(used, coef):
        fitted[keys[i]] = float(c)
    pred = A @ np.array([fitted[k] for k in keys])
    print("fitted on %d slices: %s" % (len(ys), {k: round(v, 2) for k, v in fitted.items()}))
    print("relative error: max %.1f %%, mean %.1f %%" %
          (100 * np.max(np.abs(pred - y) / y), 100 * np.mean(np.abs(pred - y) / y)))
    for tag in dict.fromkeys(tags):
        sel = tags == tag
        print("  %-9s %4d slices, measured %8.0f..%8.0f cycles, fit error max %5.1f %%" %
              (tag, sel.sum(), y[sel].min(), y[sel].max(),
               100 * np.max(np.abs(pred[sel] - y[sel]) / y[sel])))
    print("model (current coefficients): max error %.1f %%" % (100 * np.max(np.abs(
        A @ np.array([coefficients()[k] for k in keys]) - y) / y)))


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--network", choices=["mnist", "har", "kws", "mnist8"])
    ap.add_argument("--capacitance", type=float, default=100e-6, help="F (default 100e-6)")
    ap.add_argument("--v-on", type=float, default=2.8, help="V (default 2.8)")
    ap.add_argument("--v-off", type=float, default=2.4, help="V (default 2.4)")
    ap.add_argument("--margin", type=float, default=0.3,
                    help="fraction of the charge kept in reserve (default 0.3: the cycle "
                         "model under-estimates some slices by up to ~28 %%)")
    ap.add_argument("--boot-cycles", type=float, default=BOOT_CYCLES)
    ap.add_argument("--fram-miss-per-cycle", type=float, default=FRAM_MISS_PER_CYCLE)
    ap.add_argument("--lea-words", type=int, default=LEA_RAM_WORDS,
                    help="LEA RAM words (4 KB = 2048); the arenas get what the LEA stack, the "
                         "MAC result and the LEA operand buffers leave")
    ap.add_argument("--cpu-words", type=int, default=1000,
                    help="free CPU SRAM words for an arena (4096 B minus .data/.bss (1026 B with "
                         "nn_wbuf, link map) minus ~1 KB of stack = 1023 words; default 1000)")
    ap.add_argument("--write-weight", type=float, default=16.0,
                    help="cycles charged per FRAM byte written, in the objective (default 16)")
    ap.add_argument("--kernel", choices=["lea-mac", "lea-fir"], default="lea-mac",
                    help="the slices' conv kernel (docs/kernels.md); lea-fir convolves "
                         "full-width rows and writes plans/<net>_lea_fir_plan.{h,c}")
    ap.add_argument("--fir-out-words", type=int, default=0,
                    help="lea-fir: words of each FIR output band buffer (default 0: the "
                         "cheapest of 64..448)")
    ap.add_argument("--fir-fc-resident", type=int, choices=[0, 1], default=1,
                    help="lea-fir with --fir-out-words: 1 = the FC input stays whole in LEA RAM")
    ap.add_argument("--write", action="store_true", help="write plans/<net>_plan.{h,c}")
    ap.add_argument("--out-dir", default=os.path.join(ROOT, "kernels", "strategies", "plans"))
    ap.add_argument("--json", action="store_true", help="print the plan as JSON")
    ap.add_argument("--calibrate", nargs="+", metavar="NET=EXEC_JSON",
                    help="fit the cycle coefficients to `ipsim exec --json` runs of the "
                         "depth-first images built from the current plans")
    a = ap.parse_args(argv)
    if not (a.capacitance > 0 and a.v_on > a.v_off > 0 and 0 <= a.margin < 1):
        ap.error("need capacitance > 0, v_on > v_off > 0 and 0 <= margin < 1")
    if a.calibrate:
        pairs = [x.split("=", 1) for x in a.calibrate]
        calibrate([committed_plan(n, a.out_dir, a.kernel) for n, _ in pairs],
                  [path for _, path in pairs])
        return
    if not a.network:
        ap.error("--network is required")
    try:
        p = fir_search(a) if a.kernel == "lea-fir" else plan(a.network, a)
    except Refused:
        sys.exit(2)
    if a.json:
        print(json.dumps(to_json(p, a), indent=1))
    else:
        print(report(p, a))
    if a.write:
        write_plan(p, a)


if __name__ == "__main__":
    main(sys.argv[1:])
