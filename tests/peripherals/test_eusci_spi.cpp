// eUSCI SPI master (models/eusci_spi.h), GPIO chip select (models/gpio.h) and the CY15B104Q
// SPI FRAM (models/spi_fram.h): character timing from SMCLK / UCBRW, flags and UCBUSY at the
// reader's time, double buffering, overrun, bit order, DMA trigger edges, and the FRAM's
// opcodes, write latch, protection, power loss mid-transfer and supply charge.
#include <catch2/catch.hpp>
#include <vector>

#include "models/eusci_spi.h"
#include "models/gpio.h"
#include "models/spi_fram.h"
#include "tests/peripherals/test_util.h"

using namespace ipsim;
using namespace ipsim::eusci;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

namespace {

// Records what the master sent and answers with a fixed sequence.
struct EchoDevice : SpiDevice {
  std::vector<uint8_t> got;
  std::vector<SpiFrame> frames;
  uint8_t exchange(uint8_t mosi, const SpiFrame& f) override {
    got.push_back(mosi);
    frames.push_back(f);
    return static_cast<uint8_t>(mosi ^ 0xFF);
  }
};

struct Trigger {
  unsigned tsel, channels;
  sc_time at;
};

struct Rig {
  FixedClocks clocks{16e6, 16e6, 10e3};
  IrqLines irq;
  std::vector<Trigger> triggers;
  EusciSpi spi{"uca3", kEusciA3, clocks, irq, [this](unsigned t, unsigned ch, const sc_time& at) {
                 triggers.push_back({t, ch, at});
               }};
  test::Poker poker{"poker"};
  const EusciInstance& inst = kEusciA3;
  Rig() { poker.socket.bind(spi.socket); }
  void w(uint16_t reg, uint16_t v, sc_time at = sc_core::SC_ZERO_TIME) {
    REQUIRE(spi.write_reg(reg, 2, v, at));
  }
  uint16_t r(uint16_t reg, sc_time at = sc_core::SC_ZERO_TIME) {
    uint16_t v = 0;
    REQUIRE(spi.read_reg(reg, 2, v, at));
    return v;
  }
  // The iNAS set-up: mode 3 (UCCKPL, UCCKPH = 0), MSB first, master, SMCLK / 4 = 4 MHz.
  void start(uint16_t extra = 0) {
    w(CTLW0, UCSWRST);
    w(CTLW0, UCSWRST | UCCKPL | UCMSB | UCSYNC | UCMST | 0x0080 | extra);
    w(BRW, 4);
    w(CTLW0, static_cast<uint16_t>(r(CTLW0) & ~UCSWRST));
  }
};

}  // namespace

TEST_CASE("eUSCI SPI: a character takes 8 x UCBRW SMCLK cycles, UCBUSY and UCRXIFG at reader time",
          "[eusci]") {
  Rig rig;
  EchoDevice dev;
  rig.spi.attach(&dev);
  rig.start();
  CHECK((rig.r(rig.inst.ifg) & UCTXIFG));  // set while idle
  rig.w(TXBUF, 0xA5);
  // 8 bits x 4 SMCLK at 16 MHz = 2 us
  CHECK((rig.r(rig.inst.statw, sc_time(1999, SC_NS)) & UCBUSY));
  CHECK_FALSE((rig.r(rig.inst.ifg, sc_time(1999, SC_NS)) & UCRXIFG));
  CHECK_FALSE((rig.r(rig.inst.statw, sc_time(2000, SC_NS)) & UCBUSY));
  CHECK((rig.r(rig.inst.ifg, sc_time(2000, SC_NS)) & UCRXIFG));
  REQUIRE(dev.got == std::vector<uint8_t>{0xA5});
  CHECK(dev.frames[0].mode == 3);
  CHECK(dev.frames[0].clock_hz == Approx(4e6));
  CHECK(rig.r(RXBUF, sc_time(2100, SC_NS)) == 0x5A);
  CHECK_FALSE((rig.r(rig.inst.ifg, sc_time(2100, SC_NS)) & UCRXIFG));  // reading RXBUF clears it
}

