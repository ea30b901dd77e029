#include "sim/power_controller.h"

#include <algorithm>
#include <cmath>

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
  m_injection_left = std::max<uint64_t>(1, static_cast<uint64_t>(dist(m_rng)));
}

double PowerController::worst_case_current_a() const {
  // Every cycle could miss the FRAM cache (a miss costs at least one cycle).
  const double f = m_actions.mclk_hz();
  return m_config.load.active_current_a(f) + m_config.load.fram_miss_extra_charge_c() * f;
}

double PowerController::sleep_current_a() const {
  // facts §2.1: LPM0 = CPUOFF; LPM3 adds SCG0|SCG1; LPM4 adds OSCOFF.
  const uint16_t sr = m_actions.status_register();
  if (sr & 0x0020) return m_config.load.lpm4_current_a;
  if ((sr & 0x00C0) == 0x00C0) return m_config.load.lpm3_current_a;
  return m_config.load.lpm0_current_a;
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

bool PowerController::book_accelerators() {
  const uint64_t now = m_actions.lea_busy_cycles();
  const uint64_t cycles = now - m_lea_cycles_seen;
  m_lea_cycles_seen = now;
  if (cycles == 0) return true;
  // load_model.h: the LEA draws lea_current_per_mhz_a per MHz while busy, i.e. that many
  // microcoulombs per million cycles at any clock; booked on top of the CPU's draw.
  const double charge_c = m_config.load.lea_current_per_mhz_a * 1e-6 * static_cast<double>(cycles);
  if (!m_supervisor) {
    m_ideal.harvested += m_config.supply_v * charge_c;
    m_ideal.consumed += m_config.supply_v * charge_c;
    return true;
  }
  return m_supervisor->consume_charge(charge_c);
}

void PowerController::book_ideal(double duration_s, double current_a) {
  const double e = m_config.supply_v * current_a * duration_s;
  m_ideal.harvested += e;
  m_ideal.consumed += e;
  m_ideal_on_s += duration_s;
}

uint64_t PowerController::limit_slice(uint64_t proposed) {
  if (m_config.time_limit_s > 0 && sc_core::sc_time_stamp().to_seconds() >= m_config.time_limit_s) {
    m_actions.finish("time-limit");
    return 0;
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
  if (!m_supervisor->is_on()) {  // the capacitor starts below v_on: charge it first
    m_progress_since_boot = true;
    power_cycle();
    return 0;
  }
  const double period = 1.0 / m_actions.mclk_hz();
  const double t = m_supervisor->time_to_voff(worst_case_current_a(), proposed * period);
  const uint64_t cycles = static_cast<uint64_t>(std::floor(t / period));
  if (cycles > 0) return std::min(proposed, cycles);
  // Not even one more cycle at the worst-case draw: finish the descent at the active draw
  // (a cycle or two) and cut power here, before the next instruction. SystemC time follows
  // the supervisor's.
  const double i = m_config.load.active_current_a(m_actions.mclk_hz());
  double descent_s = 0;
  while (m_supervisor->is_on()) descent_s += m_supervisor->advance_on(period, i);
  if (descent_s > 0) sc_core::wait(sc_core::sc_time(descent_s, sc_core::SC_SEC));
  observe(0.0, "power-off");  // the load is gone once power is
  power_cycle();
  return 0;
}

void PowerController::after_slice(uint64_t cycles, const sc_core::sc_time& duration) {
  const uint64_t misses_now = m_actions.fram_misses();
  const uint64_t misses = misses_now - m_fram_misses_seen;
  m_fram_misses_seen = misses_now;
  // The slice ran at the clock it started with (a CSCTL write ends it), which is
  // cycles / duration, not necessarily the clock now.
  const double dt = duration.to_seconds();
  const double current = dt > 0 ? m_config.load.stretch_current_a(static_cast<double>(cycles) / dt,
                                                                  static_cast<double>(cycles),
                                                                  static_cast<double>(misses))
                                : 0.0;
  switch (m_config.mode) {
    case PowerConfig::Mode::kContinuous:
      book_ideal(dt, current);
      book_accelerators();
      break;
    case PowerConfig::Mode::kInjection:
      book_ideal(dt, current);
      book_accelerators();
      m_injection_left -= std::min(m_injection_left, cycles);
      break;
    case PowerConfig::Mode::kSupervised:
      if (m_supervisor->advance_on(dt, current) < dt || !m_supervisor->is_on() ||
          !book_accelerators()) {
        observe(0.0, "power-off");  // the load is gone once power is
        power_cycle();
        return;
      }
      break;
  }
  observe(current);
}

sc_core::sc_time PowerController::limit_sleep(const sc_core::sc_time& proposed) {
  if (m_config.mode != PowerConfig::Mode::kSupervised) return proposed;
  const double t = m_supervisor->time_to_voff(sleep_current_a(), proposed.to_seconds());
  return sc_core::sc_time(t, sc_core::SC_SEC);
}

void PowerController::after_sleep(const sc_core::sc_time& duration) {
  const double dt = duration.to_seconds();
  const double current = sleep_current_a();
  if (m_config.mode != PowerConfig::Mode::kSupervised) {
    book_ideal(dt, current);
    book_accelerators();
  } else if (m_supervisor->advance_on(dt, current) < dt || !m_supervisor->is_on() ||
             !book_accelerators()) {
    observe(0.0, "power-off");
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
    const double e = m_config.supply_v * m_config.load.reset_charge_c;
    m_ideal.harvested += e;
    m_ideal.consumed += e;
    draw_injection_budget();
  }
  m_never_on = false;
  m_actions.restore_power();
}

uint64_t PowerController::power_failures() const {
  return m_supervisor ? m_supervisor->power_failures() : m_ideal_failures;
}
double PowerController::on_time_s() const {
  return m_supervisor ? m_supervisor->on_time_s() : m_ideal_on_s;
}
double PowerController::off_time_s() const {
  return m_supervisor ? m_supervisor->off_time_s() : m_ideal_off_s;
}
energy::EnergyReport PowerController::energy() const {
  return m_supervisor ? m_supervisor->energy() : m_ideal;
}
double PowerController::voltage() const {
  return m_supervisor ? m_supervisor->voltage() : m_config.supply_v;
}

}  // namespace ipsim
