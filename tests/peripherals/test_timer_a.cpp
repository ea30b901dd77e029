// Timer_A: up and continuous mode compare timing, TAxR from time, interrupts and TAxIV, the
// CCR0 acknowledge, dividers, clock changes and the DMA trigger callback (SLAU367P §25).
#include <catch2/catch.hpp>

#include "models/timer_a.h"
#include "tests/peripherals/test_util.h"

using namespace ipsim;
using namespace ipsim::timer_a;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

struct Rig {
  FixedClocks clocks{8e6, 1e6, 32768};
  IrqLines irq;
  std::vector<std::pair<double, unsigned>> triggers;  // (time us, tsel)
  TimerA ta{"ta1", kTA1, clocks, irq, [this](unsigned t) {
              triggers.push_back({sc_core::sc_time_stamp().to_seconds() * 1e6, t});
            }};
  test::Poker poker{"poker"};
  Rig() { poker.socket.bind(ta.socket); }
  sc_time now() const { return sc_core::sc_time_stamp(); }
  void w(uint16_t reg, uint16_t v) { REQUIRE(ta.write_reg(reg, 2, v, now())); }
  uint16_t r(uint16_t reg) {
    uint16_t v = 0;
    REQUIRE(ta.read_reg(reg, 2, v, now()));
    return v;
  }
  void run_to(double us) { sc_core::sc_start(sc_time(us, SC_US) - now()); }
  bool vec0() const { return irq.pending() & (uint64_t{1} << kVectorTimer1A0); }
  bool vec1() const { return irq.pending() & (uint64_t{1} << kVectorTimer1A1); }
};

}  // namespace

TEST_CASE("Timer_A up mode compare timing interrupts and TAxIV", "[timer_a]") {
  Rig rig;
  rig.w(TAxCCR0, 99);
  rig.w(TAxCCR1, 30);
  rig.w(TAxCCR2, 50);
  rig.w(TAxCCTL0, CCIE);
  rig.w(TAxCCTL1, CCIE);
  rig.w(TAxCCTL2, 0);
  rig.w(TAxCTL, uint16_t(TASSEL_SMCLK << 8 | MC_UP << 4 | TACLR | TAIE));
  rig.run_to(29.5);
  CHECK(rig.r(TAxR) == 29);
  CHECK(!rig.irq.any());
  rig.run_to(30.5);
  CHECK(rig.vec1());
  CHECK(!rig.vec0());
  CHECK(rig.r(TAxIV) == 2);
  CHECK(!rig.vec1());
  rig.run_to(98.9);
  CHECK(!rig.vec0());
  rig.run_to(99.1);
  CHECK(rig.vec0());
  CHECK((rig.r(TAxCCTL2) & CCIFG));      // flag without CCIE, no interrupt
  rig.irq.acknowledge(kVectorTimer1A0);  // the CPU accepting vector 41 clears CCR0 CCIFG
  CHECK(!rig.vec0());
  CHECK((rig.r(TAxCCTL0) & CCIFG) == 0);
  rig.run_to(100.1);
  CHECK(rig.r(TAxR) == 0);
  CHECK(rig.vec1());  // TAIFG on the CCR0 -> 0 wrap
  CHECK(rig.r(TAxIV) == 0x0E);
  CHECK(rig.r(TAxIV) == 0);
  rig.run_to(250.1);
  CHECK(rig.r(TAxR) == 50);
  // DMA triggers: CCR0 (TA1CCR0 = 3) at 99, 199 us; CCR2 (TA1CCR2 = 4) at 50, 150 us
  const std::vector<std::pair<double, unsigned>> expect = {
      {50, 4}, {99, 3}, {150, 4}, {199, 3}, {250, 4}};
  REQUIRE(rig.triggers.size() == expect.size());
  for (std::size_t i = 0; i < expect.size(); ++i) {
    CHECK(rig.triggers[i].first == Approx(expect[i].first));
    CHECK(rig.triggers[i].second == expect[i].second);
  }
}

TEST_CASE("Timer_A continuous mode on ACLK with ID and IDEX dividers", "[timer_a]") {
  Rig rig;
  rig.w(TAxEX0, 1);  // /2
  rig.w(TAxCCR0, 10);
  rig.w(TAxCCTL0, CCIE);
  rig.w(TAxCTL, uint16_t(TASSEL_ACLK << 8 | MC_CONTINUOUS << 4 | 3 << 6 | TACLR | TAIE));
  const double tick_us = 16.0 / 32768 * 1e6;  // /8 /2 of 32768 Hz
  rig.run_to(9.5 * tick_us);
  CHECK(rig.r(TAxR) == 9);
  CHECK(!rig.vec0());
  rig.run_to(10.5 * tick_us);
  CHECK(rig.vec0());
  rig.irq.acknowledge(kVectorTimer1A0);
  rig.run_to(65535.5 * tick_us);
  CHECK(rig.r(TAxR) == 0xFFFF);
  CHECK(!rig.vec1());
  rig.run_to(65536.5 * tick_us);
  CHECK(rig.vec1());
  CHECK(rig.r(TAxR) == 0);
  CHECK(rig.ta.compare_events() == 3);  // CCR0 at 10; CCR1 = CCR2 = 0 match at the wrap
}

