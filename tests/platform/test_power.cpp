// The platform under intermittent power: brown-out, reboot, FRAM kept, SRAM lost.
#include <catch2/catch.hpp>

#include <memory>

#include "energy/harvester.h"
#include "models/elf_image.h"
#include "sim/platform.h"

using namespace ipsim;

namespace {
std::string elf(const char* name) {
  return std::string(IPSIM_TEST_ELF_DIR) + "/" + name;
}

uint32_t read32(Platform& p, uint32_t addr) {
  const auto b = p.read_memory(addr, 4);
  return b[0] | (b[1] << 8) | (b[2] << 16) | (uint32_t(b[3]) << 24);
}

// 10 uF between v_on 2.8 V and v_off 2.4 V, clamped at 3.3 V; 1 MHz active draw is 118 uA.
// A 5 mW supply for 100 ms charges it past v_on within milliseconds; 150 ms without supply
// drains it below v_off (about 85 ms from 3.3 V), so every supply period is one power cycle.
PlatformConfig square_wave_config(double t_end_s) {
  PlatformConfig config;
  config.power.mode = PowerConfig::Mode::kSupervised;
  config.power.capacitor.capacitance_f = 10e-6;
  config.power.capacitor.v_max = 3.3;
  config.power.supervisor.v_on = 2.8;
  config.power.supervisor.v_off = 2.4;
  config.power.harvester = std::make_shared<energy::SquareWaveHarvester>(5e-3, 0.100, 0.150);
  config.power.time_limit_s = t_end_s;
  return config;
}
}  // namespace

TEST_CASE("Square-wave supply: one reboot per period, FRAM counts on, SRAM restarts") {
  const ElfImage image = ElfImage::load(elf("counter.elf"));
  const int periods = 4;
  Platform platform(square_wave_config(periods * 0.250), image);
  platform.run();
  CHECK(platform.stop_reason() == "time-limit");
  CHECK(platform.power().power_failures() == periods);
  CHECK(platform.boots() == periods);
  const uint32_t fram_boots = platform.read_memory(image.find("fram_boots")->addr, 2)[0];
  CHECK(fram_boots == periods);
  const uint32_t fram_count = read32(platform, image.find("fram_count")->addr);
  const uint32_t sram_count = read32(platform, image.find("sram_count")->addr);
  INFO("fram_count " << fram_count << " sram_count " << sram_count);
  // SRAM lost its count at the last brown-out and woke to a pattern; FRAM holds the total of
  // all on-periods, each of which ran for tens of milliseconds at about 1 instruction per 4
  // cycles.
  CHECK(fram_count > periods * 5000u);
  const auto& markers = platform.debug_port().markers();
  REQUIRE(markers.size() == static_cast<size_t>(periods));
  for (int i = 0; i < periods; ++i) CHECK(markers[i].arg == uint32_t(i + 1));

  const energy::EnergyReport e = platform.power().energy();
  CHECK(e.harvested > 0);
  CHECK(std::abs(e.balance_error()) <= 1e-9 * e.harvested);
}

TEST_CASE("Brown-out lands on the instruction at which Vcap crosses v_off") {
  const ElfImage image = ElfImage::load(elf("counter.elf"));
  PlatformConfig config = square_wave_config(0.200);
  Platform platform(config, image);
  platform.run();
  REQUIRE(platform.power().power_failures() == 1);
  // The failure happened in the off phase after draining from at most 3.3 V to 2.4 V at the
  // active current: the charge drawn equals C * dV within one instruction's worth of charge.
  const double on_s = platform.power().on_time_s();
  CHECK(on_s > 0.05);
  CHECK(platform.power().voltage() < config.power.supervisor.v_on);
}

TEST_CASE("Continuous supply books CPU cycles, FRAM misses, sleep and LEA charge") {
  // fwtest_lea_conv sleeps in LPM0 while the LEA and the DMA work.
  const ElfImage image = ElfImage::load(std::string(IPSIM_FIRMWARE_DIR) + "/fwtest_lea_conv.elf");
  PlatformConfig config;  // continuous: an ideal 3 V supply
  Platform platform(config, image);
  platform.run();
  REQUIRE(platform.stop_reason() == "exit");
  REQUIRE(platform.lea().busy_cycles() > 0);
  const energy::LoadModel load;
  const double v = config.power.supply_v;
  // Charge by part: the CPU's cycles (118 uA/MHz is the same charge per cycle at any clock),
  // FRAM misses, and the LEA per busy cycle; LPM0 sleep comes on top.
  const double cycles = static_cast<double>(platform.core().cycles());
  const double misses = static_cast<double>(platform.fram().cache().misses());
  const double per_cycle_c = load.active_current_per_mhz_a * 1e-6;  // same at any clock
  const double expected_min =
      v * (cycles * per_cycle_c + misses * load.fram_miss_extra_charge_c() +
           static_cast<double>(platform.lea().busy_cycles()) * load.lea_current_per_mhz_a * 1e-6);
  const energy::EnergyReport e = platform.power().energy();
  INFO("consumed " << e.consumed << " J, CPU+misses+LEA " << expected_min << " J");
  CHECK(e.consumed >= expected_min * (1 - 1e-9));
  // The rest is LPM0 sleep: bounded by the LPM0 current over the whole run.
  CHECK(e.consumed <= expected_min + v * load.lpm0_current_a * platform.sim_time_s() * (1 + 1e-9));
  CHECK(e.harvested == Approx(e.consumed).epsilon(1e-12));
}
