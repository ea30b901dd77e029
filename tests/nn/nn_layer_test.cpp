// Layer kernels: against a double-precision reference, and region-wise == whole-layer.
#include <catch2/catch.hpp>

#include "tests/nn/nn_test_util.h"

using namespace nn_test;

namespace {

struct Case {
  const char* name;
  uint8_t op;
  nn_shape_t in;
  uint16_t out_c;
  uint8_t kh, kw, sh, sw, shift;
  bool relu;
  uint8_t ph, pw;  // zero padding of convolutions
};

// Shapes of the networks' layers and some awkward ones (strides, odd sizes, zero padding
// wider than the window's reach at some borders, FC longer than the weight buffer so it is
// streamed in chunks).
const Case kCases[] = {
    {"conv2d 1x28x28 5x5", NN_OP_CONV2D, {1, 28, 28}, 20, 5, 5, 1, 1, 15, true, 0, 0},
    {"conv2d 20x12x12 5x5", NN_OP_CONV2D, {20, 12, 12}, 40, 5, 5, 1, 1, 12, true, 0, 0},
    {"conv2d 3x13x11 3x3 s2", NN_OP_CONV2D, {3, 13, 11}, 7, 3, 3, 2, 2, 9, false, 0, 0},
    {"conv2d 4x9x10 2x3 s(1,2)", NN_OP_CONV2D, {4, 9, 10}, 5, 2, 3, 1, 2, 14, true, 0, 0},
    {"conv1d 9x128 k2", NN_OP_CONV1D, {9, 1, 128}, 18, 1, 2, 1, 1, 14, true, 0, 0},
    {"conv1d 36x31 k3 s2", NN_OP_CONV1D, {36, 1, 31}, 8, 1, 3, 1, 2, 11, false, 0, 0},
    {"maxpool 20x24x24 2", NN_OP_MAXPOOL, {20, 24, 24}, 0, 2, 2, 2, 2, 0, false, 0, 0},
    {"maxpool 5x11x9 3 s2", NN_OP_MAXPOOL, {5, 11, 9}, 0, 3, 3, 2, 2, 0, false, 0, 0},
    {"maxpool1d 18x127 2", NN_OP_MAXPOOL, {18, 1, 127}, 0, 1, 2, 1, 2, 0, false, 0, 0},
    {"avgpool 8x23x8 2", NN_OP_AVGPOOL, {8, 23, 8}, 0, 2, 2, 2, 2, 2, false, 0, 0},
    {"avgpool 3x8x8 4x4 s1 relu", NN_OP_AVGPOOL, {3, 8, 8}, 0, 4, 4, 1, 1, 4, true, 0, 0},
    {"fc 640->64", NN_OP_FC, {40, 4, 4}, 64, 1, 1, 1, 1, 12, true, 0, 0},
    {"fc 1100->6 (chunked)", NN_OP_FC, {11, 1, 100}, 6, 1, 1, 1, 1, 9, false, 0, 0},
    {"fc 64->10 shift 0", NN_OP_FC, {64, 1, 1}, 10, 1, 1, 1, 1, 0, false, 0, 0},
    {"conv2d 1x28x28 5x5 same (mnist8)", NN_OP_CONV2D, {1, 28, 28}, 8, 5, 5, 1, 1, 15, true, 2, 2},
    {"conv2d 8x14x14 5x5 same (mnist8)", NN_OP_CONV2D, {8, 14, 14}, 16, 5, 5, 1, 1, 13, true, 2, 2},
    {"conv2d 3x13x11 3x3 s2 pad (1,2)", NN_OP_CONV2D, {3, 13, 11}, 4, 3, 3, 2, 2, 9, false, 1, 2},
    {"conv2d 2x5x6 5x4 s(2,1) pad (3,1)", NN_OP_CONV2D, {2, 5, 6}, 3, 5, 4, 2, 1, 11, false, 3, 1},
    {"conv1d 9x17 k3 pad 1", NN_OP_CONV1D, {9, 1, 17}, 5, 1, 3, 1, 1, 12, true, 0, 1},
    {"maxpool 16x14x14 3 s3 (mnist8)", NN_OP_MAXPOOL, {16, 14, 14}, 0, 3, 3, 3, 3, 0, false, 0, 0},
    {"relu 6x7x5", NN_OP_RELU, {6, 7, 5}, 0, 1, 1, 1, 1, 0, false, 0, 0},
};

std::unique_ptr<TestLayer> build(std::mt19937& rng, const Case& c) {
  return make_layer(rng, c.op, c.in, c.out_c, c.kh, c.kw, c.sh, c.sw, c.shift, c.relu, c.ph, c.pw);
}

}  // namespace

