// Host tests of the MSP430 EABI helpers in kernels/runtime/mspabi_arith.c and mem.c:
// every helper against host arithmetic on edge cases and seeded random operands, plus the
// documented results for cases C leaves undefined (x/0, INT_MIN/-1, large shift counts).
#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/runtime/mspabi.h"

extern "C" {
void* ipsim_rtmemcpy(void* dst, const void* src, size_t n);
void* ipsim_rtmemset(void* dst, int c, size_t n);
void* ipsim_rtmemmove(void* dst, const void* src, size_t n);
int ipsim_rtmemcmp(const void* a, const void* b, size_t n);
}

namespace {

constexpr int kRandomPairs = 100000;
constexpr uint64_t kSeed = 0x5994F00Dull;

// Edge operands: 0, ±1, extremes, powers of two and their neighbours.
template <typename T>
std::vector<T> edges() {
  using U = std::make_unsigned_t<T>;
  std::vector<T> v;
  constexpr int bits = std::numeric_limits<U>::digits;
  for (int i = 0; i < bits; ++i) {
    U p = U(U(1) << i);
    v.push_back(T(p));
    v.push_back(T(U(p - 1)));
    v.push_back(T(U(p + 1)));
    v.push_back(T(U(0) - p));
  }
  v.push_back(T(0));
  v.push_back(T(U(~U(0))));
  v.push_back(std::numeric_limits<T>::min());
  v.push_back(std::numeric_limits<T>::max());
  v.push_back(T(U(0x5A5A5A5A5A5A5A5Aull)));
  v.push_back(T(U(0xA5A5A5A5A5A5A5A5ull)));
  return v;
}

// Operand pairs: all edge pairs, then random pairs with random magnitudes (so small
// divisors and divisor > dividend both occur often).
template <typename T>
std::vector<std::pair<T, T>> operand_pairs(uint64_t salt) {
  using U = std::make_unsigned_t<T>;
  std::vector<std::pair<T, T>> out;
  auto e = edges<T>();
  for (T a : e)
    for (T b : e) out.emplace_back(a, b);
  std::mt19937_64 rng(kSeed ^ salt);
  constexpr int bits = std::numeric_limits<U>::digits;
  auto draw = [&] {
    int keep = int(rng() % bits) + 1;
    U x = U(rng());
    if (keep < bits) x = U(x & U((U(1) << keep) - 1));
    return T(x);
  };
  for (int i = 0; i < kRandomPairs; ++i) out.emplace_back(draw(), draw());
  return out;
}

// Reference semantics (mspabi.h): x/0 == 0 for x != 0, 0/0 == 1, x%0 == x,
// MIN/-1 == MIN, MIN%-1 == 0.
template <typename T>
T ref_div(T a, T b) {
  if (b == 0) return a == 0 ? 1 : 0;
  if (std::is_signed<T>::value && a == std::numeric_limits<T>::min() && b == T(-1)) return a;
  return T(a / b);
}
template <typename T>
T ref_rem(T a, T b) {
  if (b == 0) return a;
  if (std::is_signed<T>::value && a == std::numeric_limits<T>::min() && b == T(-1)) return 0;
  return T(a % b);
}
template <typename T>
T ref_mul(T a, T b) {  // wrap-around product without signed-overflow UB
  using U = std::make_unsigned_t<T>;
  using W = std::conditional_t<(sizeof(T) < sizeof(unsigned)), unsigned, U>;
  return T(U(W(U(a)) * W(U(b))));
}

}  // namespace

TEST_CASE("16-bit division and remainder", "[runtime][div]") {
  for (auto [a, b] : operand_pairs<uint16_t>(1)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt__mspabi_divu(a, b) == ref_div(a, b));
    REQUIRE(ipsim_rt__mspabi_remu(a, b) == ref_rem(a, b));
  }
  for (auto [a, b] : operand_pairs<int16_t>(2)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt__mspabi_divi(a, b) == ref_div(a, b));
    REQUIRE(ipsim_rt__mspabi_remi(a, b) == ref_rem(a, b));
  }
}

TEST_CASE("32-bit division and remainder", "[runtime][div]") {
  for (auto [a, b] : operand_pairs<uint32_t>(3)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt__mspabi_divul(a, b) == ref_div(a, b));
    REQUIRE(ipsim_rt__mspabi_remul(a, b) == ref_rem(a, b));
  }
  for (auto [a, b] : operand_pairs<int32_t>(4)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt__mspabi_divli(a, b) == ref_div(a, b));
    REQUIRE(ipsim_rt__mspabi_remli(a, b) == ref_rem(a, b));
  }
}

