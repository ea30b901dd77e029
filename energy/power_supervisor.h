#pragma once
// PowerSupervisor: the external voltage supervisor of an intermittently powered node, driving
// the capacitor/harvester pair through on and off periods.
//
// Modelled (design §3): the node turns off when Vcap falls to v_off and on again when Vcap
// rises to v_on (hysteresis, v_on > v_off). It starts on iff v_initial >= v_on. While on, the
// load draws a constant current per call (the caller, e.g. the CPU model, chooses it per
// stretch); while off it draws off_current_a (default 0). Instant charges (reset/BOR charge,
// facts §5.1) and energies (per-event costs) can be taken at any time.
//
// Time is simulation time in double seconds from 0 (resolution ~0.6 ns after a month).
// Harvest within a stretch uses every trace sample the stretch covers (see Capacitor for the
// numerical method and its error). Off time is fast-forwarded sample interval by sample
// interval with closed forms where possible, never in small fixed steps.
//
// Integration with a CPU model (cycle budgets):
//   t = time_to_voff(I, t_max)        // exact crossing time, pure query
//   run the CPU for ceil(t / cycle) cycles (or fewer, if it stops early), dt = cycles * cycle
//   advanced = advance_on(dt, I)      // stops at the crossing; the node is off iff
//                                     // state() == Off afterwards
// advance_on never overshoots v_off: it stops at the crossing and returns the time advanced.
#include <cstdint>
#include <memory>

#include "energy/capacitor.h"
#include "energy/harvester.h"

namespace ipsim::energy {

struct SupervisorConfig {
  double v_on = 2.8;           // power on at Vcap >= v_on
  double v_off = 2.4;          // power off at Vcap <= v_off
  double off_current_a = 0.0;  // drawn from the capacitor while off
};

enum class PowerState { Off, On };

// results.json energy_J (design §7).
struct EnergyReport {
  double harvested = 0.0;
  double consumed = 0.0;
  double stored_delta = 0.0;
  double leaked = 0.0;
  double clamped = 0.0;
  // harvested - (consumed + stored_delta + leaked + clamped); zero up to rounding.
  double balance_error() const { return harvested - (consumed + stored_delta + leaked + clamped); }
};

struct OffResult {
  enum class Stop { ReachedVon, TimeLimit, TraceEnded };
  double off_time_s = 0.0;
  Stop stop = Stop::TimeLimit;
};

class PowerSupervisor {
 public:
  // Throws std::invalid_argument naming the parameter (v_on <= v_off, v_off <= 0, negative
  // off current, null harvester, or any Capacitor parameter error).
  PowerSupervisor(const CapacitorConfig& capacitor, const SupervisorConfig& supervisor,
                  std::shared_ptr<Harvester> harvester);

  double time_s() const { return m_time_s; }
  double voltage() const { return m_cap.voltage(); }
  PowerState state() const { return m_state; }
  bool is_on() const { return m_state == PowerState::On; }
  std::uint64_t power_failures() const { return m_failures; }
  double on_time_s() const { return m_on_time_s; }
  double off_time_s() const { return m_off_time_s; }
  EnergyReport energy() const;
  const Capacitor& capacitor() const { return m_cap; }
  const SupervisorConfig& config() const { return m_cfg; }

  // While on, drawing load_current_a: the time until Vcap falls to v_off, or t_max_s if it
  // does not within t_max_s. 0 when off. Does not change the state.
  double time_to_voff(double load_current_a, double t_max_s) const;
  // A time, at most t_max_s, before which Vcap surely stays above v_off at load_current_a,
  // found without integrating (0 if none): time_to_voff(I, t) > sure_time_above_voff(I, t).
  double sure_time_above_voff(double load_current_a, double t_max_s) const;
  // While on: integrates dt_s at load_current_a. If Vcap reaches v_off within dt_s plus a
  // tolerance (1e-9 * dt_s + 16 ulp of the absolute time, far below one MCLK cycle), stops
  // exactly there, turns the node off (one more power failure) and returns the time advanced
  // (which may exceed dt_s by at most that tolerance); otherwise returns dt_s. So
  // advance_on(time_to_voff(I, t)) always lands the cut. Throws std::logic_error while off.
  double advance_on(double dt_s, double load_current_a);
  // Takes an instant charge (C) / energy (J) from the capacitor, e.g. the 102 nAs BOR charge.
  // Returns whether the node is still on (it turns off if Vcap <= v_off afterwards).
  bool consume_charge(double charge_c);
  bool consume_energy(double energy_j);
  // While off: advances until Vcap >= v_on (node turns on), t_max_s elapses, or a non-looping
  // trace ends. Throws std::logic_error when called while on.
  OffResult fast_forward_off(double t_max_s);
  // Forces a brown-out now (failure injection); counts as a power failure.
  void power_off_now();

 private:
  struct Run {
    double elapsed_s = 0.0;
    bool reached = false;
    bool trace_ended = false;
  };
  // Integrates from time t0 over up to dt_s on `cap`, sample interval by sample interval.
  Run run(Capacitor& cap, double t0_s, double dt_s, double load_a, Capacitor::Level level,
          bool stop_at_trace_end) const;
  void turn_off();
  // (I + V0 / R) / C: how fast Vcap, at or below its present V0, can fall at load_a (see .cpp).
  double fall_rate_bound(double load_a) const;
  // Whether Vcap, now at the capacitor's voltage, surely stays above v_off from time t0_s for
  // t_s at load_a, without integrating (see .cpp).
  bool surely_above_voff(double t0_s, double load_a, double t_s) const;

  SupervisorConfig m_cfg;
  Capacitor m_cap;
  std::shared_ptr<Harvester> m_harvester;
  PowerState m_state;
  double m_time_s = 0.0;
  double m_on_time_s = 0.0;
  double m_off_time_s = 0.0;
  std::uint64_t m_failures = 0;
};

}  // namespace ipsim::energy
