// CY15B104Q SPI FRAM (models/spi_fram.h), driven byte by byte as a master would, and through
// the eUSCI model for a brown-out in mid-transfer.
#include <catch2/catch.hpp>
#include <vector>

#include "models/eusci_spi.h"
#include "models/spi_fram.h"
#include "tests/peripherals/test_util.h"

using namespace ipsim;
using namespace ipsim::spi_fram;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

struct Master {
  SpiFram fram;
  double clock_hz = 4e6;
  unsigned mode = 3;
  sc_time now;
  // One CS-low command; returns what came back on MISO.
  std::vector<uint8_t> command(std::vector<uint8_t> bytes) {
    fram.chip_select(false, now);
    std::vector<uint8_t> out;
    for (uint8_t b : bytes) {
      now += sc_time(8 / clock_hz, sc_core::SC_SEC);
      out.push_back(fram.exchange(b, {mode, clock_hz, now}));
    }
    fram.chip_select(true, now);
    return out;
  }
  void write(uint32_t addr, std::vector<uint8_t> data) {
    command({WREN});
    std::vector<uint8_t> cmd = {WRITE, uint8_t(addr >> 16), uint8_t(addr >> 8), uint8_t(addr)};
    cmd.insert(cmd.end(), data.begin(), data.end());
    command(cmd);
  }
  std::vector<uint8_t> read(uint32_t addr, size_t n, bool fast = false) {
    std::vector<uint8_t> cmd = {fast ? FSTRD : READ, uint8_t(addr >> 16), uint8_t(addr >> 8),
                                uint8_t(addr)};
    if (fast) cmd.push_back(0);
    cmd.resize(cmd.size() + n, 0);
    auto out = command(cmd);
    return std::vector<uint8_t>(out.end() - static_cast<long>(n), out.end());
  }
};

}  // namespace

TEST_CASE("SPI FRAM: WRITE after WREN, READ and FSTRD return the bytes, counts by address",
          "[spi_fram]") {
  Master m;
  m.write(0x01234, {1, 2, 3, 4});
  CHECK(m.read(0x01234, 4) == std::vector<uint8_t>{1, 2, 3, 4});
  CHECK(m.read(0x01235, 2, true) == std::vector<uint8_t>{2, 3});
  CHECK(m.fram.writes_at(0x01234).accesses == 1);
  CHECK(m.fram.writes_at(0x01237).bytes == 1);
  CHECK(m.fram.total_writes().bytes == 4);
  CHECK(m.fram.total_reads().bytes == 6);
  CHECK(m.fram.total_reads().accesses == 2);
  CHECK(m.fram.reads_at(0x01235).accesses == 1);
}

TEST_CASE("SPI FRAM: the write-enable latch gates WRITE and WRSR and clears after them",
          "[spi_fram]") {
  Master m;
  m.command({WRITE, 0, 0, 0x10, 0xAA});  // no WREN: ignored
  CHECK(m.read(0x10, 1) == std::vector<uint8_t>{0xFF});
  m.command({WREN});
  CHECK(m.command({RDSR, 0})[1] == SR_WEL);
  m.command({WRDI});
  CHECK(m.command({RDSR, 0})[1] == 0);
  m.write(0x10, {0x55});
  CHECK(m.command({RDSR, 0})[1] == 0);  // WRITE cleared WEL at CS high
  m.command({WRSR, 0x0C});              // no WREN: ignored
  CHECK(m.command({RDSR, 0})[1] == 0);
  CHECK(m.read(0x10, 1) == std::vector<uint8_t>{0x55});
}

