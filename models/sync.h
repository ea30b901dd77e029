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
// batch = false gives the fine-grained path: one event per LEA output, per timer tick and per
// SPI character. Both paths give the same results: on an ideal supply the power model keeps
// exact tallies; under a harvester the CPU books a sleep in windows that peripheral events do
// not end (Msp430Cpu::sleep_in_window), and a running CPU's slices end at the same events.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <systemc>

namespace ipsim {

struct CpuHooks {
  std::function<void()> request_sync = [] {};
  std::function<void(uint64_t mclk_cycles)> stall = [](uint64_t) {};
  bool batch = false;
  std::function<bool()> asleep = [] { return false; };
  std::function<void(const sc_core::sc_time&)> catch_up = [](const sc_core::sc_time&) {};
  // An SPI port nothing but register reads observe may drop its events (EusciSpi::quiet),
  // which would also drop the CPU slice ends they give.
  bool ports_may_go_quiet = true;
};

// What the DMA channels serving an SPI port's two triggers (tx: UCTXIFG, rx: UCRXIFG) will do,
// for the port's batching (Dma::chain_view). tx_silent / rx_silent: further triggers of each
// that nothing observes (UINT64_MAX: none is observed; the one that raises an enabled DMAIFG
// is); feeds: the transfers into TXBUF the tx channel still makes.
struct DmaChainView {
  bool ok = false;
  uint64_t tx_silent = UINT64_MAX, rx_silent = UINT64_MAX, feeds = 0;
};

// A peripheral that keeps back triggers of the DMA while the CPU sleeps (Timer_A's compares, the
// eUSCI's SPI characters). Their catch-ups interleave in time order, as their events would.
class LazySource {
 public:
  virtual ~LazySource() = default;
  // Time of the earliest item kept back, if any.
  virtual bool next_lazy(sc_core::sc_time* at) const = 0;
  // Delivers the items of that time, as the event at that time would have.
  virtual void step_lazy() = 0;
};

// Steps `sources` in time order up to t (ties in the order given). A step changes the stepped
// source's next item, and another source's only through an access of its registers on the bus
// (a DMA transfer into a timer or SPI port), which *bus_accesses counts: without one, only the
// stepped source is asked again. nullptr: every source is asked again after every step.
inline void catch_up_in_order(LazySource* const* sources, std::size_t n, const sc_core::sc_time& t,
                              const uint64_t* bus_accesses = nullptr) {
  constexpr std::size_t kMax = 8;  // the platform has six (four timers, two SPI ports)
  if (n > kMax) throw std::logic_error("catch_up_in_order: more than 8 sources");
  sc_core::sc_time at[kMax];
  bool has[kMax];
  for (std::size_t i = 0; i < n; ++i) has[i] = sources[i]->next_lazy(&at[i]);
  for (;;) {
    std::size_t best = n;
    for (std::size_t i = 0; i < n; ++i)
      if (has[i] && at[i] <= t && (best == n || at[i] < at[best])) best = i;
    if (best == n) return;
    const uint64_t before = bus_accesses ? *bus_accesses : 0;
    sources[best]->step_lazy();
    if (!bus_accesses || *bus_accesses != before)
      for (std::size_t i = 0; i < n; ++i) has[i] = sources[i]->next_lazy(&at[i]);
    else
      has[best] = sources[best]->next_lazy(&at[best]);
  }
}

}  // namespace ipsim