// Bound: the golden value is the exact result rounded half up and saturated, so it is within
// 0.5 LSB of the reference (exactly equal for max pooling and ReLU).
TEST_CASE("each layer is within 0.5 LSB of a double-precision reference", "[nn][layer]") {
  std::mt19937 rng(1);
  for (const Case& c : kCases) {
    auto t = build(rng, c);
    const nn_layer_t& L = t->layer;
    auto in = random_map(rng, L.in);
    auto out = run_whole(L, in);
    INFO(c.name);
    REQUIRE(out.size() == size_t(L.out.c) * L.out.h * L.out.w);
    double worst = 0;
    for (int oc = 0; oc < L.out.c; ++oc)
      for (int y = 0; y < L.out.h; ++y)
        for (int x = 0; x < L.out.w; ++x) {
          double err = std::fabs(out[(size_t(oc) * L.out.h + y) * L.out.w + x] -
                                 reference(*t, in, oc, y, x));
          worst = std::max(worst, err);
        }
    CAPTURE(worst);
    if (c.op == NN_OP_MAXPOOL || c.op == NN_OP_RELU)
      CHECK(worst == 0);
    else
      CHECK(worst <= 0.5);
  }
}

// Strategies compute slices, tiles and jobs; each must equal the whole-layer result bit for
// bit. Source and destination buffers hold only the needed part, with padded strides and a
// moved origin, and nothing outside the region may be written.
TEST_CASE("region-wise output equals whole-layer output bit for bit", "[nn][layer][region]") {
  std::mt19937 rng(2);
  for (const Case& c : kCases) {
    auto t = build(rng, c);
    const nn_layer_t& L = t->layer;
    auto in = random_map(rng, L.in);
    auto whole = run_whole(L, in);
    INFO(c.name);
    REQUIRE(!whole.empty());
    for (int trial = 0; trial < 40; ++trial) {
      auto pick = [&](uint16_t n, uint16_t& a, uint16_t& b) {
        a = uint16_t(std::uniform_int_distribution<int>(0, n - 1)(rng));
        b = uint16_t(std::uniform_int_distribution<int>(a + 1, n)(rng));
      };
      nn_region_t r;
      pick(L.out.c, r.c0, r.c1);
      pick(L.out.h, r.y0, r.y1);
      pick(L.out.w, r.x0, r.x1);
      // Input part the region depends on.
      bool per_channel = L.op == NN_OP_MAXPOOL || L.op == NN_OP_AVGPOOL || L.op == NN_OP_RELU;
      uint16_t ic0 = per_channel ? r.c0 : 0, ic1 = per_channel ? r.c1 : L.in.c;
      uint16_t iy0, iy1, ix0, ix1;
      nn_input_rows(&L, r.y0, r.y1, &iy0, &iy1);
      nn_input_cols(&L, r.x0, r.x1, &ix0, &ix1);
      std::uniform_int_distribution<int> pad(0, 3);
      uint16_t irs = uint16_t(ix1 - ix0 + pad(rng)), ics = uint16_t((iy1 - iy0) * irs + pad(rng));
      std::vector<int16_t> ibuf(size_t(ic1 - ic0) * ics, int16_t(0x7777));
      for (int ic = ic0; ic < ic1; ++ic)
        for (int y = iy0; y < iy1; ++y)
          for (int x = ix0; x < ix1; ++x)
            ibuf[size_t(ic - ic0) * ics + (y - iy0) * irs + (x - ix0)] =
                in[(size_t(ic) * L.in.h + y) * L.in.w + x];
      nn_src_t src = {ibuf.data(), ic0, iy0, ix0, ics, irs};
      uint16_t ors = uint16_t(r.x1 - r.x0 + pad(rng)),
               ocs = uint16_t((r.y1 - r.y0) * ors + pad(rng));
      const int16_t sentinel = int16_t(0x6B6B);
      std::vector<int16_t> obuf(size_t(r.c1 - r.c0) * ocs, sentinel);
      nn_dst_t dst = {obuf.data(), r.c0, r.y0, r.x0, ocs, ors};
      REQUIRE(nn_layer_forward(&L, &src, &dst, &r) == NN_OK);
      size_t written = 0, mismatches = 0;
      for (int oc = r.c0; oc < r.c1; ++oc)
        for (int y = r.y0; y < r.y1; ++y)
          for (int x = r.x0; x < r.x1; ++x) {
            ++written;
            mismatches += obuf[size_t(oc - r.c0) * ocs + (y - r.y0) * ors + (x - r.x0)] !=
                          whole[(size_t(oc) * L.out.h + y) * L.out.w + x];
          }
      size_t untouched = size_t(std::count(obuf.begin(), obuf.end(), sentinel));
      CAPTURE(trial, r.c0, r.c1, r.y0, r.y1, r.x0, r.x1);
      REQUIRE(mismatches == 0);
      // Everything outside the region still holds the sentinel (the region may hold it too).
      REQUIRE(untouched >= obuf.size() - written);
    }
  }
}

