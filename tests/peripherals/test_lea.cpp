// LEA: every command bit-exact against a naive host reference (random and saturation-edge
// inputs), completion timing, LEAOORIFG / LEACOVLIFG, interrupt + LEAIV, and the partial output
// a power cut leaves (facts §4.3). Each TEST_CASE runs its own SystemC simulation.
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>

#include "models/lea.h"
#include "tests/peripherals/test_util.h"

using namespace ipsim;
using namespace ipsim::lea;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

constexpr double kMclk = 16e6;

struct Rig {
  FixedClocks clocks{kMclk, kMclk, 32768};
  IrqLines irq;
  CpuHooks cpu;
  int syncs = 0;
  uint8_t ram[Lea::kRamBytes] = {};
  Lea lea{"lea", ram, clocks, irq, cpu};
  test::Poker poker{"poker"};
  Rig() {
    poker.socket.bind(lea.socket);
    cpu.request_sync = [this] { ++syncs; };
    w(LEAPMCTL, LEACMDEN);
    w(LEAIE, LEAPMCMDIFG);
  }
  sc_time now() const { return sc_core::sc_time_stamp(); }
  void w(uint16_t reg, uint16_t v) { REQUIRE(lea.write_reg(reg, 2, v, now())); }
  uint16_t r(uint16_t reg) {
    uint16_t v = 0;
    REQUIRE(lea.read_reg(reg, 2, v, now()));
    return v;
  }
  // byte address in 0x2C00..0x3BFF <-> LEA word address
  static uint16_t la(uint32_t byte_addr) { return static_cast<uint16_t>(byte_addr >> 2); }
  void put(uint32_t addr, const std::vector<int16_t>& v) {
    std::memcpy(ram + (addr - 0x2C00), v.data(), 2 * v.size());
  }
  std::vector<int16_t> get(uint32_t addr, std::size_t n) {
    std::vector<int16_t> v(n);
    std::memcpy(v.data(), ram + (addr - 0x2C00), 2 * n);
    return v;
  }
  int32_t get32(uint32_t addr) {
    int32_t v;
    std::memcpy(&v, ram + (addr - 0x2C00), 4);
    return v;
  }
  // Writes the parameter block at 0x3B00, sets LEAPMS0/1 and issues the command.
  void issue(uint16_t cmd, uint32_t src, std::vector<uint16_t> params, uint16_t itflg = LEAITFLG1) {
    issue_at(0x3B00, cmd, src, std::move(params), itflg);
  }
  // The same with the parameter block at byte address pb (in LEA RAM).
  void issue_at(uint32_t pb, uint16_t cmd, uint32_t src, std::vector<uint16_t> params,
                uint16_t itflg = LEAITFLG1) {
    std::memcpy(ram + (pb - 0x2C00), params.data(), 2 * params.size());
    w(LEAPMS0, la(src));
    w(LEAPMS1, la(pb));
    w(LEAPMCB, cmd | itflg);
  }
  // Runs until the command completes; returns its duration in MCLK cycles.
  uint64_t run_to_completion() {
    const sc_time t0 = now();
    sc_core::sc_start(sc_time(1, sc_core::SC_SEC) - t0);  // all commands finish well before
    (void)t0;
    return 0;
  }
  void run(double us) { sc_core::sc_start(sc_time(us, SC_US)); }
};

std::vector<int16_t> random_q15(std::mt19937& rng, std::size_t n, bool edges = false) {
  std::vector<int16_t> v(n);
  for (auto& x : v) {
    x = static_cast<int16_t>(rng());
    if (edges && rng() % 3 == 0) x = (rng() & 1) ? INT16_MAX : INT16_MIN;
  }
  return v;
}

int16_t ref_sat16(int64_t v) {
  return int16_t(std::max<int64_t>(-32768, std::min<int64_t>(32767, v)));
}
int32_t ref_sat32(int64_t v) {
  return int32_t(std::max<int64_t>(INT32_MIN, std::min<int64_t>(INT32_MAX, v)));
}

constexpr uint32_t A = 0x2C00, B = 0x3000, C = 0x3400, OUT = 0x3800;

}  // namespace

