// Register-level tests of the small system peripherals, the bus map, the FRAM cache and the
// NVM counters, driven directly (no CPU).
#include <catch2/catch.hpp>

#include <vector>

#include "models/bus.h"
#include "models/clock_system.h"
#include "models/fram_cache.h"
#include "models/frctl.h"
#include "models/nvm_counters.h"
#include "models/register_file.h"
#include "models/system_regs.h"

using namespace ipsim;

namespace {
const sc_core::sc_time kT0 = sc_core::SC_ZERO_TIME;

constexpr RegSpec kToyRegs[] = {
    {0x00, "A", 0x1234, 0xFFFF},
    {0x02, "B", 0x00F0, 0x000F},
};
}  // namespace

TEST_CASE("RegisterFile: reset, masks and byte lanes") {
  RegisterFile regs(kToyRegs);
  uint16_t v = 0;
  REQUIRE(regs.read(0x00, 2, v));
  CHECK(v == 0x1234);
  REQUIRE(regs.read(0x01, 1, v));
  CHECK(v == 0x12);
  REQUIRE(regs.write(0x01, 1, 0xAB));  // high byte only
  CHECK(regs.get(0x00) == 0xAB34);
  REQUIRE(regs.write(0x02, 2, 0xFFFF));  // only the low nibble is writable
  CHECK(regs.get(0x02) == 0x00FF);
  CHECK_FALSE(regs.read(0x04, 2, v));
  regs.reset();
  CHECK(regs.get(0x00) == 0x1234);
}

TEST_CASE("ClockSystem: reset gives MCLK 1 MHz, CSKEY unlocks, DCO 16 MHz") {
  ClockSystem cs("cs");
  CHECK(cs.mclk_hz() == Approx(1e6));
  CHECK(cs.smclk_hz() == Approx(1e6));
  int changes = 0;
  cs.on_change([&] { ++changes; });
  // Locked: a CSCTL3 write is ignored.
  cs.write_reg(0x06, 2, 0x0000, kT0);
  CHECK(cs.mclk_hz() == Approx(1e6));
  cs.write_reg(0x00, 2, 0xA500, kT0);  // unlock
  cs.write_reg(0x02, 2, 0x0048, kT0);  // DCORSEL | DCOFSEL_4
  cs.write_reg(0x06, 2, 0x0000, kT0);  // all dividers /1
  CHECK(cs.mclk_hz() == Approx(16e6));
  CHECK(cs.smclk_hz() == Approx(16e6));
  CHECK(changes >= 1);
  uint16_t v = 0;
  cs.read_reg(0x00, 2, v, kT0);
  CHECK(v == 0x9600);                // CSCTL0 reads the other password byte
  cs.write_reg(0x01, 1, 0x00, kT0);  // lock again with a wrong key
  cs.write_reg(0x06, 2, 0x0033, kT0);
  CHECK(cs.mclk_hz() == Approx(16e6));
  CHECK(ClockSystem::dco_hz(0, 6) == Approx(8e6));
  CHECK(ClockSystem::dco_hz(1, 5) == Approx(21e6));
}

TEST_CASE("Frctl: NWAITS with password, PUC without, access-time error above 8 MHz") {
  FixedClocks clocks(16e6, 16e6, 10e3);
  std::string reset_cause;
  unsigned nwaits = 99;
  Frctl frctl(
      "frctl", clocks, [&](const ResetCause& c) { reset_cause = c.text; },
      [&](unsigned n) { nwaits = n; });
  frctl.write_reg(0x00, 2, 0xA510, kT0);
  CHECK(nwaits == 1);
  CHECK(frctl.nwaits() == 1);
  uint16_t v = 0;
  frctl.read_reg(0x00, 2, v, kT0);
  CHECK(v == 0x9610);
  frctl.read_reg(0x06, 2, v, kT0);
  CHECK((v & 0x0008) == 0);               // NWAITS=1 at 16 MHz is legal
  frctl.write_reg(0x00, 2, 0xA500, kT0);  // NWAITS=0 at 16 MHz
  frctl.read_reg(0x06, 2, v, kT0);
  CHECK((v & 0x0008) != 0);  // ACCTEIFG
  CHECK(reset_cause.empty());
  frctl.write_reg(0x00, 2, 0x0010, kT0);
  CHECK(reset_cause == "FRCTL0 password violation");
}

TEST_CASE("FramCache: 2 sets x 2 ways of 8-byte lines, LRU, write-around") {
  FramCache cache;
  CHECK_FALSE(cache.read(0x4000));  // miss fills
  CHECK(cache.read(0x4006));        // same 8-byte line
  CHECK_FALSE(cache.read(0x4010));  // same set (line 0x802 even), second way
  CHECK(cache.read(0x4000));
  CHECK_FALSE(cache.read(0x4020));  // third line in the set evicts LRU (0x4010)
  CHECK(cache.read(0x4000));
  CHECK_FALSE(cache.read(0x4010));
  CHECK_FALSE(cache.read(0x4008));  // odd set is independent
  cache.write(0x4008);              // write drops the hitting line
  CHECK_FALSE(cache.read(0x4008));
  CHECK(cache.hits() == 3);
  CHECK(cache.misses() == 6);
}

