"""FRAM bytes written per symbol, in closed form, for a run under continuous power (one boot).

Each strategy's header (kernels/strategies/*.c) states the closed form of its FRAM writes per
layer and kernel; this module writes the same forms in terms of the layer shapes, which it
reads from the generated network tables (kernels/networks/<net>/<net>.c) and, for
depth-first, the slice plan the run used (results.json's depth_first_plan; without one, the
image's default plan of the kernel, kernels/strategies/plans/<net>_plan.c or
<net>_lea_fir_plan.c on lea-fir). check_run.py --nvm-closed-form compares them with
results.json's nvm.by_symbol, exactly: under continuous power nothing is redone, so every
form is exact.

expected_writes(strategy, kernel, network, inferences, plan=None) -> {symbol: bytes}
split_by_memory(writes, strategy) -> (on-chip FRAM, external FRAM): the images for
platform.nvm.kind spi-fram (infer_<...>_spi.elf) keep every strategy symbol in the external
FRAM under the same name, with the same closed form; only the application's symbols stay on
chip (continuous, which has no persistent state, keeps its maps on chip too).
"""
import math
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OPS = {"NN_OP_CONV2D": "conv", "NN_OP_CONV1D": "conv", "NN_OP_MAXPOOL": "pool",
       "NN_OP_AVGPOOL": "pool", "NN_OP_FC": "fc", "NN_OP_RELU": "relu"}


def layers_of(network):
    """The layer table of a generated network: dicts op, kh, kw, inp (c, h, w), out (c, h, w)."""
    with open(os.path.join(ROOT, "kernels", "networks", network, network + ".c")) as f:
        text = f.read()
    rx = re.compile(r"\{(NN_OP_\w+), (\d+), (\d+), (-?\d+), (\d+), (\d+), (\d+), (\d+), "
                    r"\{(\d+), (\d+), (\d+)\}, \{(\d+), (\d+), (\d+)\}")
    layers = []
    for m in rx.finditer(text):
        v = [int(x) for x in m.groups()[1:]]
        layers.append({"op": OPS[m.group(1)], "kh": v[3], "kw": v[4],
                       "inp": tuple(v[7:10]), "out": tuple(v[10:13])})
    if not layers:
        raise ValueError("no layer table in " + network + ".c")
    return layers


def words(shape):
    return shape[0] * shape[1] * shape[2]


