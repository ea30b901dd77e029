"""Shared by train_mnist.py and gen_networks.py: Q15 quantization, a bit-exact integer
model of kernels/nn (q15.h arithmetic), and the C source writer for kernels/networks/<name>/.

A float network is a list of layer dicts:
  {"op": "conv2d"|"conv1d"|"maxpool"|"avgpool"|"fc", "relu": bool,
   "kh", "kw", "sh", "sw", "in": (c, h, w), "out": (c, h, w),
   "w": float array (OIHW, FC: out x in), "b": float array,
   optional "ph", "pw": zero padding of a convolution (rows above and below, columns left
   and right; 0 = valid, nn_layer_t.ph/pw)}
"""

import numpy as np

OPS = {"conv2d": 1, "conv1d": 2, "maxpool": 3, "avgpool": 4, "fc": 5, "relu": 6}
WBUF_WORDS = 512  # kernels/nn/nn_platform.h NN_WBUF_WORDS
UPPER_MIN_BYTES = 1024  # arrays at least this big go to upper FRAM
ACC_LIMIT = 2**31


def out_shape(op, inp, kh, kw, sh, sw, out_c=None, ph=0, pw=0):
    c, h, w = inp
    if op == "fc":
        return (out_c, 1, 1)
    oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    return (out_c if op in ("conv2d", "conv1d") else c, oh, ow)


# ---- float reference (training-time calibration) ----

def windows(x, kh, kw, sh, sw):
    """x: (N, C, H, W) -> (N, C, OH, OW, kh, kw) view."""
    v = np.lib.stride_tricks.sliding_window_view(x, (kh, kw), axis=(2, 3))
    return v[:, :, ::sh, ::sw]


def pad(L, x):
    """x zero-padded by the layer's ph rows and pw columns on each side (convolutions)."""
    ph, pw = L.get("ph", 0), L.get("pw", 0)
    if ph == 0 and pw == 0:
        return x
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))


def float_layer(L, x):
    op = L["op"]
    if op in ("conv2d", "conv1d"):
        win = windows(pad(L, x), L["kh"], L["kw"], L["sh"], L["sw"])
        y = np.einsum("nchwij,ocij->nohw", win, L["w"], optimize=True) + L["b"][None, :, None, None]
    elif op == "maxpool":
        y = windows(x, L["kh"], L["kw"], L["sh"], L["sw"]).max(axis=(4, 5))
    elif op == "avgpool":
        y = windows(x, L["kh"], L["kw"], L["sh"], L["sw"]).mean(axis=(4, 5))
    elif op == "fc":
        y = (x.reshape(x.shape[0], -1) @ L["w"].T + L["b"])[:, :, None, None]
    else:
        raise ValueError(op)
    return np.maximum(y, 0) if L.get("relu") else y


def float_forward(layers, x):
    acts = []
    for L in layers:
        x = float_layer(L, x)
        acts.append(x)
    return acts


# ---- quantization ----

def quantize(layers, calib_x, in_frac, headroom=1.25):
    """Per-layer fixed point: weights at f_w fractional bits (largest that keeps every
    output's accumulator bound), outputs at f_out (largest that keeps the calibrated maximum
    times headroom below 32767), shift = f_in + f_w - f_out."""
    acts = float_forward(layers, calib_x)
    f_in = in_frac
    q = []
    for L, act in zip(layers, acts):
        Q = {k: L[k] for k in ("op", "relu", "kh", "kw", "sh", "sw", "in", "out")}
        Q.update(ph=L.get("ph", 0), pw=L.get("pw", 0))
        if L["op"] in ("conv2d", "conv1d", "fc"):
            w2 = L["w"].reshape(L["w"].shape[0], -1).astype(np.float64)
            b = L["b"].astype(np.float64)
            f_w = 15
            while True:
                wq = np.round(w2 * 2.0**f_w).astype(np.int64)
                bq = np.round(b * 2.0 ** (f_in + f_w)).astype(np.int64)
                if np.abs(wq).max() <= 32767 and acc_bound(wq, bq) < ACC_LIMIT:
                    break
                f_w -= 1
            amax = max(float(np.abs(act).max()), 1e-6)
            f_out = int(np.floor(np.log2(32767.0 / (amax * headroom))))
            f_out = min(f_out, f_in + f_w)
            Q.update(w=wq.astype(np.int16).reshape(L["w"].shape), b=bq.astype(np.int32),
                     shift=f_in + f_w - f_out, out_frac=f_out, w_frac=f_w)
            f_in = f_out
        elif L["op"] == "avgpool":
            n = L["kh"] * L["kw"]
            Q.update(shift=n.bit_length() - 1, out_frac=f_in)
        else:
            Q.update(shift=0, out_frac=f_in)
        q.append(Q)
    return q