TEST_CASE("SPI FRAM: block protection, address wrap, RDID and the 19-bit address", "[spi_fram]") {
  Master m;
  m.command({WREN});
  m.command({WRSR, 0x04});   // BP = 01: upper quarter protected
  m.write(0x5FFFF, {1, 2});  // 0x5FFFF writable, 0x60000 protected
  CHECK(m.read(0x5FFFF, 2) == std::vector<uint8_t>{1, 0xFF});
  m.command({WREN});
  m.command({WRSR, 0x00});
  m.write(0xFFFFFF, {7, 8});  // top bits ignored: 0x7FFFF, then wraps to 0
  CHECK(m.read(0x7FFFF, 2) == std::vector<uint8_t>{7, 8});
  CHECK(m.read(0x000000, 1) == std::vector<uint8_t>{8});
  const auto id = m.command({RDID, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(std::vector<uint8_t>(id.begin() + 1, id.end()) ==
        std::vector<uint8_t>(std::begin(kDeviceId), std::end(kDeviceId)));
}

TEST_CASE("SPI FRAM: modes 1 and 2 and clocks above 40 MHz are rejected", "[spi_fram]") {
  Master m;
  m.mode = 1;
  m.write(0, {9});
  CHECK(m.fram.protocol_errors() == 6);
  m.mode = 0;
  CHECK(m.read(0, 1) == std::vector<uint8_t>{0xFF});
  m.clock_hz = 50e6;
  m.read(0, 1);
  CHECK(m.fram.protocol_errors() == 11);
  m.clock_hz = 40e6;
  m.write(0, {9});
  CHECK(m.read(0, 1) == std::vector<uint8_t>{9});
}

TEST_CASE("SPI FRAM: supply charge is standby, sleep and per-character active current",
          "[spi_fram]") {
  SpiFram f;
  const sc_time ms(1, sc_core::SC_MS);
  CHECK(f.charge_c(ms) == Approx(100e-9));  // 100 uA standby for 1 ms
  f.chip_select(false, ms);
  f.exchange(SLEEP, {0, 4e6, ms + sc_time(2, SC_US)});
  f.chip_select(true, ms + sc_time(2, SC_US));
  CHECK(f.sleeping());
  const double awake = 100e-6 * (1e-3 + 2e-6) + (1.2e-3 - 100e-6) * 2e-6;  // one byte at 4 MHz
  CHECK(f.charge_c(ms + sc_time(2, SC_US)) == Approx(awake));
  CHECK(f.charge_c(2 * ms + sc_time(2, SC_US)) == Approx(awake + 3e-9));  // 3 uA asleep
  f.chip_select(false, 2 * ms + sc_time(2, SC_US));                       // CS low wakes it
  CHECK_FALSE(f.sleeping());
  f.power_off(3 * ms);
  CHECK(f.charge_c(10 * ms) == Approx(f.charge_c(3 * ms)));  // no draw while off
}

TEST_CASE("SPI FRAM: a brown-out in mid-transfer keeps exactly the bytes clocked in",
          "[spi_fram]") {
  FixedClocks clocks{16e6, 16e6, 10e3};
  IrqLines irq;
  EusciSpi spi{"uca3", kEusciA3, clocks, irq};
  test::Poker poker{"poker"};
  poker.socket.bind(spi.socket);
  SpiFram fram;
  spi.attach(&fram);
  using namespace eusci;
  auto w = [&](uint16_t reg, uint16_t v, sc_time at) { REQUIRE(spi.write_reg(reg, 2, v, at)); };
  w(CTLW0, UCSWRST | UCCKPL | UCMSB | UCSYNC | UCMST | 0x0080, sc_core::SC_ZERO_TIME);
  w(BRW, 4, sc_core::SC_ZERO_TIME);
  w(CTLW0, UCCKPL | UCMSB | UCSYNC | UCMST | 0x0080, sc_core::SC_ZERO_TIME);
  fram.chip_select(false, sc_core::SC_ZERO_TIME);
  // WREN in its own command, then WRITE at 0x000100 of bytes 0x10, 0x11, ... one per 2 us.
  w(TXBUF, WREN, sc_core::SC_ZERO_TIME);
  uint16_t v;
  REQUIRE(spi.read_reg(0x0A, 2, v, sc_time(2, SC_US)));
  fram.chip_select(true, sc_time(2, SC_US));
  fram.chip_select(false, sc_time(3, SC_US));
  const uint8_t cmd[] = {WRITE, 0x00, 0x01, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14};
  // Character i enters the shift register at 3 + 2i us and ends 2 us later; power is cut at
  // 16 us: 0x10 (ended 13 us) and 0x11 (15 us) are in, 0x12 is half shifted.
  for (unsigned i = 0; i < sizeof cmd; ++i) {
    const sc_time at(3 + 2.0 * i, SC_US);
    if (at > sc_time(16, SC_US)) break;
    sc_core::sc_start(at - sc_core::sc_time_stamp());
    w(TXBUF, cmd[i], sc_core::SC_ZERO_TIME + at);
  }
  sc_core::sc_start(sc_time(16, SC_US) - sc_core::sc_time_stamp());
  spi.power_off();
  fram.power_off(sc_core::sc_time_stamp());
  CHECK(fram.data()[0x100] == 0x10);
  CHECK(fram.data()[0x101] == 0x11);
  CHECK(fram.data()[0x102] == 0xFF);
  CHECK(fram.total_writes().bytes == 2);
  CHECK((fram.status() & SR_WEL) == 0);  // the latch is volatile
}