TEST_CASE("LEA element-wise commands are bit-exact", "[lea]") {
  Rig rig;
  std::mt19937 rng(10);
  struct Op {
    uint16_t cmd;
    int16_t (*ref)(int16_t, int16_t);
  };
  const Op ops[] = {
      {CMD_ADDMATRIX, [](int16_t a, int16_t b) { return ref_sat16(int32_t{a} + b); }},
      {CMD_SUBMATRIX, [](int16_t a, int16_t b) { return ref_sat16(int32_t{a} - b); }},
      {CMD_MPYMATRIX,
       [](int16_t a, int16_t b) {
         return ref_sat16(static_cast<int64_t>(std::floor((double(a) * b) / 32768.0)));
       }},
      {CMD_MAXMATRIX, [](int16_t a, int16_t b) { return std::max(a, b); }},
      {CMD_MINMATRIX, [](int16_t a, int16_t b) { return std::min(a, b); }},
  };
  for (const Op& op : ops) {
    for (int trial = 0; trial < 4; ++trial) {
      const uint16_t n = 2 * (1 + rng() % 200);
      const bool edges = trial >= 2;
      auto a = random_q15(rng, n, edges), b = random_q15(rng, n, edges);
      if (trial == 3) a[0] = b[0] = INT16_MIN;  // -1 * -1, -1 + -1
      rig.put(A, a), rig.put(B, b);
      rig.issue(op.cmd, A, {n, Rig::la(B), Rig::la(OUT), 1, 1, 1});
      rig.run(100);
      const auto out = rig.get(OUT, n);
      for (unsigned i = 0; i < n; ++i) {
        INFO("cmd " << op.cmd << " i " << i << " a " << a[i] << " b " << b[i]);
        REQUIRE(out[i] == op.ref(a[i], b[i]));
      }
      CHECK((rig.r(LEAIFG) & LEAPMCMDIFG));
      rig.w(LEAIFG, 0x1F);
    }
  }
  // Strides: every second element of A and B, output contiguous
  const uint16_t n = 16;
  auto a = random_q15(rng, 2 * n), b = random_q15(rng, 2 * n);
  rig.put(A, a), rig.put(B, b);
  rig.issue(CMD_ADDMATRIX, A, {n, Rig::la(B), Rig::la(OUT), 2, 2, 1});
  rig.run(100);
  const auto out = rig.get(OUT, n);
  for (unsigned i = 0; i < n; ++i) CHECK(out[i] == ref_sat16(int32_t{a[2 * i]} + b[2 * i]));
}

TEST_CASE("LEA MAC and MACMATRIX return saturated IQ31 like msp_mac_q15", "[lea]") {
  Rig rig;
  std::mt19937 rng(11);
  for (int trial = 0; trial < 12; ++trial) {
    const uint16_t n = 2 * (1 + rng() % 300);
    auto a = random_q15(rng, n, trial >= 6), b = random_q15(rng, n, trial >= 6);
    if (trial == 11) std::fill(a.begin(), a.end(), INT16_MIN), b = a;  // saturates positive
    rig.put(A, a), rig.put(B, b);
    int64_t sum = 0;
    for (unsigned i = 0; i < n; ++i) sum += int32_t{a[i]} * b[i];
    rig.issue(trial % 2 ? CMD_MACMATRIX : CMD_MAC, A,
              trial % 2 ? std::vector<uint16_t>{n, Rig::la(B), Rig::la(OUT), 1, 1, 0}
                        : std::vector<uint16_t>{n, Rig::la(B), Rig::la(OUT), 0});
    rig.run(200);
    CAPTURE(trial, n, sum);
    CHECK(rig.get32(OUT) == ref_sat32(2 * sum));
  }
}

