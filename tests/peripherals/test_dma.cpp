// DMA: every transfer mode, byte/word, address modes, 20-bit addresses into upper FRAM, the
// cycle/stall accounting, DMAIFG/DMAIV and the interrupt line (facts §4.2). The DMA's bus is
// bound to a test memory covering 0x00000-0x44000 that records initiator and time.
#include <tlm_utils/simple_target_socket.h>
#include <catch2/catch.hpp>
#include <cstring>
#include <functional>
#include <string>

#include "models/bus.h"
#include "models/dma.h"
#include "models/fram.h"
#include "models/initiator_ext.h"
#include "models/sram.h"
#include "tests/peripherals/test_util.h"

using namespace ipsim;
using namespace ipsim::dma;
using sc_core::sc_time;

namespace {

struct TestMemory : sc_core::sc_module {
  tlm_utils::simple_target_socket<TestMemory> socket{"socket"};
  std::vector<uint8_t> mem = std::vector<uint8_t>(0x44000, 0);
  struct Access {
    uint32_t addr;
    bool write;
    unsigned size;
    Initiator who;
    sc_time at;
  };
  std::vector<Access> log;
  sc_time write_wait = sc_core::SC_ZERO_TIME;  // added to every write, as FRAM wait states are
  explicit TestMemory(const sc_core::sc_module_name& n) : sc_core::sc_module(n) {
    socket.register_b_transport(this, &TestMemory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    const uint32_t a = static_cast<uint32_t>(t.get_address());
    const unsigned len = t.get_data_length();
    if (a + len > mem.size()) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (t.is_write())
      std::memcpy(&mem[a], t.get_data_ptr(), len), delay += write_wait;
    else
      std::memcpy(t.get_data_ptr(), &mem[a], len);
    log.push_back({a, t.is_write(), len, initiator_of(t), sc_core::sc_time_stamp() + delay});
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  uint16_t word(uint32_t a) const { return uint16_t(mem[a] | mem[a + 1] << 8); }
  void set_word(uint32_t a, uint16_t v) { mem[a] = uint8_t(v), mem[a + 1] = uint8_t(v >> 8); }
};

struct Rig {
  FixedClocks clocks{8e6, 8e6, 32768};
  IrqLines irq;
  CpuHooks cpu;
  uint64_t stalled = 0;
  int syncs = 0;
  Dma dma{"dma", clocks, irq, cpu};
  TestMemory memory{"memory"};
  test::Poker poker{"poker"};
  Rig() {
    dma.bus.bind(memory.socket);
    poker.socket.bind(dma.socket);
    cpu.stall = [this](uint64_t c) { stalled += c; };
    cpu.request_sync = [this] { ++syncs; };
    sc_core::sc_start(sc_core::SC_ZERO_TIME);  // end elaboration: requests need the kernel
  }
  // Runs the kernel for n MCLK cycles (a DMAREQ starts after its synchronisation cycles).
  // (sc_start(t) stops before the events due at t; the SC_ZERO_TIME run processes them.)
  void run_cycles(unsigned n) {
    sc_core::sc_start(n * sc_time(125, sc_core::SC_NS));
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
  }
  void w(uint16_t reg, uint16_t v) { REQUIRE(dma.write_reg(reg, 2, v, sc_core::SC_ZERO_TIME)); }
  uint16_t r(uint16_t reg) {
    uint16_t v = 0;
    REQUIRE(dma.read_reg(reg, 2, v, sc_core::SC_ZERO_TIME));
    return v;
  }
  // Programs channel n (not yet enabled).
  void setup(unsigned n, uint32_t src, uint32_t dst, uint16_t size, unsigned tsel) {
    const uint16_t b = channel_base(n);
    w(b + SAL, src & 0xFFFF), w(b + SAH, src >> 16);
    w(b + DAL, dst & 0xFFFF), w(b + DAH, dst >> 16);
    w(b + SZ, size);
    const uint16_t reg = uint16_t(DMACTL0 + 2 * (n / 2));
    const uint16_t old = r(reg);
    w(reg, (n & 1) ? uint16_t((old & 0x00FF) | (tsel << 8)) : uint16_t((old & 0xFF00) | tsel));
  }
  static uint16_t ctl(unsigned dt, unsigned src_incr, unsigned dst_incr, bool src_byte = false,
                      bool dst_byte = false) {
    return uint16_t(dt << 12 | dst_incr << 10 | src_incr << 8 | (src_byte ? DMASRCBYTE : 0) |
                    (dst_byte ? DMADSTBYTE : 0) | DMAEN);
  }
};

}  // namespace

TEST_CASE("DMA block transfer FRAM to upper FRAM through the bus", "[dma]") {
  Rig rig;
  const uint16_t n = 64;
  for (unsigned i = 0; i < n; ++i) rig.memory.set_word(0x5000 + 2 * i, uint16_t(0xA000 + i));
  rig.setup(0, 0x5000, 0x23456, n, TSEL_DMAREQ);
  rig.w(channel_base(0) + CTL, Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE);
  CHECK(rig.memory.log.empty());  // enabling alone does not transfer
  rig.w(channel_base(0) + CTL, Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE | DMAREQ);
  CHECK(rig.syncs == 1);          // the CPU's slice ends at the request...
  CHECK(rig.memory.log.empty());  // ...and runs on for the synchronisation cycles
  const auto settle = [&] { rig.dma.settle(sc_core::sc_time_stamp()); };
  rig.run_cycles(kSyncCycles + 1);
  settle();
  CHECK(rig.memory.log.empty());  // the first word completes 2 MCLK after the start
  CHECK(rig.stalled == 2 * n);    // a running CPU is halted from the start, not before
  rig.run_cycles(1);
  settle();
  CHECK(rig.memory.log.size() == 2);
  CHECK(rig.dma.busy_at(sc_core::sc_time_stamp()));
  rig.dma.settle(sc_core::sc_time_stamp() + sc_time(2 * 9 * 125, sc_core::SC_NS));
  CHECK(rig.dma.transfers() == 10);  // 2 MCLK per word
  CHECK(rig.r(channel_base(0) + SZ) == n - 10);
  rig.run_cycles(2 * (n - 1) - 1);
  settle();
  CHECK(rig.dma.transfers() == n - 1);
  CHECK(!rig.irq.any());
  rig.run_cycles(1);  // the last word, then the flag and the interrupt
  CHECK(!rig.dma.busy_at(sc_core::sc_time_stamp()));
  for (unsigned i = 0; i < n; ++i) REQUIRE(rig.memory.word(0x23456 + 2 * i) == 0xA000 + i);
  REQUIRE(rig.memory.log.size() == 2 * n);
  for (const auto& a : rig.memory.log) CHECK(a.who == Initiator::kDma);
  CHECK(rig.dma.busy_cycles() == 2 * n);
  CHECK(rig.dma.transfers() == n);
  CHECK(rig.dma.channel_transfers(0) == n);
  CHECK(rig.dma.channel_triggers(0) == 1);
  const uint16_t c = rig.r(channel_base(0) + CTL);
  CHECK((c & DMAEN) == 0);
  CHECK((c & DMAIFG));
  CHECK((c & DMAREQ) == 0);
  CHECK(rig.r(channel_base(0) + SZ) == n);
  CHECK(rig.irq.pending() == (uint64_t{1} << kVectorDma));
  CHECK(rig.syncs == 2);  // the request, and the completion with DMAIE
  CHECK(rig.r(DMAIV) == 2);
  CHECK(!rig.irq.any());
  CHECK(rig.r(DMAIV) == 0);
  // Reading back from upper FRAM (20-bit source) into low memory, decrementing
  rig.setup(1, 0x23456 + 2 * (n - 1), 0x6000 + 2 * (n - 1), n, TSEL_DMAREQ);
  rig.w(channel_base(1) + CTL, Rig::ctl(DT_BLOCK, kIncrDecrement, kIncrDecrement) | DMAREQ);
  rig.run_cycles(kSyncCycles + 2 * n);
  for (unsigned i = 0; i < n; ++i) REQUIRE(rig.memory.word(0x6000 + 2 * i) == 0xA000 + i);
  CHECK(!rig.irq.any());  // DMAIE clear
}

TEST_CASE("A power cut during a DMAREQ block keeps exactly the words completed before it",
          "[dma]") {
  Rig rig;
  const uint16_t n = 32;
  for (unsigned i = 0; i < n; ++i) rig.memory.set_word(0x5000 + 2 * i, uint16_t(0x100 + i));
  rig.setup(0, 0x5000, 0x6000, n, TSEL_DMAREQ);
  rig.w(channel_base(0) + CTL, Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE | DMAREQ);
  rig.run_cycles(kSyncCycles + 2 * 7 + 1);  // 7 words done, the 8th half-way
  rig.dma.power_off();
  for (unsigned i = 0; i < n; ++i)
    CHECK(rig.memory.word(0x6000 + 2 * i) == (i < 7 ? 0x100 + i : 0));
  CHECK(!rig.dma.busy_at(sc_core::sc_time_stamp()));
  rig.run_cycles(4 * n);  // nothing is left to complete
  CHECK(rig.dma.transfers() == 7);
  CHECK(!rig.irq.any());
}

TEST_CASE(
    "A power cut during a hardware-triggered block keeps exactly the words completed before it",
    "[dma]") {
  Rig rig;
  const uint16_t n = 32;
  for (unsigned i = 0; i < n; ++i) rig.memory.set_word(0x5000 + 2 * i, uint16_t(0x200 + i));
  rig.setup(1, 0x5000, 0x6000, n, TSEL_TA1CCR0);
  rig.w(channel_base(1) + CTL, Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE);
  rig.dma.trigger(TSEL_TA1CCR0);
  CHECK(rig.memory.log.empty());    // nothing moves at the trigger itself
  CHECK(rig.stalled == 2 + 2 * n);  // a running CPU is halted from the trigger on
  CHECK(rig.dma.busy_at(sc_core::sc_time_stamp()));
  rig.run_cycles(kBlockSyncCycles + 2 * 9 + 1);  // 9 words done, the 10th half-way
  rig.dma.power_off();
  for (unsigned i = 0; i < n; ++i)
    CHECK(rig.memory.word(0x6000 + 2 * i) == (i < 9 ? 0x200 + i : 0));
  rig.run_cycles(4 * n);  // nothing is left to complete
  CHECK(rig.dma.transfers() == 9);
  CHECK(!rig.irq.any());
  CHECK(rig.stalled == 2 + 2 * n);
}

TEST_CASE("The wait states of a hardware-triggered block extend the CPU halt", "[dma]") {
  Rig rig;
  const uint16_t n = 8;
  rig.memory.write_wait = sc_time(125, sc_core::SC_NS);  // one MCLK per write
  for (unsigned i = 0; i < n; ++i) rig.memory.set_word(0x5000 + 2 * i, uint16_t(0x300 + i));
  rig.setup(0, 0x5000, 0x6000, n, TSEL_LEA);
  rig.w(channel_base(0) + CTL, Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE);
  rig.dma.trigger(TSEL_LEA);
  CHECK(rig.stalled == 2 + 2 * n);
  // Word k ends 2 + 2(k+1) + k MCLK after the trigger: at 2 + 3n - 1 the last is not done.
  rig.run_cycles(2 + 3 * n - 2);
  rig.dma.settle(sc_core::sc_time_stamp());
  CHECK(rig.dma.transfers() == n - 1);
  CHECK(!rig.irq.any());
  rig.run_cycles(1);
  rig.dma.settle(sc_core::sc_time_stamp());
  CHECK(rig.dma.transfers() == n);
  CHECK(!rig.irq.any());  // the last word's own wait state comes before the flag
  rig.run_cycles(1);
  CHECK(rig.irq.any());
  CHECK(rig.stalled == 2 + 3 * n);  // 2 + 2n plus one wait state per word
  CHECK(rig.dma.busy_cycles() == 2 + 3 * n);
  for (unsigned i = 0; i < n; ++i) CHECK(rig.memory.word(0x6000 + 2 * i) == 0x300 + i);
}

TEST_CASE("DMA single transfers count DMAnSZ down per trigger", "[dma]") {
  Rig rig;
  for (unsigned i = 0; i < 4; ++i) rig.memory.set_word(0x2C00 + 2 * i, uint16_t(i + 1));
  rig.setup(2, 0x2C00, 0x10000, 4, TSEL_TA1CCR0);
  rig.w(channel_base(2) + CTL, Rig::ctl(DT_SINGLE, kIncrIncrement, kIncrIncrement) | DMAIE);
  rig.dma.trigger(TSEL_TA0CCR0);  // not ours
  CHECK(rig.dma.transfers() == 0);
  for (unsigned k = 1; k <= 4; ++k) {
    rig.dma.trigger(TSEL_TA1CCR0);
    CHECK(rig.dma.transfers() == k);
    CHECK(rig.memory.word(0x10000 + 2 * (k - 1)) == k);
    if (k < 4) {
      CHECK(rig.r(channel_base(2) + SZ) == 4 - k);
      CHECK(!rig.irq.any());
    }
  }
  CHECK(rig.stalled == 4 * kSingleCycles);
  CHECK((rig.r(channel_base(2) + CTL) & DMAEN) == 0);
  CHECK(rig.r(DMAIV) == 6);
  rig.dma.trigger(TSEL_TA1CCR0);  // disabled now
  CHECK(rig.dma.transfers() == 4);
}

TEST_CASE("DMA repeated single and repeated block reload size and addresses", "[dma]") {
  Rig rig;
  // Repeated single, fixed source (a footprint-style copy of a register-like word)
  rig.memory.set_word(0x4400, 0x1234);
  rig.setup(3, 0x4400, 0x4800, 2, TSEL_TA2CCR0);
  rig.w(channel_base(3) + CTL, Rig::ctl(DT_SINGLE | DT_REPEAT, kIncrFixed, kIncrIncrement));
  for (int k = 0; k < 5; ++k) rig.dma.trigger(TSEL_TA2CCR0);
  CHECK((rig.r(channel_base(3) + CTL) & DMAEN));
  CHECK(rig.memory.word(0x4800) == 0x1234);
  CHECK(rig.memory.word(0x4802) == 0x1234);
  CHECK(rig.r(channel_base(3) + SZ) == 1);  // 5th transfer: first of the third round
  // Repeated block: each trigger copies the whole block again to the same place
  for (unsigned i = 0; i < 8; ++i) rig.memory.set_word(0x5000 + 2 * i, uint16_t(i));
  rig.setup(4, 0x5000, 0x5800, 8, TSEL_LEA);
  rig.w(channel_base(4) + CTL, Rig::ctl(DT_BLOCK | DT_REPEAT, kIncrIncrement, kIncrIncrement));
  rig.dma.trigger(TSEL_LEA);
  rig.run_cycles(kBlockSyncCycles + 2 * 8);  // a block's words move over time
  rig.memory.set_word(0x5000, 99);
  rig.dma.trigger(TSEL_LEA);
  rig.run_cycles(kBlockSyncCycles + 2 * 8);
  CHECK(rig.memory.word(0x5800) == 99);
  CHECK(rig.memory.word(0x5810) == 0);  // not past the block
  CHECK((rig.r(channel_base(4) + CTL) & DMAEN));
  CHECK(rig.r(channel_base(4) + SZ) == 8);
}

TEST_CASE("DMA burst-block and byte/word conversions", "[dma]") {
  Rig rig;
  for (unsigned i = 0; i < 16; ++i) rig.memory.mem[0x7000 + i] = uint8_t(0xF0 + i);
  // byte -> word: high byte cleared
  rig.setup(5, 0x7000, 0x7100, 16, TSEL_MPY);
  rig.w(channel_base(5) + CTL, Rig::ctl(DT_BURST, kIncrIncrement, kIncrIncrement, true, false));
  rig.dma.trigger(TSEL_MPY);
  CHECK(rig.stalled == 2 + 2 * 16);  // the CPU is halted from the trigger on
  rig.run_cycles(kBlockSyncCycles + 2 * 16);
  for (unsigned i = 0; i < 16; ++i) REQUIRE(rig.memory.word(0x7100 + 2 * i) == 0xF0 + i);
  CHECK(rig.stalled == 2 + 2 * 16);
  CHECK((rig.r(channel_base(5) + CTL) & DMAEN) == 0);
  // word -> byte: low byte written; fixed destination keeps the last one
  rig.setup(0, 0x7100, 0x7200, 16, TSEL_DMAREQ);
  rig.w(channel_base(0) + CTL,
        Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrFixed, false, true) | DMAREQ);
  rig.run_cycles(kSyncCycles + 2 * 16);
  CHECK(rig.memory.mem[0x7200] == 0xFF);
  CHECK(rig.memory.mem[0x7201] == 0);
  // repeated burst-block: one block per trigger
  rig.setup(1, 0x7000, 0x7300, 4, TSEL_TA3CCR0);
  rig.w(channel_base(1) + CTL, Rig::ctl(DT_BURST | DT_REPEAT, kIncrIncrement, kIncrIncrement));
  rig.dma.trigger(TSEL_TA3CCR0);
  rig.run_cycles(kBlockSyncCycles + 2 * 4);
  rig.dma.trigger(TSEL_TA3CCR0);
  rig.run_cycles(kBlockSyncCycles + 2 * 4);
  CHECK(rig.memory.word(0x7300) == 0xF1F0);
  CHECK((rig.r(channel_base(1) + CTL) & DMAEN));
}

TEST_CASE("DMAIV reports the highest-priority channel and clears it", "[dma]") {
  Rig rig;
  for (unsigned n : {4u, 1u}) {
    rig.setup(n, 0x4000, 0x4100 + 0x10 * n, 1, TSEL_DMAREQ);
    rig.w(channel_base(n) + CTL,
          Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE | DMAREQ);
  }
  rig.run_cycles(kSyncCycles + 2);
  CHECK(rig.irq.any());
  CHECK(rig.r(DMAIV) == 4);  // channel 1
  CHECK(rig.irq.any());
  CHECK(rig.r(DMAIV) == 10);  // channel 4
  CHECK(!rig.irq.any());
  // A bus error aborts the channel
  rig.setup(2, 0x50000, 0x4000, 4, TSEL_DMAREQ);
  rig.w(channel_base(2) + CTL, Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAIE | DMAREQ);
  rig.run_cycles(kSyncCycles + 8);
  const uint16_t c = rig.r(channel_base(2) + CTL);
  CHECK((c & DMAEN) == 0);
  CHECK((c & DMAABORT));
  CHECK((c & DMAIFG) == 0);
}

TEST_CASE("DMA transfer through the TLM socket of the register file", "[dma]") {
  Rig rig;
  rig.memory.set_word(0x4000, 0xBEEF);
  rig.setup(0, 0x4000, 0x4002, 1, TSEL_DMAREQ);
  // Write DMA0CTL through the target socket, as the CPU would, 1 us ahead of kernel time.
  uint16_t v = Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAREQ;
  tlm::tlm_generic_payload t;
  t.set_command(tlm::TLM_WRITE_COMMAND);
  t.set_address(channel_base(0) + CTL);
  t.set_data_ptr(reinterpret_cast<unsigned char*>(&v));
  t.set_data_length(2);
  t.set_streaming_width(2);
  sc_time delay(1, sc_core::SC_US);
  rig.poker.socket->b_transport(t, delay);
  CHECK(t.is_response_ok());
  CHECK(rig.memory.log.empty());
  // The transfer starts 2 MCLK after the writer's local time; its word takes 2 MCLK.
  rig.run_cycles(8 + kSyncCycles + 1);
  CHECK(rig.memory.log.empty());
  rig.run_cycles(1);
  CHECK(rig.memory.word(0x4002) == 0xBEEF);
  // (moved at its completion: the DMA moves a word when it is due and someone looks)
  CHECK(rig.memory.log.back().at == sc_time(1, sc_core::SC_US) + sc_time(4 * 125, sc_core::SC_NS));
  CHECK(rig.stalled == 2);
}

namespace {

// The DMA on a real bus with FRAM (wait states, cache, counters), SRAM and its own registers,
// reaching the memories through the bus or directly (add_direct_memory).
struct MemRig {
  FixedClocks clocks{16e6, 16e6, 32768};
  IrqLines irq;
  CpuHooks cpu;
  uint64_t stalled = 0;
  Dma dma;
  Bus bus;
  Fram fram;
  Sram sram;
  MemRig(const std::string& prefix, bool direct)
      : dma((prefix + "_dma").c_str(), clocks, irq, cpu),
        bus((prefix + "_bus").c_str()),
        fram((prefix + "_fram").c_str()),
        sram((prefix + "_sram").c_str()) {
    dma.bus.bind(bus.targ);
    bus.map("sram", kSramBegin, kSramEnd, false);
    bus.init.bind(sram.socket);
    bus.map("fram", kFramBegin, kFramEnd, false);
    bus.map_also("fram-info", kInfoFramBegin, kInfoFramEnd);
    bus.init.bind(fram.socket);
    bus.map("dma", Dma::kBase, Dma::kBase + Dma::kSize, true);
    bus.init.bind(dma.socket);
    if (direct) dma.add_direct_memory(sram), dma.add_direct_memory(fram);
    fram.set_wait_states(&clocks, 1);
    fram.set_extra_waits(1, 2);
    cpu.stall = [this](uint64_t c) { stalled += c; };
    for (unsigned i = 0; i < 64; ++i) {
      const uint8_t b[2] = {uint8_t(i * 7), uint8_t(0xA0 + i)};
      fram.load(0x5000 + 2 * i, b, 2);
      std::memcpy(sram.host(0x2C00 + 2 * i), b, 2);
    }
  }
  void w(uint16_t reg, uint16_t v) { REQUIRE(dma.write_reg(reg, 2, v, sc_core::sc_time_stamp())); }
  uint16_t r(uint16_t reg) {
    uint16_t v = 0;
    REQUIRE(dma.read_reg(reg, 2, v, sc_core::sc_time_stamp()));
    return v;
  }
  void setup(unsigned n, uint32_t src, uint32_t dst, uint16_t size, unsigned tsel, uint16_t ctl) {
    const uint16_t b = channel_base(n);
    w(b + SAL, src & 0xFFFF), w(b + SAH, uint16_t(src >> 16));
    w(b + DAL, dst & 0xFFFF), w(b + DAH, uint16_t(dst >> 16));
    w(b + SZ, size);
    const uint16_t reg = uint16_t(DMACTL0 + 2 * (n / 2));
    const uint16_t old = r(reg);
    w(reg, (n & 1) ? uint16_t((old & 0x00FF) | (tsel << 8)) : uint16_t((old & 0xFF00) | tsel));
    w(b + CTL, ctl);
  }
};

void run_cycles_16mhz(unsigned n) {
  sc_core::sc_start(n * sc_time(62.5, sc_core::SC_NS));
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
}

}  // namespace

TEST_CASE("The DMA reaches FRAM and SRAM directly exactly as through the bus", "[dma]") {
  MemRig via_bus("bus_path", false), direct("direct_path", true);
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  auto both = [&](const std::function<void(MemRig&)>& step) {
    step(via_bus);
    step(direct);
  };
  const uint16_t incr = Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement);
  // A DMAREQ block FRAM -> FRAM (read misses and hits, write wait states).
  both([&](MemRig& m) { m.setup(0, 0x5000, 0x7000, 40, TSEL_DMAREQ, incr | DMAREQ); });
  run_cycles_16mhz(400);
  both([](MemRig& m) { m.dma.settle(sc_core::sc_time_stamp()); });
  // Timer-style single transfers: SRAM -> FRAM, and the channel's own DMA2SZ into a FRAM
  // footprint word (HAWAII's DMA3SA = &DMA3SZ).
  both([&](MemRig& m) {
    m.setup(1, 0x2C00, 0x8000, 8, TSEL_TA1CCR0,
            Rig::ctl(DT_SINGLE, kIncrIncrement, kIncrIncrement));
    m.setup(2, Dma::kBase + channel_base(2) + SZ, 0x9000, 5, TSEL_TA2CCR0,
            Rig::ctl(DT_SINGLE, kIncrFixed, kIncrFixed) | DMAIE);
  });
  for (unsigned k = 0; k < 8; ++k) {
    both([](MemRig& m) {
      m.dma.trigger(TSEL_TA1CCR0);
      m.dma.trigger(TSEL_TA2CCR0);
    });
    run_cycles_16mhz(20);
  }
  // A hardware-triggered block of bytes from odd FRAM addresses into SRAM words.
  both([&](MemRig& m) {
    m.setup(3, 0x5001, 0x2D00, 10, TSEL_LEA,
            Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement, true, false));
    m.dma.trigger(TSEL_LEA);
  });
  run_cycles_16mhz(200);
  // A FRAM word (a read miss: wait states) into DMA5CTL, a bus target: it requests channel 5's
  // block, which starts kSyncCycles after the write's time, the read's wait states included.
  both([&](MemRig& m) {
    const uint16_t start = Rig::ctl(DT_BLOCK, kIncrIncrement, kIncrIncrement) | DMAREQ;
    const uint8_t b[2] = {uint8_t(start), uint8_t(start >> 8)};
    m.fram.load(0x5100, b, 2);
    m.setup(5, 0x5000, 0x2E00, 6, TSEL_DMAREQ, 0);
    m.setup(4, 0x5100, Dma::kBase + channel_base(5) + CTL, 1, TSEL_MPY,
            Rig::ctl(DT_SINGLE, kIncrFixed, kIncrFixed));
    m.dma.trigger(TSEL_MPY);
  });
  for (unsigned k = 0; k < 24; ++k) {
    run_cycles_16mhz(1);
    both([](MemRig& m) { m.dma.settle(sc_core::sc_time_stamp()); });
    REQUIRE(direct.dma.channel_transfers(5) == via_bus.dma.channel_transfers(5));
  }
  // A word that runs off the end of FRAM: a bus error on both paths.
  both([&](MemRig& m) {
    m.setup(1, 0x5000, kFramEnd - 1, 1, TSEL_TA0CCR0, Rig::ctl(DT_SINGLE, kIncrFixed, kIncrFixed));
    m.dma.trigger(TSEL_TA0CCR0);
    m.dma.settle(sc_core::sc_time_stamp());
  });

  CHECK(direct.dma.transfers() == 40 + 8 + 5 + 10 + 1 + 6);
  CHECK(direct.fram.host(0x9000)[0] == 1);  // DMA2SZ's last value as the footprint
  CHECK(direct.dma.channel_transfers(5) == 6);
  CHECK((direct.r(channel_base(1) + CTL) & DMAABORT));
  CHECK(direct.dma.busy_cycles() > kSingleCycles * 17 + 2 * 50);  // wait states were met
  CHECK(direct.dma.transfers() == via_bus.dma.transfers());
  CHECK(direct.dma.busy_cycles() == via_bus.dma.busy_cycles());
  CHECK(direct.stalled == via_bus.stalled);
  for (unsigned n = 0; n < Dma::kChannels; ++n) {
    CHECK(direct.dma.channel_transfers(n) == via_bus.dma.channel_transfers(n));
    CHECK(direct.dma.channel_triggers(n) == via_bus.dma.channel_triggers(n));
  }
  for (const RegSpec& reg : kDmaRegs)
    if (reg.offset != DMAIV) CHECK(direct.r(reg.offset) == via_bus.r(reg.offset));
  for (NvmOp op : {NvmOp::kRead, NvmOp::kWrite}) {
    CHECK(direct.fram.counters().total(Initiator::kDma, op).accesses ==
          via_bus.fram.counters().total(Initiator::kDma, op).accesses);
    CHECK(direct.fram.counters().total(Initiator::kDma, op).bytes ==
          via_bus.fram.counters().total(Initiator::kDma, op).bytes);
  }
  CHECK(direct.fram.cache().hits() == via_bus.fram.cache().hits());
  CHECK(direct.fram.cache().misses() == via_bus.fram.cache().misses());
  CHECK(direct.fram.transport_misses() == via_bus.fram.transport_misses());
  CHECK(direct.fram.transport_misses() > 0);
  CHECK(direct.sram.accesses() == via_bus.sram.accesses());
  CHECK(std::memcmp(direct.fram.host(kFramBegin), via_bus.fram.host(kFramBegin),
                    0x10000 - kFramBegin) == 0);
  CHECK(std::memcmp(direct.sram.data(), via_bus.sram.data(), kSramEnd - kSramBegin) == 0);
  CHECK(direct.irq.pending() == via_bus.irq.pending());
}
