#include "sim/power_controller.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "models/debug_port.h"

namespace ipsim {

using energy::PowerState;

PowerController::PowerController(PowerConfig config, uint64_t seed, PowerActions actions)
    : m_config(std::move(config)),
      m_actions(std::move(actions)),
      m_rng(seed ^ 0x504F574552ull) {  // "POWER" salt keeps this stream apart
  if (m_config.mode == PowerConfig::Mode::kSupervised) {
    if (!m_config.harvester) throw std::invalid_argument("supervised power needs a harvester");
    m_supervisor = std::make_unique<energy::PowerSupervisor>(
        m_config.capacitor, m_config.supervisor, m_config.harvester);
  }
  if (m_config.mode == PowerConfig::Mode::kInjection) {
    if (!(m_config.mean_on_cycles >= 1))
      throw std::invalid_argument("failure injection: mean_on_cycles must be >= 1");
    draw_injection_budget();
  }
}

void PowerController::draw_injection_budget() {
  std::exponential_distribution<double> dist(1.0 / m_config.mean_on_cycles);
  // Clamped before the cast: a double beyond 2^64 cast to uint64_t is undefined behaviour.
  const double draw = std::min(dist(m_rng), 1.8e19);
  m_injection_left = std::max<uint64_t>(1, static_cast<uint64_t>(draw));
}

double PowerController::worst_case_current_a() const {
  // Every cycle could make the costliest memory access; the LEA may run beside the CPU.
  const energy::LoadModel& m = m_config.load;
  const double f = m_actions.mclk_hz();
  double i = (m.cycle_charge_c() + m.worst_access_charge_per_cycle_c()) * f;
  if (m_actions.lea_busy()) i += m.lea_cycle_charge_c() * f;
  return i + m_actions.external_max_current_a();
}

double PowerController::sleep_current_a() const {
  // facts §2.1: LPM0 = CPUOFF; LPM3 adds SCG0|SCG1; LPM4 adds OSCOFF.
  const uint16_t sr = m_actions.status_register();
  if (sr & 0x0020) return m_config.load.lpm4_current_a;
  if ((sr & 0x00C0) == 0x00C0) return m_config.load.lpm3_current_a;
  return m_config.load.lpm0_current_a(m_actions.mclk_hz());
}

double PowerController::worst_case_sleep_current_a() const {
  const energy::LoadModel& m = m_config.load;
  const double f = m_actions.mclk_hz();
  double i = sleep_current_a();
  if (m_actions.lea_busy()) i += m.lea_cycle_charge_c() * f;
  if (m_actions.dma_busy()) i += m.worst_access_charge_per_cycle_c() * f;
  return i + m_actions.external_max_current_a();
}

namespace {
energy::AccessCounts access_counts(const MemoryEventTotals& e) {
  energy::AccessCounts a;
  a.fram_read_hits = static_cast<double>(e.fram_read_hits);
  a.fram_read_misses = static_cast<double>(e.fram_read_misses);
  a.fram_writes = static_cast<double>(e.fram_writes);
  a.sram_accesses = static_cast<double>(e.sram_accesses);
  return a;
}
}  // namespace

double PowerController::take_event_charge_c() {
  m_actions.settle();
  const MemoryEventTotals now = m_actions.memory_events();
  const MemoryEventTotals events = now.since(m_events_seen);
  const uint64_t lea = m_actions.lea_busy_cycles(sc_core::sc_time_stamp());
  const uint64_t lea_cycles = lea > m_lea_cycles_seen ? lea - m_lea_cycles_seen : 0;
  m_lea_cycles_seen = std::max(lea, m_lea_cycles_seen);
  if (!m_supervisor) {
    m_tally.events.add(events);
    m_tally.lea_cycles += lea_cycles;
  }
  m_events_seen = now;
  // Parts outside the MCU on the same supply (an SPI FRAM) report their own charge.
  const double external_now = m_actions.external_charge_c();
  const double external_c = std::max(0.0, external_now - m_external_charge_seen);
  m_external_charge_seen = external_now;
  return m_config.load.access_charge_c(access_counts(events)) +
         m_config.load.lea_cycle_charge_c() * static_cast<double>(lea_cycles) + external_c;
}

void PowerController::forget_events() {
  m_actions.settle();
  m_events_seen = m_actions.memory_events();
  m_lea_cycles_seen =
      std::max(m_lea_cycles_seen, m_actions.lea_busy_cycles(sc_core::sc_time_stamp()));
  // The external charge is cumulative: an on-period's is its last booked value less its first.
  m_tally.external_c += m_external_charge_seen - m_tally.external_from;
  m_external_charge_seen = m_actions.external_charge_c();
  m_tally.external_from = m_external_charge_seen;
  m_wake_charge_c = 0;
}

bool PowerController::book_stretch(const sc_core::sc_time& dt, double base_a, double charge_c,
                                   double* current_a) {
  const double dt_s = dt.to_seconds();
  *current_a = dt_s > 0 ? base_a + charge_c / dt_s : 0.0;
  if (!m_supervisor) {  // the charge is in the tallies already (take_event_charge_c and callers)
    if (dt_s > 0) {
      m_ideal_on += dt;
      if (base_a != 0) m_tally.base[base_a] += dt;
    }
    return true;
  }
  if (dt_s > 0)
    return !(m_supervisor->advance_on(dt_s, *current_a) < dt_s) && m_supervisor->is_on();
  return charge_c <= 0 || m_supervisor->consume_charge(charge_c);
}

void PowerController::observe(double load_a, const char* event) {
  if (!m_observer) return;
  PowerSample s{sc_core::sc_time_stamp().to_seconds(), voltage(), 0.0, load_a, true};
  if (m_supervisor) {
    s.on = m_supervisor->is_on();
    const double t = m_supervisor->time_s();
    double end = 0;
    if (!m_config.harvester->ended(t))
      s.harvest_w = m_config.harvester->term_at(t, &end).power_at(s.vcap_v);
  } else {
    s.harvest_w = m_config.supply_v * load_a;
  }
  m_observer(s, event);
}

void PowerController::observe_off(energy::PowerSupervisor probe, double off_s) {
  const double t0 = probe.time_s();
  const double sim0 = sc_core::sc_time_stamp().to_seconds() - off_s;  // called after the wait
  auto emit = [&] {
    PowerSample s{sim0 + (probe.time_s() - t0), probe.voltage(), 0.0, 0.0, false};
    double end = 0;
    if (!m_config.harvester->ended(probe.time_s()))
      s.harvest_w = m_config.harvester->term_at(probe.time_s(), &end).power_at(s.vcap_v);
    m_observer(s, nullptr);
  };
  if (m_never_on) emit();  // the start of the initial charge (from initial_voltage)
  for (double t = m_off_period_s; t < off_s && !probe.is_on(); t += m_off_period_s) {
    probe.fast_forward_off(t - (probe.time_s() - t0));
    emit();
  }
}

uint64_t PowerController::exact_limit(uint64_t proposed, double worst, double period) const {
  // A wake-up charge still owed is drawn within this slice: shorter slices draw it faster.
  uint64_t cycles = proposed;
  for (int i = 0; i < 64 && cycles > 0; ++i) {
    const double span = static_cast<double>(cycles) * period;
    const double t = m_supervisor->time_to_voff(worst + m_wake_charge_c / span, span);
    const uint64_t fit = static_cast<uint64_t>(std::floor(t / period));
    if (fit >= cycles) break;
    cycles = fit;
  }
  return cycles;
}

uint64_t PowerController::extend_slice() {
  if (!m_lazy.pending) return 0;
  m_lazy.pending = false;
  const uint64_t cycles = exact_limit(m_lazy.proposed, m_lazy.worst_a, m_lazy.period_s);
  if (cycles == 0) throw std::logic_error("PowerController: a slice bound above its exact limit");
  return cycles;
}

uint64_t PowerController::limit_slice(uint64_t proposed, bool idle) {
  m_lazy.pending = false;
  if (m_cut_requested) {
    m_cut_requested = false;
    if (m_supervisor) {
      if (m_supervisor->is_on()) {
        const double c = m_supervisor->capacitor().capacitance_f();
        const double v_off = m_supervisor->config().v_off;
        // Slightly more than C * (V - v_off), so the supervisor sees Vcap <= v_off.
        m_supervisor->consume_charge(c * (m_supervisor->voltage() - v_off) * (1 + 1e-9) + 1e-15);
      }
    } else {
      ++m_ideal_failures;
    }
    observe(0.0, "power-off");
    power_cycle();
    return 0;
  }
  const double now = sc_core::sc_time_stamp().to_seconds();
  if (m_config.time_limit_s > 0 && now >= m_config.time_limit_s) {
    m_actions.finish("time-limit");
    return 0;
  }
  if (m_config.time_limit_s > 0 && std::isfinite(m_config.time_limit_s)) {
    // End the last slice at the limit (within one instruction), not a whole slice later.
    const double left = std::ceil((m_config.time_limit_s - now) * m_actions.mclk_hz());
    if (left < static_cast<double>(proposed))
      proposed = std::max<uint64_t>(1, static_cast<uint64_t>(left));
  }
  switch (m_config.mode) {
    case PowerConfig::Mode::kContinuous:
      return proposed;
    case PowerConfig::Mode::kInjection:
      if (m_injection_left == 0) {
        ++m_ideal_failures;
        observe(0.0, "power-off");
        power_cycle();
        return 0;
      }
      return std::min(proposed, m_injection_left);
    case PowerConfig::Mode::kSupervised:
      break;
  }
  if (!m_supervisor->is_on()) {
    // Before the first boot the capacitor starts below v_on: charge it first. Later, a boot's
    // reset charge alone emptied it: that is a power cycle without progress like any other.
    if (m_never_on) m_progress_since_boot = true;
    power_cycle();
    return 0;
  }
  const double period = 1.0 / m_actions.mclk_hz();
  const double worst = worst_case_current_a();
  if (m_config.slice_bounds && idle) {
    // exact_limit is 0 only if Vcap can fall to v_off within a cycle at the worst-case draw
    // with the whole wake-up charge in it: its rounds' draws are at most that, and their
    // crossings lie beyond a span where the bound is sure. An idle core runs nothing whatever
    // the limit, so any other limit is as good as the exact one.
    const double most_a = worst + m_wake_charge_c / period;
    if (m_supervisor->sure_time_above_voff(most_a, 4 * period) >= 4 * period) return proposed;
  }
  if (m_config.slice_bounds) {
    // Near v_off the exact limit integrates the capacitor over the whole proposal, and most
    // slices end sooner anyway (a sync request, sleep). Give a bound the exact limit cannot
    // fall below: while the crossing at the worst-case draw lies beyond `sure`, each of
    // exact_limit's at most 64 rounds keeps at least min(cycles - 1, floor(sure / period)).
    const double span = static_cast<double>(proposed) * period;
    double sure = m_supervisor->sure_time_above_voff(worst, span);
    double least = 1;  // cycles every round keeps
    if (m_wake_charge_c > 0) {
      // A wake-up charge still owed is drawn within the slice, the faster the shorter the
      // slice: a round that keeps `least` cycles or more draws at most worst + wake / (least
      // period), and the bound holds if it keeps every round there.
      least = std::floor((std::floor(sure / period) - 65) / 2);
      sure = least >= 1 ? m_supervisor->sure_time_above_voff(
                              worst + m_wake_charge_c / (least * period), span)
                        : 0;
    }
    const double bound = std::floor(sure / period) - 65;
    if (sure < span && bound >= least && bound >= 1) {
      m_lazy = {true, proposed, worst, period};
      return static_cast<uint64_t>(bound);
    }
  }
  const uint64_t cycles = exact_limit(proposed, worst, period);
  if (cycles > 0) return cycles;
  // Not even one more cycle at the worst-case draw: finish the descent at the draw of a cycle
  // without memory access (a cycle or two) and cut power here, before the next instruction.
  // SystemC time follows the supervisor's.
  const energy::LoadModel& m = m_config.load;
  double i = m.cycle_charge_c() * m_actions.mclk_hz();
  if (m_actions.lea_busy()) i += m.lea_cycle_charge_c() * m_actions.mclk_hz();
  // A wake-up still owed is drawn over the first cycle, so the cut can land inside it.
  double descent_s = 0;
  if (m_wake_charge_c > 0)
    descent_s += m_supervisor->advance_on(period, i + m_wake_charge_c / period),
        m_wake_charge_c = 0;
  while (m_supervisor->is_on()) descent_s += m_supervisor->advance_on(period, i);
  if (descent_s > 0) sc_core::wait(sc_core::sc_time(descent_s, sc_core::SC_SEC));
  observe(0.0, "power-off");  // the load is gone once power is
  power_cycle();
  return 0;
}

void PowerController::after_slice(uint64_t cycles, const sc_core::sc_time& duration) {
  // The slice ran at the clock it started with (a CSCTL write ends it), which is
  // cycles / duration, not necessarily the clock now.
  double charge =
      static_cast<double>(cycles) * m_config.load.cycle_charge_c() + take_event_charge_c();
  m_tally.cycles += cycles;
  if (cycles > 0 && m_wake_charge_c > 0) {  // it ran: it woke
    charge += m_wake_charge_c;
    ++m_tally.wakes[m_wake_charge_c];
    m_wake_charge_c = 0;
  }
  double current = 0;
  const bool on = book_stretch(duration, 0.0, charge, &current);
  if (m_config.mode == PowerConfig::Mode::kInjection)
    m_injection_left -= std::min(m_injection_left, cycles);
  if (!on) {
    observe(0.0, "power-off");  // the load is gone once power is
    power_cycle();
    return;
  }
  observe(current);
}

sc_core::sc_time PowerController::limit_sleep(const sc_core::sc_time& requested) {
  sc_core::sc_time proposed = requested;
  const bool supervised = m_config.mode == PowerConfig::Mode::kSupervised;
  // On a continuous supply a sleep nothing can end (no pending activity) is left whole, so the
  // CPU can tell it apart from a sleep the limit cuts short and end the run as asleep. Under a
  // supervisor a brown-out can still end it (and reboot the node), so the limit cuts it too.
  const bool forever = requested >= sc_core::sc_max_time() - sc_core::sc_time_stamp();
  if ((!forever || supervised) && m_config.time_limit_s > 0 &&
      std::isfinite(m_config.time_limit_s)) {
    const double left = m_config.time_limit_s - sc_core::sc_time_stamp().to_seconds();
    if (left < proposed.to_seconds())
      proposed = sc_core::sc_time(std::max(0.0, left), sc_core::SC_SEC);
  }
  // Injection: a budget the last slice used up cuts power now, not at whatever peripheral event
  // happens to end the sleep (that depends on how finely peripherals schedule their events).
  if (m_config.mode == PowerConfig::Mode::kInjection && m_injection_left == 0)
    return sc_core::SC_ZERO_TIME;
  if (!supervised) return proposed;
  const double t = m_supervisor->time_to_voff(worst_case_sleep_current_a(), proposed.to_seconds());
  // v_off not reached: the proposal itself, unrounded by the trip through seconds.
  if (t >= proposed.to_seconds()) return proposed;
  return sc_core::sc_time(t, sc_core::SC_SEC);
}

void PowerController::after_sleep(const sc_core::sc_time& duration) {
  const uint16_t sr = m_actions.status_register();
  const double base = sleep_current_a();
  // The wake-up from this mode is owed (LPM2-4 also power FRAM down, load_model.h).
  const energy::LoadModel& m = m_config.load;
  m_wake_charge_c =
      (sr & 0x0080) ? m.lpm3_wake_charge_c + m.fram_wake_charge_c : m.lpm0_wake_charge_c;
  double current = 0;
  if (!book_stretch(duration, base, take_event_charge_c(), &current)) {
    observe(0.0, "power-off");  // the load is gone once power is
    power_cycle();
    return;
  }
  observe(current);
}

void PowerController::on_marker(const Marker& marker) {
  if (marker.code == static_cast<uint16_t>(MarkerCode::kBoot)) return;
  if (marker.code == static_cast<uint16_t>(MarkerCode::kInferenceStart) &&
      !m_seen_markers.count({marker.code, marker.arg}))
    m_seen_markers.clear();  // a new inference: its layers and slices are new progress again
  if (m_seen_markers.insert({marker.code, marker.arg}).second) {
    m_progress_since_boot = true;
    m_cycles_at_progress = m_actions.cycles();
  }
}

void PowerController::power_cycle() {
  const uint64_t now_cycles = m_actions.cycles();
  m_wasted_cycles += now_cycles - m_cycles_at_progress;
  m_cycles_at_progress = now_cycles;
  m_actions.lose_power();  // harmless before the first boot: nothing volatile is kept
  forget_events();         // the descent to v_off paid for what the cut leaves unbooked
  if (m_progress_since_boot)
    m_cycles_without_progress = 0;
  else if (m_config.no_progress_limit > 0 &&
           ++m_cycles_without_progress >= m_config.no_progress_limit) {
    m_message = std::to_string(m_cycles_without_progress) +
                " consecutive power cycles without a new progress marker; last marker: " +
                m_actions.last_marker();
    m_actions.finish("no-progress");
    return;
  }
  m_progress_since_boot = false;

  double off_s = 0;
  const double now = sc_core::sc_time_stamp().to_seconds();
  const double budget =
      m_config.time_limit_s > 0 ? std::max(0.0, m_config.time_limit_s - now) : 1e9;
  if (m_config.mode == PowerConfig::Mode::kSupervised) {
    std::optional<energy::PowerSupervisor> before;
    if (m_observer && m_off_period_s > 0) before.emplace(*m_supervisor);
    const energy::OffResult r = m_supervisor->fast_forward_off(budget);
    off_s = r.off_time_s;
    if (off_s > 0) sc_core::wait(sc_core::sc_time(off_s, sc_core::SC_SEC));
    if (before) observe_off(std::move(*before), off_s);
    observe(0.0, r.stop == energy::OffResult::Stop::ReachedVon ? "power-on" : "end");
    if (r.stop == energy::OffResult::Stop::TimeLimit) return m_actions.finish("time-limit");
    if (r.stop == energy::OffResult::Stop::TraceEnded) return m_actions.finish("trace-ended");
    // BOR: the reset charge is paid on every boot (facts §5.1, 102 nAs).
    m_supervisor->consume_charge(m_config.load.reset_charge_c);
  } else {
    off_s = std::min(m_config.off_time_s, budget);
    m_ideal_off_s += off_s;
    if (off_s > 0) sc_core::wait(sc_core::sc_time(off_s, sc_core::SC_SEC));
    observe(0.0, "power-on");
    if (off_s < m_config.off_time_s) return m_actions.finish("time-limit");
    ++m_tally.resets;
    draw_injection_budget();
  }
  m_never_on = false;
  m_actions.restore_power();
}

uint64_t PowerController::power_failures() const {
  return m_supervisor ? m_supervisor->power_failures() : m_ideal_failures;
}
double PowerController::on_time_s() const {
  return m_supervisor ? m_supervisor->on_time_s() : m_ideal_on.to_seconds();
}
double PowerController::off_time_s() const {
  return m_supervisor ? m_supervisor->off_time_s() : m_ideal_off_s;
}
energy::EnergyReport PowerController::energy() const {
  if (m_supervisor) return m_supervisor->energy();
  const energy::LoadModel& m = m_config.load;
  const IdealTally& t = m_tally;
  double q = static_cast<double>(t.cycles) * m.cycle_charge_c() +
             m.access_charge_c(access_counts(t.events)) +
             static_cast<double>(t.lea_cycles) * m.lea_cycle_charge_c() +
             static_cast<double>(t.resets) * m.reset_charge_c + t.external_c +
             (m_external_charge_seen - t.external_from);
  for (const auto& [charge, n] : t.wakes) q += charge * static_cast<double>(n);
  for (const auto& [current, time] : t.base) q += current * time.to_seconds();
  energy::EnergyReport r;
  r.harvested = r.consumed = m_config.supply_v * q;
  return r;
}
double PowerController::voltage() const {
  return m_supervisor ? m_supervisor->voltage() : m_config.supply_v;
}

}  // namespace ipsim