TEST_CASE("LEA FIR matches msp_fir_q15 incl. saturation and the circular buffer", "[lea]") {
  Rig rig;
  std::mt19937 rng(12);
  for (int trial = 0; trial < 8; ++trial) {
    const uint16_t n = 2 * (1 + rng() % 100), taps = 2 * (1 + rng() % 8);
    auto x = random_q15(rng, n + taps - 1, trial >= 4), c = random_q15(rng, taps, trial >= 4);
    rig.put(A, x), rig.put(B, c);
    rig.issue(CMD_FIR, A, {n, Rig::la(B), Rig::la(OUT), taps, 0xFFFF, 0});
    rig.run(200);
    const auto out = rig.get(OUT, n);
    for (unsigned i = 0; i < n; ++i) {
      int64_t s = 0;
      for (unsigned j = 0; j < taps; ++j) s += int32_t{x[i + j]} * c[taps - 1 - j];
      INFO("trial " << trial << " i " << i);
      REQUIRE(out[i] == ref_sat16(s >> 15));
    }
  }
  // Circular: 8 outputs, buffer of 16 Q15 (mask 7 words), start in the middle of the buffer.
  const uint16_t n = 8, taps = 4;
  auto buf = random_q15(rng, 16), c = random_q15(rng, taps);
  rig.put(A, buf), rig.put(B, c);
  rig.issue(CMD_FIR, A + 20, {n, Rig::la(B), Rig::la(OUT), taps, 7, 0});
  rig.run(200);
  const auto out = rig.get(OUT, n);
  for (unsigned i = 0; i < n; ++i) {
    int64_t s = 0;
    for (unsigned j = 0; j < taps; ++j) s += int32_t{buf[(10 + i + j) % 16]} * c[taps - 1 - j];
    CHECK(out[i] == ref_sat16(s >> 15));
  }
}

TEST_CASE("LEA MPYMATRIXROW MAX and MIN", "[lea]") {
  Rig rig;
  std::mt19937 rng(13);
  for (int trial = 0; trial < 6; ++trial) {
    const uint16_t rows = 2 * (1 + rng() % 10), cols = 2 * (1 + rng() % 10);
    auto x = random_q15(rng, rows, trial >= 3), m = random_q15(rng, rows * cols, trial >= 3);
    rig.put(A, x), rig.put(B, m);
    rig.issue(CMD_MPYMATRIXROW, A, {rows, cols, Rig::la(B), Rig::la(OUT)});
    rig.run(100);
    const auto out = rig.get(OUT, cols);
    for (unsigned c = 0; c < cols; ++c) {
      int64_t s = 0;
      for (unsigned r = 0; r < rows; ++r) s += int32_t{x[r]} * m[r * cols + c];
      REQUIRE(out[c] == ref_sat16(s >> 15));
    }
  }
  for (int trial = 0; trial < 6; ++trial) {
    const uint16_t n = 2 * (1 + rng() % 100);
    auto x = random_q15(rng, n);
    if (trial == 5) x[n - 1] = x[0] = 32767, x[1] = -32768;  // ties: last occurrence wins
    rig.put(A, x);
    for (uint16_t cmd : {CMD_MAX, CMD_MIN}) {
      rig.issue(cmd, A, {n, Rig::la(OUT)});
      rig.run(100);
      int best = 0;
      for (unsigned i = 0; i < n; ++i)
        if (cmd == CMD_MAX ? x[i] >= x[best] : x[i] <= x[best]) best = int(i);
      const auto out = rig.get(OUT, 2);
      CHECK(out[0] == x[best]);
      CHECK(uint16_t(out[1]) == best);
    }
  }
}

TEST_CASE("LEA constant memory operands", "[lea]") {
  Rig rig;
  std::mt19937 rng(14);
  const uint16_t n = 32;
  auto a = random_q15(rng, n);
  rig.put(A, a);
  rig.issue(CMD_ADDMATRIX, A, {n, uint16_t(CONST_ONE), Rig::la(OUT), 1, 1, 1});
  rig.run(100);
  auto out = rig.get(OUT, n);
  for (unsigned i = 0; i < n; ++i) CHECK(out[i] == ref_sat16(int32_t{a[i]} + 0x7FFF));
  rig.issue(CMD_MPYMATRIX, A, {n, uint16_t(Q15_CONST_NEG_ONE), Rig::la(OUT), 1, 1, 1});
  rig.run(100);
  out = rig.get(OUT, n);
  for (unsigned i = 0; i < n; ++i) CHECK(out[i] == ref_sat16(-int32_t{a[i]}));
  rig.issue(CMD_MAC, A, {n, uint16_t(CONST_ZERO), Rig::la(OUT), 0});
  rig.run(100);
  CHECK(rig.get32(OUT) == 0);
  CHECK((rig.r(LEAIFG) & LEAOORIFG) == 0);
}