def acc_bound(wq, bq):
    """max over outputs of sum|w| * 32768 + |b|: no int16 input can overflow int32."""
    wq = np.asarray(wq, dtype=np.int64).reshape(len(bq), -1)
    return int((np.abs(wq).sum(axis=1) * 32768 + np.abs(np.asarray(bq, dtype=np.int64))).max())


def check(qlayers):
    for i, Q in enumerate(qlayers):
        if Q.get("ph", 0) or Q.get("pw", 0):
            assert Q["op"] in ("conv2d", "conv1d"), f"layer {i}: only convolutions pad"
        if "w" in Q:
            assert acc_bound(Q["w"], Q["b"]) < ACC_LIMIT, f"layer {i}: accumulator bound"
            assert Q["shift"] >= 0
            if Q["op"] != "fc":
                k = Q["in"][0] * Q["kh"] * Q["kw"]
                assert k <= WBUF_WORDS, f"layer {i}: {k} weights per channel > NN_WBUF_WORDS"


# ---- bit-exact integer model of kernels/nn ----

def requant(acc, shift):
    acc = np.asarray(acc, dtype=np.int64)
    if shift > 0:
        t = acc >> (shift - 1)
        acc = (t >> 1) + (t & 1)
    return np.clip(acc, -32768, 32767)


def int_layer(Q, x):
    """x: int64 (N, C, H, W)."""
    op = Q["op"]
    if op in ("conv2d", "conv1d"):
        win = windows(pad(Q, x), Q["kh"], Q["kw"], Q["sh"], Q["sw"])
        n, c, oh, ow = win.shape[:4]
        cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * oh * ow, -1)
        # float64 products and sums of int16 values below 2^53 are exact, and use BLAS.
        acc = (cols.astype(np.float64) @ Q["w"].astype(np.float64).reshape(Q["w"].shape[0], -1).T).astype(np.int64)
        acc = acc.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2) + Q["b"].astype(np.int64)[None, :, None, None]
        y = requant(acc, Q["shift"])
    elif op == "maxpool":
        y = windows(x, Q["kh"], Q["kw"], Q["sh"], Q["sw"]).max(axis=(4, 5))
    elif op == "avgpool":
        y = requant(windows(x, Q["kh"], Q["kw"], Q["sh"], Q["sw"]).sum(axis=(4, 5)), Q["shift"])
    elif op == "fc":
        acc = (x.reshape(x.shape[0], -1).astype(np.float64) @ Q["w"].astype(np.float64).T).astype(np.int64)
        acc = acc + Q["b"].astype(np.int64)
        y = requant(acc, Q["shift"])[:, :, None, None]
    else:
        raise ValueError(op)
    return np.maximum(y, 0) if Q["relu"] else y


