// A brown-out during a hardware-triggered DMA block (kernels/apps/dma_hw_block.c) lands at
// v_off and keeps exactly the words completed before it; none arrives after power is gone.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "energy/harvester.h"
#include "models/dma.h"
#include "models/elf_image.h"
#include "sim/platform.h"
#include "sim/waveforms.h"

using namespace ipsim;

namespace {

constexpr unsigned kWords = 1024;  // DMA_WORDS of the firmware
constexpr double kMclkHz = 16e6;   // clock_init_16mhz(), FRAM NWAITS = 1
constexpr double kCutToleranceV = 1e-6;

// The cycling supply of tests/platform/test_power.cpp for accelerator firmware: 1 mW into
// 10 uF between v_on 2.8 V and v_off 2.4 V, a few ms on and about 10 ms off per cycle.
PlatformConfig cycling_config() {
  PlatformConfig config;
  config.power.mode = PowerConfig::Mode::kSupervised;
  config.power.capacitor.capacitance_f = 10e-6;
  config.power.capacitor.v_max = 3.3;
  config.power.supervisor.v_on = 2.8;
  config.power.supervisor.v_off = 2.4;
  config.power.harvester =
      std::make_shared<energy::ConstantHarvester>(energy::ConstantHarvester::power(1e-3));
  config.power.time_limit_s = 0.3;
  return config;
}

uint16_t read16(Platform& p, uint32_t addr) {
  const auto b = p.read_memory(addr, 2);
  return static_cast<uint16_t>(b[0] | b[1] << 8);
}

// Words of the current round at the start of the destination; -1 if they are not a prefix.
int prefix_of_round(Platform& p, uint32_t dst, uint16_t round) {
  const auto bytes = p.read_memory(dst, 2 * kWords);
  unsigned m = 0;
  while (m < kWords && (bytes[2 * m] | bytes[2 * m + 1] << 8) == round) ++m;
  for (unsigned k = m; k < kWords; ++k)
    if ((bytes[2 * k] | bytes[2 * k + 1] << 8) == round) return -1;
  return static_cast<int>(m);
}

// Words a block triggered at t0 has completed by t (SLAU367P Table 11-3, models/dma.h): 2 MCLK
// of synchronisation, then word k ends 2(k+1) MCLK later plus the wait states of the words
// before it; each word here is an SRAM read (no wait state) and an FRAM write (NWAITS = 1).
unsigned expected_words(const sc_core::sc_time& t0, const sc_core::sc_time& t) {
  const double elapsed = (t - t0).to_seconds() * kMclkHz;  // MCLK cycles
  unsigned m = 0;
  while (m < kWords && 2.0 + 2.0 * (m + 1) + 1.0 * m <= elapsed + 1e-6) ++m;
  return m;
}

struct Cut {
  double vcap = 0;
  sc_core::sc_time at;
  uint16_t round = 0;
  int words = -1;          // of `round` in the destination after the cut
  bool triggered = false;  // this on-period triggered `round`, at t0
  sc_core::sc_time t0;
  int words_at_reboot = -1;
};

// Runs the firmware on the cycling supply; use_timer = false: the test delivers trigger 1
// (TA0CCR0) itself, after the first slice that ends with the round armed, and records when.
std::vector<Cut> run_cuts(bool use_timer, Platform** out) {
  const ElfImage image = ElfImage::load(std::string(IPSIM_FIRMWARE_DIR) + "/dma_hw_block.elf");
  static std::unique_ptr<Platform> platform;  // one platform per process (SystemC)
  platform = std::make_unique<Platform>(cycling_config(), image);
  Platform& p = *platform;
  p.write_symbol("hw_use_timer", {static_cast<uint8_t>(use_timer), 0});
  const uint32_t dst = image.find("hw_dst")->addr, round_addr = image.find("hw_round")->addr,
                 armed_addr = image.find("hw_armed")->addr;
  std::vector<Cut> cuts;
  uint16_t triggered_round = 0;
  bool triggered = false;  // in this on-period
  sc_core::sc_time t0;
  p.after_slice_hook = [&] {
    if (use_timer || !read16(p, armed_addr)) return;
    const uint16_t round = read16(p, round_addr);
    if (triggered && round == triggered_round) return;
    triggered_round = round, triggered = true;
    t0 = sc_core::sc_time_stamp();
    p.dma().trigger(dma::TSEL_TA0CCR0);
  };
  p.power().set_observer([&](const PowerSample& s, const char* event) {
    if (!event || std::string(event) != "power-off") return;
    Cut c;
    c.vcap = s.vcap_v;
    c.at = sc_core::sc_time_stamp();
    cuts.push_back(c);
  });
  p.on_power_event = [&](const char* event) {
    const std::string e = event;
    if (e == "brown-out" && !cuts.empty()) {  // the DMA has settled up to the cut
      Cut& c = cuts.back();
      c.round = read16(p, round_addr);
      c.words = prefix_of_round(p, dst, c.round);
      c.triggered = triggered && triggered_round == c.round;
      c.t0 = t0;
      triggered = false;
    }
    if (e == "reboot" && !cuts.empty())
      cuts.back().words_at_reboot = prefix_of_round(p, dst, cuts.back().round);
  };
  p.run();
  CHECK(p.stop_reason() == "time-limit");
  *out = &p;
  return cuts;
}

void check_common(const std::vector<Cut>& cuts, unsigned* partial) {
  REQUIRE(cuts.size() >= 10);
  double worst = 0;
  *partial = 0;
  for (const Cut& c : cuts) {
    worst = std::max(worst, std::abs(c.vcap - 2.4));
    if (c.words < 0) continue;  // the last cut (time limit) has no brown-out
    if (c.words > 0 && c.words < static_cast<int>(kWords)) ++*partial;
    // Nothing moves while power is off: the block does not complete after the cut.
    if (c.words_at_reboot >= 0) CHECK(c.words_at_reboot == c.words);
  }
  INFO(cuts.size() << " cuts, worst |Vcap - v_off| " << worst * 1e6 << " uV");
  CHECK(worst <= kCutToleranceV);
}

}  // namespace

TEST_CASE("A brown-out during a hardware-triggered DMA block keeps the words done before it") {
  Platform* p = nullptr;
  const std::vector<Cut> cuts = run_cuts(false, &p);
  unsigned partial = 0;
  check_common(cuts, &partial);
  unsigned exact = 0;
  for (const Cut& c : cuts) {
    if (c.words < 0 || !c.triggered) continue;
    ++exact;
    const unsigned expected = expected_words(c.t0, c.at);
    INFO("round " << c.round << ": cut " << (c.at - c.t0).to_seconds() * kMclkHz
                  << " MCLK after the trigger");
    CHECK(c.words == static_cast<int>(expected));
  }
  INFO(exact << " cuts after a trigger, " << partial << " inside a block");
  CHECK(exact >= 5);
  CHECK(partial >= 5);  // most cuts come while the block runs: it is most of a round
  CHECK(p->dma().channel_triggers(0) >= 10);
}

TEST_CASE("A brown-out during a Timer_A-triggered DMA block lands at v_off, mid-block") {
  Platform* p = nullptr;
  const std::vector<Cut> cuts = run_cuts(true, &p);
  unsigned partial = 0;
  check_common(cuts, &partial);
  for (const Cut& c : cuts) CHECK(c.words >= -1);
  INFO(partial << " cuts inside a block");
  CHECK(partial >= 5);
  CHECK(p->dma().channel_triggers(0) >= 10);
}