// The cache as two ways and an LRU index, written the plain way: FramCache keeps its sets by
// recency instead, and must agree with this on every lookup, run of lookups, write and count.
TEST_CASE("FramCache agrees with a plain two-way LRU model on random reads and writes") {
  struct Plain {
    uint32_t way[2][2] = {};
    unsigned lru[2] = {};  // the way to replace next
    uint64_t misses = 0;
    bool read(uint32_t addr) {
      const uint32_t line = FramCache::line_of(addr);
      uint32_t* w = way[line & 1];
      unsigned& l = lru[line & 1];
      for (unsigned i = 0; i < 2; ++i)
        if (w[i] == line) {
          l = i ^ 1;
          return true;
        }
      w[l] = line;
      l ^= 1;
      ++misses;
      return false;
    }
    void write(uint32_t addr) {
      const uint32_t line = FramCache::line_of(addr);
      for (unsigned i = 0; i < 2; ++i)
        if (way[line & 1][i] == line) way[line & 1][i] = 0, lru[line & 1] = i;
    }
  };
  FramCache cache;
  Plain plain;
  uint32_t x = 12345;
  for (int i = 0; i < 200000; ++i) {
    x = x * 1103515245u + 12345u;
    const uint32_t addr = 0x4000 + ((x >> 8) & 0x3E);  // 8 lines: every set contended
    if ((x >> 20) % 5 == 0) {
      cache.write(addr);
      plain.write(addr);
    } else if ((x >> 20) % 5 == 2 && (x & 0x80)) {
      // A straight-line run's fetches, 1 to 8 lines: touch_run in one go.
      const uint32_t first = FramCache::line_of(addr);
      const unsigned n = 1 + ((x >> 4) & 7);
      unsigned expect = 0;
      for (unsigned i = 0; i < n; ++i) expect += !plain.read(addr + 8 * i);
      REQUIRE(cache.touch_run(first, n) == expect);
      REQUIRE(cache.last_line() == first + n - 1);
    } else if ((x >> 20) % 5 == 1) {
      const uint32_t line = FramCache::line_of(addr);  // the CPU's fetch lookup
      REQUIRE(cache.touch_line(line) == plain.read(addr));
    } else {
      REQUIRE(cache.read(addr) == plain.read(addr));
    }
    if ((x >> 24) == 0) {
      cache.invalidate_all();
      const uint64_t misses = plain.misses;
      plain = Plain{};
      plain.misses = misses;
    }
  }
  CHECK(cache.misses() == plain.misses);
  CHECK(plain.misses > 10000);
}

TEST_CASE("NvmCounters: per-word, per-initiator, ranges") {
  NvmCounters c;
  c.count(Initiator::kCpu, NvmOp::kWrite, 0x4000, 2);
  c.count(Initiator::kCpu, NvmOp::kWrite, 0x4001, 1);
  c.count(Initiator::kDma, NvmOp::kWrite, 0x43FFE, 2);
  c.count(Initiator::kCpu, NvmOp::kRead, 0x1800, 4);
  CHECK(c.total(Initiator::kCpu, NvmOp::kWrite).bytes == 3);
  CHECK(c.total(Initiator::kCpu, NvmOp::kWrite).accesses == 2);
  CHECK(c.at(Initiator::kCpu, NvmOp::kWrite, 0x4000).accesses == 2);
  CHECK(c.range(Initiator::kDma, NvmOp::kWrite, 0x40000, 0x44000).bytes == 2);
  CHECK(c.range(Initiator::kDma, NvmOp::kWrite, 0x4000, 0x43FFE).bytes == 0);
  CHECK(c.range(Initiator::kCpu, NvmOp::kRead, 0x1800, 0x1802).accesses == 1);
  // Chunk flags: a report's walk skips the chunks never counted.
  CHECK(c.touched(0x4000));
  CHECK(c.touched(0x41FE));  // same 512-byte chunk
  CHECK_FALSE(c.touched(0x4200));
  CHECK(c.touched(0x43E00));
  CHECK_FALSE(c.touched(0x1A00));
  c.count_n(Initiator::kLea, NvmOp::kRead, 0x1A02, 2, 3);
  CHECK(c.touched(0x1A00));
  c.clear();
  CHECK(c.total(Initiator::kCpu, NvmOp::kWrite).bytes == 0);
  CHECK_FALSE(c.touched(0x4000));
}

TEST_CASE("Pmm: software BOR and POR with the password, PUC without, each with its SYSRSTIV") {
  std::vector<ResetCause> causes;
  Pmm pmm("pmm", [&](const ResetCause& c) { causes.push_back(c); });
  pmm.write_reg(0x00, 2, 0xA508, kT0);  // PMMPW | PMMSWPOR
  pmm.write_reg(0x00, 2, 0xA504, kT0);  // PMMPW | PMMSWBOR
  pmm.write_reg(0x00, 2, 0x0008, kT0);  // no password
  REQUIRE(causes.size() == 3);
  CHECK(causes[0].kind == ResetKind::kPor);
  CHECK(causes[0].sysrstiv == 0x14);
  CHECK(causes[1].kind == ResetKind::kBor);
  CHECK(causes[1].sysrstiv == 0x06);
  CHECK(causes[2].kind == ResetKind::kPuc);
  CHECK(causes[2].sysrstiv == 0x20);
}
