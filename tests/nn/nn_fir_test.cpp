// The lea-fir kernel's arithmetic (kernels/nn/nn_conv_fir.h): its host model of the LEA FIR
// and ADD pinned against models/lea_ops (what the simulated LEA computes) and against
// DSPLib's documented msp_fir_q15 / msp_add_q15; then nn_conv_fir against a direct
// evaluation of the formulation, across regions, bandings and views.
#include <catch2/catch.hpp>
#include <cstdint>
#include <random>
#include <vector>

#include "kernels/host/golden.h"
#include "kernels/nn/nn_conv_fir.h"
#include "models/lea_ops.h"
#include "tests/nn/nn_test_util.h"

namespace {

using Vec = std::vector<int16_t>;

// Q15 values: uniform, or (saturating) only near the extremes so sums leave Q15.
Vec random_q15(std::mt19937& rng, size_t n, bool extreme) {
  std::uniform_int_distribution<int> any(-32768, 32767), big(28000, 32767), sign(0, 1);
  Vec v(n);
  for (auto& x : v) {
    if (!extreme) {
      x = int16_t(any(rng));
    } else {
      const int m = big(rng);
      x = int16_t(sign(rng) ? m : -m - 1);
    }
  }
  return v;
}

// DSPLib 1.30's documented msp_fir_q15 (its C path): y[n] = sum_k coeffs[k] * x[n + T-1-k],
// the 32.30 sum shifted right by 15 (no rounding) and saturated to Q15.
int16_t dsplib_fir(const Vec& x, const Vec& coeffs, size_t n) {
  const size_t taps = coeffs.size();
  int64_t result = 0;
  for (size_t k = 0; k < taps; ++k) result += int64_t{coeffs[k]} * x[n + taps - 1 - k];
  result >>= 15;
  return int16_t(result > 32767 ? 32767 : result < -32768 ? -32768 : result);
}
// msp_add_q15: __saturated_add_q15 per element.
int16_t dsplib_add(int16_t a, int16_t b) {
  const int32_t s = int32_t{a} + b;
  return int16_t(s > 32767 ? 32767 : s < -32768 ? -32768 : s);
}

}  // namespace

TEST_CASE("lea-fir host FIR and ADD agree with models/lea_ops and DSPLib", "[nn][fir]") {
  std::mt19937 rng(20);
  int saturated = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const bool extreme = trial % 2 == 1;
    const uint16_t n = uint16_t(2 * (1 + rng() % 120)), taps = uint16_t(2 * (1 + rng() % 8));
    const Vec x = random_q15(rng, n + taps - 1, extreme), c = random_q15(rng, taps, extreme);
    Vec host(n);
    nn_fir_row(x.data(), c.data(), taps, host.data(), n);
    for (uint16_t i = 0; i < n; ++i) {
      const int16_t model = ipsim::lea_ops::fir_q15_output(x.data() + i, c.data(), taps);
      const int16_t doc = dsplib_fir(x, c, i);
      INFO("trial " << trial << " n " << n << " taps " << taps << " i " << i);
      REQUIRE(host[i] == model);
      REQUIRE(model == doc);
      saturated += host[i] == 32767 || host[i] == -32768;
    }
    const Vec a = random_q15(rng, n, extreme), b = random_q15(rng, n, extreme);
    Vec sum(n), in_place = a;
    nn_add_rows(a.data(), b.data(), sum.data(), n);
    nn_add_rows(in_place.data(), b.data(), in_place.data(), n);  // y may alias an input
    for (uint16_t i = 0; i < n; ++i) {
      REQUIRE(sum[i] == ipsim::lea_ops::add_q15(a[i], b[i]));
      REQUIRE(ipsim::lea_ops::add_q15(a[i], b[i]) == dsplib_add(a[i], b[i]));
      REQUIRE(in_place[i] == sum[i]);
    }
  }
  CHECK(saturated > 1000);  // the extreme trials did exercise saturation
}

