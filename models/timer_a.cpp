#include "models/timer_a.h"

#include "models/initiator_ext.h"

#include <algorithm>
#include <cmath>
#include <vector>

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
    if (m_lazy && m_hooks) m_hooks->catch_up(sc_core::sc_time_stamp());
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
  m_lazy = false;
  m_lazy_k = -1;
  m_done = 0;
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

int64_t TimerA::ticks_until(const sc_time& t) const {
  int64_t k = ticks_at(t);
  if (!running() || m_tick == sc_core::SC_ZERO_TIME) return k;
  // tick_time() rounds to the time resolution: the tick whose time is t counts as reached.
  while (k > 0 && tick_time(k) > t) --k;
  while (tick_time(k + 1) <= t) ++k;
  return k;
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

int64_t TimerA::next_match(uint32_t target, int64_t k_min) const {
  const uint32_t p = period();
  if (target >= p && p != 0x10000) return -1;
  const uint16_t c_min = count_at_tick(k_min);
  if (c_min >= p) return k_min + (0x10000 - c_min) + target;  // above CCR0: first the wrap
  return k_min + (static_cast<int64_t>(target) - c_min + p) % p;
}

uint64_t TimerA::matches(uint32_t target, int64_t k_from, int64_t k_to) const {
  const int64_t first = next_match(target, k_from);
  if (first < 0 || first > k_to) return 0;
  return 1 + static_cast<uint64_t>((k_to - first) / period());
}

void TimerA::schedule(int64_t k_min, bool cpu_may_run) {
  m_event.cancel();
  m_next_tick = -1;
  m_lazy = false;
  m_lazy_k = -1;
  if (!running() || m_tick == sc_core::SC_ZERO_TIME) return;
  const uint32_t p = period();
  const int64_t now_ticks = ticks_at(sc_core::sc_time_stamp());
  if (k_min <= now_ticks) k_min = now_ticks + 1;
  // Only while the CPU sleeps: a running CPU sees flags and DMA effects at kernel time (it may
  // run ahead of a tick scheduled within its slice), which the tick events give.
  const bool lazy = m_hooks && m_hooks->batch && !cpu_may_run && m_hooks->asleep();
  // Smallest k >= k_min at which the count equals a target value (lazy: an observable one).
  int64_t best = -1;
  auto consider = [&](int64_t k) {
    if (k >= 0 && (best < 0 || k < best)) best = k;
  };
  const uint16_t ccr[] = {TAxCCR0, TAxCCR1, TAxCCR2};
  const uint16_t cctl[] = {TAxCCTL0, TAxCCTL1, TAxCCTL2};
  if (!lazy) {
    for (uint16_t reg : ccr) consider(next_match(m_regs.get(reg), k_min));
    consider(next_match(0, k_min));  // wrap: TAIFG
  } else {
    m_lazy = true;
    m_done = k_min - 1;
    m_lazy_dma[0] = m_lazy_dma[1] = false;
    for (unsigned n = 0; n < 3; ++n) {
      const uint16_t c = m_regs.get(cctl[n]);
      if (c & CAP) continue;
      const int64_t first = next_match(m_regs.get(ccr[n]), k_min);
      if (c & CCIE) consider(first);
      const unsigned tsel = n == 0 ? m_inst.dma_ccr0 : n == 2 ? m_inst.dma_ccr2 : 0;
      uint64_t silent = 0;
      if (!tsel || !m_dma_trigger_at || first < 0) continue;
      const bool listens = m_dma_listens ? m_dma_listens(tsel, &silent) : true;
      m_lazy_dma[n / 2] = listens;
      if (listens && silent != UINT64_MAX)
        consider(first + static_cast<int64_t>(std::min<uint64_t>(silent, INT64_MAX / 2 / p)) * p);
    }
    if (m_regs.get(TAxCTL) & TAIE) consider(next_match(0, k_min));
    next_lazy_dma();
  }
  m_next_tick = best;
  if (best < 0) return;
  const sc_time at = tick_time(best);
  m_event.notify(at - sc_core::sc_time_stamp());
}

void TimerA::next_lazy_dma() {
  m_lazy_k = -1;
  const uint16_t ccr[] = {TAxCCR0, TAxCCR2};
  for (unsigned i = 0; i < 2; ++i) {
    m_lazy_next[i] = m_lazy_dma[i] ? next_match(m_regs.get(ccr[i]), m_done + 1) : -1;
    if (m_lazy_next[i] >= 0 && (m_lazy_k < 0 || m_lazy_next[i] < m_lazy_k))
      m_lazy_k = m_lazy_next[i];
  }
  m_period = period();
  if (m_lazy_k >= 0) m_lazy_at = tick_time(m_lazy_k);
}

void TimerA::apply_flags(int64_t k_to) {
  if (k_to <= m_done) return;
  const int64_t from = m_done + 1;
  const uint16_t cctl[] = {TAxCCTL0, TAxCCTL1, TAxCCTL2};
  const uint16_t ccr[] = {TAxCCR0, TAxCCR1, TAxCCR2};
  for (unsigned n = 0; n < 3; ++n) {
    if (m_regs.get(cctl[n]) & CAP) continue;
    const uint64_t c = matches(m_regs.get(ccr[n]), from, k_to);
    if (!c) continue;
    m_regs[cctl[n]] |= CCIFG;
    m_compare_events += c;
  }
  if (matches(0, from, k_to)) m_regs[TAxCTL] |= TAIFG;
  m_done = k_to;
}

// One tick's DMA triggers; its flags are set by the catch-up's apply_flags (no one looks
// meanwhile). Compares recur every period, so the next one is a period later.
void TimerA::step_lazy_dma() {
  const int64_t k = m_lazy_k;
  const sc_time at = m_lazy_at;
  m_lazy_k = -1;
  for (unsigned i = 0; i < 2; ++i) {
    if (m_lazy_next[i] == k) {
      m_dma_trigger_at(i == 0 ? m_inst.dma_ccr0 : m_inst.dma_ccr2, at);
      m_lazy_next[i] += m_period;
    }
    if (m_lazy_next[i] >= 0 && (m_lazy_k < 0 || m_lazy_next[i] < m_lazy_k))
      m_lazy_k = m_lazy_next[i];
  }
  if (m_lazy_k >= 0) m_lazy_at = tick_time(m_lazy_k);
}

bool TimerA::next_lazy(sc_time* at) const {
  if (!m_lazy || m_lazy_k < 0) return false;
  *at = m_lazy_at;
  return true;
}

void TimerA::settle_flags(const sc_time& t) {
  if (!m_lazy) return;
  apply_flags(ticks_until(t));
  update_irq();
}

void TimerA::catch_up_all(TimerA* const* timers, std::size_t n, const sc_time& t) {
  const std::vector<LazySource*> sources(timers, timers + n);
  catch_up_in_order(sources.data(), n, t);
  for (std::size_t i = 0; i < n; ++i) timers[i]->settle_flags(t);
}

void TimerA::refine() {
  if (!m_lazy) return;
  schedule(m_done + 1, true);
}

void TimerA::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  if (m_hooks && initiator_of(trans) != Initiator::kDma)  // not from inside a DMA transfer
    m_hooks->catch_up(sc_core::sc_time_stamp() + delay);
  Peripheral::b_transport(trans, delay);
}

void TimerA::on_event() {
  if (m_lazy) {  // an observable tick: everything up to it, this tick included
    if (m_hooks) m_hooks->catch_up(sc_core::sc_time_stamp());
    schedule(m_done + 1);
    return;
  }
  const int64_t k = m_next_tick;
  if (k < 0) return;
  // Other timers' ticks kept back until now come first (their DMA triggers are earlier).
  if (m_hooks) m_hooks->catch_up(sc_core::sc_time_stamp());
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
