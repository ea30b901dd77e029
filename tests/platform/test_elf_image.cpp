// ELF loading, and whole-platform runs of hand-written programs.
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "models/elf_image.h"
#include "sim/platform.h"
#include "tests/sim/temp_dir.h"

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

namespace {
// A copy of wdt.elf with field `offset` (bytes into the first PT_LOAD program header) set to
// value: a crafted ELF, as a hostile or careless user might give.
std::string patched_elf(const std::string& dir, const char* name, unsigned offset, uint32_t value) {
  std::ifstream in(elf("wdt.elf"), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, &bytes.at(at), 4);
    return v;
  };
  const uint32_t phoff = u32(28);
  const uint16_t phentsize = static_cast<uint16_t>(bytes.at(42) | (bytes.at(43) << 8));
  const uint16_t phnum = static_cast<uint16_t>(bytes.at(44) | (bytes.at(45) << 8));
  for (unsigned i = 0; i < phnum; ++i) {
    const size_t ph = phoff + size_t{i} * phentsize;
    if (u32(ph) != 1 || u32(ph + 16) == 0) continue;  // PT_LOAD with file bytes
    std::memcpy(&bytes.at(ph + offset), &value, 4);
    break;
  }
  const std::string path = dir + "/" + name;
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}
}  // namespace

TEST_CASE("ElfImage: a segment whose end wraps past 4 GiB is rejected, not loaded") {
  ipsim::test::TempDir dir;
  constexpr unsigned kPaddr = 12, kFilesz = 16;
  for (const uint32_t paddr : {0xFFFFFFF0u, 0xFFFFFC00u, 0xFFFFFFFFu}) {
    const std::string path = patched_elf(dir.path().string(), "wrap.elf", kPaddr, paddr);
    try {
      ElfImage::load(path);
      FAIL("no exception for p_paddr " << paddr);
    } catch (const ElfError& e) {
      CHECK_THAT(std::string(e.what()), Catch::Contains("lies outside FRAM"));
    }
  }
  // A huge p_filesz is refused from the file size, before anything is allocated.
  const std::string big = patched_elf(dir.path().string(), "big.elf", kFilesz, 0xFFFFC000u);
  CHECK_THROWS_WITH(ElfImage::load(big),
                    Catch::Contains("outside FRAM") || Catch::Contains("past the end of file"));
  const std::string past = patched_elf(dir.path().string(), "past.elf", kFilesz, 0x1000u);
  CHECK_THROWS_WITH(ElfImage::load(past), Catch::Contains("past the end of file"));
}

TEST_CASE("ElfImage: a FIFO is rejected instead of blocking in open()") {
  ipsim::test::TempDir dir;
  const std::string fifo = (dir.path() / "fifo.elf").string();
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(ElfImage::load(fifo), Catch::Contains("not a regular file"));
}

TEST_CASE("Fram and Sram: contains() does not wrap at the top of the address space") {
  CHECK(Fram::contains(0x4000, 0x40000));
  CHECK_FALSE(Fram::contains(0x4000, 0x40001));
  CHECK_FALSE(Fram::contains(0xFFFFFFF0u, 0x20));
  CHECK_FALSE(Fram::contains(0xFFFFFFFFu, 1));
  CHECK_FALSE(Fram::contains(0x1800, 0xFFFFFFFFu));
  CHECK(range_inside(kSramBegin, kSramEnd - kSramBegin, kSramBegin, kSramEnd));
  CHECK_FALSE(range_inside(0xFFFFFFFFu, 2, kSramBegin, kSramEnd));
  CHECK_FALSE(range_inside(kSramBegin, 0xFFFFFFFFu, kSramBegin, kSramEnd));
}

TEST_CASE("Msp430Core: a breakpoint at the reset entry stops before the first instruction") {
  const ElfImage image = ElfImage::load(elf("wdt.elf"));
  PlatformConfig config;
  config.stop_at = image.find("_start")->addr;
  Platform platform(config, image);
  platform.run();
  CHECK(platform.stop_reason() == "breakpoint");
  CHECK(platform.core().pc() == config.stop_at);
  CHECK(platform.core().instructions() == 0);
}

TEST_CASE("Platform: an exception inside the CPU thread reaches run()'s caller unchanged") {
  // Caught on the coroutine's stack and rethrown after sc_start(): SystemC's stack switches
  // are invisible to ASan, and SystemC itself would turn the exception into an sc_report.
  const ElfImage image = ElfImage::load(elf("wdt.elf"));
  Platform platform(PlatformConfig{}, image);
  platform.debug_port().on_exit = [](uint16_t) { throw std::runtime_error("exit hook failed"); };
  CHECK_THROWS_AS(platform.run(), std::runtime_error);
  CHECK(platform.stop_reason() == "error");
}
