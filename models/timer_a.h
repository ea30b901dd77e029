#pragma once
// Timer_A with three capture/compare registers (TA0-TA3 on the FR5994; SLAU367P §25; base
// addresses facts §1.2, vectors facts §1.3, DMA triggers facts §4.2).
//
// Modelled: TAxCTL (TASSEL = ACLK/SMCLK, ID, MC stop/up/continuous, TACLR, TAIE, TAIFG),
// TAxEX0 (TAIDEX), TAxR, TAxCCR0-2 in compare mode with CCIFG/CCIE, TAxIV (reading clears the
// highest-priority pending enabled flag: CCR1 = 2, CCR2 = 4, TAIFG = 0x0E), the CCR0 vector
// (its acknowledge clears CCR0 CCIFG) and the shared TAxIV vector; DMA triggers on CCR0 and
// CCR2 compare (a callback given in the constructor).
// Timing: TAxR is computed on read from the reader's local time (design.md §2); the model
// keeps (base time, count at base) and the tick period ID x IDEX / f_clock, computes the next
// tick at which the count equals a CCRn or wraps to 0, and notifies one sc_event for it. Writes
// to TAxCTL, TAxR, TAxEX0, TAxCCRn and clock changes (Clocks::on_change) re-base at the last
// tick boundary (the phase within a tick is kept) and reschedule. Never a per-tick event.
// Approximations:
// - Capture mode, output units (OUTMOD/OUT), SCS/CCI, COV and TACLK/INCLK sources are not
//   modelled (TASSEL 0 or 3 stops the timer). Up/down mode (MC = 3) counts like up mode.
// - Flags are set by the SC_METHOD at kernel time; a CPU running ahead in its quantum sees a
//   new flag only after it syncs (TAxR itself is exact at the reader's time).
// - Changing ID/IDEX or the clock restarts the divider at the last tick boundary.
// Batching (models/sync.h): while the CPU sleeps, a tick is an event only if it raises an
// enabled interrupt or triggers a DMA transfer the DMA says is observable (its interrupt); the
// other ticks' flags are set in closed form and their DMA triggers are delivered, each at its
// own tick time, by catch_up_all(). Counts, flags and transfers are those of the tick-by-tick
// path.
#include <cstdint>
#include <functional>

#include "models/clocks.h"
#include "models/irq.h"
#include "models/peripheral.h"
#include "models/sync.h"

namespace ipsim {

namespace timer_a {
inline constexpr uint16_t TAxCTL = 0x00, TAxCCTL0 = 0x02, TAxCCTL1 = 0x04, TAxCCTL2 = 0x06,
                          TAxR = 0x10, TAxCCR0 = 0x12, TAxCCR1 = 0x14, TAxCCR2 = 0x16,
                          TAxEX0 = 0x20, TAxIV = 0x2E;
// TAxCTL bits
inline constexpr uint16_t TAIFG = 0x0001, TAIE = 0x0002, TACLR = 0x0004, MC = 0x0030, ID = 0x00C0,
                          TASSEL = 0x0300;
inline constexpr unsigned MC_STOP = 0, MC_UP = 1, MC_CONTINUOUS = 2, MC_UPDOWN = 3;
inline constexpr unsigned TASSEL_ACLK = 1, TASSEL_SMCLK = 2;
// TAxCCTLn bits
inline constexpr uint16_t CCIFG = 0x0001, CCIE = 0x0010, CAP = 0x0100;
inline constexpr uint16_t TAIDEX = 0x0007;
}  // namespace timer_a

inline constexpr RegSpec kTimerARegs[] = {
    // offset  name       reset   write_mask
    {0x00, "TAxCTL", 0x0000, 0x03F7},   {0x02, "TAxCCTL0", 0x0000, 0xFFF7},
    {0x04, "TAxCCTL1", 0x0000, 0xFFF7}, {0x06, "TAxCCTL2", 0x0000, 0xFFF7},
    {0x10, "TAxR", 0x0000, 0xFFFF},     {0x12, "TAxCCR0", 0x0000, 0xFFFF},
    {0x14, "TAxCCR1", 0x0000, 0xFFFF},  {0x16, "TAxCCR2", 0x0000, 0xFFFF},
    {0x20, "TAxEX0", 0x0000, 0x0007},   {0x2E, "TAxIV", 0x0000, 0x0000},
};

// One Timer_A instance: base, vectors and DMA trigger numbers (0 = none) per facts §1.2-§4.2.
struct TimerAInstance {
  uint32_t base;
  unsigned vector_ccr0, vector_taiv;
  unsigned dma_ccr0, dma_ccr2;
};
inline constexpr TimerAInstance kTA0{0x0340, kVectorTimer0A0, kVectorTimer0A1, 1, 2};
inline constexpr TimerAInstance kTA1{0x0380, kVectorTimer1A0, kVectorTimer1A1, 3, 4};
inline constexpr TimerAInstance kTA2{0x0400, kVectorTimer2A0, kVectorTimer2A1, 5, 0};
inline constexpr TimerAInstance kTA3{0x0440, kVectorTimer3A0, kVectorTimer3A1, 6, 0};

class TimerA : public Peripheral, public LazySource {
 public:
  static constexpr uint32_t kSize = 0x30;
  using DmaTrigger = std::function<void(unsigned tsel)>;