namespace {

// The formulation evaluated directly (nn_conv_fir.h), with models/lea_ops for the FIR and
// the add, whole planes, no banding: the reference nn_conv_fir must reproduce.
// A zero-padded layer runs over the padded plane (in.h + 2 ph rows of in.w + 2 pw words).
Vec direct_fir_conv(const nn_test::TestLayer& t, const Vec& in) {
  const nn_layer_t& L = t.layer;
  const size_t wi = L.in.w + 2 * L.pw, plane = size_t(L.in.h + 2 * L.ph) * wi;
  const size_t taps = L.kw + (L.kw & 1), len = size_t(L.out.h) * wi;
  Vec out(size_t(L.out.c) * L.out.h * L.out.w);
  for (size_t oc = 0; oc < L.out.c; ++oc) {
    Vec acc(len);
    for (size_t ic = 0; ic < L.in.c; ++ic) {
      Vec x(plane + taps, 0);  // zero in the padding and past the plane's end
      for (size_t y = 0; y < L.in.h; ++y)
        for (size_t i = 0; i < L.in.w; ++i)
          x[(y + L.ph) * wi + L.pw + i] = in[(ic * L.in.h + y) * L.in.w + i];
      Vec rows(len);
      for (size_t r = 0; r < L.kh; ++r) {
        Vec h(taps, 0), c(taps);
        for (size_t j = 0; j < L.kw; ++j) h[j] = t.w[((oc * L.in.c + ic) * L.kh + r) * L.kw + j];
        for (size_t j = 0; j < taps; ++j) c[taps - 1 - j] = h[j];
        for (size_t i = 0; i < len; ++i) {
          const int16_t f = ipsim::lea_ops::fir_q15_output(x.data() + r * wi + i, c.data(), taps);
          rows[i] = r == 0 ? f : ipsim::lea_ops::add_q15(rows[i], f);
        }
      }
      for (size_t i = 0; i < len; ++i)
        acc[i] = ic == 0 ? rows[i] : ipsim::lea_ops::add_q15(acc[i], rows[i]);
    }
    const int64_t n_firs = int64_t{L.in.c} * L.kh;
    const int64_t b64 = (int64_t{t.b[oc]} + (n_firs + 1) * 16384) >> 15;
    const int16_t b = ipsim::lea_ops::sat16(b64);
    for (size_t y = 0; y < L.out.h; ++y)
      for (size_t xo = 0; xo < L.out.w; ++xo) {
        const int32_t s = ipsim::lea_ops::add_q15(acc[y * wi + xo], b);
        int64_t v = L.shift >= 15 ? ((int64_t{s} >> (L.shift - 15)) +
                                     (L.shift > 15 ? (int64_t{s} >> (L.shift - 16)) & 1 : 0))
                                  : int64_t{s} * (int64_t{1} << (15 - L.shift));
        int16_t o = ipsim::lea_ops::sat16(v);
        if (L.relu && o < 0) o = 0;
        out[(oc * L.out.h + y) * L.out.w + xo] = o;
      }
  }
  return out;
}

Vec run_fir(const nn_layer_t& L, const Vec& in, const nn_region_t& r, const nn_fir_work_t& work,
            Vec* out_buf = nullptr) {
  Vec out = out_buf ? *out_buf : Vec(size_t(L.out.c) * L.out.h * L.out.w, int16_t(0x5A5A));
  nn_src_t src = nn_src_dense(in.data(), L.in);
  nn_dst_t dst = nn_dst_dense(out.data(), L.out);
  REQUIRE(nn_conv_fir_padded(&L, &src, &dst, &r, &work) == NN_OK);
  return out;
}

struct Work {
  Vec x, c, row, row_sum, acc;
  nn_fir_work_t w;
  Work(uint16_t x_words, uint16_t out_words)
      : x(x_words), c(16), row(out_words), row_sum(out_words), acc(out_words) {
    w = {x.data(), x_words, c.data(), 16, row.data(), row_sum.data(), acc.data(), out_words};
  }
};

}  // namespace

