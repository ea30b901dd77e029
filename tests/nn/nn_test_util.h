// Shared by the nn tests: random layers with host weight arrays and a double reference.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "kernels/nn/nn.h"

namespace nn_test {

// A layer whose weights and biases live in host vectors (a far address is a pointer).
struct TestLayer {
  nn_layer_t layer{};
  std::vector<int16_t> w;
  std::vector<int32_t> b;
  nn_far_addr_t w_addr = 0, b_addr = 0;
};

inline uint16_t out_dim(uint16_t in, uint8_t k, uint8_t s, uint8_t p = 0) {
  return (in + 2 * p - k) / s + 1;
}

// Weights scaled so that sum|w| * 32768 + |b| < 2^31 for every output (the library's
// no-overflow contract).
inline std::unique_ptr<TestLayer> make_layer(std::mt19937& rng, uint8_t op, nn_shape_t in,
                                             uint16_t out_c, uint8_t kh, uint8_t kw, uint8_t sh,
                                             uint8_t sw, uint8_t shift, bool relu, uint8_t ph = 0,
                                             uint8_t pw = 0) {
  auto t = std::make_unique<TestLayer>();
  nn_layer_t& L = t->layer;
  L.op = op;
  L.relu = relu;
  L.shift = shift;
  L.kh = kh;
  L.kw = kw;
  L.sh = sh;
  L.sw = sw;
  L.ph = ph;
  L.pw = pw;
  L.in = in;
  if (op == NN_OP_FC) {
    L.out = {out_c, 1, 1};
  } else if (op == NN_OP_RELU) {
    L.out = in;
  } else {
    L.out = {(op == NN_OP_CONV2D || op == NN_OP_CONV1D) ? out_c : in.c, out_dim(in.h, kh, sh, ph),
             out_dim(in.w, kw, sw, pw)};
  }
  if (op == NN_OP_CONV2D || op == NN_OP_CONV1D || op == NN_OP_FC) {
    size_t fan_in = (op == NN_OP_FC) ? size_t(in.c) * in.h * in.w : size_t(in.c) * kh * kw;
    int wmax = std::min<int>(32767, int(60000 / fan_in));  // sum|w| <= 60000 < 65536
    std::uniform_int_distribution<int> wd(-wmax, wmax), bd(-(1 << 24), 1 << 24);
    t->w.resize(size_t(L.out.c) * fan_in);
    for (auto& v : t->w) v = int16_t(wd(rng));
    t->b.resize(L.out.c);
    for (auto& v : t->b) v = bd(rng);
    t->w_addr = nn_far_addr_t(t->w.data());
    t->b_addr = nn_far_addr_t(t->b.data());
    L.weights = &t->w_addr;
    L.bias = &t->b_addr;
  }
  return t;
}

inline std::vector<int16_t> random_map(std::mt19937& rng, nn_shape_t s) {
  std::uniform_int_distribution<int> d(-32768, 32767);
  std::vector<int16_t> v(size_t(s.c) * s.h * s.w);
  for (auto& x : v) x = int16_t(d(rng));
  return v;
}

// Output (c, y, x) of a layer, in exact arithmetic before rounding: the accumulator divided
// by 2^shift for weighted layers and average pools, the maximum for max pools. Zero padding
// (ph, pw) reads 0 outside the map.
inline double reference(const TestLayer& t, const std::vector<int16_t>& in, int c, int y, int x) {
  const nn_layer_t& L = t.layer;
  auto at = [&](int ic, int iy, int ix) {
    iy -= L.ph;
    ix -= L.pw;
    if (iy < 0 || iy >= L.in.h || ix < 0 || ix >= L.in.w) return 0.0;
    return double(in[(size_t(ic) * L.in.h + iy) * L.in.w + ix]);
  };
  double v = 0;
  switch (L.op) {
    case NN_OP_CONV2D:
    case NN_OP_CONV1D: {
      v = t.b[c];
      size_t k = size_t(c) * L.in.c * L.kh * L.kw;
      for (int ic = 0; ic < L.in.c; ++ic)
        for (int ky = 0; ky < L.kh; ++ky)
          for (int kx = 0; kx < L.kw; ++kx)
            v += double(t.w[k++]) * at(ic, y * L.sh + ky, x * L.sw + kx);
      v = std::ldexp(v, -L.shift);
      break;
    }
    case NN_OP_FC: {
      v = t.b[c];
      size_t n = size_t(L.in.c) * L.in.h * L.in.w;
      for (size_t i = 0; i < n; ++i) v += double(t.w[c * n + i]) * double(in[i]);
      v = std::ldexp(v, -L.shift);
      break;
    }
    case NN_OP_MAXPOOL:
    case NN_OP_AVGPOOL: {
      double m = -1e9, s = 0;
      for (int ky = 0; ky < L.kh; ++ky)
        for (int kx = 0; kx < L.kw; ++kx) {
          m = std::max(m, at(c, y * L.sh + ky, x * L.sw + kx));
          s += at(c, y * L.sh + ky, x * L.sw + kx);
        }
      v = L.op == NN_OP_MAXPOOL ? m : s / (L.kh * L.kw);
      break;
    }
    case NN_OP_RELU:
      v = at(c, y, x);
      break;
  }
  v = std::min(32767.0, std::max(-32768.0, v));
  return L.relu || L.op == NN_OP_RELU ? std::max(0.0, v) : v;
}

// Whole-layer output into a dense buffer.
inline std::vector<int16_t> run_whole(const nn_layer_t& L, const std::vector<int16_t>& in) {
  std::vector<int16_t> out(size_t(L.out.c) * L.out.h * L.out.w, int16_t(0x5A5A));
  nn_src_t src = nn_src_dense(in.data(), L.in);
  nn_dst_t dst = nn_dst_dense(out.data(), L.out);
  nn_region_t r = nn_region_full(&L);
  if (nn_layer_forward(&L, &src, &dst, &r) != NN_OK) out.clear();
  return out;
}

}  // namespace nn_test