TEST_CASE("LEA completion timing with LEABUSY interrupt and LEAIV", "[lea]") {
  Rig rig;
  const sc_time cyc(1.0 / kMclk, sc_core::SC_SEC);
  const uint16_t n = 100;
  rig.put(A, std::vector<int16_t>(n, 1000)), rig.put(B, std::vector<int16_t>(n, 1000));
  rig.issue(CMD_MAC, A, {n, Rig::la(B), Rig::la(OUT), 0});
  CHECK(rig.syncs == 1);
  const uint64_t expect = kLeaStartupCycles + uint64_t(std::ceil(1.5 * n));  // 24 + 150
  CHECK((rig.r(LEACNF1) & LEABUSY));
  CHECK(!rig.irq.any());
  sc_core::sc_start((expect - 1) * cyc);
  CHECK((rig.r(LEACNF1) & LEABUSY));
  CHECK(rig.get32(OUT) == 0);
  CHECK(!rig.irq.any());
  sc_core::sc_start(cyc);
  CHECK((rig.r(LEACNF1) & LEABUSY) == 0);
  CHECK(rig.get32(OUT) == 2 * n * 1000 * 1000);
  CHECK(rig.irq.pending() == (uint64_t{1} << kVectorLea));
  CHECK(rig.lea.busy_cycles() == expect);
  CHECK(rig.lea.commands() == 1);
  CHECK(rig.r(LEAIV) == 10);  // LEAPMCMDIFG, cleared by the read
  CHECK(!rig.irq.any());
  CHECK(rig.r(LEAIV) == 0);

  // A reader ahead of kernel time (CPU quantum) sees the finished result at once.
  rig.issue(CMD_MAC, A, {n, Rig::la(B), Rig::la(OUT + 4), 0});
  uint16_t v;
  rig.lea.read_reg(LEACNF1, 2, v, rig.now() + expect * cyc);
  CHECK((v & LEABUSY) == 0);
  CHECK(rig.get32(OUT + 4) == 2 * n * 1000 * 1000);

  // FIR timing: 24 + n * (6 + taps)
  rig.put(A, std::vector<int16_t>(64, 0));
  rig.issue(CMD_FIR, A, {16, Rig::la(B), Rig::la(OUT), 8, 0xFFFF, 0});
  sc_core::sc_start((kLeaStartupCycles + 16 * 14 - 1) * cyc);
  CHECK((rig.r(LEACNF1) & LEABUSY));
  sc_core::sc_start(cyc);
  CHECK((rig.r(LEACNF1) & LEABUSY) == 0);
}

TEST_CASE("LEA faults: out-of-range operand and command overflow", "[lea]") {
  Rig rig;
  rig.w(LEAIE, LEAPMCMDIFG | LEAOORIFG | LEACOVLIFG);
  // Input 2 in plain SRAM (0x2000): LEAOORIFG, no output, command still completes.
  rig.put(OUT, std::vector<int16_t>(8, 0x1234));
  rig.issue(CMD_ADDMATRIX, A, {8, Rig::la(0x2000), Rig::la(OUT), 1, 1, 1});
  CHECK((rig.r(LEAIFG) & LEAOORIFG));
  CHECK(rig.irq.any());
  rig.run(10);
  CHECK(rig.get(OUT, 8) == std::vector<int16_t>(8, 0x1234));
  CHECK(rig.r(LEAIV) == 6);   // OOR
  CHECK(rig.r(LEAIV) == 10);  // then PMCMD
  // Output running past the top of LEA RAM
  rig.issue(CMD_ADDMATRIX, A, {16, Rig::la(B), Rig::la(0x3BF8), 1, 1, 1});
  CHECK((rig.r(LEAIFG) & LEAOORIFG));
  rig.run(10);
  rig.w(LEAIFG, 0x1F);
  // A command while busy: LEACOVLIFG, the running command finishes undisturbed.
  rig.put(A, std::vector<int16_t>(200, 100)), rig.put(B, std::vector<int16_t>(200, 100));
  rig.issue(CMD_MAC, A, {200, Rig::la(B), Rig::la(OUT), 0});
  rig.issue(CMD_MAC, A, {2, Rig::la(B), Rig::la(OUT + 8), 0});
  CHECK((rig.r(LEAIFG) & LEACOVLIFG));
  CHECK(rig.r(LEAIV) == 2);
  rig.run(100);
  CHECK(rig.get32(OUT) == 2 * 200 * 100 * 100);
  CHECK(rig.lea.commands() == 3);
}

