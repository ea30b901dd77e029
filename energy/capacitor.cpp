#include "energy/capacitor.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ipsim::energy {
namespace {

void require(bool ok, const char* parameter, const char* expected, double got) {
  if (!ok)
    throw std::invalid_argument(std::string("parameter '") + parameter + "': expected " + expected +
                                ", got " + std::to_string(got));
}

// q(x) = 1 - (1 - e^-x)/x, so that the integral of (1 - e^-kt) over [0, T] is T q(kT).
double q_fn(double x) {
  if (x < 0.05) {
    double term = -1.0, sum = 0.0;  // term_n = -(-x)^n / (n+1)!
    for (int n = 1; n <= 12; ++n) {
      term *= -x / (n + 1);
      sum += term;
    }
    return sum;  // x/2 - x^2/6 + x^3/24 - ...
  }
  return 1.0 + std::expm1(-x) / x;
}

// r(x) = 1 - 2(1 - e^-x)/x + (1 - e^-2x)/(2x): the integral of (1 - e^-kt)^2 over [0, T] is
// T r(kT).
double r_fn(double x) {
  if (x < 0.05) {
    // sum_{n>=2} (-x)^n (2^n - 2) / (n+1)!
    double pw = 1.0, fact = 1.0, two = 1.0, sum = 0.0;
    for (int n = 1; n <= 14; ++n) {
      pw *= -x;
      fact *= (n + 1);
      two *= 2.0;
      if (n >= 2) sum += pw * (two - 2.0) / fact;
    }
    return sum;
  }
  return 1.0 + 2.0 * std::expm1(-x) / x - std::expm1(-2.0 * x) / (2.0 * x);
}

// Dormand-Prince 5(4) tableau.
constexpr double kA[7][6] = {
    {0, 0, 0, 0, 0, 0},
    {1.0 / 5, 0, 0, 0, 0, 0},
    {3.0 / 40, 9.0 / 40, 0, 0, 0, 0},
    {44.0 / 45, -56.0 / 15, 32.0 / 9, 0, 0, 0},
    {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729, 0, 0},
    {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656, 0},
    {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
constexpr double kB5[7] = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
constexpr double kB4[7] = {5179.0 / 57600, 0,       7571.0 / 16695, 393.0 / 640, -92097.0 / 339200,
                           187.0 / 2100,   1.0 / 40};
constexpr double kRtol = 1e-11;
constexpr double kKneeTol = 1e-13;

}  // namespace

Capacitor::Capacitor(const CapacitorConfig& cfg)
    : m_c_f(cfg.capacitance_f),
      m_r_leak_ohm(cfg.leakage_r_ohm),
      m_v_max(cfg.v_max),
      m_v_initial(cfg.v_initial) {
  require(std::isfinite(cfg.capacitance_f) && cfg.capacitance_f > 0.0, "capacitance_f",
          "a finite value > 0", cfg.capacitance_f);
  require(std::isfinite(cfg.v_initial) && cfg.v_initial >= 0.0, "v_initial", "a finite value >= 0",
          cfg.v_initial);
  require(cfg.leakage_r_ohm > 0.0, "leakage_r_ohm", "a value > 0 (inf for none)",
          cfg.leakage_r_ohm);
  require(cfg.v_max > 0.0, "v_max", "a value > 0 (inf for no clamp)", cfg.v_max);
  require(cfg.v_initial <= cfg.v_max, "v_initial", "a value <= v_max", cfg.v_initial);
  m_v = cfg.v_initial;
  m_e_j = energy_at(m_v);
}

void Capacitor::book(const Flows& f) {
  m_counters.harvested_j += f.harvested;
  m_counters.consumed_j += f.consumed;
  m_counters.leaked_j += f.leaked;
  m_counters.clamped_j += f.clamped;
  m_e_j += f.harvested - f.consumed - f.leaked - f.clamped;
  if (m_e_j < 0.0) m_e_j = 0.0;  // only rounding can get here (bounded by 1 ulp of the flows)
  m_v = std::sqrt(2.0 * m_e_j / m_c_f);
}

void Capacitor::remove_charge(double charge_c) {
  require(std::isfinite(charge_c) && charge_c >= 0.0, "charge_c", "a finite value >= 0", charge_c);
  Flows f;
  if (charge_c >= m_c_f * m_v)
    f.consumed = m_e_j;
  else
    f.consumed = charge_c * m_v - charge_c * charge_c / (2.0 * m_c_f);
  book(f);
}

void Capacitor::remove_energy(double energy_j) {
  require(std::isfinite(energy_j) && energy_j >= 0.0, "energy_j", "a finite value >= 0", energy_j);
  Flows f;
  f.consumed = std::min(energy_j, m_e_j);
  book(f);
}

Capacitor::StepResult Capacitor::hold_at(const SourceTerm& term, double load_a, double dt_s,
                                         bool clamp) {
  const double v = m_v;
  Flows f;
  f.harvested = term.power_at(v) * dt_s;
  f.consumed = v * load_a * dt_s;
  f.leaked = m_r_leak_ohm < kInf ? v * v / m_r_leak_ohm * dt_s : 0.0;
  if (clamp) f.clamped = std::max(0.0, f.harvested - f.consumed - f.leaked);
  book(f);
  return {dt_s, false};
}

Capacitor::StepResult Capacitor::integrate(const SourceTerm& term, double load_current_a,
                                           double dt_s, Level level) {
  require(std::isfinite(load_current_a) && load_current_a >= 0.0, "load_current_a",
          "a finite value >= 0", load_current_a);
  require(dt_s >= 0.0, "dt_s", "a value >= 0", dt_s);
  double elapsed = 0.0;
  for (int guard = 0; guard < 32; ++guard) {
    const double rem = dt_s - elapsed;
    const double v = m_v;
    if (level.direction == Direction::Falling && v <= level.v) return {elapsed, true};
    if (level.direction == Direction::Rising && v >= level.v) return {elapsed, true};
    if (!(rem > 0.0)) return {dt_s, false};
    const double g =
        term.power_at(v) - v * load_current_a - (m_r_leak_ohm < kInf ? v * v / m_r_leak_ohm : 0.0);
    if (m_v_max < kInf && v >= m_v_max * (1.0 - kKneeTol) && g >= 0.0) {
      hold_at(term, load_current_a, rem, true);
      return {dt_s, false};
    }
    int dir = g > 0.0 ? 1 : (g < 0.0 ? -1 : 0);
    if (v <= 1e-12) {
      // Empty capacitor: the power balance is 0 at V = 0, the net current decides.
      const double i_net = term.current_at(v) - load_current_a;
      dir = (term.power_w > 0.0 || i_net > 0.0) ? 1 : 0;
      if (dir == 0) return {dt_s, false};  // nothing can flow
    }
    if (dir == 0) {  // at an equilibrium
      hold_at(term, load_current_a, rem, false);
      return {dt_s, false};
    }
    double target = 0.0;
    bool user_target = false;
    if (dir > 0) {
      target = m_v_max;
      if (level.direction == Direction::Rising && level.v <= target) {
        target = level.v;
        user_target = true;
      }
    } else {
      target = 0.0;
      if (level.direction == Direction::Falling && level.v >= target) {
        target = level.v;
        user_target = true;
      }
      if (term.has_thevenin() && v > term.thevenin_v * (1.0 + kKneeTol) &&
          term.thevenin_v > target) {
        target = term.thevenin_v;
        user_target = false;
      }
    }
    StepResult r = piece(term, load_current_a, rem, target, dir);
    elapsed += r.elapsed_s;
    if (!r.reached) return {dt_s, false};
    if (user_target) return {elapsed, true};
    // Reached an internal level (v_max, the knee, or 0): continue in the new regime.
    if (target == 0.0) return {dt_s, false};
  }
  throw std::logic_error("Capacitor::integrate: too many regime changes in one interval");
}

Capacitor::StepResult Capacitor::piece(const SourceTerm& term, double load_a, double rem,
                                       double target_v, int dir) {
  const double v0 = m_v;
  const bool thev = term.has_thevenin() && v0 <= term.thevenin_v * (1.0 + kKneeTol);
  const bool leak = m_r_leak_ohm < kInf;
  const double a = term.current_a + (thev ? term.thevenin_v / term.thevenin_r_ohm : 0.0) - load_a;
  const double b = (thev ? 1.0 / term.thevenin_r_ohm : 0.0) + (leak ? 1.0 / m_r_leak_ohm : 0.0);
  const bool diode = term.has_diode();

  if (!diode && term.power_w > 0.0 && a == 0.0 && b == 0.0) {
    // Constant power, nothing else: E linear.
    double t_hit = target_v < kInf ? (energy_at(target_v) - m_e_j) / term.power_w : kInf;
    if (t_hit < 0.0) t_hit = 0.0;
    const bool reached = t_hit <= rem;
    const double tau = reached ? t_hit : rem;
    Flows f;
    f.harvested = term.power_w * tau;
    book(f);
    return {tau, reached};
  }
  if (!diode && term.power_w == 0.0) {
    // C dV/dt = a - b V: linear ramp (b = 0) or exponential.
    double t_hit = kInf;
    double k = b / m_c_f;
    double delta = 0.0;  // V_inf - V0
    if (b == 0.0) {
      if (target_v < kInf) t_hit = (target_v - v0) * m_c_f / a;
    } else {
      delta = a / b - v0;
      if (target_v < kInf) {
        const double rho = (target_v - v0) / delta;
        if (rho >= 0.0 && rho < 1.0) t_hit = -std::log1p(-rho) / k;
      }
    }
    if (!(t_hit >= 0.0)) t_hit = (t_hit < 0.0) ? 0.0 : kInf;
    const bool reached = t_hit <= rem;
    const double tau = reached ? t_hit : rem;
    double int_v = 0.0, int_v2 = 0.0;
    if (b == 0.0) {
      const double s = a / m_c_f;
      int_v = v0 * tau + 0.5 * s * tau * tau;
      int_v2 = v0 * v0 * tau + v0 * s * tau * tau + s * s * tau * tau * tau / 3.0;
    } else {
      const double x = k * tau;
      const double qv = q_fn(x), rv = r_fn(x);
      int_v = v0 * tau + delta * tau * qv;
      int_v2 = v0 * v0 * tau + 2.0 * v0 * delta * tau * qv + delta * delta * tau * rv;
    }
    int_v = std::max(int_v, 0.0);
    int_v2 = std::max(int_v2, 0.0);
    Flows f;
    f.harvested = term.current_a * int_v;
    if (thev) f.harvested += (term.thevenin_v * int_v - int_v2) / term.thevenin_r_ohm;
    f.consumed = load_a * int_v;
    if (leak) f.leaked = int_v2 / m_r_leak_ohm;
    book(f);
    return {tau, reached};
  }
  return numeric(term, load_a, rem, target_v, dir);
}

Capacitor::StepResult Capacitor::numeric(const SourceTerm& term, double load_a, double rem,
                                         double target_v, int dir) {
  // State y: energy (when a constant-power term is present, which is singular in V at 0) or
  // voltage (diode terms, smooth in V). Without a Thevenin or diode term, current_at(v) is
  // current_a exactly (no call needed). Each case is its own instance: the stages run without
  // those tests (the same arithmetic, so the same results).
  const bool e_domain = term.power_w > 0.0;
  const bool constant_current = !term.has_thevenin() && !term.has_diode();
  if (e_domain)
    return constant_current ? numeric_in<true, true>(term, load_a, rem, target_v, dir)
                            : numeric_in<true, false>(term, load_a, rem, target_v, dir);
  return constant_current ? numeric_in<false, true>(term, load_a, rem, target_v, dir)
                          : numeric_in<false, false>(term, load_a, rem, target_v, dir);
}

template <bool e_domain, bool constant_current>
Capacitor::StepResult Capacitor::numeric_in(const SourceTerm& term, double load_a, double rem,
                                            double target_v, int dir) {
  const double c = m_c_f;
  const double g_leak = m_r_leak_ohm < kInf ? 1.0 / m_r_leak_ohm : 0.0;
  auto v_of_e = [c](double e) {
    return e >= 0.0 ? std::sqrt(2.0 * e / c) : -std::sqrt(-2.0 * e / c);
  };
  const double y_level = target_v < kInf ? (e_domain ? energy_at(target_v) : target_v) : kInf;
  const double atol = e_domain ? kRtol * 0.5 * c : kRtol;

  struct Eval {
    double dy, ph, pc, pl;
  };
  auto eval = [&](double y) {
    const double v_raw = e_domain ? v_of_e(y) : y;
    const double v = std::max(v_raw, 0.0);
    const double i_source = constant_current ? term.current_a : term.current_at(v);
    Eval r;
    r.ph = term.power_w + v * i_source;  // power_at(v)
    r.pc = v * load_a;
    r.pl = v * v * g_leak;
    r.dy = e_domain ? r.ph - r.pc - r.pl : (i_source - load_a - v * g_leak) / c;
    return r;
  };
  struct Trial {
    Flows f;
    double y1 = 0.0, err = 0.0;
  };
  Eval k1{};  // the first stage, evaluated at the start of each step
  auto step = [&](double y0, double e0, double h) {
    Eval k[7];
    k[0] = k1;
    for (int i = 1; i < 7; ++i) {
      double acc = 0.0;
      for (int j = 0; j < i; ++j) acc += kA[i][j] * k[j].dy;
      k[i] = eval(y0 + h * acc);
    }
    Trial t;
    double err = 0.0;
    for (int i = 0; i < 7; ++i) {
      t.f.harvested += kB5[i] * k[i].ph;
      t.f.consumed += kB5[i] * k[i].pc;
      t.f.leaked += kB5[i] * k[i].pl;
      err += (kB5[i] - kB4[i]) * k[i].dy;
    }
    t.f.harvested *= h;
    t.f.consumed *= h;
    t.f.leaked *= h;
    t.f.harvested = std::max(t.f.harvested, 0.0);
    t.f.consumed = std::max(t.f.consumed, 0.0);
    t.f.leaked = std::max(t.f.leaked, 0.0);
    const double e1 = e0 + t.f.harvested - t.f.consumed - t.f.leaked;
    t.y1 = e_domain ? e1 : v_of_e(e1);
    t.err = std::abs(h * err);
    return t;
  };

  double elapsed = 0.0;
  double h = m_h_hint_s > 0.0 ? std::min(m_h_hint_s, rem) : rem;
  for (int iter = 0; iter < 10000000; ++iter) {
    const double left = rem - elapsed;
    if (!(left > 0.0)) return {rem, false};
    h = std::min(h, left);
    const double y0 = e_domain ? m_e_j : m_v;
    const double e0 = m_e_j;
    k1 = eval(y0);  // first stage at the current state
    Trial t = step(y0, e0, h);
    const double sc = atol + kRtol * std::max(std::abs(y0), std::abs(t.y1));
    const double err_n = t.err / sc;
    if (!(err_n <= 1.0) || !std::isfinite(t.y1)) {
      const double f = std::isfinite(err_n) ? std::max(0.2, 0.9 * std::pow(err_n, -0.2)) : 0.2;
      h *= f;
      if (h < 1e-300 || h < 1e-17 * rem) throw std::logic_error("Capacitor: step size underflow");
      continue;
    }
    // At or below 1e-4, 0.9 err_n^-0.2 >= 5.68: the growth is capped at 5 (no pow needed).
    const double grow =
        err_n > 1e-4 ? std::min(5.0, std::max(0.2, 0.9 * std::pow(err_n, -0.2))) : 5.0;
    const bool crossed = y_level < kInf && dir * (t.y1 - y_level) >= 0.0;
    if (!crossed) {
      book(t.f);
      elapsed += h;
      const bool truncated = h == left;
      h *= grow;
      if (!truncated || h > m_h_hint_s) m_h_hint_s = h;
      continue;
    }
    // Locate the crossing in (0, h] with the Illinois (modified regula falsi) method on
    // F(s) = y1(s) - y_level, F(0) has sign -dir, F(h) has sign +dir (or is 0).
    double lo = 0.0, f_lo = y0 - y_level;
    double hi = h, f_hi = t.y1 - y_level;
    Trial best = t;
    int side = 0;
    for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; ++it) {
      double s = (f_hi != f_lo) ? hi - f_hi * (hi - lo) / (f_hi - f_lo) : 0.5 * (lo + hi);
      if (!(s > lo && s < hi)) s = 0.5 * (lo + hi);
      Trial ts = step(y0, e0, s);
      const double fs = ts.y1 - y_level;
      if (dir * fs >= 0.0) {
        hi = s, f_hi = fs, best = ts;
        if (side == 1) f_lo *= 0.5;
        side = 1;
      } else {
        lo = s, f_lo = fs;
        if (side == -1) f_hi *= 0.5;
        side = -1;
      }
      if (std::abs(fs) <= 4e-16 * std::abs(y_level)) {
        if (dir * fs >= 0.0) break;
      }
    }
    book(best.f);
    elapsed += hi;
    return {elapsed, true};
  }
  throw std::logic_error("Capacitor: too many numeric steps in one interval");
}

}  // namespace ipsim::energy
