#include "models/timer_a.h"

#include <cmath>

namespace ipsim {

using namespace timer_a;
using sc_core::sc_time;

TimerA::TimerA(const sc_core::sc_module_name& name, const TimerAInstance& instance, Clocks& clocks,
               IrqLines& irq, DmaTrigger dma_trigger)
    : Peripheral(name, instance.base, kSize, kTimerARegs),
      m_inst(instance),
      m_clocks(clocks),
      m_irq(irq),
      m_dma_trigger(std::move(dma_trigger)) {
  SC_METHOD(on_event);
  sensitive << m_event;
  dont_initialize();
  for (uint16_t reg : {TAxCTL, TAxR, TAxCCR0, TAxCCR1, TAxCCR2, TAxEX0}) {
    m_regs.override_write(reg, [this, reg](uint16_t v, unsigned size, bool high) {
      write_timing(reg, v, size, high);
    });
  }
  for (uint16_t reg : {TAxCCTL0, TAxCCTL1, TAxCCTL2})
    m_regs.on_write(reg, [this](uint16_t, uint16_t) { update_irq(); });
  m_regs.on_read(TAxR, [this](uint16_t) { return count_at_tick(ticks_at(access_time())); });
  m_regs.on_read(TAxIV, [this](uint16_t) { return read_iv(); });
  m_irq.on_acknowledge(m_inst.vector_ccr0, [this] {
    m_regs[TAxCCTL0] &= static_cast<uint16_t>(~CCIFG);
    update_irq();
  });
  m_clocks.on_change([this] {
    rebase(sc_core::sc_time_stamp());
    schedule(1);
  });
}

void TimerA::reset() {
  Peripheral::reset();
  m_event.cancel();
  m_base_time = sc_core::sc_time_stamp();
  m_base_count = 0;
  m_next_tick = -1;
  m_irq.set(m_inst.vector_ccr0, false);
  m_irq.set(m_inst.vector_taiv, false);
}

bool TimerA::running() const {
  const uint16_t ctl = m_regs.get(TAxCTL);
  const unsigned src = (ctl & TASSEL) >> 8;
  return ((ctl & MC) >> 4) != MC_STOP && (src == TASSEL_ACLK || src == TASSEL_SMCLK);
}

uint32_t TimerA::period() const {
  const unsigned mc = (m_regs.get(TAxCTL) & MC) >> 4;
  return mc == MC_CONTINUOUS ? 0x10000u : uint32_t{m_regs.get(TAxCCR0)} + 1;
}

int64_t TimerA::ticks_at(const sc_time& t) const {
  if (!running() || t <= m_base_time || m_tick == sc_core::SC_ZERO_TIME) return 0;
  return static_cast<int64_t>((t - m_base_time) / m_tick);
}

uint16_t TimerA::count_at_tick(int64_t k) const {
  if (k == 0) return m_base_count;
  const uint32_t p = period();
  // A count above CCR0 in up mode runs on to 0xFFFF and wraps to 0 first (SLAU367P §25.2.3.1).
  int64_t c = m_base_count;
  if (c >= p) {
    const int64_t to_wrap = 0x10000 - c;
    if (k < to_wrap) return static_cast<uint16_t>(c + k);
    k -= to_wrap, c = 0;
  }
  return static_cast<uint16_t>((c + k) % p);
}

void TimerA::rebase(const sc_time& t) {
  const int64_t k = ticks_at(t);
  m_base_count = count_at_tick(k);
  if (running() && m_tick != sc_core::SC_ZERO_TIME) m_base_time += m_tick * static_cast<double>(k);
  if (m_base_time < t && !running()) m_base_time = t;
  // new tick period from the (possibly new) clock configuration
  const uint16_t ctl = m_regs.get(TAxCTL);
  const unsigned src = (ctl & TASSEL) >> 8;
  const double hz = src == TASSEL_ACLK ? m_clocks.aclk_hz() : m_clocks.smclk_hz();
  const unsigned div = (1u << ((ctl & ID) >> 6)) * ((m_regs.get(TAxEX0) & TAIDEX) + 1u);
  m_tick = hz > 0 ? sc_time(div / hz, sc_core::SC_SEC) : sc_core::SC_ZERO_TIME;
}

void TimerA::write_timing(uint16_t reg, uint16_t value, unsigned size, bool high_byte) {
  const sc_time t = access_time();
  const bool was_running = running();
  rebase(t);
  uint16_t& r = m_regs[reg];
  uint16_t v = value;
  if (size == 1)
    v = high_byte ? static_cast<uint16_t>((r & 0x00FF) | (value << 8))
                  : static_cast<uint16_t>((r & 0xFF00) | (value & 0xFF));
  const uint16_t mask = reg == TAxCTL ? 0x03F7 : reg == TAxEX0 ? 0x0007 : 0xFFFF;
  r = static_cast<uint16_t>(v & mask);
  if (reg == TAxR) m_base_count = r, m_base_time = t;
  if (reg == TAxCTL && (value & TACLR)) m_base_count = 0, m_base_time = t;
  if (!was_running) m_base_time = t;  // counting starts at the write that starts the timer
  rebase(t);                          // new tick period
  update_irq();
  schedule(1);
}

void TimerA::schedule(int64_t k_min) {
  m_event.cancel();
  m_next_tick = -1;
  if (!running() || m_tick == sc_core::SC_ZERO_TIME) return;
  const uint32_t p = period();
  const int64_t now_ticks = ticks_at(sc_core::sc_time_stamp());
  if (k_min <= now_ticks) k_min = now_ticks + 1;
  // Smallest k >= k_min at which the count equals a target value.
  const uint16_t c_min = count_at_tick(k_min);
  int64_t best = -1;
  auto consider = [&](uint32_t target) {
    if (target >= p && p != 0x10000) return;
    const int64_t d = (static_cast<int64_t>(target) - c_min + p) % p;
    if (c_min >= p) {  // above CCR0: first wrap then regular
      const int64_t to_wrap = 0x10000 - c_min;
      const int64_t k = k_min + to_wrap + target;
      if (best < 0 || k < best) best = k;
      return;
    }
    const int64_t k = k_min + d;
    if (best < 0 || k < best) best = k;
  };
  for (uint16_t reg : {TAxCCR0, TAxCCR1, TAxCCR2}) consider(m_regs.get(reg));
  consider(0);  // wrap: TAIFG
  m_next_tick = best;
  const sc_time at = m_base_time + m_tick * static_cast<double>(best);
  m_event.notify(at - sc_core::sc_time_stamp());
}

void TimerA::on_event() {
  const int64_t k = m_next_tick;
  if (k < 0) return;
  const uint16_t count = count_at_tick(k);
  const uint16_t cctl[] = {TAxCCTL0, TAxCCTL1, TAxCCTL2};
  const uint16_t ccr[] = {TAxCCR0, TAxCCR1, TAxCCR2};
  const uint32_t p = period();
  for (unsigned n = 0; n < 3; ++n) {
    if (m_regs.get(cctl[n]) & CAP) continue;
    if (count != m_regs.get(ccr[n]) || (m_regs.get(ccr[n]) >= p && p != 0x10000)) continue;
    m_regs[cctl[n]] |= CCIFG;
    ++m_compare_events;
    if (m_dma_trigger && n == 0 && m_inst.dma_ccr0) m_dma_trigger(m_inst.dma_ccr0);
    if (m_dma_trigger && n == 2 && m_inst.dma_ccr2) m_dma_trigger(m_inst.dma_ccr2);
  }
  if (count == 0) m_regs[TAxCTL] |= TAIFG;
  update_irq();
  schedule(k + 1);
}

void TimerA::update_irq() {
  const bool ccr0 = (m_regs.get(TAxCCTL0) & CCIFG) && (m_regs.get(TAxCCTL0) & CCIE);
  const bool ccr1 = (m_regs.get(TAxCCTL1) & CCIFG) && (m_regs.get(TAxCCTL1) & CCIE);
  const bool ccr2 = (m_regs.get(TAxCCTL2) & CCIFG) && (m_regs.get(TAxCCTL2) & CCIE);
  const bool ta = (m_regs.get(TAxCTL) & TAIFG) && (m_regs.get(TAxCTL) & TAIE);
  m_irq.set(m_inst.vector_ccr0, ccr0);
  m_irq.set(m_inst.vector_taiv, ccr1 || ccr2 || ta);
}

uint16_t TimerA::read_iv() {
  uint16_t value = 0;
  for (auto [reg, iv] : {std::pair<uint16_t, uint16_t>{TAxCCTL1, 2}, {TAxCCTL2, 4}}) {
    uint16_t& c = m_regs[reg];
    if ((c & CCIFG) && (c & CCIE)) {
      c &= static_cast<uint16_t>(~CCIFG);
      value = iv;
      break;
    }
  }
  if (!value) {
    uint16_t& ctl = m_regs[TAxCTL];
    if ((ctl & TAIFG) && (ctl & TAIE)) ctl &= static_cast<uint16_t>(~TAIFG), value = 0x0E;
  }
  update_irq();
  return value;
}

}  // namespace ipsim
