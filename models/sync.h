#pragma once
// Hooks a peripheral uses to reach the CPU without knowing it: ask the core to end its
// time slice (a write that starts work, design.md §2), and stall the CPU for a number of MCLK
// cycles (DMA block transfers halt the CPU, facts §4.2).
//
// Batched peripheral events: while the CPU sleeps it observes nothing but interrupts, so the
// LEA's outputs and timer-triggered DMA single transfers need no event each. A peripheral asks
// asleep() when it schedules; if so it schedules only what is observable (an interrupt, the end
// of a command) and computes the rest when someone looks: catch_up(t) brings every lazily
// advanced peripheral up to time t, in time order (the platform calls it before a power-model
// booking, a power cut, a register access of these peripherals and before the CPU runs again).
// batch = false gives the fine-grained path: one event per LEA output and per timer tick.
#include <cstdint>
#include <functional>
#include <systemc>

namespace ipsim {

struct CpuHooks {
  std::function<void()> request_sync = [] {};
  std::function<void(uint64_t mclk_cycles)> stall = [](uint64_t) {};
  bool batch = false;
  std::function<bool()> asleep = [] { return false; };
  std::function<void(const sc_core::sc_time&)> catch_up = [](const sc_core::sc_time&) {};
};

}  // namespace ipsim