TEST_CASE("LEA power cut leaves the outputs written so far", "[lea]") {
  Rig rig;
  const sc_time cyc(1.0 / kMclk, sc_core::SC_SEC);
  const uint16_t n = 100;
  std::vector<int16_t> a(n), b(n, 1);
  for (unsigned i = 0; i < n; ++i) a[i] = int16_t(i + 1);
  rig.put(A, a), rig.put(B, b), rig.put(OUT, std::vector<int16_t>(n, -7));
  rig.issue(CMD_ADDMATRIX, A, {n, Rig::la(B), Rig::la(OUT), 1, 1, 1});
  // element i is written at start + 24 + 2 (i + 1) cycles: cut after element 39
  sc_core::sc_start((kLeaStartupCycles + 2 * 40) * cyc);
  rig.lea.power_off();
  const auto out = rig.get(OUT, n);
  for (unsigned i = 0; i < n; ++i) {
    INFO(i);
    CHECK(out[i] == (i < 40 ? int16_t(i + 2) : int16_t(-7)));
  }
  CHECK(rig.lea.busy_cycles() == kLeaStartupCycles + 80);
  rig.run(100);
  CHECK(rig.get(OUT, n) == out);  // nothing written after the cut
  CHECK(rig.r(LEAPMCTL) == 0);    // registers back to reset values
  CHECK(!rig.irq.any());
}

// DSPLib allocates each block on the LEA stack, which starts at the top of LEA RAM (msp_lea_init:
// LEACNF2 = LEAMT >> 2), so the first command's block ends exactly at 0x3C00. Each command's
// block has its DSPLib size (MAC 2 words, FIR 3, MAX 1): such a block at the very top is in
// range, one word less room is not.
TEST_CASE("LEA parameter blocks at the top of LEA RAM have their DSPLib sizes", "[lea]") {
  Rig rig;
  rig.w(LEAIE, LEAPMCMDIFG | LEAOORIFG);
  std::mt19937 rng(12);
  const uint16_t n = 40;
  auto a = random_q15(rng, n), b = random_q15(rng, n);
  rig.put(A, a), rig.put(B, b);
  int64_t sum = 0;
  for (unsigned i = 0; i < n; ++i) sum += int32_t{a[i]} * b[i];

  // MAC: MSP_LEA_MAC_PARAMS (4 x 16 bit = 2 LEA words) at 0x3BF8-0x3BFF, the stack top.
  rig.issue_at(0x3C00 - 8, CMD_MAC, A, {n, Rig::la(B), Rig::la(OUT), 0});
  rig.run(100);
  CHECK(!(rig.r(LEAIFG) & LEAOORIFG));
  CHECK(rig.get32(OUT) == ref_sat32(2 * sum));
  rig.w(LEAIFG, 0x1F);

  // MAX: MSP_LEA_MAX_PARAMS (1 word) in the last word of LEA RAM.
  rig.issue_at(0x3C00 - 4, CMD_MAX, A, {n, Rig::la(OUT + 8)});
  rig.run(100);
  CHECK(!(rig.r(LEAIFG) & LEAOORIFG));
  CHECK(rig.get(OUT + 8, 1)[0] == *std::max_element(a.begin(), a.end()));
  rig.w(LEAIFG, 0x1F);

  // ADDMATRIX: 6 fields = 3 words at the top.
  rig.issue_at(0x3C00 - 12, CMD_ADDMATRIX, A, {2, Rig::la(B), Rig::la(C), 1, 1, 1});
  rig.run(100);
  CHECK(!(rig.r(LEAIFG) & LEAOORIFG));
  CHECK(rig.get(C, 2)[1] == ref_sat16(int32_t{a[1]} + b[1]));
  rig.w(LEAIFG, 0x1F);

  // Blocks running past the top: a MAC block in the last word, a FIR block in the last two.
  rig.put(OUT, std::vector<int16_t>(2, 0x1234));
  rig.issue_at(0x3C00 - 4, CMD_MAC, A, {n, Rig::la(B)});
  rig.run(100);
  CHECK((rig.r(LEAIFG) & LEAOORIFG));
  CHECK(rig.get(OUT, 2) == std::vector<int16_t>(2, 0x1234));
  rig.w(LEAIFG, 0x1F);
  rig.issue_at(0x3C00 - 8, CMD_FIR, A, {2, Rig::la(B), Rig::la(OUT)});
  rig.run(100);
  CHECK((rig.r(LEAIFG) & LEAOORIFG));
  CHECK(rig.get(OUT, 2) == std::vector<int16_t>(2, 0x1234));
}

