// Capacitor integration against closed forms. Tolerances: closed-form paths 1e-12 relative
// (rounding only); adaptive ODE paths 1e-8 relative (method tolerance 1e-11 per step).
#include <catch2/catch.hpp>
#include <cmath>

#include "energy/capacitor.h"

using namespace ipsim::energy;

namespace {

constexpr Capacitor::Level kNoLevel{};

double balance_error(const Capacitor& c) {
  const auto& k = c.counters();
  return k.harvested_j - (k.consumed_j + c.stored_delta_j() + k.leaked_j + k.clamped_j);
}

double scale(const Capacitor& c) {
  const auto& k = c.counters();
  return std::max({k.harvested_j, k.consumed_j, k.leaked_j, std::abs(c.stored_delta_j()), 1e-30});
}

}  // namespace

TEST_CASE("Constant-current charge is a linear ramp", "[capacitor]") {
  Capacitor cap({100e-6, 0.0, kInf, kInf});
  SourceTerm src;
  src.current_a = 1e-3;
  cap.integrate(src, 0.0, 0.1, kNoLevel);
  CHECK(cap.voltage() == Approx(1e-3 * 0.1 / 100e-6).epsilon(1e-12));  // 1.0 V
  // Harvested = integral of V I dt = I^2 t^2 / (2C) = 0.5 C V^2.
  CHECK(cap.counters().harvested_j == Approx(0.5 * 100e-6 * 1.0).epsilon(1e-12));
  CHECK(std::abs(balance_error(cap)) <= 1e-12 * scale(cap));
}

TEST_CASE("Constant-power charge follows V = sqrt(V0^2 + 2Pt/C)", "[capacitor]") {
  const double c = 100e-6, v0 = 1.0, p = 1e-3, t = 0.5;
  Capacitor cap({c, v0, kInf, kInf});
  SourceTerm src;
  src.power_w = p;
  // In 1000 pieces, as trace samples would be.
  for (int i = 0; i < 1000; ++i) cap.integrate(src, 0.0, t / 1000, kNoLevel);
  CHECK(cap.voltage() == Approx(std::sqrt(v0 * v0 + 2 * p * t / c)).epsilon(1e-12));
  CHECK(cap.counters().harvested_j == Approx(p * t).epsilon(1e-12));
}

TEST_CASE("Charge from a voltage source through a resistor is exponential", "[capacitor]") {
  const double c = 100e-6, r = 1e3, vs = 3.0, v0 = 0.5, t = 0.05;
  Capacitor cap({c, v0, kInf, kInf});
  SourceTerm src;
  src.thevenin_v = vs;
  src.thevenin_r_ohm = r;
  cap.integrate(src, 0.0, t, kNoLevel);
  const double v = vs + (v0 - vs) * std::exp(-t / (r * c));
  CHECK(cap.voltage() == Approx(v).epsilon(1e-12));
  // Harvested into the capacitor = energy stored (no load, no leak).
  CHECK(cap.counters().harvested_j == Approx(0.5 * c * (v * v - v0 * v0)).epsilon(1e-12));

  SECTION("a capacitor above Vs discharges to the knee and the source blocks reverse current") {
    Capacitor hi({c, 3.3, kInf, kInf});
    hi.integrate(src, 10e-6 /*A*/, 10.0, kNoLevel);
    // Load 10 uA: falls linearly to Vs (3 ms... 3 s), then settles at Vs - I R.
    CHECK(hi.voltage() == Approx(vs - 10e-6 * r).epsilon(1e-9));
    CHECK(std::abs(balance_error(hi)) <= 1e-12 * scale(hi));
  }
}

