// ELF loading, and whole-platform runs of hand-written programs.
#include <catch2/catch.hpp>

#include "models/elf_image.h"
#include "sim/platform.h"

using namespace ipsim;

namespace {
std::string elf(const char* name) {
  return std::string(IPSIM_TEST_ELF_DIR) + "/" + name;
}
}  // namespace

TEST_CASE("ElfImage: segments and symbols of a small program") {
  const ElfImage image = ElfImage::load(elf("wdt.elf"));
  const auto start = image.find("_start");
  REQUIRE(start);
  CHECK(start->addr == 0x4400);
  const auto boots = image.find("boots");
  REQUIRE(boots);
  CHECK(boots->addr >= 0x4400);
  CHECK(image.symbol_at(boots->addr) == nullptr);  // assembler symbols have no size
  CHECK(image.section_at(boots->addr) == ".data");
  bool has_reset_vector = false;
  for (const ElfSegment& s : image.segments())
    if (s.load_addr == 0xFFFE && s.bytes.size() == 2) {
      has_reset_vector = true;
      CHECK((s.bytes[0] | (s.bytes[1] << 8)) == 0x4400);
    }
  CHECK(has_reset_vector);
}

TEST_CASE("ElfImage: the default ld.lld layout loads, its header-only segment skipped") {
  const ElfImage paged = ElfImage::load(elf("wdt_paged.elf"));
  REQUIRE(paged.warnings().size() == 1);
  CHECK_THAT(paged.warnings()[0], Catch::Contains("only ELF headers"));
  const ElfImage nmagic = ElfImage::load(elf("wdt.elf"));
  CHECK(nmagic.warnings().empty());
  // Same program bytes at the same addresses as the --nmagic link.
  REQUIRE(paged.segments().size() == nmagic.segments().size());
  for (size_t i = 0; i < paged.segments().size(); ++i) {
    CHECK(paged.segments()[i].load_addr == nmagic.segments()[i].load_addr);
    CHECK(paged.segments()[i].bytes == nmagic.segments()[i].bytes);
  }
  Platform platform(PlatformConfig{}, paged);
  platform.run();
  CHECK(platform.stop_reason() == "exit");
  CHECK(platform.exit_code() == 3);
}

TEST_CASE("ElfImage: rejects a segment in vacant memory, naming it") {
  try {
    ElfImage::load(elf("outside.elf"));
    FAIL("no exception");
  } catch (const ElfError& e) {
    const std::string msg = e.what();
    CHECK_THAT(msg, Catch::Contains("outside.elf"));
    CHECK_THAT(msg, Catch::Contains("0x01B00"));
  }
  CHECK_THROWS_AS(ElfImage::load(elf("missing.elf")), ElfError);
}

TEST_CASE("Platform: the watchdog resets an unserviced program, FRAM survives, SYSRSTIV says why") {
  const ElfImage image = ElfImage::load(elf("wdt.elf"));
  PlatformConfig config;
  Platform platform(config, image);
  platform.run();
  REQUIRE(platform.stop_reason() == "exit");
  CHECK(platform.exit_code() == 3);  // third boot
  CHECK(platform.resets() == 2);
  CHECK(platform.core().reg(13) == 0x16);  // SYSRSTIV: WDT time-out
  // Two WDT intervals of 2^15 SMCLK cycles at 1 MHz elapsed before the third boot.
  CHECK(platform.sim_time_s() == Approx(2 * 32768e-6).epsilon(0.01));
}

TEST_CASE("Platform: vacant access stops the run with a fault naming PC, address, cycle") {
  const ElfImage image = ElfImage::load(elf("vacant.elf"));
  Platform platform(PlatformConfig{}, image);
  platform.run();
  REQUIRE(platform.stop_reason() == "fault");
  const Fault& f = platform.core().fault();
  CHECK(f.kind == Fault::Kind::kVacantAccess);
  CHECK(f.address == 0x1B00);
  CHECK(f.pc == image.find("bad")->addr);
  CHECK(f.cycle > 0);
  CHECK(platform.core().reg(12) == 0x1234);  // the faulting load did not complete
}
