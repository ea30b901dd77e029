// The platform under intermittent power: brown-out, reboot, FRAM kept, SRAM lost.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "energy/harvester.h"
#include "models/elf_image.h"
#include "sim/platform.h"
#include "sim/waveforms.h"

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

namespace {
// A constant supply between v_on 2.8 V and v_off 2.4 V. CPU-only firmware at 1 MHz: 0.1 mW on
// 1 uF recharges in about 10 ms and runs a few ms. Accelerator firmware at 16 MHz (which boots
// for 3.7 ms at 1 MHz first): 1 mW on 10 uF, also about 10 ms off and a few on. 0.3 s then
// hold more than ten cuts.
PlatformConfig cycling_config(bool fast) {
  PlatformConfig config;
  config.power.mode = PowerConfig::Mode::kSupervised;
  config.power.capacitor.capacitance_f = fast ? 10e-6 : 1e-6;
  config.power.capacitor.v_max = 3.3;
  config.power.supervisor.v_on = 2.8;
  config.power.supervisor.v_off = 2.4;
  config.power.harvester = std::make_shared<energy::ConstantHarvester>(
      energy::ConstantHarvester::power(fast ? 1e-3 : 1e-4));
  config.power.time_limit_s = 0.3;
  return config;
}

struct Cuts {
  std::vector<double> vcap;
  unsigned lea_busy = 0, dma_busy = 0;
};

// Runs `elf_path` on the cycling supply and records Vcap at every power cut, and whether the
// LEA or a DMA transfer was at work when it came.
Cuts record_cuts(const std::string& elf_path, bool fast, Platform** out = nullptr) {
  const ElfImage image = ElfImage::load(elf_path);
  static std::unique_ptr<Platform> platform;  // one platform per process (SystemC)
  platform = std::make_unique<Platform>(cycling_config(fast), image);
  Cuts cuts;
  Platform& p = *platform;
  p.power().set_observer([&](const PowerSample& s, const char* event) {
    if (!event || std::string(event) != "power-off") return;
    cuts.vcap.push_back(s.vcap_v);
    const sc_core::sc_time now = sc_core::sc_time_stamp();
    if (p.lea().busy_at(now)) ++cuts.lea_busy;
    if (p.dma().busy_at(now)) ++cuts.dma_busy;
  });
  p.run();
  CHECK(p.stop_reason() == "time-limit");
  if (out) *out = &p;
  return cuts;
}

// Every cut lands at v_off: the budget of each CPU slice and each sleep bounds the draw of the
// CPU, the memory accesses of every initiator, the LEA and the wake-up charge, so the
// crossing is found inside the stretch that makes it. 1 uV is the tolerance (the supervisor
// stops on the crossing to ~1e-9 of a stretch); a post-hoc LEA charge left cuts ~1 mV low.
constexpr double kCutToleranceV = 1e-6;

void check_cuts(const Cuts& cuts) {
  REQUIRE(cuts.vcap.size() >= 10);
  double worst = 0;
  for (double v : cuts.vcap) worst = std::max(worst, std::abs(v - 2.4));
  INFO(cuts.vcap.size() << " cuts, worst |Vcap - v_off| " << worst * 1e6 << " uV");
  CHECK(worst <= kCutToleranceV);
}
}  // namespace

TEST_CASE("Brown-out of CPU-only firmware lands at v_off") {
  const Cuts cuts = record_cuts(elf("counter.elf"), false);
  check_cuts(cuts);
}

TEST_CASE("Brown-out while the LEA runs lands at v_off, on the LEA output due then") {
  Platform* p = nullptr;
  const Cuts cuts =
      record_cuts(std::string(IPSIM_FIRMWARE_DIR) + "/power_stress_lea.elf", true, &p);
  check_cuts(cuts);
  CHECK(cuts.lea_busy >= cuts.vcap.size() / 2);  // most cuts come while the LEA computes
  CHECK(p->lea().commands() > 0);
}

TEST_CASE("Brown-out while DMA blocks run lands at v_off") {
  const Cuts cuts = record_cuts(std::string(IPSIM_FIRMWARE_DIR) + "/power_stress_dma.elf", true);
  check_cuts(cuts);
  CHECK(cuts.dma_busy >= cuts.vcap.size() / 2);
}

TEST_CASE("HAWAII's DMA start (DMAREQ, then LPM0 with GIE set) wakes and continues") {
  // The request is served after its synchronisation delay, so the LPM0 entry runs first and
  // the completion interrupt wakes the CPU; if the block completed inside the register write,
  // the interrupt would come before LPM0 and the CPU would sleep for ever (stop_reason sleep).
  const ElfImage image = ElfImage::load(std::string(IPSIM_FIRMWARE_DIR) + "/power_stress_dma.elf");
  PlatformConfig config;
  config.power.time_limit_s = 0.01;
  Platform platform(config, image);
  platform.run();
  CHECK(platform.stop_reason() == "time-limit");
  const auto rounds = platform.read_memory(image.find("stress_rounds")->addr, 4);
  const uint32_t n = rounds[0] | rounds[1] << 8 | rounds[2] << 16;
  // A round is at least its 512 words at 2 MCLK (16 MHz); FRAM wait states (one miss per
  // 8-byte line) and the loop add some 20 %, never the whole block twice.
  const double boot_s = platform.debug_port().markers().at(0).time.to_seconds();
  const double round_cycles = (platform.sim_time_s() - boot_s) * 16e6 / n;
  INFO(n << " rounds of " << round_cycles << " cycles");
  CHECK(n >= 50);
  CHECK(round_cycles >= 1024);
  CHECK(round_cycles <= 1.5 * 1024);
  CHECK(platform.dma().channel_transfers(0) >= 512u * n);
  CHECK(platform.sleep_time_s() > 0);
}