  TimerA(const sc_core::sc_module_name& name, const TimerAInstance& instance, Clocks& clocks,
         IrqLines& irq, DmaTrigger dma_trigger = {});

  void reset() override;
  uint64_t compare_events() const { return m_compare_events; }

  // Batching: `dma_listens(tsel, &silent)` says whether a DMA channel serves tsel and how many
  // further triggers of it nothing observes; `dma_trigger_at` delivers a trigger at a past tick.
  using DmaListens = std::function<bool(unsigned tsel, uint64_t* silent)>;
  using DmaTriggerAt = std::function<void(unsigned tsel, const sc_core::sc_time& at)>;
  void set_batching(CpuHooks* hooks, DmaListens listens, DmaTriggerAt trigger_at) {
    m_hooks = hooks, m_dma_listens = std::move(listens), m_dma_trigger_at = std::move(trigger_at);
  }
  // Delivers every lazily kept tick of `timers` up to t, DMA triggers in time order (ties in
  // the order given), then flags.
  static void catch_up_all(TimerA* const* timers, std::size_t n, const sc_core::sc_time& t);
  // LazySource: the next kept-back tick with a DMA trigger. A catch-up that interleaves the
  // timers' triggers with other sources' steps them (catch_up_in_order), then calls
  // settle_flags(t) on each timer.
  bool next_lazy(sc_core::sc_time* at) const override;
  void step_lazy() override { step_lazy_dma(); }
  void settle_flags(const sc_core::sc_time& t);
  // The CPU runs again: back to one event per tick (call after catch_up_all).
  void refine();

 protected:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) override;

 private:
  SC_HAS_PROCESS(TimerA);
  int64_t next_match(uint32_t target, int64_t k_min) const;               // -1: never
  uint64_t matches(uint32_t target, int64_t k_from, int64_t k_to) const;  // in [k_from, k_to]
  void apply_flags(int64_t k_to);  // lazily kept ticks (m_done, k_to]: flags and counts
  void next_lazy_dma();            // m_lazy_k / m_lazy_at from m_done
  void step_lazy_dma();
  sc_core::sc_time tick_time(int64_t k) const {
    return m_base_time + m_tick * static_cast<double>(k);
  }
  void write_timing(uint16_t reg, uint16_t value, unsigned size, bool high_byte);
  void rebase(const sc_core::sc_time& t);  // fold elapsed ticks into m_base_count
  bool running() const;
  uint32_t period() const;  // counts per cycle of the count (CCR0+1 or 65536)
  int64_t ticks_at(const sc_core::sc_time& t) const;
  uint16_t count_at_tick(int64_t k) const;
  void schedule(int64_t k_min, bool cpu_may_run = false);
  int64_t ticks_until(const sc_core::sc_time& t) const;  // last tick at or before t
  void on_event();
  void update_irq();
  uint16_t read_iv();

  TimerAInstance m_inst;
  Clocks& m_clocks;
  IrqLines& m_irq;
  DmaTrigger m_dma_trigger;
  sc_core::sc_event m_event;
  sc_core::sc_time m_base_time, m_tick;
  uint16_t m_base_count = 0;
  int64_t m_next_tick = -1;  // tick the pending event is for
  uint64_t m_compare_events = 0;
  // Batching: ticks up to m_done are applied; m_lazy_dma[0/1]: CCR0/CCR2 triggers to deliver;
  // m_lazy_k: next such tick (-1 none), at m_lazy_at.
  CpuHooks* m_hooks = nullptr;
  DmaListens m_dma_listens;
  DmaTriggerAt m_dma_trigger_at;
  bool m_lazy = false, m_lazy_dma[2] = {false, false};
  int64_t m_done = 0, m_lazy_k = -1, m_lazy_next[2] = {-1, -1}, m_period = 1;
  sc_core::sc_time m_lazy_at;
};

}  // namespace ipsim
