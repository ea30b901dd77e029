// MPY32 against host arithmetic: all modes, operand widths 8/16/24/32, MAC sequences,
// fractional and saturating modes, SUMEXT/MPYC, result latency (facts §4.1).
#include <catch2/catch.hpp>
#include <random>

#include "models/mpy32.h"

using namespace ipsim;
using namespace ipsim::mpy32;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

struct Rig {
  FixedClocks clocks{1e6, 1e6, 32768};
  Mpy32 mpy{"mpy", clocks};
  double t_us = 0;
  sc_time now() { return sc_time(t_us, SC_US); }
  void w(uint16_t reg, uint16_t v, unsigned size = 2) {
    t_us += 10;
    REQUIRE(mpy.write_reg(reg, size, v, now()));
  }
  uint16_t r(uint16_t reg) {
    t_us += 10;
    uint16_t v = 0;
    REQUIRE(mpy.read_reg(reg, 2, v, now()));
    return v;
  }
  uint32_t res32() { return r(RESLO) | (uint32_t{r(RESHI)} << 16); }
  uint64_t res64() {
    return uint64_t{r(RES0)} | (uint64_t{r(RES1)} << 16) | (uint64_t{r(RES2)} << 32) |
           (uint64_t{r(RES3)} << 48);
  }
  void op1_32(uint16_t reg_l, uint32_t v) { w(reg_l, v & 0xFFFF), w(reg_l + 2, v >> 16); }
  void op2_32(uint32_t v) { w(OP2L, v & 0xFFFF), w(OP2H, v >> 16); }
};

int64_t sat32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : v;
}

}  // namespace

TEST_CASE("MPY32 16x16 all modes match host arithmetic", "[mpy32]") {
  Rig rig;
  std::mt19937 rng(1);
  for (int i = 0; i < 500; ++i) {
    const uint16_t a = rng(), b = rng();
    CAPTURE(a, b);
    rig.w(MPY, a), rig.w(OP2, b);
    CHECK(rig.res32() == uint32_t{a} * b);
    CHECK(rig.r(SUMEXT) == 0);
    rig.w(MPYS, a), rig.w(OP2, b);
    const int32_t p = int32_t{int16_t(a)} * int16_t(b);
    CHECK(rig.res32() == uint32_t(p));
    CHECK(rig.r(SUMEXT) == (p < 0 ? 0xFFFF : 0));
    CHECK((rig.r(MPY32CTL0) & MPYM) == (kMpys << 4));
    CHECK((rig.r(MPY32CTL0) & (MPYOP1_32 | MPYOP2_32)) == 0);
  }
}

TEST_CASE("MPY32 MAC and MACS accumulate with carry and sign extension", "[mpy32]") {
  Rig rig;
  std::mt19937 rng(2);
  for (int seq = 0; seq < 50; ++seq) {
    // Unsigned MAC: 33-bit accumulation, SUMEXT = MPYC = carry of the last addition.
    uint32_t start = rng();
    rig.w(RESLO, start & 0xFFFF), rig.w(RESHI, start >> 16);
    uint32_t acc = start;
    for (int k = 0; k < 8; ++k) {
      const uint16_t a = rng(), b = rng();
      rig.w(MAC, a), rig.w(OP2, b);
      const uint64_t sum = uint64_t{acc} + uint64_t{a} * b;
      acc = uint32_t(sum);
      CHECK(rig.res32() == acc);
      CHECK(rig.r(SUMEXT) == (sum >> 32));
      CHECK(bool(rig.r(MPY32CTL0) & MPYC) == bool(sum >> 32));
    }
    // Signed MACS: SUMEXT is the sign of the true sum.
    rig.w(RESLO, 0), rig.w(RESHI, 0);
    int32_t sacc = 0;
    for (int k = 0; k < 8; ++k) {
      const int16_t a = int16_t(rng()), b = int16_t(rng());
      rig.w(MACS, uint16_t(a)), rig.w(OP2, uint16_t(b));
      const int64_t sum = int64_t{sacc} + int32_t{a} * b;
      sacc = int32_t(uint32_t(sum));
      CHECK(rig.res32() == uint32_t(sacc));
      CHECK(rig.r(SUMEXT) == (sum < 0 ? 0xFFFF : 0));
    }
  }
}

