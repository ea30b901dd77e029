// q15.h: saturation and round-half-up requantization at their edges.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <random>

#include "kernels/nn/q15.h"

TEST_CASE("q15_sat clamps to int16", "[nn][q15]") {
  CHECK(q15_sat(0) == 0);
  CHECK(q15_sat(32767) == 32767);
  CHECK(q15_sat(32768) == 32767);
  CHECK(q15_sat(-32768) == -32768);
  CHECK(q15_sat(-32769) == -32768);
  CHECK(q15_sat(INT32_MAX) == 32767);
  CHECK(q15_sat(INT32_MIN) == -32768);
}

TEST_CASE("q15_requant rounds half up with an arithmetic shift", "[nn][q15]") {
  // shift 1: x / 2 rounded half towards +infinity
  CHECK(q15_requant(1, 1) == 1);    // 0.5 -> 1
  CHECK(q15_requant(-1, 1) == 0);   // -0.5 -> 0
  CHECK(q15_requant(-3, 1) == -1);  // -1.5 -> -1
  CHECK(q15_requant(3, 1) == 2);    // 1.5 -> 2
  CHECK(q15_requant(5, 2) == 1);    // 1.25 -> 1
  CHECK(q15_requant(6, 2) == 2);    // 1.5 -> 2
  CHECK(q15_requant(-6, 2) == -1);  // -1.5 -> -1
  CHECK(q15_requant(-7, 2) == -2);  // -1.75 -> -2
  CHECK(q15_requant(1 << 14, 15) == 1);
  CHECK(q15_requant((1 << 14) - 1, 15) == 0);
  CHECK(q15_requant(-(1 << 14), 15) == 0);
  CHECK(q15_requant(-(1 << 14) - 1, 15) == -1);
  // shift 0 only saturates
  CHECK(q15_requant(1234, 0) == 1234);
  CHECK(q15_requant(40000, 0) == 32767);
  // saturation after rounding, and no overflow at the int32 ends
  CHECK(q15_requant(32767 * 2 + 1, 1) == 32767);
  CHECK(q15_requant(-32768 * 2 - 1, 1) == -32768);
  CHECK(q15_requant(INT32_MAX, 1) == 32767);
  CHECK(q15_requant(INT32_MAX, 16) == 32767);
  CHECK(q15_requant(INT32_MIN, 16) == -32768);
  CHECK(q15_requant(INT32_MAX, 31) == 1);
  CHECK(q15_requant(INT32_MIN, 31) == -1);
}

TEST_CASE("q15_requant equals floor(x / 2^s + 1/2) saturated", "[nn][q15]") {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int32_t> d(INT32_MIN, INT32_MAX);
  for (int i = 0; i < 100000; ++i) {
    int32_t x = d(rng);
    uint8_t s = uint8_t(i % 32);
    double want = std::floor(std::ldexp(double(x), -s) + (s ? 0.5 : 0.0));
    want = std::fmin(32767, std::fmax(-32768, want));
    INFO("x=" << x << " shift=" << int(s));
    REQUIRE(q15_requant(x, s) == int16_t(want));
  }
}

TEST_CASE("q15_relu", "[nn][q15]") {
  CHECK(q15_relu(-32768) == 0);
  CHECK(q15_relu(-1) == 0);
  CHECK(q15_relu(0) == 0);
  CHECK(q15_relu(32767) == 32767);
}
