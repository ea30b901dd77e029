#pragma once
// PowerController: couples the CPU's time slices to the energy model (design.md §2-§3).
//
// Three supplies:
// - continuous: an ideal supply; energy consumed is still booked (harvested = consumed).
// - supervised: a harvester charges the capacitor; the PowerSupervisor turns the node off at
//   v_off and on at v_on. Each CPU slice is limited to the time the capacitor can sustain at
//   the worst-case draw (every cycle making the costliest memory access, plus the LEA if it
//   runs, plus a pending wake-up charge), so the slice ends before Vcap can cross v_off; the
//   actual draw (energy/load_model.h: cycles, memory accesses of every initiator, LEA cycles
//   computed by the end of the slice, wake-up charge) is booked after the slice as one
//   stretch. Repeating this converges on the crossing, and power is cut at the first
//   instruction that cannot complete above v_off: the cut lands on the exact instruction at
//   which Vcap crosses v_off. Sleep is bounded the same way (LPM current, plus the LEA and a
//   DMA transfer at work), so a cut while the LEA runs lands on the LEA output due then. What
//   the descent to v_off spends is billed to the on-period that ends there.
// - injection: an ideal supply that is cut after a seeded random number of cycles in each
//   on-period (exponentially distributed, mean `mean_on_cycles`), off for `off_time_s`.
// Off periods are fast-forwarded by the supervisor in closed form, then SystemC time jumps
// with one wait(). Non-progress: if `no_progress_limit` consecutive power cycles end without a
// new marker (design.md §3), the run ends with status no-progress.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>

#include <systemc>

#include "energy/harvester.h"
#include "energy/load_model.h"
#include "energy/power_supervisor.h"
#include "sim/waveforms.h"

namespace ipsim {

struct Marker;

struct PowerConfig {
  enum class Mode { kContinuous, kSupervised, kInjection };
  Mode mode = Mode::kContinuous;
  energy::CapacitorConfig capacitor;
  energy::SupervisorConfig supervisor;
  std::shared_ptr<energy::Harvester> harvester;  // supervised mode
  energy::LoadModel load;
  double supply_v = 3.0;            // continuous and injection: voltage for energy booking
  double mean_on_cycles = 1e6;      // injection
  double off_time_s = 1e-3;         // injection
  unsigned no_progress_limit = 50;  // 0: never end a run for lack of progress
  double time_limit_s = 0;          // 0: none
  // Supervised: limit_slice may give a bound and the exact limit later (extend_slice); false
  // computes every limit up front (the reference path, IPSIM_FINE_EVENTS=1).
  bool slice_bounds = true;
};

// Cumulative memory events of the platform (every initiator), for the energy model.
struct MemoryEventTotals {
  uint64_t fram_read_hits = 0, fram_read_misses = 0, fram_writes = 0, sram_accesses = 0;
  MemoryEventTotals since(const MemoryEventTotals& earlier) const {
    return {fram_read_hits - earlier.fram_read_hits, fram_read_misses - earlier.fram_read_misses,
            fram_writes - earlier.fram_writes, sram_accesses - earlier.sram_accesses};
  }
  void add(const MemoryEventTotals& d) {
    fram_read_hits += d.fram_read_hits, fram_read_misses += d.fram_read_misses;
    fram_writes += d.fram_writes, sram_accesses += d.sram_accesses;
  }
};

// What the controller does to the platform.
struct PowerActions {
  std::function<double()> mclk_hz;
  std::function<MemoryEventTotals()> memory_events;
  std::function<uint64_t()> cycles;           // cumulative CPU cycles (DMA stalls included)
  std::function<uint16_t()> status_register;  // the CPU's SR: which low-power mode
  // Cumulative MCLK cycles the LEA has computed by time t (it runs while the CPU sleeps).
  std::function<uint64_t(const sc_core::sc_time&)> lea_busy_cycles = [](const sc_core::sc_time&) {
    return uint64_t{0};
  };
  // Whether the LEA / a DMA transfer is at work now (worst-case draw of the next stretch).
  std::function<bool()> lea_busy = [] { return false; };
  std::function<bool()> dma_busy = [] { return false; };
  // Brings accelerators' lazily applied work (DMA words due by now) up to date.
  std::function<void()> settle = [] {};
  // Parts outside the MCU on the same supply (an SPI FRAM): cumulative charge drawn, and the
  // most current they can draw now (bounds a slice like the CPU's worst case).
  std::function<double()> external_charge_c = [] { return 0.0; };
  std::function<double()> external_max_current_a = [] { return 0.0; };
  std::function<void()> lose_power;     // brown-out: volatile state lost
  std::function<void()> restore_power;  // power-on: BOR
  std::function<void(const std::string&)> finish;
  std::function<std::string()> last_marker;  // for the no-progress message
};

class PowerController {
 public:
  PowerController(PowerConfig config, uint64_t seed, PowerActions actions);