TEST_CASE("eUSCI SPI: TXBUF is double-buffered, an unread RXBUF overruns", "[eusci]") {
  Rig rig;
  EchoDevice dev;
  rig.spi.attach(&dev);
  rig.start();
  rig.w(TXBUF, 1);
  CHECK((rig.r(rig.inst.ifg) & UCTXIFG));  // moved to the shift register at once
  rig.w(TXBUF, 2);
  CHECK_FALSE((rig.r(rig.inst.ifg) & UCTXIFG));  // waits in TXBUF
  CHECK((rig.r(rig.inst.statw, sc_time(3999, SC_NS)) & UCBUSY));
  CHECK_FALSE((rig.r(rig.inst.statw, sc_time(4000, SC_NS)) & UCBUSY));
  CHECK(dev.got == std::vector<uint8_t>{1, 2});
  CHECK((rig.r(rig.inst.statw, sc_time(4000, SC_NS)) & UCOE));  // byte 1 never read
  CHECK(rig.r(RXBUF, sc_time(4000, SC_NS)) == 0xFD);
  CHECK_FALSE((rig.r(rig.inst.statw, sc_time(4000, SC_NS)) & UCOE));
}

TEST_CASE("eUSCI SPI: LSB-first characters are bit-reversed on the wire, mode 0 is reported",
          "[eusci]") {
  Rig rig;
  EchoDevice dev;
  rig.spi.attach(&dev);
  rig.w(CTLW0, UCSWRST);
  rig.w(CTLW0, UCSWRST | UCCKPH | UCSYNC | UCMST | 0x0080);  // mode 0, LSB first
  rig.w(BRW, 0);                                             // 0 counts as 1
  rig.w(CTLW0, UCCKPH | UCSYNC | UCMST | 0x0080);
  rig.w(TXBUF, 0x01);
  CHECK_FALSE((rig.r(rig.inst.statw, sc_time(500, SC_NS)) & UCBUSY));  // 8 / 16 MHz
  REQUIRE(dev.got == std::vector<uint8_t>{0x80});
  CHECK(dev.frames[0].mode == 0);
  CHECK(rig.r(RXBUF, sc_time(600, SC_NS)) == 0xFE);  // 0x7F reversed
}

TEST_CASE("eUSCI SPI: held in reset or in slave mode it moves no data", "[eusci]") {
  Rig rig;
  EchoDevice dev;
  rig.spi.attach(&dev);
  rig.w(CTLW0, UCSWRST | UCSYNC | UCMST | 0x0080);
  rig.w(TXBUF, 7);
  rig.w(CTLW0, UCSYNC | 0x0080);  // out of reset, but a slave
  rig.w(TXBUF, 8);
  CHECK_FALSE((rig.r(rig.inst.statw, sc_time(10, SC_US)) & UCBUSY));
  CHECK(dev.got.empty());
}

TEST_CASE("eUSCI SPI: DMA triggers on the rising edges of UCTXIFG and UCRXIFG, at their times",
          "[eusci]") {
  Rig rig;
  EchoDevice dev;
  rig.spi.attach(&dev);
  rig.start();
  // Software edge on UCTXIFG (the iNAS way of starting a DMA chain).
  rig.w(rig.inst.ifg, 0);
  rig.w(rig.inst.ifg, UCTXIFG, sc_time(100, SC_NS));
  sc_core::sc_start(sc_time(150, SC_NS));
  REQUIRE(rig.triggers.size() == 1);
  CHECK(rig.triggers[0].tsel == 17);  // DMA3TSEL__UCA3TXIFG
  CHECK(rig.triggers[0].channels == 0x38);
  CHECK(rig.triggers[0].at == sc_time(100, SC_NS));
  rig.triggers.clear();
  rig.w(TXBUF, 0x11, sc_time(200, SC_NS));
  sc_core::sc_start(sc_time(3, SC_US));
  // TX edge when the byte entered the shift register, RX edge 2 us later.
  REQUIRE(rig.triggers.size() == 2);
  CHECK(rig.triggers[0].tsel == 17);
  CHECK(rig.triggers[0].at == sc_time(200, SC_NS));
  CHECK(rig.triggers[1].tsel == 16);  // DMA4TSEL__UCA3RXIFG
  CHECK(rig.triggers[1].at == sc_time(2200, SC_NS));
}

