#pragma once
// Hooks a peripheral uses to reach the CPU without knowing it: ask the core to end its
// time slice (a write that starts work, design.md §2), and stall the CPU for a number of MCLK
// cycles (DMA block transfers halt the CPU, facts §4.2).
#include <cstdint>
#include <functional>

namespace ipsim {

struct CpuHooks {
  std::function<void()> request_sync = [] {};
  std::function<void(uint64_t mclk_cycles)> stall = [](uint64_t) {};
};

}  // namespace ipsim