TEST_CASE("Continuous supply books CPU cycles, every memory access, sleep and LEA charge") {
  // fwtest_lea_conv sleeps in LPM0 while the LEA and the DMA work.
  const ElfImage image = ElfImage::load(std::string(IPSIM_FIRMWARE_DIR) + "/fwtest_lea_conv.elf");
  PlatformConfig config;  // continuous: an ideal 3 V supply
  Platform platform(config, image);
  platform.run();
  REQUIRE(platform.stop_reason() == "exit");
  REQUIRE(platform.lea().busy_cycles() > 0);
  const energy::LoadModel load;
  const double v = config.power.supply_v;
  // Charge by part: cycles (the same charge per cycle at any clock), every FRAM and SRAM
  // access, and the LEA per busy cycle; LPM0 sleep and wake-ups come on top.
  const FramCache& cache = platform.fram().cache();
  energy::AccessCounts a;
  a.fram_read_hits = static_cast<double>(cache.hits());
  a.fram_read_misses = static_cast<double>(cache.misses());
  a.fram_writes = static_cast<double>(cache.writes());
  a.sram_accesses =
      static_cast<double>(platform.core().sram_accesses() + platform.sram().accesses());
  CHECK(platform.sram().accesses() > 0);  // the DMA's SRAM side
  const double cycles = static_cast<double>(platform.core().cycles());
  const double expected_min =
      v * (cycles * load.cycle_charge_c() + load.access_charge_c(a) +
           static_cast<double>(platform.lea().busy_cycles()) * load.lea_cycle_charge_c());
  const energy::EnergyReport e = platform.power().energy();
  INFO("consumed " << e.consumed << " J, CPU+accesses+LEA " << expected_min << " J");
  CHECK(e.consumed >= expected_min * (1 - 1e-9));
  // The rest is LPM0 sleep at 16 MHz and one LPM0 wake-up per LEA command or DMA block.
  const double wakes =
      static_cast<double>(platform.lea().commands() + platform.dma().channel_triggers(0));
  CHECK(e.consumed <= expected_min + v *
                                         (load.lpm0_current_a(16e6) * platform.sleep_time_s() +
                                          wakes * load.lpm0_wake_charge_c) *
                                         (1 + 1e-9));
  CHECK(e.consumed >
        expected_min + v * load.lpm0_current_a(16e6) * platform.sleep_time_s() * 0.999);
  CHECK(e.harvested == Approx(e.consumed).epsilon(1e-12));
}

TEST_CASE("LEA commands and DMA transfers are counted by command and by channel") {
  // fwtest_lea_conv: 4 DMA blocks on channel 0 (71 + 8 words in, 64 + 8 words out), one
  // 64-output 8-tap FIR, four 8-element MACs and one 64-element MAX.
  const ElfImage image = ElfImage::load(std::string(IPSIM_FIRMWARE_DIR) + "/fwtest_lea_conv.elf");
  PlatformConfig config;
  Platform platform(config, image);
  platform.run();
  REQUIRE(platform.stop_reason() == "exit");
  const Dma& dma = platform.dma();
  CHECK(dma.channel_triggers(0) == 4);
  CHECK(dma.channel_transfers(0) == 71 + 8 + 64 + 8);
  for (unsigned n = 1; n < Dma::kChannels; ++n) CHECK(dma.channel_transfers(n) == 0);
  const Lea& lea = platform.lea();
  uint64_t commands = 0, busy = 0;
  for (std::size_t i = 0; i < std::size(kLeaTiming); ++i) {
    const Lea::CommandStats& s = lea.command_stats(i);
    commands += s.commands;
    busy += s.busy_cycles;
    const std::string name = kLeaTiming[i].name;
    INFO(name);
    if (name == "FIR") {
      CHECK(s.commands == 1);
      CHECK(s.units == 64 * 8);
      CHECK(s.busy_cycles == kLeaStartupCycles + 64 * (6 + 8));
    } else if (name == "MAC") {
      CHECK(s.commands == 4);
      CHECK(s.units == 4 * 8);
      CHECK(s.busy_cycles == 4 * (kLeaStartupCycles + 12));
    } else if (name == "MAX") {
      CHECK(s.commands == 1);
      CHECK(s.units == 64);
    } else {
      CHECK(s.commands == 0);
    }
  }
  CHECK(commands == lea.commands());
  CHECK(busy == lea.busy_cycles());
}
