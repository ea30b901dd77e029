// Whole networks: descriptors, accumulator bounds, labels, and the golden model against a
// double-precision run of the same quantized weights.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "kernels/host/golden.h"

namespace {

// nn_far_read moves at most 64 KB at a time.
std::vector<int16_t> far_words16(nn_far_addr_t a, size_t n) {
  std::vector<int16_t> v(n);
  for (size_t i = 0; i < n; i += 16384)
    nn_far_read(&v[i], a + i * 2, uint16_t(std::min<size_t>(n - i, 16384) * 2));
  return v;
}

std::vector<int32_t> far_words32(nn_far_addr_t a, size_t n) {
  std::vector<int32_t> v(n);
  nn_far_read(v.data(), a, uint16_t(n * 4));
  return v;
}

size_t words(nn_shape_t s) {
  return size_t(s.c) * s.h * s.w;
}

size_t fan_in(const nn_layer_t& L) {
  return L.op == NN_OP_FC ? words(L.in) : size_t(L.in.c) * L.kh * L.kw;
}

bool weighted(const nn_layer_t& L) {
  return L.op == NN_OP_CONV2D || L.op == NN_OP_CONV1D || L.op == NN_OP_FC;
}

// The same quantized weights in real numbers, no rounding or saturation between layers.
std::vector<double> float_reference(const nn_network_t& net, const std::vector<int16_t>& input) {
  std::vector<double> x(input.begin(), input.end());
  for (auto& v : x) v = std::ldexp(v, -net.in_frac);
  int f_in = net.in_frac;
  for (unsigned i = 0; i < net.n_layers; ++i) {
    const nn_layer_t& L = net.layers[i];
    std::vector<double> y(words(L.out));
    auto at = [&](int c, int yy, int xx) {  // zero padding outside the map (convolutions)
      yy -= L.ph;
      xx -= L.pw;
      if (yy < 0 || yy >= L.in.h || xx < 0 || xx >= L.in.w) return 0.0;
      return x[(size_t(c) * L.in.h + yy) * L.in.w + xx];
    };
    if (weighted(L)) {
      int w_frac = L.shift + L.out_frac - f_in;
      auto w = far_words16(*L.weights, size_t(L.out.c) * fan_in(L));
      auto b = far_words32(*L.bias, L.out.c);
      for (int oc = 0; oc < L.out.c; ++oc)
        for (int oy = 0; oy < L.out.h; ++oy)
          for (int ox = 0; ox < L.out.w; ++ox) {
            double acc = std::ldexp(double(b[oc]), -(f_in + w_frac));
            size_t k = oc * fan_in(L);
            if (L.op == NN_OP_FC) {
              for (size_t j = 0; j < x.size(); ++j)
                acc += std::ldexp(double(w[k + j]), -w_frac) * x[j];
            } else {
              for (int ic = 0; ic < L.in.c; ++ic)
                for (int ky = 0; ky < L.kh; ++ky)
                  for (int kx = 0; kx < L.kw; ++kx)
                    acc += std::ldexp(double(w[k++]), -w_frac) *
                           at(ic, oy * L.sh + ky, ox * L.sw + kx);
            }
            y[(size_t(oc) * L.out.h + oy) * L.out.w + ox] = L.relu ? std::max(0.0, acc) : acc;
          }
    } else {
      for (int c = 0; c < L.out.c; ++c)
        for (int oy = 0; oy < L.out.h; ++oy)
          for (int ox = 0; ox < L.out.w; ++ox) {
            double m = -1e300, s = 0;
            for (int ky = 0; ky < L.kh; ++ky)
              for (int kx = 0; kx < L.kw; ++kx) {
                double v =
                    L.op == NN_OP_RELU ? at(c, oy, ox) : at(c, oy * L.sh + ky, ox * L.sw + kx);
                m = std::max(m, v);
                s += v;
              }
            double v = L.op == NN_OP_AVGPOOL ? s / (L.kh * L.kw) : m;
            y[(size_t(c) * L.out.h + oy) * L.out.w + ox] =
                L.relu || L.op == NN_OP_RELU ? std::max(0.0, v) : v;
          }
    }
    x.swap(y);
    f_in = L.out_frac;
  }
  return x;
}

}  // namespace