TEST_CASE("nn_conv_fir computes the lea-fir formulation, whatever the banding", "[nn][fir]") {
  std::mt19937 rng(21);
  struct Shape {
    uint8_t op;
    nn_shape_t in;
    uint16_t oc;
    uint8_t kh, kw, shift, ph = 0, pw = 0;
  };
  const Shape shapes[] = {
      {NN_OP_CONV2D, {1, 12, 12}, 3, 5, 5, 14},        // mnist-like, odd taps padded
      {NN_OP_CONV2D, {3, 9, 7}, 4, 3, 3, 12},          // odd width: per-row aligned copies
      {NN_OP_CONV2D, {2, 6, 10}, 2, 2, 4, 16},         // even taps, shift above 15
      {NN_OP_CONV1D, {4, 1, 31}, 5, 1, 2, 12},         // har-like, odd length
      {NN_OP_CONV2D, {2, 5, 5}, 2, 5, 5, 15},          // a single output
      {NN_OP_CONV2D, {2, 14, 14}, 3, 5, 5, 13, 2, 2},  // mnist8-like 'same': even padded width
      {NN_OP_CONV2D, {3, 7, 9}, 2, 3, 3, 12, 1, 1},    // odd padded width (11)
      {NN_OP_CONV2D, {2, 6, 8}, 2, 3, 5, 14, 2, 0},    // rows padded only, more than kh / 2
      {NN_OP_CONV1D, {3, 1, 12}, 2, 1, 3, 12, 0, 1},   // conv1d, columns padded only
  };
  for (const Shape& s : shapes) {
    for (int extreme = 0; extreme < 2; ++extreme) {
      auto t =
          nn_test::make_layer(rng, s.op, s.in, s.oc, s.kh, s.kw, 1, 1, s.shift, true, s.ph, s.pw);
      if (extreme)  // large weights: row and channel sums saturate
        for (auto& w : t->w) w = int16_t(w >= 0 ? 32767 - (w & 7) : -32768 + (-w & 7));
      const Vec in = nn_test::random_map(rng, s.in);
      const nn_layer_t& L = t->layer;
      INFO("shape " << s.in.c << "x" << s.in.h << "x" << s.in.w << " k " << int(s.kh) << "x"
                    << int(s.kw) << " pad " << int(s.ph) << "," << int(s.pw) << " extreme "
                    << extreme);
      const Vec want = direct_fir_conv(*t, in);
      Work big(4096, 2048), small(nn_fir_x_words(&L, 1), nn_fir_len(1, nn_fir_width(&L)));
      const nn_region_t full = nn_region_full(&L);
      CHECK(run_fir(L, in, full, big.w) == want);
      CHECK(run_fir(L, in, full, small.w) == want);      // one output row per band
      CHECK(run_fir(L, in, full, nn_fir_work) == want);  // the golden model's buffers
      // Row bands and channel ranges, each written into one buffer, give the whole layer.
      Vec pieces(want.size(), int16_t(0x5A5A));
      for (uint16_t c0 = 0; c0 < L.out.c; c0 = uint16_t(c0 + 2))
        for (uint16_t y0 = 0; y0 < L.out.h; y0 = uint16_t(y0 + 3)) {
          const nn_region_t r = {c0, uint16_t(std::min<int>(c0 + 2, L.out.c)),
                                 y0, uint16_t(std::min<int>(y0 + 3, L.out.h)),
                                 0,  L.out.w};
          pieces = run_fir(L, in, r, small.w, &pieces);
        }
      CHECK(pieces == want);
      // A band view (as depth-first slices pass): only the input rows the output rows
      // [y0, y1) need present (nn_input_rows: clipped to the map when padded).
      if (L.out.h >= 2) {
        const uint16_t y0 = 1, y1 = L.out.h;
        uint16_t iy0, iy1;
        nn_input_rows(&L, y0, y1, &iy0, &iy1);
        const uint16_t rows = uint16_t(iy1 - iy0);
        Vec band(size_t(L.in.c) * rows * L.in.w);
        for (size_t c = 0; c < L.in.c; ++c)
          for (size_t y = 0; y < rows; ++y)
            for (size_t x = 0; x < L.in.w; ++x)
              band[(c * rows + y) * L.in.w + x] = in[(c * L.in.h + y + iy0) * L.in.w + x];
        Vec out(size_t(L.out.c) * (y1 - y0) * L.out.w);
        nn_src_t src = {band.data(), 0, iy0, 0, uint16_t(rows * L.in.w), L.in.w};
        nn_dst_t dst = {out.data(), 0, y0, 0, uint16_t((y1 - y0) * L.out.w), L.out.w};
        const nn_region_t r = {0, L.out.c, y0, y1, 0, L.out.w};
        REQUIRE(nn_conv_fir_padded(&L, &src, &dst, &r, &small.w) == NN_OK);
        for (size_t c = 0; c < L.out.c; ++c)
          for (size_t y = y0; y < y1; ++y)
            for (size_t x = 0; x < L.out.w; ++x)
              REQUIRE(out[(c * (y1 - y0) + y - y0) * L.out.w + x] ==
                      want[(c * L.out.h + y) * L.out.w + x]);
      }
    }
  }
}