def fir_conv(Q, x):
    """A conv layer on the lea-fir kernel, bit-exact to kernels/nn/nn_conv_fir.c (stride 1):
    per (input channel, kernel row) an FIR floored to Q15 and saturated (only its valid
    columns matter), saturating adds over the kernel rows then the input channels, the bias
    in FIR scale (with the mean floor loss of the C_in*kh FIRs), requantization from 2^-15 to
    the output scale, ReLU. x: int64 (N, C, H, W)."""
    assert Q["sh"] == 1 and Q["sw"] == 1
    assert not Q.get("ph", 0) and not Q.get("pw", 0), "lea-fir: valid padding only"
    sat = lambda v: np.clip(v, -32768, 32767)
    win = windows(x, Q["kh"], Q["kw"], 1, 1)  # (n, c, oh, ow, kh, kw)
    n, c, oh, ow = win.shape[:4]
    w = Q["w"].astype(np.float64)  # (oc, ic, kh, kw)
    acc = None
    for ic in range(c):
        rows = None
        for r in range(Q["kh"]):
            cols = win[:, ic, :, :, r, :].reshape(n * oh * ow, -1).astype(np.float64)
            s = (cols @ w[:, ic, r, :].T).astype(np.int64)  # exact: |s| < 2^53
            f = sat(s >> 15).reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)
            rows = f if rows is None else sat(rows + f)
        acc = rows if acc is None else sat(acc + rows)
    n_firs = c * Q["kh"]
    b = sat((Q["b"].astype(np.int64) + (n_firs + 1) * 16384) >> 15)
    t = sat(acc + b[None, :, None, None])
    if Q["shift"] >= 15:
        y = requant(t, Q["shift"] - 15)
    else:
        y = sat(t * (1 << (15 - Q["shift"])))
    return np.maximum(y, 0) if Q["relu"] else y


def int_forward(qlayers, x_int, batch=500, kernel="cpu"):
    """Scores of the integer model: kernel cpu (= lea-mac, exact sums) or lea-fir."""
    outs = []
    for s in range(0, len(x_int), batch):
        x = np.asarray(x_int[s:s + batch], dtype=np.int64)
        for Q in qlayers:
            if kernel == "lea-fir" and Q["op"] in ("conv2d", "conv1d"):
                x = fir_conv(Q, x)
            else:
                x = int_layer(Q, x)
        outs.append(x.reshape(x.shape[0], -1))
    return np.concatenate(outs)


def to_q(x, frac):
    return np.clip(np.round(np.asarray(x, dtype=np.float64) * 2.0**frac), -32768, 32767).astype(np.int16)


# ---- C writer ----

def _array(lines, decl, values, per_line):
    vals = [str(int(v)) for v in np.asarray(values).ravel()]
    lines.append(decl + " = {")
    for i in range(0, len(vals), per_line):
        lines.append("    " + ", ".join(vals[i:i + per_line]) + ",")
    lines.append("};")