TEST_CASE("MPY32 byte operands sign-extend in signed modes only", "[mpy32]") {
  Rig rig;
  rig.w(MPYS, 0x80, 1), rig.w(OP2, 0xFF, 1);  // -128 * -1
  CHECK(rig.res32() == 128);
  CHECK(rig.r(MPYS) == 0xFF80);
  rig.w(MPY, 0x80, 1), rig.w(OP2, 0xFF, 1);  // 128 * 255
  CHECK(rig.res32() == 128u * 255u);
  rig.w(MACS, 0xFE, 1), rig.w(OP2, 3, 1);  // 32640 + (-2 * 3)
  CHECK(rig.res32() == 32640u - 6u);
}

TEST_CASE("MPY32 24- and 32-bit operands give 64-bit results", "[mpy32]") {
  Rig rig;
  std::mt19937 rng(3);
  for (int i = 0; i < 300; ++i) {
    const uint32_t a = rng(), b = rng();
    CAPTURE(a, b);
    rig.op1_32(MPY32L, a), rig.op2_32(b);
    CHECK(rig.res64() == uint64_t{a} * b);
    CHECK((rig.r(MPY32CTL0) & (MPYOP1_32 | MPYOP2_32)) == (MPYOP1_32 | MPYOP2_32));
    rig.op1_32(MPYS32L, a), rig.op2_32(b);
    const int64_t p = int64_t{int32_t(a)} * int32_t(b);
    CHECK(rig.res64() == uint64_t(p));
    CHECK(rig.r(SUMEXT) == (p < 0 ? 0xFFFF : 0));
    // 32 x 16
    const uint16_t b16 = b & 0xFFFF;
    rig.op1_32(MPYS32L, a), rig.w(OP2, b16);
    CHECK(rig.res64() == uint64_t(int64_t{int32_t(a)} * int16_t(b16)));
    // 16 x 32
    rig.w(MPY, a & 0xFFFF), rig.op2_32(b);
    CHECK(rig.res64() == uint64_t{a & 0xFFFF} * b);
    // 24 x 24 signed: byte write to the high words sign-extends bit 23
    const int32_t a24 = int32_t(a << 8) >> 8, b24 = int32_t(b << 8) >> 8;
    rig.w(MPYS32L, a & 0xFFFF), rig.w(MPYS32H, (a >> 16) & 0xFF, 1);
    rig.w(OP2L, b & 0xFFFF), rig.w(OP2H, (b >> 16) & 0xFF, 1);
    CHECK(rig.res64() == uint64_t(int64_t{a24} * b24));
  }
  // 32-bit MACS accumulates over 64 bits
  rig.w(RES0, 0), rig.w(RES1, 0), rig.w(RES2, 0), rig.w(RES3, 0);
  int64_t acc = 0;
  for (int i = 0; i < 20; ++i) {
    const uint32_t a = rng(), b = rng();
    rig.op1_32(MACS32L, a), rig.op2_32(b);
    acc = int64_t(uint64_t(acc) + uint64_t(int64_t{int32_t(a)} * int32_t(b)));
    CHECK(rig.res64() == uint64_t(acc));
  }
}

