// Benchmark (not a test): host time to load the NREL month and to fast-forward off time.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "energy/power_supervisor.h"

using namespace ipsim::energy;
using Clock = std::chrono::steady_clock;

static double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

int main() {
  const std::string path = std::string(IPSIM_TRACES_DIR) + "/nrel_2023jan.csv";
  double best_load = 1e9;
  std::shared_ptr<Trace> trace;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = Clock::now();
    trace = std::make_shared<Trace>(Trace::load(path));
    best_load = std::min(best_load, seconds_since(t0));
  }
  std::printf("load %s: %zu samples, %.0f s of trace, best of 5: %.2f ms\n", path.c_str(),
              trace->size(), trace->duration_s(), best_load * 1e3);

  PvCellConfig cfg;
  cfg.area_m2 = 1e-4;
  cfg.efficiency = 0.1;
  auto solar = std::make_shared<SolarHarvester>(trace, cfg);
  {
    // Night: Jan 1 00:00-01:00 MST is dark; capacitor 1 mF, leaking, off-state current 1 uA.
    PowerSupervisor ps({1e-3, 1.5, 1e6, 3.6}, {3.0, 2.0, 1e-6}, solar);
    const auto t0 = Clock::now();
    const OffResult r = ps.fast_forward_off(3600.0);
    const double host = seconds_since(t0);
    std::printf(
        "fast-forward 1 h of night off time: %.0f s simulated, V %.4f -> %.4f, host %.3f us\n",
        r.off_time_s, 1.5, ps.voltage(), host * 1e6);
  }
  {
    // A whole day off, from midnight, with a 10 F capacitor (reaches v_on late in the day).
    PowerSupervisor ps({10.0, 0.0, 1e6, 3.6}, {3.0, 2.0, 1e-6}, solar);
    const auto t0 = Clock::now();
    const OffResult r = ps.fast_forward_off(86400.0);
    const double host = seconds_since(t0);
    std::printf("fast-forward 24 h off (1440 samples, day and night, 10 F): V %.4f, host %.3f ms\n",
                ps.voltage(), host * 1e3);
    (void)r;
  }
  for (double days : {1.0, 31.0}) {
    // Charge/discharge cycles: 1 mF, 3.0/2.0 V, 1 mA load while on.
    PowerSupervisor ps({1e-3, 0.0, 1e6, 3.6}, {3.0, 2.0, 1e-6}, solar);
    const auto t0 = Clock::now();
    std::uint64_t calls = 0;
    const double t_end = days * 86400.0;
    while (ps.time_s() < t_end) {
      if (!ps.is_on()) {
        if (ps.fast_forward_off(t_end - ps.time_s()).stop != OffResult::Stop::ReachedVon) break;
      } else {
        const double t = ps.time_to_voff(1e-3, 1.0);  // 1 s CPU stretches
        ps.advance_on(t, 1e-3);
      }
      ++calls;
    }
    const double host = seconds_since(t0);
    const EnergyReport e = ps.energy();
    std::printf(
        "%.0f days, 1 s on-stretches at 1 mA: %llu calls, %llu power failures, on %.0f s, "
        "host %.3f s (%.2f us/call), balance error %.2e J of %.3e J harvested\n",
        days, static_cast<unsigned long long>(calls),
        static_cast<unsigned long long>(ps.power_failures()), ps.on_time_s(), host,
        host / calls * 1e6, e.balance_error(), e.harvested);
  }
  return 0;
}