def write_network(out_dir, name, qlayers, in_shape, in_frac, inputs, labels, header_note):
    """Writes <out_dir>/<name>.h and <name>.c. inputs: int16 (n, C, H, W)."""
    import os
    check(qlayers)
    os.makedirs(out_dir, exist_ok=True)
    sym = lambda s: f"{name}_{s}"
    far = []  # symbols whose far address the layers and inputs use
    lines = [f"/* Generated by {header_note['script']}; do not edit. */",
             "/* clang-format off */"]
    for note in header_note["lines"]:
        lines.append(f"/* {note} */")
    lines += ["", f'#include "kernels/networks/{name}/{name}.h"', ""]

    def emit(s, ctype, values, per_line):
        n = np.asarray(values).size
        if n * (2 if ctype == "int16_t" else 4) >= UPPER_MIN_BYTES:
            # Upper FRAM through nn_platform.h's NN_UPPER_I16/I32 (MSP430 C arrays stop at 32 KB).
            macro = sym(s).upper() + "_DATA"
            vals = [str(int(v)) for v in np.asarray(values).ravel()]
            lines.append(f"#define {macro} \\")
            for i in range(0, n, per_line):
                end = ", \\" if i + per_line < n else ""
                lines.append("    " + ", ".join(vals[i:i + per_line]) + end)
            lines.append(f"NN_UPPER_{'I16' if ctype == 'int16_t' else 'I32'}({sym(s)}, {n}, {macro})")
        else:
            _array(lines, f"const {ctype} {sym(s)}[{n}]", values, per_line)
        lines.append("")
        far.append(sym(s))
        return len(far) - 1

    refs = []
    for i, Q in enumerate(qlayers):
        if "w" in Q:
            wi = emit(f"l{i}_w", "int16_t", Q["w"], 16)
            bi = emit(f"l{i}_b", "int32_t", Q["b"], 8)
            refs.append((wi, bi))
        else:
            refs.append(None)
    ii = emit("inputs", "int16_t", inputs, 16)
    _array(lines, f"const uint8_t {sym('labels')}[{len(labels)}]", labels, 20)
    lines.append("")
    lines.append("/* 32-bit (far) addresses of the arrays above. MSP430 C pointers are 16-bit, so the")
    lines.append("   assembler writes them; on the host they are plain pointers. */")
    lines.append("#if defined(__MSP430__)")
    lines.append(f'__asm__(".pushsection .rodata.{sym("far")},\\"a\\",@progbits\\n"')
    lines.append(f'        ".balign 2\\n.global {sym("far")}\\n{sym("far")}:\\n"')
    for s in far:
        lines.append(f'        ".long {s}\\n"')
    lines.append('        ".popsection\\n");')
    lines.append(f"extern const nn_far_addr_t {sym('far')}[{len(far)}];")
    lines.append("#else")
    lines.append(f"const nn_far_addr_t {sym('far')}[{len(far)}] = {{")
    for s in far:
        lines.append(f"    (nn_far_addr_t){s},")
    lines.append("};")
    lines.append("#endif")
    lines.append("")
    lines.append(f"static const nn_layer_t {sym('layers')}[{len(qlayers)}] = {{")
    for Q, r in zip(qlayers, refs):
        w = f"&{sym('far')}[{r[0]}], &{sym('far')}[{r[1]}]" if r else "0, 0"
        lines.append(
            f"    {{NN_OP_{Q['op'].upper()}, {int(bool(Q['relu']))}, {Q['shift']}, {Q['out_frac']}, "
            f"{Q['kh']}, {Q['kw']}, {Q['sh']}, {Q['sw']}, {{{', '.join(map(str, Q['in']))}}}, "
            f"{{{', '.join(map(str, Q['out']))}}}, {w}, {Q.get('ph', 0)}, {Q.get('pw', 0)}}}, "
            f"/* {Q['op']} */")
    lines.append("};")
    lines.append("")
    words = lambda s: int(np.prod(s))
    buf = [words(in_shape), 0]
    for i, Q in enumerate(qlayers):
        buf[(i + 1) % 2] = max(buf[(i + 1) % 2], words(Q["out"]))
    max_map = max([words(in_shape)] + [words(Q["out"]) for Q in qlayers])
    lines.append(f"const nn_network_t nn_net_{name} = {{")
    lines.append(f'    "{name}", {{{", ".join(map(str, in_shape))}}}, {in_frac}, {len(qlayers)}, '
                 f"{sym('layers')}, {qlayers[-1]['out'][0]},")
    lines.append(f"    {{{buf[0]}, {buf[1]}}}, {len(labels)}, &{sym('far')}[{ii}], "
                 f"{sym('labels')}, {max_map},")
    lines.append("};")
    with open(os.path.join(out_dir, f"{name}.c"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(out_dir, f"{name}.h"), "w") as f:
        f.write(f"/* Generated by {header_note['script']}; do not edit. */\n"
                "#pragma once\n\n"
                '#include "kernels/networks/network.h"\n\n'
                "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
                f"extern const nn_network_t nn_net_{name};\n\n"
                "#ifdef __cplusplus\n}\n#endif\n")
    return summary(name, qlayers, in_shape, inputs, buf, max_map)


def summary(name, qlayers, in_shape, inputs, buf, max_map):
    upper = lower = 0
    for Q in qlayers:
        if "w" in Q:
            for nbytes in (Q["w"].size * 2, Q["b"].size * 4):
                if nbytes >= UPPER_MIN_BYTES:
                    upper += nbytes
                else:
                    lower += nbytes
    return {"name": name, "weight_bytes_upper": upper, "weight_bytes_lower": lower,
            "input_bytes": int(np.asarray(inputs).size * 2), "max_map_words": max_map,
            "buf_words": buf}