TEST_CASE("eUSCI SPI: eUSCI_B0 has its own offsets, vector and DMA triggers", "[eusci]") {
  FixedClocks clocks{16e6, 16e6, 10e3};
  IrqLines irq;
  std::vector<Trigger> triggers;
  EusciSpi spi{"ucb0", kEusciB0, clocks, irq, [&](unsigned t, unsigned ch, const sc_time& at) {
                 triggers.push_back({t, ch, at});
               }};
  test::Poker poker{"poker"};
  poker.socket.bind(spi.socket);
  uint16_t v = 0;
  REQUIRE(spi.read_reg(0x00, 2, v, sc_core::SC_ZERO_TIME));
  CHECK(v == 0x01C1);  // UCB0CTLW0 reset value
  REQUIRE(spi.write_reg(0x00, 2, UCSYNC | UCMST | 0x0080, sc_core::SC_ZERO_TIME));
  REQUIRE(spi.write_reg(0x2A, 2, UCRXIFG, sc_core::SC_ZERO_TIME));  // UCB0IE
  REQUIRE(spi.write_reg(TXBUF, 2, 0x42, sc_core::SC_ZERO_TIME));
  sc_core::sc_start(sc_time(1, SC_US));
  CHECK((irq.pending() >> 47) & 1);  // EUSCI_B0_VECTOR, RXIFG & RXIE
  REQUIRE(spi.read_reg(0x2E, 2, v, sc_time(1, SC_US)));
  CHECK(v == 2);  // UCB0IV: RX, and the read clears it
  CHECK_FALSE((irq.pending() >> 47) & 1);
  REQUIRE(triggers.size() == 2);
  CHECK(triggers[0].tsel == 19);  // DMA0TSEL__UCB0TXIFG0
  CHECK(triggers[1].tsel == 18);  // DMA0TSEL__UCB0RXIFG0
  CHECK(triggers[1].channels == 0x07);
}

TEST_CASE("GPIO: a chip-select listener sees the driven level of its pin", "[gpio]") {
  Gpio gpio("gpio");
  test::Poker poker{"poker"};
  poker.socket.bind(gpio.socket);
  std::vector<bool> levels;
  gpio.on_pin(6, 3, [&](bool level, const sc_time&) { levels.push_back(level); });
  // P6 is the high byte of the P5/P6 pair at 0x240: P6OUT 0x243, P6DIR 0x245.
  REQUIRE(gpio.write_reg(0x43, 1, 0x08, sc_core::SC_ZERO_TIME));  // P6OUT.3 = 1
  REQUIRE(gpio.write_reg(0x45, 1, 0x08, sc_core::SC_ZERO_TIME));  // P6DIR.3 = 1: drives 1
  CHECK(levels.empty());                                          // was high (input)
  REQUIRE(gpio.write_reg(0x42, 1, 0x08, sc_core::SC_ZERO_TIME));  // P5OUT: another pin
  CHECK(levels.empty());
  REQUIRE(gpio.write_reg(0x43, 1, 0x00, sc_core::SC_ZERO_TIME));  // drive low
  REQUIRE(levels == std::vector<bool>{false});
  REQUIRE(gpio.write_reg(0x4B, 1, 0x08, sc_core::SC_ZERO_TIME));  // P6SEL0.3: not GPIO any more
  REQUIRE(levels == std::vector<bool>{false, true});
  REQUIRE(gpio.write_reg(0x4B, 1, 0x00, sc_core::SC_ZERO_TIME));
  gpio.reset();  // pins become inputs: the line is released
  CHECK(levels == std::vector<bool>{false, true, false, true});
}