def ceil_div(a, b):
    return -(-a // b)


def app_writes(network, layers, inferences):
    """infer_main.c: app_boots once per boot, app_state twice and infer_results
    (completed, predicted, n_classes scores) once per inference."""
    n_classes = layers[-1]["out"][0]
    return {"app_boots": 2, "app_state": 4 * inferences,
            "infer_results": (4 + 2 * n_classes) * inferences}


APP_SYMBOLS = ("app_boots", "app_state", "infer_results")


def split_by_memory(writes, strategy):
    """The closed form of an external-FRAM image: (on-chip, external) symbol -> bytes.
    continuous has no persistent state: its _spi images keep everything on chip."""
    if strategy == "continuous":
        return dict(writes), {}
    on_chip = {k: v for k, v in writes.items() if k in APP_SYMBOLS}
    external = {k: v for k, v in writes.items() if k not in APP_SYMBOLS}
    return on_chip, external


def fmap_writes(layers, inferences, input_copy=True):
    """Each layer's output map once, layer i into buffer (i + 1) & 1 (a = 0, b = 1), and the
    input copied into fmap_a."""
    b = [2 * words(layers[0]["inp"]) if input_copy else 0, 0]
    for i, L in enumerate(layers):
        b[(i + 1) & 1] += 2 * words(L["out"])
    return {"fmap_a": b[0] * inferences, "fmap_b": b[1] * inferences}


def ops_per_output(L):
    if L["op"] == "conv":
        return L["inp"][0] * L["kh"] * L["kw"]
    if L["op"] == "pool":
        return L["kh"] * L["kw"]
    if L["op"] == "fc":
        return words(L["inp"])
    return 1


def lw_tiles(L, kernel):
    """layerwise_checkpoint.c's tiling(): (tiles, int32 partial-sum commits) of one layer."""
    ops = ops_per_output(L)
    oc, oh, ow = L["out"]
    if kernel != "cpu" and L["op"] in ("conv", "fc"):
        def per_budget(cost):
            return min(max(1, 20000 // cost), 0xFFFF)
        if L["op"] == "fc":
            return ceil_div(oc, per_budget(700 + 4 * ops)), 0
        if kernel == "lea-fir":
            taps = L["kw"] + (L["kw"] & 1)
            ic, _, iw = L["inp"]
            rows = per_budget(ic * (L["kh"] * (iw * (taps + 6) + 600) + 600))
            return oc * ceil_div(oh, rows), 0
        outs = per_budget(1300 + 5 * ops)
        if outs >= ow:
            return oc * ceil_div(oh, outs // ow), 0
        return oc * oh * ceil_div(ow, outs), 0
    outs = max(1, 128 // ops)
    if L["op"] == "fc":
        chunks = ceil_div(ops, 128)
        if chunks > 1:
            return oc * chunks, oc * (chunks - 1)
        return ceil_div(oc, outs), 0
    if L["op"] == "conv" and ops > 128 and L["inp"][0] > 1:
        span = max(1, 128 // (L["kh"] * L["kw"]))
        chunks = ceil_div(L["inp"][0], span)
        return words(L["out"]) * chunks, words(L["out"]) * (chunks - 1)
    if outs >= ow:
        return oc * ceil_div(oh, outs // ow), 0
    return oc * oh * ceil_div(ow, outs), 0


def plan_of(network, plan=None, kernel="lea-mac"):
    """Groups (first, last, in_buf, out_buf, slices) of the depth-first slice plan: `plan`, a
    run's depth_first_plan, or else the kernel's default plan compiled into the image
    (plans/<net>_plan.c, or <net>_lea_fir_plan.c on lea-fir)."""
    if plan is not None:
        name = {"input": "INPUT", "fmap_a": "A", "fmap_b": "B"}
        return [(g["first"], g["last"], name[g["in"]], name[g["out"]], g["slices"])
                for g in plan["groups"]]
    name = network + ("_lea_fir_plan.c" if kernel == "lea-fir" else "_plan.c")
    with open(os.path.join(ROOT, "kernels", "strategies", "plans", name)) as f:
        text = f.read()
    rx = re.compile(r"\{(\d+), (\d+), DF_BUF_(\w+), DF_BUF_(\w+), (\d+), (\d+), (\d+), "
                    r"(\d+), (\d+), (\d+)\}")
    return [(int(m.group(1)), int(m.group(2)), m.group(3), m.group(4),
             int(m.group(8)) * int(m.group(9)) * int(m.group(10))) for m in rx.finditer(text)]


def expected_writes(strategy, kernel, network, inferences, plan=None):
    """None when this module has no form for the pair (hawaii on lea-fir is HAWAII as
    published, hawaii_fir.c, whose own tests check its writes)."""
    if strategy == "hawaii" and kernel == "lea-fir":
        return None
    layers = layers_of(network)
    w = app_writes(network, layers, inferences)
    n = inferences
    if strategy == "continuous":
        w.update(fmap_writes(layers, n))
    elif strategy == "layerwise-checkpoint":
        w.update(fmap_writes(layers, n))
        tiles = [lw_tiles(L, kernel) for L in layers]
        w["lw_done"] = 2 * (1 + sum(t for t, _ in tiles)) * n
        acc = 4 * sum(a for _, a in tiles) * n
        if acc:
            w["lw_acc"] = acc
    elif strategy == "hawaii":
        w.update(fmap_writes(layers, n))
        # One footprint word per job (output element), the next layer's footprint cleared
        # per layer but the last, and hw_fp[0] twice per inference (begin, input loaded).
        w["hw_fp"] = 2 * (sum(words(L["out"]) for L in layers) + len(layers) + 1) * n
        w["hw_stage"] = 2 * (len(layers) + 2) * n
    elif strategy == "sonic":
        w.update(fmap_writes(layers, n))
        passes = elements = partial = 0
        for L in layers:
            out = words(L["out"])
            if L["op"] == "conv":
                p = L["inp"][0] * L["kh"] * L["kw"]
                plane = L["out"][1] * L["out"][2]
                passes += L["out"][0] * (p + 1)
                elements += L["out"][0] * (p + 1) * plane
                partial += 4 * L["out"][0] * p * plane
            elif L["op"] == "fc":
                k = words(L["inp"])
                passes += k + 1
                elements += (k + 1) * out
                partial += 4 * k * out
            else:
                passes += 1
                elements += out
        w["sonic_inter"] = partial * n
        w["sonic_i"] = (2 * elements + 2 * passes + 2) * n  # + the reset at each commit, begin
        w["sonic_ctx"] = (8 * passes + 16) * n  # one context per commit, both at begin
        w["sonic_sel"] = (2 * passes + 2) * n
    elif strategy == "depth-first":
        b = {"A": 0, "B": 0}
        slices = 0
        for first, last, _, out_buf, s in plan_of(network, plan, kernel):
            b[out_buf] += 2 * words(layers[last]["out"])
            slices += s
        w["fmap_a"], w["fmap_b"] = b["A"] * n, b["B"] * n
        w["df_done"] = 2 * (slices + 1) * n
    else:
        raise ValueError("no closed form for strategy " + strategy)
    return {k: v for k, v in w.items() if v}
