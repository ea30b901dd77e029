#pragma once
// eUSCI in SPI master mode: eUSCI_B0 (base 0x0640) and eUSCI_A3 (base 0x0620), one model for
// both (SLAU367P, the eUSCI SPI-mode chapters; base addresses facts §1.2, vectors facts §1.3 and
// msp430fr5994.h: EUSCI_A3_VECTOR 24, EUSCI_B0_VECTOR 47; register offsets and bits from
// msp430fr5994.h v1.206). In SPI mode the two
// register sets differ only in offsets: CTLW0 +0x00, BRW +0x06, RXBUF +0x0C, TXBUF +0x0E on
// both; STATW +0x0A / +0x08, IE +0x1A / +0x2A, IFG +0x1C / +0x2C, IV +0x1E / +0x2E (A / B).
//
// Modelled: UCSWRST (held in reset: UCTXIFG = 1, UCRXIFG = UCOE = 0, RXIE/TXIE cleared), UCSSEL
// (ACLK or SMCLK), UCBRW prescaler (bit clock = BRCLK / UCBRW, 0 counts as 1), UCCKPH/UCCKPL
// (the SPI mode passed to the device: CPOL = UCCKPL, CPHA = not UCCKPH), UCMSB (LSB-first
// bytes are bit-reversed on the wire), UC7BIT (7 bit times per character); double-buffered
// transmit: a TXBUF write moves to the shift register at once when it is idle, else at the end
// of the character in flight; UCTXIFG, UCRXIFG, UCOE (RXBUF overwritten before it was read),
// UCBUSY; IE/IFG/IV and the interrupt (IV 2 = RX, 4 = TX; reading IV clears that flag);
// reading RXBUF clears UCRXIFG and UCOE, writing TXBUF clears UCTXIFG. DMA triggers on the
// rising edge of UCRXIFG and UCTXIFG, by hardware or by a software write to IFG (DMAnTSEL from
// msp430fr5994.h: UCB0RXIFG0 18 / UCB0TXIFG0 19 on channels 0-2, UCA3RXIFG 16 / UCA3TXIFG 17 on
// channels 3-5).
// Timing: exact per bit, without per-bit events. A character's end time is computed when it
// enters the shift register; the model keeps one sc_event for the next character end or the
// next DMA trigger, and asks the CPU to end its slice when it schedules one, so that a DMA
// trigger never sees register state the CPU wrote later in its quantum. Register reads
// compute UCBUSY and flags at the reader's local time.
// Approximations:
// - Slave mode, 4-pin modes (UCMODE, UCSTEM) and the STE pin are not modelled: a CTLW0 with
//   UCMST = 0 or UCSYNC = 0 moves no data. UCSSEL = 0 (external UCxCLK) has no clock here.
// - TXBUF enters an idle shift register with no delay (the hardware takes part of a bit clock).
// - A clock change while a character is in flight does not stretch it.
// - Power loss: the character being shifted is lost, those already completed stay delivered.
// Batching (models/sync.h): while the CPU sleeps and the DMA alone feeds TXBUF from memory and
// empties RXBUF into memory (Dma::chain_view), a character is no event. The port schedules one
// for a time no later than the first DMA trigger that raises an enabled DMAIFG and than the
// end of the transfer (characters follow each other at least one character time apart), and
// catch-ups deliver the characters and triggers before it, each at its own time: the DMA
// transfers a kept-back trigger starts happen at that trigger's time plus their own delay, as
// on the fine path.
// When no DMA channel serves the port and its interrupts are off, nothing but a register read
// can see a character end, and a read computes the state at its own time: the port then has no
// event and ends no CPU slice at all (quiet), until its interrupt is enabled or the DMA is
// reprogrammed (dma_changed(), after the DMA's catch-up brought the port to that time). Not
// under a harvester (CpuHooks::ports_may_go_quiet): there each slice end books a stretch.
#include <cstdint>
#include <functional>
#include <vector>

#include "models/clocks.h"
#include "models/irq.h"
#include "models/peripheral.h"
#include "models/spi_device.h"
#include "models/sync.h"