  // CPU hooks (all in the CPU thread).
  // idle: the CPU runs nothing in this slice (Msp430Cpu::limit_slice); only whether the limit
  // is 0 (power is cut before the next instruction) matters then.
  uint64_t limit_slice(uint64_t proposed_cycles, bool idle = false);
  // The exact limit of the current slice when limit_slice gave a bound (Msp430Cpu::
  // extend_slice), else 0.
  uint64_t extend_slice();
  void after_slice(uint64_t cycles, const sc_core::sc_time& duration);
  sc_core::sc_time limit_sleep(const sc_core::sc_time& proposed);
  void after_sleep(const sc_core::sc_time& duration);
  void on_marker(const Marker& marker);

  uint64_t power_failures() const;
  double on_time_s() const;
  double off_time_s() const;
  energy::EnergyReport energy() const;
  double voltage() const;
  // CPU cycles run since the last new progress marker before each power failure: work lost
  // and redone.
  uint64_t wasted_cycles() const { return m_wasted_cycles; }
  // CPU cycle count at the last new progress marker (or power-on): where waste starts.
  uint64_t cycles_at_progress() const { return m_cycles_at_progress; }
  // A debugger's `monitor fail`: power is cut before the next instruction. Supervised: the
  // capacitor is drained to v_off (the charge is booked as consumed), then recharges as usual.
  void cut_power_now() { m_cut_requested = true; }
  bool supervised() const { return m_config.mode == PowerConfig::Mode::kSupervised; }
  // The capacitor starts below v_on: the node is off until it has charged.
  bool starts_off() const { return m_supervisor && !m_supervisor->is_on() && m_never_on; }
  const std::string& status_message() const { return m_message; }
  // Receives a sample after every slice, sleep and power event (waveform outputs), and,
  // when `off_period_s` > 0, one every off_period_s through each fast-forwarded off period
  // (the initial charge included), computed on a copy of the supervisor so that the
  // simulation itself is unchanged.
  void set_observer(std::function<void(const PowerSample&, const char* event)> observer,
                    double off_period_s = 0) {
    m_observer = std::move(observer);
    m_off_period_s = off_period_s;
  }

 private:
  double worst_case_current_a() const;
  double sleep_current_a() const;
  double worst_case_sleep_current_a() const;
  // Charge of the memory events and LEA cycles since the last call (then marks them booked).
  double take_event_charge_c();
  // Supervised: the cycles of a slice the capacitor sustains at the worst-case draw (0: not
  // one more cycle).
  uint64_t exact_limit(uint64_t proposed, double worst_a, double period_s) const;
  void forget_events();  // marks everything so far as booked (after a cut)
  // Books `charge_c` over a stretch of dt at `base_a`; false if the node browned out.
  bool book_stretch(const sc_core::sc_time& dt, double base_a, double charge_c, double* current_a);
  void power_cycle();  // off (already decided), fast-forward, then on again
  void draw_injection_budget();
  void observe(double load_a, const char* event = nullptr);
  // Samples of the off period that starts now and lasts off_s, from `before` (the supervisor
  // as it was when the period began).
  void observe_off(energy::PowerSupervisor before, double off_s);

  PowerConfig m_config;
  PowerActions m_actions;
  std::unique_ptr<energy::PowerSupervisor> m_supervisor;
  std::mt19937_64 m_rng;
  MemoryEventTotals m_events_seen;
  uint64_t m_lea_cycles_seen = 0;
  double m_external_charge_seen = 0;
  double m_wake_charge_c = 0;  // owed by the CPU's next wake-up from the LPM it sleeps in
  // Ideal-supply bookkeeping (continuous and injection), as exact tallies (counts, sc_time)
  // from which energy() computes the energy: the sum then does not depend on how time was
  // split into stretches (batched peripheral events, models/sync.h, book fewer, longer sleep
  // stretches than the fine path).
  struct IdealTally {
    uint64_t cycles = 0, lea_cycles = 0, resets = 0;
    MemoryEventTotals events;                 // booked memory events
    std::map<double, sc_core::sc_time> base;  // time spent at each base (sleep) current
    std::map<double, uint64_t> wakes;         // wake-ups paid, per wake-up charge
    double external_c = 0;                    // external charge of the ended on-periods
    double external_from = 0;                 // external_charge_c() where this one began
  };
  IdealTally m_tally;
  sc_core::sc_time m_ideal_on;
  double m_ideal_off_s = 0;
  uint64_t m_ideal_failures = 0;
  uint64_t m_injection_left = 0;
  // A slice limit given as a bound (limit_slice): what the exact one is computed from.
  struct LazyLimit {
    bool pending = false;
    uint64_t proposed = 0;
    double worst_a = 0, period_s = 0;
  };
  LazyLimit m_lazy;
  bool m_cut_requested = false;
  bool m_never_on = true;
  // Non-progress detection.
  std::set<std::pair<uint16_t, uint32_t>> m_seen_markers;
  bool m_progress_since_boot = true;
  uint64_t m_cycles_at_progress = 0;
  uint64_t m_wasted_cycles = 0;
  unsigned m_cycles_without_progress = 0;
  std::string m_message;
  std::function<void(const PowerSample&, const char*)> m_observer;
  double m_off_period_s = 0;
};

}  // namespace ipsim
