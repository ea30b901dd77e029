#include "energy/power_supervisor.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace ipsim::energy {
namespace {

void require(bool ok, const char* parameter, const std::string& expected, double got) {
  if (!ok)
    throw std::invalid_argument(std::string("parameter '") + parameter + "': expected " + expected +
                                ", got " + std::to_string(got));
}

}  // namespace

PowerSupervisor::PowerSupervisor(const CapacitorConfig& capacitor,
                                 const SupervisorConfig& supervisor,
                                 std::shared_ptr<Harvester> harvester)
    : m_cfg(supervisor), m_cap(capacitor), m_harvester(std::move(harvester)) {
  require(std::isfinite(m_cfg.v_off) && m_cfg.v_off > 0.0, "v_off", "a finite value > 0",
          m_cfg.v_off);
  require(std::isfinite(m_cfg.v_on) && m_cfg.v_on > m_cfg.v_off, "v_on",
          "a value > v_off (" + std::to_string(m_cfg.v_off) + " V)", m_cfg.v_on);
  require(std::isfinite(m_cfg.off_current_a) && m_cfg.off_current_a >= 0.0, "off_current_a",
          "a finite value >= 0", m_cfg.off_current_a);
  if (!m_harvester) throw std::invalid_argument("parameter 'harvester': expected a harvester");
  m_state = m_cap.voltage() >= m_cfg.v_on ? PowerState::On : PowerState::Off;
}

EnergyReport PowerSupervisor::energy() const {
  const EnergyCounters& c = m_cap.counters();
  EnergyReport r;
  r.harvested = c.harvested_j;
  r.consumed = c.consumed_j;
  r.leaked = c.leaked_j;
  r.clamped = c.clamped_j;
  r.stored_delta = m_cap.stored_delta_j();
  return r;
}

PowerSupervisor::Run PowerSupervisor::run(Capacitor& cap, double t0_s, double dt_s, double load_a,
                                          Capacitor::Level level, bool stop_at_trace_end) const {
  Run r;
  const double t_end = t0_s + dt_s;
  double t = t0_s;
  while (t < t_end) {
    SourceTerm term;
    double seg_end = kInf;
    if (m_harvester->ended(t)) {
      if (stop_at_trace_end) {
        r.trace_ended = true;
        break;
      }
    } else {
      term = m_harvester->term_at(t, &seg_end);
    }
    const double stop = std::min(seg_end, t_end);
    const Capacitor::StepResult s = cap.integrate(term, load_a, stop - t, level);
    if (s.reached) {
      t += s.elapsed_s;
      r.reached = true;
      break;
    }
    t = stop;
  }
  r.elapsed_s = std::min(t, t_end) - t0_s;
  if (r.reached || r.trace_ended) r.elapsed_s = t - t0_s;
  return r;
}

// No source term gives a negative current or power (the diode and Thevenin terms are clipped
// at 0 in current_at), so while Vcap is at or below its present V0 it falls no faster than
// k = (I + V0 / R) / C; above V0 it must first come back to V0. Reaching v_off thus takes at
// least (V0 - v_off) / k. With a margin far above the integrator's error (1e-10 relative),
// the integration would not reach v_off within t_s either, and time_to_voff answers t_s
// without it. Unsure (a negative term, too little headroom): false, and it integrates.
double PowerSupervisor::fall_rate_bound(double load_a) const {
  const double r = m_cap.leakage_r_ohm();
  return (load_a + (r < kInf ? m_cap.voltage() / r : 0.0)) / m_cap.capacitance_f();
}

bool PowerSupervisor::surely_above_voff(double t0_s, double load_a, double t_s) const {
  const double v0 = m_cap.voltage();
  const double headroom = v0 - m_cfg.v_off;
  const double k = fall_rate_bound(load_a);
  if (!(headroom > k * t_s * (1 + 1e-6) + 1e-6 * v0)) return false;
  const double t_end = t0_s + t_s;
  for (double t = t0_s; t < t_end;) {
    if (m_harvester->ended(t)) return true;  // no source from here on: a zero term
    double seg_end = kInf;
    const SourceTerm term = m_harvester->term_at(t, &seg_end);
    if (term.power_w < 0.0 || term.current_a < 0.0 || !(seg_end > t)) return false;
    t = seg_end;
  }
  return true;
}

