#!/usr/bin/python3
"""Writes the networks that have no data set: kernels/networks/har/ and kernels/networks/kws/.

    /usr/bin/python3 scripts/gen_networks.py [--out-root kernels/networks]

Weights and inputs are drawn from fixed seeds, so these networks measure cost, not
accuracy; each input's expected label is what the Q15 golden model predicts (computed here
by the bit-exact integer model in nn_codegen.py, and checked against the C golden model by
tests/nn). Shapes follow baselines.md §5, scaled to fit FR5994 memory; valid padding.
"""

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_codegen as cg  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def param(rng, op, relu, inp, out_c, kh, kw, sh=1, sw=1):
    c = inp[0]
    if op == "fc":
        fan_in = int(np.prod(inp))
        w = rng.standard_normal((out_c, fan_in)) * np.sqrt(2.0 / fan_in)
    else:
        fan_in = c * kh * kw
        w = rng.standard_normal((out_c, c, kh, kw)) * np.sqrt(2.0 / fan_in)
    b = rng.standard_normal(out_c) * 0.1
    return dict(op=op, relu=relu, kh=kh, kw=kw, sh=sh, sw=sw,
                **{"in": inp, "out": cg.out_shape(op, inp, kh, kw, sh, sw, out_c)}, w=w, b=b)


def pool(op, inp, kh, kw):
    return dict(op=op, relu=False, kh=kh, kw=kw, sh=kh, sw=kw,
                **{"in": inp, "out": cg.out_shape(op, inp, kh, kw, kh, kw)})


def chain(rng, in_shape, specs):
    layers, shape = [], in_shape
    for s in specs:
        L = param(rng, *s[:1], s[1], shape, *s[2:]) if s[0] in ("conv1d", "conv2d", "fc") \
            else pool(s[0], shape, *s[1:])
        layers.append(L)
        shape = L["out"]
    return layers


def har(rng):
    """Stateful-CNN HAR-CNN: 9 inertial channels x 128 samples (stored 9x1x128), three
    conv1d k2 + maxpool 2 stages (18, 36, 72 filters), FC 1080 -> 6."""
    layers = chain(rng, (9, 1, 128), [
        ("conv1d", True, 18, 1, 2), ("maxpool", 1, 2),
        ("conv1d", True, 36, 1, 2), ("maxpool", 1, 2),
        ("conv1d", True, 72, 1, 2), ("maxpool", 1, 2),
        ("fc", False, 6, 1, 1)])
    n = 4
    t = np.arange(128) / 50.0  # 50 Hz
    f = rng.uniform(0.5, 3.0, (n, 9, 1, 1))
    ph = rng.uniform(0, 2 * np.pi, (n, 9, 1, 1))
    x = np.sin(2 * np.pi * f * t + ph) * rng.uniform(0.2, 1.5, (n, 9, 1, 1))
    x = x + 0.1 * rng.standard_normal(x.shape)  # in g, |x| < 4
    return layers, x, 13, "HAR-CNN (Stateful-CNN shape, baselines.md §5): 9x128 inertial window"


def kws(rng):
    """A small CNN over 25 MFCC frames x 10 coefficients (the KWS-DNN_S input); average
    pooling so that NN_OP_AVGPOOL runs in a real network; 12 classes as KWS-DNN_S."""
    layers = chain(rng, (1, 25, 10), [
        ("conv2d", True, 8, 3, 3), ("avgpool", 2, 2),
        ("conv2d", True, 16, 3, 3),
        ("fc", False, 12, 1, 1)])
    x = rng.standard_normal((8, 1, 25, 10)) * 3.0
    return layers, x, 11, "KWS CNN: 25 MFCC frames x 10 coefficients, 12 keywords"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out-root", default=os.path.join(ROOT, "kernels", "networks"))
    args = ap.parse_args()
    for name, make, seed in (("har", har, 1), ("kws", kws, 2)):
        rng = np.random.default_rng(seed)
        layers, x, in_frac, what = make(rng)
        xq = cg.to_q(x, in_frac)
        q = cg.quantize(layers, xq.astype(np.float64) / 2.0**in_frac, in_frac)
        labels = cg.int_forward(q, xq).argmax(1)
        notes = [what + ".",
                 f"Weights and inputs are seeded random numbers (seed {seed}): this network",
                 "measures cost, not accuracy. Labels are the Q15 golden model's predictions."]
        info = cg.write_network(os.path.join(args.out_root, name), name, q, x.shape[1:], in_frac,
                                xq, labels, {"script": "scripts/gen_networks.py", "lines": notes})
        print(name, "labels", labels.tolist(), "shifts", [Q["shift"] for Q in q], info, file=sys.stderr)


if __name__ == "__main__":
    main()