TEST_CASE("64-bit division and remainder", "[runtime][div]") {
  for (auto [a, b] : operand_pairs<uint64_t>(5)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt_divull(a, b) == ref_div(a, b));
    REQUIRE(ipsim_rt_remull(a, b) == ref_rem(a, b));
  }
  for (auto [a, b] : operand_pairs<int64_t>(6)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt_divlli(a, b) == ref_div(a, b));
    REQUIRE(ipsim_rt_remlli(a, b) == ref_rem(a, b));
  }
}

TEST_CASE("division by zero and INT_MIN / -1 follow libgcc", "[runtime][div]") {
  SECTION("x / 0 is 0 (1 when x is 0) and x % 0 is x") {
    CHECK(ipsim_rt__mspabi_divu(1234, 0) == 0);
    CHECK(ipsim_rt__mspabi_remu(1234, 0) == 1234);
    CHECK(ipsim_rt__mspabi_divi(-1234, 0) == 0);
    CHECK(ipsim_rt__mspabi_remi(-1234, 0) == -1234);
    CHECK(ipsim_rt__mspabi_divul(0xDEADBEEFu, 0) == 0);
    CHECK(ipsim_rt__mspabi_remul(0xDEADBEEFu, 0) == 0xDEADBEEFu);
    CHECK(ipsim_rt__mspabi_divli(INT32_MIN, 0) == 0);
    CHECK(ipsim_rt__mspabi_remli(INT32_MIN, 0) == INT32_MIN);
    CHECK(ipsim_rt_divull(~0ull, 0) == 0);
    CHECK(ipsim_rt_remull(~0ull, 0) == ~0ull);
    CHECK(ipsim_rt_divlli(-5, 0) == 0);
    CHECK(ipsim_rt_remlli(-5, 0) == -5);
    CHECK(ipsim_rt__mspabi_divu(0, 0) == 1);
    CHECK(ipsim_rt__mspabi_divi(0, 0) == 1);
    CHECK(ipsim_rt__mspabi_divul(0, 0) == 1);
    CHECK(ipsim_rt_divlli(0, 0) == 1);
    CHECK(ipsim_rt__mspabi_remu(0, 0) == 0);
  }
  SECTION("INT_MIN / -1 wraps to INT_MIN, remainder 0") {
    CHECK(ipsim_rt__mspabi_divi(INT16_MIN, -1) == INT16_MIN);
    CHECK(ipsim_rt__mspabi_remi(INT16_MIN, -1) == 0);
    CHECK(ipsim_rt__mspabi_divli(INT32_MIN, -1) == INT32_MIN);
    CHECK(ipsim_rt__mspabi_remli(INT32_MIN, -1) == 0);
    CHECK(ipsim_rt_divlli(INT64_MIN, -1) == INT64_MIN);
    CHECK(ipsim_rt_remlli(INT64_MIN, -1) == 0);
  }
}

TEST_CASE("software multiplies", "[runtime][mul]") {
  for (auto [a, b] : operand_pairs<int16_t>(7)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt__mspabi_mpyi(a, b) == ref_mul(a, b));
    REQUIRE(ipsim_rt__mspabi_mpysl(a, b) == int32_t(a) * int32_t(b));
    REQUIRE(ipsim_rt__mspabi_mpyul(uint16_t(a), uint16_t(b)) ==
            uint32_t(uint16_t(a)) * uint32_t(uint16_t(b)));
  }
  for (auto [a, b] : operand_pairs<int32_t>(8)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt__mspabi_mpyl(a, b) == ref_mul(a, b));
    REQUIRE(ipsim_rt__mspabi_mpysll(a, b) == int64_t(a) * int64_t(b));
    REQUIRE(ipsim_rt__mspabi_mpyull(uint32_t(a), uint32_t(b)) ==
            uint64_t(uint32_t(a)) * uint64_t(uint32_t(b)));
  }
  for (auto [a, b] : operand_pairs<uint64_t>(9)) {
    CAPTURE(a, b);
    REQUIRE(ipsim_rt_mpyll(a, b) == a * b);
  }
}