double PowerSupervisor::sure_time_above_voff(double load_a, double t_max_s) const {
  if (m_state == PowerState::Off) return 0.0;
  // The longest span surely_above_voff's bound allows, a little less, checked by it.
  const double v0 = m_cap.voltage();
  const double k = fall_rate_bound(load_a);
  const double room = v0 - m_cfg.v_off - 1e-6 * v0;
  if (!(room > 0.0)) return 0.0;
  const double t = k > 0.0 ? std::min(t_max_s, room / (k * (1 + 1e-6)) * (1 - 1e-9)) : t_max_s;
  return t > 0.0 && surely_above_voff(m_time_s, load_a, t) ? t : 0.0;
}

double PowerSupervisor::time_to_voff(double load_current_a, double t_max_s) const {
  if (m_state == PowerState::Off) return 0.0;
  require(t_max_s >= 0.0, "t_max_s", "a value >= 0", t_max_s);
  if (surely_above_voff(m_time_s, load_current_a, t_max_s)) return t_max_s;
  Capacitor scratch = m_cap;
  const Run r = run(scratch, m_time_s, t_max_s, load_current_a,
                    {Capacitor::Direction::Falling, m_cfg.v_off}, false);
  return r.reached ? r.elapsed_s : t_max_s;
}

double PowerSupervisor::advance_on(double dt_s, double load_current_a) {
  if (m_state != PowerState::On)
    throw std::logic_error("PowerSupervisor::advance_on called while the node is off");
  require(dt_s >= 0.0, "dt_s", "a value >= 0", dt_s);
  const Capacitor::Level level{Capacitor::Direction::Falling, m_cfg.v_off};
  const Run r = run(m_cap, m_time_s, dt_s, load_current_a, level, false);
  double advanced = r.reached ? r.elapsed_s : dt_s;
  bool reached = r.reached;
  if (!reached) {
    // A crossing just past dt (time_to_voff's answer, rounded by the caller's cycle
    // arithmetic or by absolute-time rounding) still cuts power here: look kCutTolerance ahead.
    // The look runs on a copy, so where the bound rules a crossing out, skipping it changes
    // nothing.
    const double t_end = m_time_s + dt_s;
    const double eps = 1e-9 * dt_s + 16.0 * (std::nextafter(t_end, kInf) - t_end) + 1e-15;
    if (!surely_above_voff(t_end, load_current_a, eps)) {
      Capacitor ahead = m_cap;
      const Run r2 = run(ahead, t_end, eps, load_current_a, level, false);
      if (r2.reached) {
        m_cap = ahead;
        advanced = dt_s + r2.elapsed_s;
        reached = true;
      }
    }
  }
  m_time_s += advanced;
  m_on_time_s += advanced;
  if (reached) turn_off();
  return advanced;
}

bool PowerSupervisor::consume_charge(double charge_c) {
  m_cap.remove_charge(charge_c);
  if (m_state == PowerState::On && m_cap.voltage() <= m_cfg.v_off) turn_off();
  return is_on();
}

bool PowerSupervisor::consume_energy(double energy_j) {
  m_cap.remove_energy(energy_j);
  if (m_state == PowerState::On && m_cap.voltage() <= m_cfg.v_off) turn_off();
  return is_on();
}

OffResult PowerSupervisor::fast_forward_off(double t_max_s) {
  if (m_state != PowerState::Off)
    throw std::logic_error("PowerSupervisor::fast_forward_off called while the node is on");
  require(t_max_s >= 0.0, "t_max_s", "a value >= 0", t_max_s);
  const Run r = run(m_cap, m_time_s, t_max_s, m_cfg.off_current_a,
                    {Capacitor::Direction::Rising, m_cfg.v_on}, true);
  OffResult out;
  out.off_time_s = r.elapsed_s;
  m_time_s += r.elapsed_s;
  m_off_time_s += r.elapsed_s;
  if (r.reached) {
    out.stop = OffResult::Stop::ReachedVon;
    m_state = PowerState::On;
  } else if (r.trace_ended) {
    out.stop = OffResult::Stop::TraceEnded;
  } else {
    out.stop = OffResult::Stop::TimeLimit;
  }
  return out;
}

void PowerSupervisor::power_off_now() {
  if (m_state == PowerState::On) turn_off();
}

void PowerSupervisor::turn_off() {
  m_state = PowerState::Off;
  ++m_failures;
}

}  // namespace ipsim::energy