TEST_CASE("MPY32 fractional and saturating modes", "[mpy32]") {
  Rig rig;
  std::mt19937 rng(4);
  SECTION("MPYFRAC shifts the product left by one") {
    rig.w(MPY32CTL0, MPYFRAC);
    for (int i = 0; i < 200; ++i) {
      const int16_t a = int16_t(rng()), b = int16_t(rng());
      rig.w(MPYS, uint16_t(a)), rig.w(OP2, uint16_t(b));
      CHECK(rig.res32() == uint32_t(int32_t{a} * b * 2));
      CHECK(rig.r(RESHI) == uint16_t((int32_t{a} * b) >> 15));  // Q15 product, truncated
    }
    rig.w(MPYS, 0x8000), rig.w(OP2, 0x8000);  // -1 * -1 wraps without MPYSAT
    CHECK(rig.res32() == 0x80000000u);
  }
  SECTION("MPYFRAC|MPYSAT saturates -1*-1 and overflowing MAC sums") {
    rig.w(MPY32CTL0, MPYFRAC | MPYSAT);
    rig.w(MPYS, 0x8000), rig.w(OP2, 0x8000);
    CHECK(rig.res32() == 0x7FFFFFFFu);
    CHECK(rig.r(RESHI) == 0x7FFF);
    // DSPLib msp_mac_q15 style: MACS in FRAC|SAT, result = sat32(2 * sum)
    for (int n : {2, 16, 64}) {
      rig.w(RESLO, 0), rig.w(RESHI, 0);
      int64_t sum = 0;
      for (int k = 0; k < n; ++k) {
        const int16_t a = int16_t(rng() % 2000 - 1000), b = int16_t(rng());
        rig.w(MACS, uint16_t(a)), rig.w(OP2, uint16_t(b));
        sum += int32_t{a} * b;
      }
      CHECK(int32_t(rig.res32()) == sat32(2 * sum));
    }
    // a sum that overflows 32 bits positive reads as 0x7FFFFFFF, negative as 0x80000000
    rig.w(RESLO, 0xFFFF), rig.w(RESHI, 0x7FFF);
    rig.w(MACS, 0x4000), rig.w(OP2, 0x4000);
    CHECK(rig.res32() == 0x7FFFFFFFu);
    rig.w(RESLO, 0x0000), rig.w(RESHI, 0x8000);
    rig.w(MACS, 0x4000), rig.w(OP2, 0xC000);
    CHECK(rig.res32() == 0x80000000u);
  }
  SECTION("MPYSAT without FRAC on 64-bit results") {
    rig.w(MPY32CTL0, MPYSAT);
    rig.w(RES0, 0xFFFF), rig.w(RES1, 0xFFFF), rig.w(RES2, 0xFFFF), rig.w(RES3, 0x7FFF);
    rig.op1_32(MACS32L, 2), rig.op2_32(3);
    CHECK(rig.res64() == 0x7FFFFFFFFFFFFFFFull);
  }
}

TEST_CASE("MPY32 result latency: early reads are counted and return the final value", "[mpy32]") {
  FixedClocks clocks(1e6, 1e6, 32768);
  Mpy32 mpy("mpy", clocks);
  uint16_t v;
  const sc_time t0(100, SC_US), cyc(1, SC_US);
  mpy.write_reg(MPYS, 2, 7, t0);
  mpy.write_reg(OP2, 2, 6, t0);
  mpy.read_reg(RESLO, 2, v, t0 + 3 * cyc);  // Table 5-5: 16x16 needs 4 cycles for RES3
  CHECK(v == 42);
  CHECK(mpy.early_reads() == 1);
  mpy.read_reg(RESLO, 2, v, t0 + 4 * cyc);
  CHECK(mpy.early_reads() == 1);
  mpy.write_reg(MPYS32L, 2, 1, t0 + 10 * cyc);
  mpy.write_reg(MPYS32H, 2, 1, t0 + 10 * cyc);
  mpy.write_reg(OP2, 2, 2, t0 + 10 * cyc);
  mpy.read_reg(RES0, 2, v, t0 + 16 * cyc);  // 32x16: 7 cycles after OP2
  CHECK(mpy.early_reads() == 2);
  CHECK(mpy.operations() == 2);
}

TEST_CASE("MPY32 fires the DMA MPY trigger on every operation", "[mpy32]") {
  FixedClocks clocks(1e6, 1e6, 32768);
  Mpy32 mpy("mpy", clocks);
  std::vector<unsigned> triggers;
  mpy.set_dma_trigger([&](unsigned t) { triggers.push_back(t); });
  mpy.write_reg(MPY, 2, 3, sc_core::SC_ZERO_TIME);
  mpy.write_reg(OP2, 2, 4, sc_core::SC_ZERO_TIME);
  REQUIRE(triggers == std::vector<unsigned>{Mpy32::kDmaTrigger});
  mpy.reset();
  uint16_t v;
  mpy.read_reg(RESLO, 2, v, sc_core::SC_ZERO_TIME);
  CHECK(v == 0);
}
