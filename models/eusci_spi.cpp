#include "models/eusci_spi.h"

#include <algorithm>

namespace ipsim {

using namespace eusci;
using sc_core::sc_time;

namespace {
// Reset values and writable bits from SLAU367P's eUSCI register tables (not re-checked line by
// line; the SPI behaviour depends only on CTLW0, BRW, STATW, RX/TXBUF, IE, IFG and IV).
constexpr RegSpec kEusciARegs[] = {
    // offset name        reset   write_mask
    {0x00, "UCAxCTLW0", 0x0001, 0xFFFF}, {0x02, "UCAxCTLW1", 0x0003, 0x0003},
    {0x06, "UCAxBRW", 0x0000, 0xFFFF},   {0x08, "UCAxMCTLW", 0x0000, 0xFFF1},
    {0x0A, "UCAxSTATW", 0x0000, 0x0080}, {0x0C, "UCAxRXBUF", 0x0000, 0x0000},
    {0x0E, "UCAxTXBUF", 0x0000, 0x00FF}, {0x10, "UCAxABCTL", 0x0000, 0x0037},
    {0x12, "UCAxIRCTL", 0x0000, 0xFFFF}, {0x1A, "UCAxIE", 0x0000, 0x0003},
    {0x1C, "UCAxIFG", 0x0002, 0x0003},   {0x1E, "UCAxIV", 0x0000, 0x0000},
};
constexpr RegSpec kEusciBRegs[] = {
    {0x00, "UCBxCTLW0", 0x01C1, 0xFFFF},   {0x02, "UCBxCTLW1", 0x0003, 0x01FF},
    {0x06, "UCBxBRW", 0x0000, 0xFFFF},     {0x08, "UCBxSTATW", 0x0000, 0x0080},
    {0x0A, "UCBxTBCNT", 0x0000, 0x00FF},   {0x0C, "UCBxRXBUF", 0x0000, 0x0000},
    {0x0E, "UCBxTXBUF", 0x0000, 0x00FF},   {0x14, "UCBxI2COA0", 0x0000, 0x87FF},
    {0x16, "UCBxI2COA1", 0x0000, 0x07FF},  {0x18, "UCBxI2COA2", 0x0000, 0x07FF},
    {0x1A, "UCBxI2COA3", 0x0000, 0x07FF},  {0x1C, "UCBxADDRX", 0x0000, 0x0000},
    {0x1E, "UCBxADDMASK", 0x03FF, 0x03FF}, {0x20, "UCBxI2CSA", 0x0000, 0x03FF},
    {0x2A, "UCBxIE", 0x0000, 0x0003},      {0x2C, "UCBxIFG", 0x0002, 0x0003},
    {0x2E, "UCBxIV", 0x0000, 0x0000},
};

uint8_t reverse_bits(uint8_t v) {
  v = static_cast<uint8_t>((v & 0xF0) >> 4 | (v & 0x0F) << 4);
  v = static_cast<uint8_t>((v & 0xCC) >> 2 | (v & 0x33) << 2);
  return static_cast<uint8_t>((v & 0xAA) >> 1 | (v & 0x55) << 1);
}
}  // namespace

EusciSpi::EusciSpi(const sc_core::sc_module_name& name, const EusciInstance& instance,
                   const Clocks& clocks, IrqLines& irq, DmaTrigger dma_trigger)
    : Peripheral(name, instance.base, instance.size, instance.is_b ? kEusciBRegs : kEusciARegs,
                 instance.is_b ? std::size(kEusciBRegs) : std::size(kEusciARegs)),
      m_inst(instance),
      m_clocks(clocks),
      m_irq(irq),
      m_dma_trigger(std::move(dma_trigger)) {
  m_pending.reserve(8);
  SC_METHOD(on_event);
  sensitive << m_event;
  dont_initialize();
  m_regs.override_write(
      CTLW0, [this](uint16_t v, unsigned size, bool high) { write_ctlw0(v, size, high); });
  m_regs.override_write(TXBUF, [this](uint16_t v, unsigned, bool high) {
    if (!high) write_txbuf(v);
  });
  m_regs.on_write(m_inst.ifg, [this](uint16_t old_value, uint16_t v) { write_ifg(old_value, v); });
  m_regs.on_write(m_inst.ie, [this](uint16_t, uint16_t) {
    if (m_quiet) {  // the flags up to now first; the interrupt needs events from here on
      advance(now_of_access());
      if (schedule() && m_cpu) m_cpu->request_sync();
    }
    update_irq();
  });
  // Reads see the state at the reader's local time.
  m_regs.on_read(m_inst.statw, [this](uint16_t stored) {
    sync_if_lazy();
    advance(now_of_access());
    return static_cast<uint16_t>((stored & ~UCBUSY) | (m_shifting || m_tx_full ? UCBUSY : 0));
  });
  m_regs.on_read(m_inst.ifg, [this](uint16_t) {
    sync_if_lazy();
    advance(now_of_access());
    return m_regs.get(m_inst.ifg);
  });
  m_regs.on_read(RXBUF, [this](uint16_t) {
    sync_if_lazy();
    advance(now_of_access());
    m_regs[m_inst.ifg] &= static_cast<uint16_t>(~UCRXIFG);
    m_regs[m_inst.statw] &= static_cast<uint16_t>(~UCOE);
    update_irq();
    return m_regs.get(RXBUF);
  });
  m_regs.on_read(m_inst.iv, [this](uint16_t) -> uint16_t {
    sync_if_lazy();
    advance(now_of_access());
    uint16_t& ifg = m_regs[m_inst.ifg];
    const uint16_t pending = ifg & m_regs.get(m_inst.ie);
    uint16_t iv = 0;
    if (pending & UCRXIFG)
      ifg &= static_cast<uint16_t>(~UCRXIFG), iv = 2;
    else if (pending & UCTXIFG)
      ifg &= static_cast<uint16_t>(~UCTXIFG), iv = 4;
    update_irq();
    return iv;
  });
}

void EusciSpi::reset() {
  Peripheral::reset();
  m_event.cancel();
  m_lazy = m_quiet = false;
  m_shifting = m_tx_full = false;
  m_pending.clear();
  m_irq.set(m_inst.vector, false);
}

void EusciSpi::power_off() {
  advance(sc_core::sc_time_stamp());  // characters completed before the cut were delivered
  reset();
}

bool EusciSpi::running() const {
  const uint16_t ctl = m_regs.get(CTLW0);
  return !(ctl & UCSWRST) && (ctl & UCSYNC) && (ctl & UCMST) && (ctl & UCSSEL);
}

sc_time EusciSpi::character_time() const {
  const uint16_t ctl = m_regs.get(CTLW0);
  const double brclk =
      ((ctl & UCSSEL) >> 6) == UCSSEL_ACLK ? m_clocks.aclk_hz() : m_clocks.smclk_hz();
  const unsigned prescaler = std::max<unsigned>(1, m_regs.get(BRW));
  const unsigned bits = (ctl & UC7BIT) ? 7 : 8;
  return sc_time(bits * prescaler / brclk, sc_core::SC_SEC);
}

void EusciSpi::start_shift(uint8_t value, const sc_time& at) {
  m_shifting = true;
  m_shift_value = value;
  m_shift_end = at + character_time();
  set_flag(UCTXIFG, at);  // TXBUF is free again
}

void EusciSpi::advance(const sc_time& t) {
  while (m_shifting && m_shift_end <= t) {
    const sc_time end = m_shift_end;
    const uint16_t ctl = m_regs.get(CTLW0);
    const bool msb = ctl & UCMSB;
    uint8_t miso = 0xFF;
    if (m_device) {
      const unsigned cpol = (ctl & UCCKPL) ? 1 : 0, cpha = (ctl & UCCKPH) ? 0 : 1;
      const unsigned prescaler = std::max<unsigned>(1, m_regs.get(BRW));
      const double brclk =
          ((ctl & UCSSEL) >> 6) == UCSSEL_ACLK ? m_clocks.aclk_hz() : m_clocks.smclk_hz();
      const SpiFrame frame{cpol * 2 + cpha, brclk / prescaler, end};
      miso = m_device->exchange(msb ? m_shift_value : reverse_bits(m_shift_value), frame);
      if (!msb) miso = reverse_bits(miso);
    }
    ++m_characters;
    if (m_regs.get(m_inst.ifg) & UCRXIFG) m_regs[m_inst.statw] |= UCOE;
    m_regs[RXBUF] = miso;
    m_shifting = false;
    set_flag(UCRXIFG, end);
    if (m_tx_full) {
      m_tx_full = false;
      start_shift(m_tx_value, end);
    }
  }
}

void EusciSpi::set_flag(uint16_t flag, const sc_time& at) {
  uint16_t& ifg = m_regs[m_inst.ifg];
  const bool rising = !(ifg & flag);
  ifg |= flag;
  update_irq();
  if (rising) queue_trigger(flag == UCRXIFG ? m_inst.dma_rx : m_inst.dma_tx, at);
}

void EusciSpi::queue_trigger(unsigned tsel, const sc_time& at) {
  if (!m_dma_trigger) return;
  // Quiet: no channel serves the trigger, nor did one at its time (the DMA's catch-up brings
  // the port up to every reprogramming first), so it does nothing.
  if (m_quiet && !m_stepping) return;
  m_pending.push_back({at, tsel});
  if (schedule() && m_cpu) m_cpu->request_sync();
}

void EusciSpi::write_ctlw0(uint16_t value, unsigned size, bool high_byte) {
  uint16_t& ctl = m_regs[CTLW0];
  if (size == 1)
    value = high_byte ? static_cast<uint16_t>((ctl & 0x00FF) | (value << 8))
                      : static_cast<uint16_t>((ctl & 0xFF00) | (value & 0xFF));
  const bool was_reset = ctl & UCSWRST;
  ctl = value;
  if (value & UCSWRST) {
    // SLAU367P (eUSCI SPI initialisation): UCSWRST clears RXIE/TXIE, RXIFG, OE, FE and sets
    // TXIFG; it stops shifting.
    m_shifting = m_tx_full = false;
    m_pending.clear();
    m_event.cancel();
    m_lazy = m_quiet = false;
    m_regs[m_inst.ie] = 0;
    m_regs[m_inst.ifg] = UCTXIFG;
    m_regs[m_inst.statw] &= static_cast<uint16_t>(~(UCOE | UCFE));
    update_irq();
  } else if (was_reset) {
    update_irq();
  }
}

void EusciSpi::write_txbuf(uint16_t value) {
  sync_if_lazy();
  const sc_time at = now_of_access();
  advance(at);
  m_regs[TXBUF] = value & 0xFF;
  m_regs[m_inst.ifg] &= static_cast<uint16_t>(~UCTXIFG);
  update_irq();
  if (!running()) return;
  if (m_shifting) {
    m_tx_full = true;  // a second write before TXIFG overwrites it, as on the hardware
    m_tx_value = static_cast<uint8_t>(value);
  } else {
    start_shift(static_cast<uint8_t>(value), at);
  }
  if (schedule() && m_cpu) m_cpu->request_sync();  // the character's end is a new pending event
}

void EusciSpi::write_ifg(uint16_t old_value, uint16_t value) {
  update_irq();
  // Software may set a flag to start a DMA chain (a rising edge triggers, facts §4.2).
  sync_if_lazy();
  const sc_time at = now_of_access();
  if ((value & UCTXIFG) && !(old_value & UCTXIFG)) queue_trigger(m_inst.dma_tx, at);
  if ((value & UCRXIFG) && !(old_value & UCRXIFG)) queue_trigger(m_inst.dma_rx, at);
}

sc_time EusciSpi::now_of_access() const {
  if (!m_stepping) return access_time();
  return m_step_at + (access_time() - sc_core::sc_time_stamp());
}

void EusciSpi::sync_if_lazy() {
  if (m_lazy && !m_quiet && !m_stepping && m_cpu) m_cpu->catch_up(sc_core::sc_time_stamp());
}

bool EusciSpi::quiet() const {
  return m_cpu && m_cpu->batch && m_cpu->ports_may_go_quiet && m_dma_serves &&
         !m_regs.get(m_inst.ie) && !m_dma_serves(m_inst.dma_tx, m_inst.dma_rx, m_inst.dma_channels);
}

void EusciSpi::dma_changed() {
  if (m_quiet && !quiet() && schedule() && m_cpu) m_cpu->request_sync();
}

bool EusciSpi::next_item(sc_time* at) const {
  sc_time next = sc_core::sc_max_time();
  if (m_shifting) next = m_shift_end;
  for (const PendingTrigger& p : m_pending) next = std::min(next, p.at);
  *at = next;
  return next != sc_core::sc_max_time();
}

void EusciSpi::deliver(const sc_time& now) {
  advance(now);
  // Fire due DMA triggers in time order; a DMA transfer may queue new ones.
  for (;;) {
    auto best = m_pending.end();
    for (auto it = m_pending.begin(); it != m_pending.end(); ++it)
      if (it->at <= now && (best == m_pending.end() || it->at < best->at)) best = it;
    if (best == m_pending.end()) break;
    const PendingTrigger t = *best;
    m_pending.erase(best);  // keeps the order of equal-time edges
    m_dma_trigger(t.tsel, m_inst.dma_channels, t.at);
  }
}

// A TX trigger (a rising UCTXIFG) comes only as a character enters the shift register, an RX
// trigger only as one ends, and characters start at least a character time apart. So the k-th
// trigger of a kind after the p already queued comes no earlier than now + (k - p - 1)
// character times. The DMA raises its first interrupt at trigger silent + 1 of a kind, and
// the transfer lasts at least as many more characters as the TX channel still feeds, if a TX
// trigger is queued or TXBUF is full (each TXBUF write then brings the next trigger).
bool EusciSpi::lazy_bound(sc_time* at) const {
  if (!m_cpu || !m_cpu->batch || !m_dma_chain || !m_dma_trigger) return false;
  if (m_regs.get(m_inst.ie) || !m_cpu->asleep()) return false;  // the port's own interrupt
  const DmaChainView v = m_dma_chain(m_inst.dma_tx, m_inst.dma_rx, m_inst.dma_channels,
                                     m_inst.base + TXBUF, m_inst.base + RXBUF);
  if (!v.ok) return false;
  uint64_t queued_tx = 0, queued_rx = 0;
  for (const PendingTrigger& p : m_pending) (p.tsel == m_inst.dma_tx ? queued_tx : queued_rx)++;
  const auto characters_before = [](uint64_t silent, uint64_t queued) {
    if (silent == UINT64_MAX) return UINT64_MAX;
    return silent + 1 > queued + 1 ? silent - queued : uint64_t{0};
  };
  const uint64_t lasts = (queued_tx > 0 || m_tx_full) ? v.feeds : 0;
  const uint64_t characters = std::min({characters_before(v.tx_silent, queued_tx),
                                        characters_before(v.rx_silent, queued_rx), lasts});
  if (characters < 3) return false;  // not worth it
  // One character time less than the bound: the margin keeps rounding out of the question.
  *at = sc_core::sc_time_stamp() + character_time() * static_cast<double>(characters - 1);
  return true;
}

bool EusciSpi::schedule(bool cpu_may_run) {
  if (m_stepping) return true;  // the event in place is the bound, still valid
  m_event.cancel();
  m_lazy = m_quiet = false;
  if (quiet()) {
    m_lazy = m_quiet = true;
    return false;
  }
  sc_time next;
  if (!next_item(&next)) return false;
  sc_time bound;
  if (!cpu_may_run && lazy_bound(&bound) && bound > next) next = bound, m_lazy = true;
  const sc_time now = sc_core::sc_time_stamp();
  m_event.notify(next > now ? next - now : sc_core::SC_ZERO_TIME);
  return true;
}

bool EusciSpi::next_lazy(sc_time* at) const {
  return m_lazy && next_item(at);
}

void EusciSpi::step_lazy() {
  sc_time at;
  if (!next_item(&at)) return;
  m_stepping = true;
  m_step_at = at;
  deliver(at);
  m_stepping = false;
}

void EusciSpi::refine() {
  if (m_lazy && !m_quiet) schedule(true);
}

void EusciSpi::on_event() {
  ++m_events;
  if (m_lazy) {  // what was kept back up to now, in time order with the other sources
    m_cpu->catch_up(sc_core::sc_time_stamp());
    schedule();
    return;
  }
  deliver(sc_core::sc_time_stamp());
  schedule();
}

void EusciSpi::update_irq() {
  m_irq.set(m_inst.vector, (m_regs.get(m_inst.ifg) & m_regs.get(m_inst.ie)) != 0);
}

}  // namespace ipsim
