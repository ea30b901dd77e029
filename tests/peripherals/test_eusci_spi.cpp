// eUSCI SPI master (models/eusci_spi.h), GPIO chip select (models/gpio.h) and the CY15B104Q
// SPI FRAM (models/spi_fram.h): character timing from SMCLK / UCBRW, flags and UCBUSY at the
// reader's time, double buffering, overrun, bit order, DMA trigger edges, and the FRAM's
// opcodes, write latch, protection, power loss mid-transfer and supply charge; a DMA-driven
// transfer batched while the CPU sleeps against one event per character.
#include <tlm_utils/simple_target_socket.h>
#include <catch2/catch.hpp>
#include <cstring>
#include <memory>
#include <vector>

#include "models/bus.h"
#include "models/dma.h"
#include "models/eusci_spi.h"
#include "models/gpio.h"
#include "models/mem_map.h"
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

namespace {

// SRAM for the DMA chain (the DMA's view of memory must be SRAM or FRAM to batch).
struct ChainMemory : sc_core::sc_module {
  tlm_utils::simple_target_socket<ChainMemory> socket{"socket"};
  std::vector<uint8_t> mem = std::vector<uint8_t>(kSramEnd - kSramBegin, 0);
  explicit ChainMemory(const sc_core::sc_module_name& n) : sc_core::sc_module(n) {
    socket.register_b_transport(this, &ChainMemory::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_time&) {
    const uint32_t a = static_cast<uint32_t>(t.get_address()) - kSramBegin;
    if (t.is_write())
      std::memcpy(&mem[a], t.get_data_ptr(), t.get_data_length());
    else
      std::memcpy(t.get_data_ptr(), &mem[a], t.get_data_length());
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

// eUSCI_A3, the DMA and SRAM on a bus, as the platform wires them; `batched`: the CPU sleeps
// throughout and the port batches (models/sync.h).
struct ChainRig {
  FixedClocks clocks{16e6, 16e6, 10e3};
  IrqLines irq;
  CpuHooks cpu;
  Dma dma;
  EusciSpi spi;
  ChainMemory memory;
  Bus bus;
  EchoDevice dev;
  ChainRig(const std::string& name, bool batched)
      : dma((name + "_dma").c_str(), clocks, irq, cpu),
        spi((name + "_spi").c_str(), kEusciA3, clocks, irq,
            [this](unsigned t, unsigned ch, const sc_time& at) { dma.trigger(t, ch, at); }),
        memory((name + "_mem").c_str()),
        bus((name + "_bus").c_str()) {
    bus.map("sram", kSramBegin, kSramEnd, false);
    bus.init.bind(memory.socket);
    bus.map("uca3", kEusciA3.base, kEusciA3.base + kEusciA3.size, true);
    bus.init.bind(spi.socket);
    bus.map("dma", Dma::kBase, Dma::kBase + Dma::kSize, true);
    bus.init.bind(dma.socket);
    dma.bus.bind(bus.targ);
    spi.attach(&dev);
    spi.set_cpu_hooks(&cpu);
    spi.set_batching(
        [this](unsigned tx, unsigned rx, unsigned ch, uint32_t txbuf, uint32_t rxbuf) {
          return dma.chain_view(tx, rx, ch, txbuf, rxbuf);
        },
        [this](unsigned tx, unsigned rx, unsigned ch) { return dma.serves(tx, rx, ch); });
    cpu.batch = batched;
    cpu.asleep = [this] { return !irq.any(); };
    cpu.catch_up = [this](const sc_time& t) {
      LazySource* const sources[] = {&spi};
      catch_up_in_order(sources, 1, t);
      if (irq.any()) spi.refine();
    };
  }
  void w(uint16_t reg, uint16_t v) { REQUIRE(spi.write_reg(reg, 2, v, sc_core::sc_time_stamp())); }
  void dma_w(uint16_t reg, uint16_t v) { REQUIRE(dma.write_reg(reg, 2, v, sc_core::SC_ZERO_TIME)); }
  // Channel n: single transfers of bytes, on trigger tsel, ctl's address modes and DMAIE.
  void channel(unsigned n, unsigned tsel, uint32_t src, uint32_t dst, uint16_t count,
               uint16_t ctl) {
    const uint16_t b = dma::channel_base(n),
                   sel = static_cast<uint16_t>(dma::DMACTL0 + 2 * (n / 2));
    uint16_t v = 0;
    REQUIRE(dma.read_reg(sel, 2, v, sc_core::SC_ZERO_TIME));
    v = (n & 1) ? static_cast<uint16_t>((v & 0x00FF) | tsel << 8)
                : static_cast<uint16_t>((v & 0xFF00) | tsel);
    dma_w(sel, v);
    dma_w(b + dma::SAL, static_cast<uint16_t>(src));
    dma_w(b + dma::DAL, static_cast<uint16_t>(dst));
    dma_w(b + dma::SZ, count);
    dma_w(b + dma::CTL,
          static_cast<uint16_t>(ctl | dma::DMASRCBYTE | dma::DMADSTBYTE | dma::DMAEN));
  }
  void start_spi() {
    w(CTLW0, UCSWRST);
    w(CTLW0, UCSWRST | UCCKPL | UCMSB | UCSYNC | UCMST | 0x0080);
    w(BRW, 4);
    w(CTLW0, UCCKPL | UCMSB | UCSYNC | UCMST | 0x0080);
  }
  void kick() {  // a software UCTXIFG edge starts the chain (kernels/runtime/spi_fram.c)
    w(kEusciA3.ifg, 0);
    w(kEusciA3.ifg, UCTXIFG);
  }
};

constexpr uint32_t kTxBuf = kEusciA3.base + TXBUF, kRxBuf = kEusciA3.base + RXBUF;
constexpr uint16_t kIncrSrc = dma::kIncrIncrement << 8, kIncrDst = dma::kIncrIncrement << 10;

// Runs the rigs in steps of 50 ns until well after their transfers; returns, for each, the
// step at which it raised its DMA interrupt and the step of its port's last event.
struct Steps {
  int irq = -1, last_event = -1;
};
std::vector<Steps> run_all(const std::vector<ChainRig*>& rigs) {
  std::vector<Steps> steps(rigs.size());
  std::vector<uint64_t> events;
  for (ChainRig* rig : rigs) events.push_back(rig->spi.events());
  for (int step = 0; step < 20000; ++step) {
    sc_core::sc_start(sc_time(50, SC_NS));
    for (std::size_t i = 0; i < rigs.size(); ++i) {
      if (steps[i].irq < 0 && rigs[i]->irq.any()) steps[i].irq = step;
      if (rigs[i]->spi.events() != events[i])
        events[i] = rigs[i]->spi.events(), steps[i].last_event = step;
    }
  }
  for (ChainRig* rig : rigs) rig->cpu.catch_up(sc_core::sc_time_stamp());
  return steps;
}

void check_same(ChainRig& fine, ChainRig& batched) {
  CHECK(batched.dev.got == fine.dev.got);
  REQUIRE(batched.dev.frames.size() == fine.dev.frames.size());
  for (std::size_t i = 0; i < fine.dev.frames.size(); ++i)
    CHECK(batched.dev.frames[i].at == fine.dev.frames[i].at);
  CHECK(batched.memory.mem == fine.memory.mem);
  CHECK(batched.spi.characters() == fine.spi.characters());
  for (unsigned n : {3u, 4u}) {
    CHECK(batched.dma.channel_transfers(n) == fine.dma.channel_transfers(n));
    CHECK(batched.dma.channel_triggers(n) == fine.dma.channel_triggers(n));
  }
  for (uint16_t reg : {kEusciA3.ifg, kEusciA3.statw}) {
    uint16_t a = 0, b = 0;
    REQUIRE(fine.spi.read_reg(reg, 2, a, sc_core::sc_time_stamp()));
    REQUIRE(batched.spi.read_reg(reg, 2, b, sc_core::sc_time_stamp()));
    CHECK(a == b);
  }
}

}  // namespace

TEST_CASE(
    "eUSCI SPI batched while the CPU sleeps: a DMA read delivers the same bytes at the "
    "same times with a few events",
    "[eusci][batch]") {
  // The SPI FRAM driver's read: channel 3 sends a dummy byte on each UCTXIFG, channel 4 stores
  // each received byte and raises its interrupt after the last.
  auto fine = std::make_unique<ChainRig>("fine", false);
  auto batched = std::make_unique<ChainRig>("batched", true);
  constexpr uint16_t kBytes = 300;
  constexpr uint32_t kDummy = kSramBegin, kDst = kSramBegin + 0x100;
  for (ChainRig* rig : {fine.get(), batched.get()}) {
    rig->memory.mem[0] = 0xFF;
    rig->start_spi();
    rig->channel(3, kEusciA3.dma_tx, kDummy, kTxBuf, kBytes, 0);
    rig->channel(4, kEusciA3.dma_rx, kRxBuf, kDst, kBytes, kIncrDst | dma::DMAIE);
  }
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  fine->kick();
  batched->kick();
  const std::vector<Steps> steps = run_all({fine.get(), batched.get()});
  REQUIRE(steps[0].irq > 0);
  CHECK(steps[1].irq == steps[0].irq);
  CHECK(fine->dev.got.size() == kBytes);
  CHECK(fine->memory.mem[0x100 + kBytes - 1] == 0x00);  // 0xFF echoed inverted
  check_same(*fine, *batched);
  CHECK(fine->spi.events() >= kBytes);
  CHECK(batched->spi.events() < 20);
}

TEST_CASE(
    "eUSCI SPI batched while the CPU sleeps: a DMA write and a chain whose interrupt "
    "never comes end as with one event per character",
    "[eusci][batch]") {
  // Channel 3 feeds 200 bytes into TXBUF with its interrupt; in the second pair, channel 4
  // waits for more bytes than channel 3 sends, so the transfer just stops.
  auto fine = std::make_unique<ChainRig>("fine", false);
  auto batched = std::make_unique<ChainRig>("batched", true);
  auto fine_stuck = std::make_unique<ChainRig>("fine_stuck", false);
  auto batched_stuck = std::make_unique<ChainRig>("batched_stuck", true);
  constexpr uint16_t kBytes = 200;
  constexpr uint32_t kSrc = kSramBegin + 0x40, kDst = kSramBegin + 0x400;
  for (ChainRig* rig : {fine.get(), batched.get(), fine_stuck.get(), batched_stuck.get()}) {
    for (unsigned i = 0; i < kBytes; ++i) rig->memory.mem[0x40 + i] = static_cast<uint8_t>(i * 7);
    rig->start_spi();
  }
  for (ChainRig* rig : {fine.get(), batched.get()})
    rig->channel(3, kEusciA3.dma_tx, kSrc, kTxBuf, kBytes, kIncrSrc | dma::DMAIE);
  for (ChainRig* rig : {fine_stuck.get(), batched_stuck.get()}) {
    rig->channel(3, kEusciA3.dma_tx, kSrc, kTxBuf, kBytes, kIncrSrc);
    rig->channel(4, kEusciA3.dma_rx, kRxBuf, kDst, kBytes + 5, kIncrDst | dma::DMAIE);
  }
  sc_core::sc_start(sc_core::SC_ZERO_TIME);
  for (ChainRig* rig : {fine.get(), batched.get(), fine_stuck.get(), batched_stuck.get()})
    rig->kick();
  const std::vector<Steps> steps =
      run_all({fine.get(), batched.get(), fine_stuck.get(), batched_stuck.get()});
  REQUIRE(steps[0].irq > 0);
  CHECK(steps[1].irq == steps[0].irq);
  CHECK(fine->dev.got.size() == kBytes);
  CHECK(fine->dev.got[kBytes - 1] == static_cast<uint8_t>((kBytes - 1) * 7));
  check_same(*fine, *batched);
  CHECK(batched->spi.events() < 20);
  // The stuck pair: no interrupt, the same bytes, and the port's last event in the same step
  // (a CPU asleep with nothing pending ends the run then, msp430_cpu.cpp).
  REQUIRE(steps[2].last_event > 0);
  CHECK(steps[3].last_event == steps[2].last_event);
  CHECK_FALSE(fine_stuck->irq.any());
  CHECK_FALSE(batched_stuck->irq.any());
  check_same(*fine_stuck, *batched_stuck);
  CHECK(batched_stuck->spi.events() < 20);
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