TEST_CASE("network descriptors are consistent", "[nn][network]") {
  for (unsigned n = 0; n < golden_network_count; ++n) {
    const nn_network_t& net = *golden_networks[n];
    INFO(net.name);
    REQUIRE(net.n_layers > 0);
    nn_shape_t shape = net.in;
    size_t buf[2] = {words(net.in), 0}, max_map = words(net.in);
    for (unsigned i = 0; i < net.n_layers; ++i) {
      const nn_layer_t& L = net.layers[i];
      CAPTURE(i);
      CHECK(L.in.c == shape.c);
      CHECK(L.in.h == shape.h);
      CHECK(L.in.w == shape.w);
      if (weighted(L) && L.op != NN_OP_FC) CHECK(fan_in(L) <= NN_WBUF_WORDS);
      shape = L.out;
      buf[(i + 1) % 2] = std::max(buf[(i + 1) % 2], words(L.out));
      max_map = std::max(max_map, words(L.out));
    }
    CHECK(net.n_classes == shape.c);
    CHECK(net.buf_words[0] >= buf[0]);
    CHECK(net.buf_words[1] >= buf[1]);
    CHECK(net.max_map_words == max_map);
    CHECK(net.n_inputs > 0);
  }
}

// The contract that makes wrapping and saturating (LEA) accumulation agree.
TEST_CASE("no int16 input can overflow any layer's int32 accumulator", "[nn][network]") {
  for (unsigned n = 0; n < golden_network_count; ++n) {
    const nn_network_t& net = *golden_networks[n];
    for (unsigned i = 0; i < net.n_layers; ++i) {
      const nn_layer_t& L = net.layers[i];
      if (!weighted(L)) continue;
      auto w = far_words16(*L.weights, size_t(L.out.c) * fan_in(L));
      auto b = far_words32(*L.bias, L.out.c);
      int64_t worst = 0;
      for (int oc = 0; oc < L.out.c; ++oc) {
        int64_t s = std::llabs(int64_t(b[oc]));
        for (size_t k = 0; k < fan_in(L); ++k)
          s += std::llabs(int64_t(w[oc * fan_in(L) + k])) * 32768;
        worst = std::max(worst, s);
      }
      INFO(net.name << " layer " << i << " bound " << worst);
      CHECK(worst < (int64_t(1) << 31));
    }
  }
}

// har and kws: expected labels are the golden model's own (seeded weights); mnist and
// mnist8: true digits, of which the Q15 network must get at least 18 of 20.
TEST_CASE("golden predictions match the sample inputs' labels", "[nn][network]") {
  for (unsigned n = 0; n < golden_network_count; ++n) {
    const nn_network_t& net = *golden_networks[n];
    std::vector<int16_t> x(words(net.in)), scores(net.n_classes);
    unsigned correct = 0;
    for (uint16_t i = 0; i < net.n_inputs; ++i) {
      nn_network_load_input(&net, i, x.data());
      int cls = golden_run(&net, x.data(), scores.data());
      REQUIRE(cls >= 0);
      correct += unsigned(cls) == net.labels[i];
    }
    INFO(net.name << ": " << correct << " of " << net.n_inputs);
    if (std::string(net.name) == "mnist" || std::string(net.name) == "mnist8")
      CHECK(correct >= 18);
    else
      CHECK(correct == net.n_inputs);
  }
}