TEST_CASE("16- and 32-bit shifts, every count", "[runtime][shift]") {
  std::mt19937_64 rng(kSeed);
  auto v16 = edges<int16_t>();
  auto v32 = edges<int32_t>();
  for (int i = 0; i < 2000; ++i) {
    v16.push_back(int16_t(rng()));
    v32.push_back(int32_t(rng()));
  }
  for (int16_t x : v16)
    for (int16_t n = 0; n < 16; ++n) {
      CAPTURE(x, n);
      REQUIRE(ipsim_rt__mspabi_slli(x, n) == int16_t(uint16_t(x) << n));
      REQUIRE(ipsim_rt__mspabi_srai(x, n) == int16_t(x >> n));
      REQUIRE(ipsim_rt__mspabi_srli(uint16_t(x), n) == uint16_t(uint16_t(x) >> n));
    }
  for (int32_t x : v32)
    for (int16_t n = 0; n < 32; ++n) {
      CAPTURE(x, n);
      REQUIRE(ipsim_rt__mspabi_slll(x, n) == int32_t(uint32_t(x) << n));
      REQUIRE(ipsim_rt__mspabi_sral(x, n) == int32_t(x >> n));
      REQUIRE(ipsim_rt__mspabi_srll(uint32_t(x), n) == uint32_t(x) >> n);
    }
}

TEST_CASE("64-bit shifts, every count 0..63", "[runtime][shift]") {
  std::mt19937_64 rng(kSeed + 1);
  auto v = edges<int64_t>();
  for (int i = 0; i < 2000; ++i) v.push_back(int64_t(rng()));
  for (int64_t x : v)
    for (int16_t n = 0; n < 64; ++n) {
      CAPTURE(x, n);
      REQUIRE(ipsim_rt__ashldi3(x, n) == int64_t(uint64_t(x) << n));
      REQUIRE(ipsim_rt__ashrdi3(x, n) == (x >> n));
      REQUIRE(ipsim_rt__lshrdi3(uint64_t(x), n) == uint64_t(x) >> n);
    }
}

TEST_CASE("shift counts are taken modulo the width", "[runtime][shift]") {
  CHECK(ipsim_rt__mspabi_slli(1, 17) == 2);
  CHECK(ipsim_rt__mspabi_srli(0x8000, 16) == 0x8000);
  CHECK(ipsim_rt__mspabi_slll(1, 33) == 2);
  CHECK(ipsim_rt__mspabi_sral(INT32_MIN, 32) == INT32_MIN);
  CHECK(ipsim_rt__ashldi3(1, 64) == 1);
  CHECK(ipsim_rt__lshrdi3(0x8000000000000000ull, 65) == 0x4000000000000000ull);
}

TEST_CASE("memcpy and memset at every alignment and length", "[runtime][mem]") {
  std::mt19937_64 rng(kSeed + 2);
  std::vector<uint8_t> src(96), dst(128), ref(128);
  for (auto& b : src) b = uint8_t(rng());
  for (size_t so = 0; so < 4; ++so)
    for (size_t d0 = 0; d0 < 4; ++d0)
      for (size_t n = 0; n <= 64; ++n) {
        CAPTURE(so, d0, n);
        std::fill(dst.begin(), dst.end(), 0xEE);
        std::fill(ref.begin(), ref.end(), 0xEE);
        REQUIRE(ipsim_rtmemcpy(dst.data() + d0, src.data() + so, n) == dst.data() + d0);
        std::memcpy(ref.data() + d0, src.data() + so, n);
        REQUIRE(dst == ref);
        REQUIRE(ipsim_rtmemset(dst.data() + so, int(0x100 + n), n) == dst.data() + so);
        std::memset(ref.data() + so, int(0x100 + n), n);
        REQUIRE(dst == ref);
      }
}

TEST_CASE("memmove with overlap in both directions", "[runtime][mem]") {
  std::mt19937_64 rng(kSeed + 3);
  std::vector<uint8_t> buf(128), ref(128);
  for (size_t from = 0; from < 24; ++from)
    for (size_t to = 0; to < 24; ++to)
      for (size_t n : {0, 1, 2, 3, 7, 16, 33, 64}) {
        CAPTURE(from, to, n);
        for (auto& b : buf) b = uint8_t(rng());
        ref = buf;
        REQUIRE(ipsim_rtmemmove(buf.data() + to, buf.data() + from, n) == buf.data() + to);
        std::memmove(ref.data() + to, ref.data() + from, n);
        REQUIRE(buf == ref);
      }
}

TEST_CASE("memcmp sign and length", "[runtime][mem]") {
  std::mt19937_64 rng(kSeed + 4);
  auto sign = [](int x) { return (x > 0) - (x < 0); };
  for (int i = 0; i < 20000; ++i) {
    uint8_t a[16], b[16];
    for (int k = 0; k < 16; ++k) a[k] = b[k] = uint8_t(rng());
    size_t n = rng() % 17;
    if (n && rng() % 2) b[rng() % n] = uint8_t(rng());  // bytes >= 0x80 compare unsigned
    CAPTURE(n);
    REQUIRE(sign(ipsim_rtmemcmp(a, b, n)) == sign(std::memcmp(a, b, n)));
  }
}