TEST_CASE("Leakage decays exponentially", "[capacitor]") {
  const double c = 100e-6, rl = 1e5, v0 = 3.0, t = 5.0;
  Capacitor cap({c, v0, rl, kInf});
  cap.integrate(SourceTerm{}, 0.0, t, kNoLevel);
  const double v = v0 * std::exp(-t / (rl * c));
  CHECK(cap.voltage() == Approx(v).epsilon(1e-12));
  CHECK(cap.counters().leaked_j == Approx(0.5 * c * (v0 * v0 - v * v)).epsilon(1e-12));
  SECTION("in many short pieces (small-argument series), with a load") {
    // C dV/dt = -I - V/R: V = (V0 + I R) e^{-t/RC} - I R.
    const double i = 1e-6;
    Capacitor pieces({c, v0, rl, kInf});
    for (int n = 0; n < 5000; ++n) pieces.integrate(SourceTerm{}, i, t / 5000, kNoLevel);
    CHECK(pieces.voltage() ==
          Approx((v0 + i * rl) * std::exp(-t / (rl * c)) - i * rl).epsilon(1e-11));
    const auto& k = pieces.counters();
    CHECK(k.consumed_j + k.leaked_j ==
          Approx(0.5 * c * (v0 * v0 - pieces.voltage() * pieces.voltage())).epsilon(1e-11));
    CHECK(std::abs(balance_error(pieces)) <= 1e-12 * scale(pieces));
  }
}

TEST_CASE("One leakage + load piece matches the closed form on both sides of the series switch",
          "[capacitor]") {
  // C dV/dt = -I - V/R on one piece of length tau, x = tau / (RC). Below x = 0.05 the
  // integrals of V and V^2 use the q/r series, above it expm1; a wrong sign or term in either
  // is an error of order x (q) or x^2 (r) relative in the flows, far above 1e-12.
  const double c = 100e-6, rl = 1e5, v0 = 3.0, i = 1e-6;
  const double k = 1.0 / (rl * c), v_inf = -i * rl, d = v0 - v_inf;
  for (const double x : {1e-6, 1e-4, 1e-2, 0.049, 0.0499999, 0.05, 0.0500001, 0.051, 0.2}) {
    CAPTURE(x);
    const double tau = x / k;
    Capacitor cap({c, v0, rl, kInf});
    cap.integrate(SourceTerm{}, i, tau, kNoLevel);
    // V(t) = V_inf + D e^{-kt}; integrals of V and V^2 over [0, tau] via expm1 (no cancellation).
    const double one_minus_e1 = -std::expm1(-x), one_minus_e2 = -std::expm1(-2.0 * x);
    const double int_v = v_inf * tau + d * one_minus_e1 / k;
    const double int_v2 =
        v_inf * v_inf * tau + 2.0 * v_inf * d * one_minus_e1 / k + d * d * one_minus_e2 / (2.0 * k);
    CHECK(cap.voltage() == Approx(v_inf + d * std::exp(-x)).epsilon(1e-12));
    CHECK(cap.counters().consumed_j == Approx(i * int_v).epsilon(1e-12));
    CHECK(cap.counters().leaked_j == Approx(int_v2 / rl).epsilon(1e-12));
    // stored_delta_j() = 0.5 C (V^2 - V0^2) rounds at ~1 ulp of the stored energy, which for
    // x = 1e-6 is above 1e-12 of the flows: bound the balance relative to the stored energy.
    CHECK(std::abs(balance_error(cap)) <= 1e-12 * std::max(scale(cap), cap.energy_at(v0)));
  }
}

TEST_CASE("Constant power with a constant-current load matches the implicit closed form",
          "[capacitor]") {
  // C V dV/dt = P - I V  =>  t(V) = C [ -(V - V0)/I - (P/I^2) ln((P - I V)/(P - I V0)) ].
  const double c = 47e-6, p = 2e-3, i = 1.5e-3, v0 = 2.0, t = 0.02;
  Capacitor cap({c, v0, kInf, kInf});
  SourceTerm src;
  src.power_w = p;
  cap.integrate(src, i, t, kNoLevel);
  const double v = cap.voltage();
  const double t_of_v = c * (-(v - v0) / i - p / (i * i) * std::log((p - i * v) / (p - i * v0)));
  CHECK(t_of_v == Approx(t).epsilon(1e-8));
  CHECK(std::abs(balance_error(cap)) <= 1e-12 * scale(cap));
}