TEST_CASE("nn_layer_rows computes row bands equal to the whole layer", "[nn][layer][region]") {
  std::mt19937 rng(3);
  auto t = make_layer(rng, NN_OP_CONV2D, {20, 12, 12}, 40, 5, 5, 1, 1, 12, true);
  const nn_layer_t& L = t->layer;
  auto in = random_map(rng, L.in);
  auto whole = run_whole(L, in);
  for (uint16_t y0 = 0; y0 < L.out.h; y0 += 3) {
    uint16_t y1 = std::min<uint16_t>(uint16_t(y0 + 3), L.out.h), iy0, iy1;
    nn_input_rows(&L, y0, y1, &iy0, &iy1);
    uint16_t rows = uint16_t(iy1 - iy0);
    std::vector<int16_t> band(size_t(L.in.c) * rows * L.in.w);
    for (int c = 0; c < L.in.c; ++c)
      for (int y = 0; y < rows; ++y)
        for (int x = 0; x < L.in.w; ++x)
          band[(size_t(c) * rows + y) * L.in.w + x] =
              in[(size_t(c) * L.in.h + iy0 + y) * L.in.w + x];
    std::vector<int16_t> out(size_t(L.out.c) * (y1 - y0) * L.out.w);
    REQUIRE(nn_layer_rows(&L, band.data(), iy0, rows, out.data(), y0, y1) == NN_OK);
    for (int c = 0; c < L.out.c; ++c)
      for (int y = y0; y < y1; ++y)
        for (int x = 0; x < L.out.w; ++x)
          REQUIRE(out[(size_t(c) * (y1 - y0) + y - y0) * L.out.w + x] ==
                  whole[(size_t(c) * L.out.h + y) * L.out.w + x]);
  }
}

TEST_CASE("a conv layer too wide for the weight buffer is refused", "[nn][layer]") {
  std::mt19937 rng(4);
  auto t = make_layer(rng, NN_OP_CONV2D, {21, 6, 6}, 2, 5, 5, 1, 1, 12, false);  // 525 > 512
  auto in = random_map(rng, t->layer.in);
  CHECK(run_whole(t->layer, in).empty());
}
