// PowerController's slice limits under a harvester: a limit given as a bound (slice_bounds)
// never exceeds the exact one, and extend_slice() then gives the exact one.
#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>

#include "energy/harvester.h"
#include "sim/power_controller.h"

using namespace ipsim;

namespace {
constexpr uint16_t kActive = 0x0008;  // GIE
constexpr uint16_t kLpm0 = 0x0018;    // GIE | CPUOFF
constexpr double kMclkHz = 16e6;
constexpr uint64_t kProposed = 16000;  // one 1 ms quantum at 16 MHz
constexpr double kCapacitanceF = 10e-6;

struct Node {
  uint16_t sr = kActive;
  std::unique_ptr<PowerController> power;
};

// A node that has just slept in LPM0 (so a wake-up charge is owed) on a capacitor at v_on, with
// no harvest: the first slice after the wake draws the wake-up charge.
void make_node(Node& node, double headroom_v, double wake_charge_c, bool slice_bounds) {
  PowerConfig config;
  config.mode = PowerConfig::Mode::kSupervised;
  config.capacitor.capacitance_f = kCapacitanceF;
  config.supervisor.v_off = 2.4;
  config.supervisor.v_on = 2.4 + headroom_v;
  config.capacitor.v_initial = config.supervisor.v_on;
  config.harvester =
      std::make_shared<energy::ConstantHarvester>(energy::ConstantHarvester::power(0.0));
  config.load.lpm0_wake_charge_c = wake_charge_c;
  config.slice_bounds = slice_bounds;
  PowerActions actions;
  actions.mclk_hz = [] { return kMclkHz; };
  actions.memory_events = [] { return MemoryEventTotals{}; };
  actions.cycles = [] { return uint64_t{0}; };
  actions.status_register = [&node] { return node.sr; };
  actions.lose_power = [] { FAIL("no power cut expected"); };
  actions.restore_power = [] {};
  actions.finish = [](const std::string& reason) { FAIL("finished: " << reason); };
  actions.last_marker = [] { return std::string("none"); };
  node.power = std::make_unique<PowerController>(config, 1, std::move(actions));
  REQUIRE(node.power->voltage() > config.supervisor.v_off);
  node.sr = kLpm0;
  node.power->after_sleep(sc_core::SC_ZERO_TIME);  // the wake-up from LPM0 is owed now
  node.sr = kActive;
}
}  // namespace

TEST_CASE("Slice bounds after a wake-up stay at or below the exact limit") {
  // At the worst-case draw at 16 MHz, 10 uF falls about 1 mV per 34 cycles. The datasheet's
  // LPM0 wake-up (3.8 nAs, 0.38 mV) is worth about a dozen of those cycles; the larger
  // charges stand for a costlier wake-up (platform.energy_model) and are where a bound that
  // ignored the charge would pass the exact limit.
  unsigned bounds = 0;
  for (double wake_c : {3.8e-9, 2e-7, 1e-6}) {
    // Above v_off by what the wake-up takes (Q / C) and then some.
    for (double extra_mv : {2.0, 5.0, 10.0, 20.0, 40.0, 70.0, 100.0, 200.0}) {
      const double headroom_v = wake_c / kCapacitanceF + extra_mv * 1e-3;
      Node exact_node, bound_node;
      make_node(exact_node, headroom_v, wake_c, false);
      make_node(bound_node, headroom_v, wake_c, true);
      const uint64_t exact = exact_node.power->limit_slice(kProposed);
      REQUIRE(exact > 0);
      const uint64_t given = bound_node.power->limit_slice(kProposed);
      const uint64_t extended = bound_node.power->extend_slice();
      INFO("wake " << wake_c << " C, " << extra_mv << " mV above it: exact " << exact << ", given "
                   << given << ", extended " << extended);
      CHECK(given <= exact);
      CHECK((extended != 0 ? extended : given) == exact);
      if (extended != 0) ++bounds;
    }
  }
  CHECK(bounds >= 6);  // the bound path was taken, not only the exact one
}