TEST_CASE("LEA Q31 commands FIRLONG and ADDLONGMATRIX follow msp_fir_iq31 and msp_add_iq31",
          "[lea]") {
  Rig rig;
  std::mt19937 rng(31);
  auto random_q31 = [&](std::size_t n, bool edges) {
    std::vector<int32_t> v(n);
    for (auto& x : v) {
      x = static_cast<int32_t>(rng());
      if (edges && rng() % 3 == 0) x = (rng() & 1) ? INT32_MAX : INT32_MIN;
    }
    return v;
  };
  auto put32 = [&](uint32_t addr, const std::vector<int32_t>& v) {
    std::memcpy(rig.ram + (addr - 0x2C00), v.data(), 4 * v.size());
  };
  // DSPLib's C path: product (a*b) >> 31 (flooring, saturated), sum saturated after each tap.
  auto q31mpy = [](int32_t a, int32_t b) {  // floor division, exact in 64 bits
    const int64_t p = int64_t{a} * b, d = int64_t{1} << 31;
    return ref_sat32(p / d - (p % d != 0 && p < 0));
  };
  for (int trial = 0; trial < 4; ++trial) {
    const bool edges = trial >= 2;
    const uint16_t n = 24, taps = 2 * (1 + rng() % 40);
    auto x = random_q31(n + taps, edges), c = random_q31(taps, edges);
    if (trial == 3) x[0] = c[taps - 1] = INT32_MIN;  // -1 * -1
    put32(A, x), put32(B, c);
    rig.issue(CMD_FIRLONG, A, {n, Rig::la(B), Rig::la(OUT), taps, 0xFFFF, 0});
    rig.run(2000);
    for (unsigned i = 0; i < n; ++i) {
      int64_t acc = 0;
      for (unsigned j = 0; j < taps; ++j) acc = ref_sat32(acc + q31mpy(x[i + j], c[taps - 1 - j]));
      INFO("FIRLONG trial " << trial << " output " << i);
      REQUIRE(rig.get32(OUT + 4 * i) == acc);
    }
    const uint16_t m = 2 * (1 + rng() % 100);
    auto a = random_q31(m, edges), b = random_q31(m, edges);
    put32(A, a), put32(B, b);
    rig.issue(CMD_ADDLONGMATRIX, A, {m, Rig::la(B), Rig::la(OUT), 1, 1, 1});
    rig.run(200);
    for (unsigned i = 0; i < m; ++i) {
      INFO("ADDLONGMATRIX trial " << trial << " element " << i);
      REQUIRE(rig.get32(OUT + 4 * i) == ref_sat32(int64_t{a[i]} + b[i]));
    }
  }
  CHECK(rig.lea.command_stats(std::size(kLeaTiming) - 1).commands == 4);  // ADDLONGMATRIX
}