TEST_CASE("nn_conv_fir rejects what the LEA formulation cannot run", "[nn][fir]") {
  std::mt19937 rng(22);
  auto t = nn_test::make_layer(rng, NN_OP_CONV2D, {1, 8, 8}, 1, 3, 3, 2, 2, 12, false);
  const Vec in = nn_test::random_map(rng, t->layer.in);
  Vec out(64);
  nn_src_t src = nn_src_dense(in.data(), t->layer.in);
  nn_dst_t dst = nn_dst_dense(out.data(), t->layer.out);
  nn_region_t r = nn_region_full(&t->layer);
  CHECK(nn_conv_fir(&t->layer, &src, &dst, &r, &nn_fir_work) == NN_ERR_OP);  // stride 2
  t->layer.ph = t->layer.pw = 1;
  CHECK(nn_conv_fir_padded(&t->layer, &src, &dst, &r, &nn_fir_work) == NN_ERR_OP);  // padded too
  t->layer.sh = t->layer.sw = 1;
  t->layer.out = {1, 8, 8};
  r = nn_region_full(&t->layer);
  CHECK(nn_conv_fir(&t->layer, &src, &dst, &r, &nn_fir_work) == NN_ERR_OP);  // padding: not here
  CHECK(nn_conv_fir_padded(&t->layer, &src, &dst, &r, &nn_fir_work) == NN_OK);
  t->layer.ph = t->layer.pw = 0;
  t->layer.sh = t->layer.sw = 1;
  t->layer.out = {1, 6, 6};
  r = nn_region_full(&t->layer);
  r.x0 = 1;
  CHECK(nn_conv_fir(&t->layer, &src, &dst, &r, &nn_fir_work) == NN_ERR_OP);  // column range
  r.x0 = 0;
  Work tiny(8, 4);  // not one output row
  CHECK(nn_conv_fir(&t->layer, &src, &dst, &r, &tiny.w) == NN_ERR_SCRATCH);
}

TEST_CASE("lea-fir stays close to the exact convolution on the real networks", "[nn][fir]") {
  // The FIR floors C_in*kh partial sums to the FIR scale (2^(15 - shift) output LSBs each);
  // the bias takes back their mean, so each output is within n_firs/2 + 1 FIR LSBs of the
  // exact one when nothing saturates. Whole networks: the same predicted class on most
  // sample inputs (accuracy on held-out data: docs/results.md).
  for (unsigned n = 0; n < golden_network_count; ++n) {
    const nn_network_t* net = golden_networks[n];
    bool padded = false;
    for (uint16_t l = 0; l < net->n_layers; ++l)
      padded = padded || net->layers[l].ph || net->layers[l].pw;
    int same = 0;
    for (uint16_t i = 0; i < net->n_inputs; ++i) {
      Vec x(nn_shape_words(net->in)), exact(net->n_classes), fir(net->n_classes);
      nn_network_load_input(net, i, x.data());
      const int c_exact = golden_run_kernel(net, NN_KERNEL_CPU, x.data(), exact.data());
      const int c_mac = golden_run_kernel(net, NN_KERNEL_LEA_MAC, x.data(), fir.data());
      REQUIRE(c_mac == c_exact);
      REQUIRE(fir == exact);  // lea-mac is exact: the same bits as cpu
      const int c_fir = golden_run_kernel(net, NN_KERNEL_LEA_FIR, x.data(), fir.data());
      REQUIRE(c_fir >= 0);  // zero-padded convolutions (mnist8) too
      same += c_fir == c_exact;
      CHECK(fir != exact);  // lea-fir is a different arithmetic (not silently the cpu one)
    }
    INFO(net->name << (padded ? " (padded)" : ""));
    CHECK(same * 10 >= net->n_inputs * 9);
  }
}

TEST_CASE("lea-fir conv layer outputs are within the floor bound of the exact ones", "[nn][fir]") {
  std::mt19937 rng(23);
  for (int trial = 0; trial < 6; ++trial) {
    const uint8_t shift = uint8_t(11 + trial);
    // Small activations and weights: nothing saturates, so the bound must hold exactly.
    auto t = nn_test::make_layer(rng, NN_OP_CONV2D, {3, 10, 10}, 2, 3, 3, 1, 1, shift, false);
    for (auto& w : t->w) w = int16_t(w / 8);
    Vec in = nn_test::random_map(rng, t->layer.in);
    for (auto& v : in) v = int16_t(v / 8);
    const nn_layer_t& L = t->layer;
    const Vec got = run_fir(L, in, nn_region_full(&L), nn_fir_work);
    const double lsb = std::ldexp(1.0, 15 - shift), n_firs = L.in.c * L.kh;
    for (size_t c = 0; c < L.out.c; ++c)
      for (size_t y = 0; y < L.out.h; ++y)
        for (size_t x = 0; x < L.out.w; ++x) {
          const double ref = nn_test::reference(*t, in, int(c), int(y), int(x));
          const double v = got[(c * L.out.h + y) * L.out.w + x];
          INFO("shift " << int(shift) << " ref " << ref << " got " << v);
          REQUIRE(std::abs(v - ref) <= (n_firs / 2 + 1) * lsb + 1);
        }
  }
}