TEST_CASE("Single-diode PV charges towards Voc", "[capacitor]") {
  const double c = 100e-6;
  SourceTerm src;
  src.diode_isc_a = 0.6e-3;
  src.diode_i0_a = 1e-6;
  src.diode_c_per_v = 4.2;
  const double voc = std::log1p(src.diode_isc_a / src.diode_i0_a) / src.diode_c_per_v;
  Capacitor cap({c, 0.2, kInf, kInf});
  // Reference: classical RK4 on C dV/dt = I(V), 1 us steps.
  double v = 0.2;
  const double h = 1e-6, t = 0.2;
  auto f = [&](double x) { return src.current_at(x) / c; };
  for (int n = 0; n < static_cast<int>(t / h + 0.5); ++n) {
    const double k1 = f(v), k2 = f(v + h / 2 * k1), k3 = f(v + h / 2 * k2), k4 = f(v + h * k3);
    v += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  cap.integrate(src, 0.0, t, kNoLevel);
  CHECK(cap.voltage() == Approx(v).epsilon(1e-8));
  cap.integrate(src, 0.0, 100.0, kNoLevel);
  CHECK(cap.voltage() == Approx(voc).epsilon(1e-6));
  CHECK(cap.voltage() <= voc * (1 + 1e-9));
  CHECK(std::abs(balance_error(cap)) <= 1e-12 * scale(cap));
}

TEST_CASE("The clamp refuses energy above v_max and books it as clamped", "[capacitor]") {
  const double c = 100e-6, p = 1e-3;
  Capacitor cap({c, 0.0, kInf, 2.0});
  SourceTerm src;
  src.power_w = p;
  cap.integrate(src, 0.0, 1.0, kNoLevel);
  CHECK(cap.voltage() == Approx(2.0).epsilon(1e-12));
  CHECK(cap.counters().harvested_j == Approx(1e-3).epsilon(1e-12));
  CHECK(cap.counters().clamped_j == Approx(1e-3 - 0.5 * c * 4.0).epsilon(1e-12));
  SECTION("clamped with a load: the load is served first") {
    cap.integrate(src, 0.2e-3, 1.0, kNoLevel);  // 0.4 mW load at 2 V
    CHECK(cap.voltage() == Approx(2.0).epsilon(1e-12));
    CHECK(cap.counters().consumed_j == Approx(0.4e-3).epsilon(1e-9));
    CHECK(cap.counters().clamped_j == Approx(0.8e-3 + 0.6e-3).epsilon(1e-9));
  }
  CHECK(std::abs(balance_error(cap)) <= 1e-12 * scale(cap));
}

TEST_CASE("Instant charge and energy draws are booked as consumed", "[capacitor]") {
  const double c = 10e-6;
  Capacitor cap({c, 3.0, kInf, kInf});
  cap.remove_charge(102e-9);
  CHECK(cap.voltage() == Approx(3.0 - 102e-9 / c).epsilon(1e-12));
  cap.remove_energy(1e-6);
  CHECK(std::abs(balance_error(cap)) <= 1e-12 * scale(cap));
  cap.remove_charge(1.0);  // more than stored
  CHECK(cap.voltage() == 0.0);
  CHECK(std::abs(balance_error(cap)) <= 1e-12 * scale(cap));
}

TEST_CASE("Capacitor parameter errors name the parameter", "[capacitor]") {
  CHECK_THROWS_WITH(Capacitor({-1e-6, 0.0, kInf, kInf}), Catch::Contains("capacitance_f"));
  CHECK_THROWS_WITH(Capacitor({0.0, 0.0, kInf, kInf}), Catch::Contains("capacitance_f"));
  CHECK_THROWS_WITH(Capacitor({1e-6, -1.0, kInf, kInf}), Catch::Contains("v_initial"));
  CHECK_THROWS_WITH(Capacitor({1e-6, 0.0, 0.0, kInf}), Catch::Contains("leakage_r_ohm"));
  CHECK_THROWS_WITH(Capacitor({1e-6, 4.0, kInf, 3.6}), Catch::Contains("v_initial"));
}