TEST_CASE("Timer_A reschedules on clock change and TAxR write and stops in stop mode",
          "[timer_a]") {
  Rig rig;
  rig.w(TAxCCR0, 99);
  rig.w(TAxCCTL0, CCIE);
  rig.w(TAxCTL, uint16_t(TASSEL_SMCLK << 8 | MC_UP << 4 | TACLR));
  rig.run_to(50);
  CHECK(rig.r(TAxR) == 50);
  rig.clocks.set(8e6, 2e6, 32768);  // SMCLK doubles: 49 more ticks take 24.5 us
  rig.run_to(74.4);
  CHECK(!rig.vec0());
  rig.run_to(74.6);
  CHECK(rig.vec0());
  rig.irq.acknowledge(kVectorTimer1A0);
  // TAxR write: count from 90 at 80 us -> CCR0 at 80 + 9 * 0.5
  rig.run_to(80);
  rig.w(TAxR, 90);
  rig.run_to(84.4);
  CHECK(!rig.vec0());
  rig.run_to(84.6);
  CHECK(rig.vec0());
  rig.irq.acknowledge(kVectorTimer1A0);
  // Stop mode freezes the count and raises nothing
  rig.run_to(90);
  const uint16_t held = rig.r(TAxR);
  rig.w(TAxCTL, uint16_t(TASSEL_SMCLK << 8 | MC_STOP << 4));
  rig.run_to(500);
  CHECK(rig.r(TAxR) == held);
  CHECK(!rig.irq.any());
  // ... and resumes from there
  rig.w(TAxCTL, uint16_t(TASSEL_SMCLK << 8 | MC_UP << 4));
  rig.run_to(500 + (99 - held) * 0.5 + 0.1);
  CHECK(held == 10);
  CHECK(rig.vec0());
}

TEST_CASE("Timer_A batched while the CPU sleeps: same DMA triggers, flags and counts",
          "[timer_a]") {
  // Two timers with the same set-up: one with an event per tick, one batched (asleep() true)
  // whose DMA listener observes every 10th CCR0 trigger only. After a catch-up both have
  // delivered the same triggers at the same tick times and set the same flags.
  FixedClocks clocks{8e6, 1e6, 32768};
  IrqLines irq_fine, irq_batched;
  std::vector<std::pair<double, unsigned>> fine, batched;
  unsigned late = 0;  // batched triggers delivered after their tick (kept back)
  TimerA ta_fine{"fine", kTA1, clocks, irq_fine, [&](unsigned t) {
                   fine.push_back({sc_core::sc_time_stamp().to_seconds() * 1e6, t});
                 }};
  TimerA ta_batched{"batched", kTA1, clocks, irq_batched, [](unsigned) {}};
  test::Poker poker_fine{"poker_fine"}, poker_batched{"poker_batched"};
  poker_fine.socket.bind(ta_fine.socket);
  poker_batched.socket.bind(ta_batched.socket);
  CpuHooks hooks;
  hooks.batch = true;
  hooks.asleep = [] { return true; };
  TimerA* const timers[] = {&ta_batched};
  hooks.catch_up = [&](const sc_time& t) { TimerA::catch_up_all(timers, 1, t); };
  ta_batched.set_batching(
      &hooks,
      [](unsigned tsel, uint64_t* silent) {
        *silent = tsel == kTA1.dma_ccr0 ? 9 : UINT64_MAX;
        return true;
      },
      [&](unsigned t, const sc_time& at) {
        batched.push_back({at.to_seconds() * 1e6, t});
        if (at < sc_core::sc_time_stamp()) ++late;
      });
  for (TimerA* ta : {&ta_fine, &ta_batched}) {
    REQUIRE(ta->write_reg(TAxCCR0, 2, 6, sc_core::SC_ZERO_TIME));
    REQUIRE(ta->write_reg(TAxCCR2, 2, 3, sc_core::SC_ZERO_TIME));
    REQUIRE(ta->write_reg(TAxCTL, 2, uint16_t(TASSEL_SMCLK << 8 | MC_UP << 4 | TACLR),
                          sc_core::SC_ZERO_TIME));
  }
  sc_core::sc_start(sc_time(200.5, SC_US));
  hooks.catch_up(sc_core::sc_time_stamp());
  CHECK(fine.size() == 28 + 29);  // CCR0 at 6 + 7k us, CCR2 at 3 + 7k us
  CHECK(batched == fine);
  CHECK(late > fine.size() / 2);
  CHECK(ta_batched.compare_events() == ta_fine.compare_events());
  for (uint16_t reg : {TAxCTL, TAxCCTL0, TAxCCTL1, TAxCCTL2}) {
    uint16_t a = 0, b = 0;
    REQUIRE(ta_fine.read_reg(reg, 2, a, sc_core::sc_time_stamp()));
    REQUIRE(ta_batched.read_reg(reg, 2, b, sc_core::sc_time_stamp()));
    CHECK(a == b);
  }
}