namespace ipsim {

namespace eusci {
inline constexpr uint16_t CTLW0 = 0x00, BRW = 0x06, RXBUF = 0x0C, TXBUF = 0x0E;
// CTLW0 bits (SPI mode)
inline constexpr uint16_t UCSWRST = 0x0001, UCSTEM = 0x0002, UCSSEL = 0x00C0, UCSYNC = 0x0100,
                          UCMODE = 0x0600, UCMST = 0x0800, UC7BIT = 0x1000, UCMSB = 0x2000,
                          UCCKPL = 0x4000, UCCKPH = 0x8000;
inline constexpr unsigned UCSSEL_ACLK = 1;  // 2 and 3: SMCLK
// STATW bits
inline constexpr uint16_t UCBUSY = 0x0001, UCOE = 0x0020, UCFE = 0x0040, UCLISTEN = 0x0080;
// IE / IFG bits
inline constexpr uint16_t UCRXIFG = 0x0001, UCTXIFG = 0x0002;
}  // namespace eusci

// One eUSCI instance: base, the offsets that differ between A and B, vector, DMA triggers.
struct EusciInstance {
  uint32_t base, size;
  bool is_b;  // register table of eUSCI_B (else eUSCI_A)
  uint16_t statw, ie, ifg, iv;
  unsigned vector;
  unsigned dma_rx, dma_tx;
  unsigned dma_channels;  // bit n: channel n has these trigger numbers
};
inline constexpr EusciInstance kEusciB0{0x0640, 0x30, true, 0x08, 0x2A, 0x2C,
                                        0x2E,   47,   18,   19,   0x07};
inline constexpr EusciInstance kEusciA3{0x0620, 0x20, false, 0x0A, 0x1A, 0x1C,
                                        0x1E,   24,   16,    17,   0x38};

class EusciSpi : public Peripheral, public LazySource {
 public:
  using DmaTrigger =
      std::function<void(unsigned tsel, unsigned channels, const sc_core::sc_time& at)>;

  EusciSpi(const sc_core::sc_module_name& name, const EusciInstance& instance, const Clocks& clocks,
           IrqLines& irq, DmaTrigger dma_trigger = {});

  void reset() override;
  void power_off() override;
  void attach(SpiDevice* device) { m_device = device; }
  // A TXBUF write or a software flag edge schedules an event the CPU must not run past (it may
  // trigger the DMA): the CPU ends its slice through these hooks (design.md §2).
  void set_cpu_hooks(CpuHooks* cpu) { m_cpu = cpu; }

  uint64_t characters() const { return m_characters; }  // completed on the wire

  // Batching: `chain` is the DMA's view of the channels serving this port (Dma::chain_view).
  using DmaChain = std::function<DmaChainView(unsigned tx, unsigned rx, unsigned channels,
                                              uint32_t txbuf, uint32_t rxbuf)>;
  using DmaServes = std::function<bool(unsigned tx, unsigned rx, unsigned channels)>;
  void set_batching(DmaChain chain, DmaServes serves) {
    m_dma_chain = std::move(chain), m_dma_serves = std::move(serves);
  }
  // The CPU wrote a DMA register: a channel may serve the port now.
  void dma_changed();
  bool next_lazy(sc_core::sc_time* at) const override;
  void step_lazy() override;
  void refine();                                // the CPU runs again: one event per character
  uint64_t events() const { return m_events; }  // runs of the port's event, for tests

 private:
  SC_HAS_PROCESS(EusciSpi);
  struct PendingTrigger {
    sc_core::sc_time at;
    unsigned tsel;
  };
  bool running() const;
  sc_core::sc_time character_time() const;
  void advance(const sc_core::sc_time& t);  // completes characters that end by t
  void start_shift(uint8_t value, const sc_core::sc_time& at);
  void set_flag(uint16_t flag, const sc_core::sc_time& at);
  void queue_trigger(unsigned tsel, const sc_core::sc_time& at);
  void write_ctlw0(uint16_t value, unsigned size, bool high_byte);
  void write_txbuf(uint16_t value);
  void write_ifg(uint16_t old_value, uint16_t value);
  // The time of a register access; inside a catch-up step, that of the step plus the
  // access's own delay.
  sc_core::sc_time now_of_access() const;
  void sync_if_lazy();  // another accessor while characters are kept back: catch up first
  bool next_item(sc_core::sc_time* at) const;  // next character end or trigger
  void deliver(const sc_core::sc_time& now);   // the characters and triggers due at now
  bool lazy_bound(sc_core::sc_time* at) const;
  bool quiet() const;  // nothing observes a character but a register read
  // Schedules the next event the characters need; false: none (quiet).
  bool schedule(bool cpu_may_run = false);
  void on_event();
  void update_irq();

  EusciInstance m_inst;
  const Clocks& m_clocks;
  IrqLines& m_irq;
  DmaTrigger m_dma_trigger;
  SpiDevice* m_device = nullptr;
  CpuHooks* m_cpu = nullptr;
  sc_core::sc_event m_event;
  bool m_shifting = false, m_tx_full = false;
  uint8_t m_shift_value = 0, m_tx_value = 0;
  sc_core::sc_time m_shift_end;
  std::vector<PendingTrigger> m_pending;  // a few at most; reserved, no allocation per byte
  uint64_t m_characters = 0, m_events = 0;
  DmaChain m_dma_chain;
  DmaServes m_dma_serves;
  bool m_lazy = false;      // characters kept back; the pending event is the bound, if any
  bool m_quiet = false;     // no event at all (quiet()); triggers outside catch-ups are dropped
  bool m_stepping = false;  // inside step_lazy, at m_step_at
  sc_core::sc_time m_step_at;
};

}  // namespace ipsim