// Rounding at every layer (0.5 LSB each) and saturation make the golden scores differ from
// exact arithmetic; the stated bound: every score within 0.5% of the largest |score| of the
// reference plus 4 LSB of the output format (observed: below 0.06%, no saturation).
TEST_CASE("golden scores track a double-precision run of the quantized weights", "[nn][network]") {
  for (unsigned n = 0; n < golden_network_count; ++n) {
    const nn_network_t& net = *golden_networks[n];
    const int out_frac = net.layers[net.n_layers - 1].out_frac;
    std::vector<int16_t> x(words(net.in)), scores(net.n_classes);
    double worst_rel = 0;
    for (uint16_t i = 0; i < net.n_inputs; ++i) {
      nn_network_load_input(&net, i, x.data());
      REQUIRE(golden_run(&net, x.data(), scores.data()) >= 0);
      auto ref = float_reference(net, x);
      double scale = 0;
      for (double v : ref) scale = std::max(scale, std::fabs(v));
      for (unsigned c = 0; c < net.n_classes; ++c) {
        double err = std::fabs(std::ldexp(double(scores[c]), -out_frac) - ref[c]);
        double tol = 0.005 * scale + std::ldexp(4.0, -out_frac);
        INFO(net.name << " input " << i << " class " << c << " err " << err << " tol " << tol);
        CHECK(err <= tol);
        worst_rel = std::max(worst_rel, err / scale);
      }
    }
    INFO(net.name << ": worst score error " << worst_rel * 100 << "% of the largest score");
    CHECK(worst_rel < 0.005);
  }
}

// A depth-first slice (design.md §6) through each network's first two layers: the first
// layer's band lives only in a slice buffer, and the result equals the layer-by-layer run.
// Slices run along rows, or along columns for 1-D maps (height 1).
TEST_CASE("depth-first slices of the first two layers equal the golden run",
          "[nn][network][region]") {
  for (unsigned n = 0; n < golden_network_count; ++n) {
    const nn_network_t& net = *golden_networks[n];
    const nn_layer_t &L0 = net.layers[0], &L1 = net.layers[1];
    std::vector<int16_t> x(words(net.in)), mid(words(L0.out)), want(words(L1.out));
    nn_network_load_input(&net, 0, x.data());
    nn_src_t s0 = nn_src_dense(x.data(), L0.in);
    nn_dst_t d0 = nn_dst_dense(mid.data(), L0.out);
    nn_region_t r0 = nn_region_full(&L0);
    REQUIRE(nn_layer_forward(&L0, &s0, &d0, &r0) == NN_OK);
    nn_src_t s1 = nn_src_dense(mid.data(), L1.in);
    nn_dst_t d1 = nn_dst_dense(want.data(), L1.out);
    nn_region_t r1 = nn_region_full(&L1);
    REQUIRE(nn_layer_forward(&L1, &s1, &d1, &r1) == NN_OK);

    const bool by_cols = L1.out.h == 1;
    const uint16_t extent = by_cols ? L1.out.w : L1.out.h;
    std::vector<int16_t> got(want.size(), 0);
    for (uint16_t a = 0; a < extent; a = uint16_t(a + 3)) {
      uint16_t b = std::min<uint16_t>(uint16_t(a + 3), extent), p, q;
      nn_region_t slice1 = nn_region_full(&L1), slice0 = nn_region_full(&L0);
      if (by_cols) {
        nn_input_cols(&L1, a, b, &p, &q);
        slice1.x0 = a, slice1.x1 = b, slice0.x0 = p, slice0.x1 = q;
      } else {
        nn_input_rows(&L1, a, b, &p, &q);
        slice1.y0 = a, slice1.y1 = b, slice0.y0 = p, slice0.y1 = q;
      }
      // The band of layer 0's output, alone in a small buffer.
      uint16_t bw = uint16_t(slice0.x1 - slice0.x0), bh = uint16_t(slice0.y1 - slice0.y0);
      std::vector<int16_t> band(size_t(L0.out.c) * bh * bw);
      nn_dst_t bd = {band.data(), 0, slice0.y0, slice0.x0, uint16_t(bh * bw), bw};
      REQUIRE(nn_layer_forward(&L0, &s0, &bd, &slice0) == NN_OK);
      nn_src_t bs = {band.data(), 0, slice0.y0, slice0.x0, uint16_t(bh * bw), bw};
      nn_dst_t gd = nn_dst_dense(got.data(), L1.out);
      REQUIRE(nn_layer_forward(&L1, &bs, &gd, &slice1) == NN_OK);
    }
    INFO(net.name);
    CHECK(got == want);
  }
}
