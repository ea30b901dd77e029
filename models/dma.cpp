#include "models/dma.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "models/initiator_ext.h"
#include "models/mem_map.h"

namespace ipsim {

using namespace dma;
using sc_core::sc_time;

Dma::Dma(const sc_core::sc_module_name& name, const Clocks& clocks, IrqLines& irq, CpuHooks& cpu)
    : Peripheral(name, kBase, kSize, kDmaRegs),
      bus("bus"),
      m_clocks(clocks),
      m_irq(irq),
      m_cpu(cpu) {
  m_trans.set_extension(&m_ext);
  SC_METHOD(on_event);
  sensitive << m_event;
  dont_initialize();
  for (unsigned n = 0; n < kChannels; ++n) {
    m_ctl[n] = &m_regs[channel_base(n) + CTL];
    m_regs.on_write(channel_base(n) + CTL,
                    [this, n](uint16_t old_value, uint16_t v) { write_ctl(n, old_value, v); });
  }
  m_regs.on_read(DMAIV, [this](uint16_t) { return read_iv(); });
}

Dma::~Dma() {
  m_trans.clear_extension(&m_ext);
}

void Dma::reset() {
  Peripheral::reset();
  m_event.cancel();
  for (auto& c : m_ch) {
    const uint64_t transfers = c.transfers, triggers = c.triggers;
    c = Channel{};
    c.transfers = transfers, c.triggers = triggers;
  }
  m_irq.set(kVectorDma, false);
}

void Dma::power_off() {
  advance(sc_core::sc_time_stamp());  // the words completed before the cut are in place
  reset();  // a pending request, completion or CPU halt is lost with the registers
}

bool Dma::busy_at(const sc_time& t) const {
  for (const Channel& c : m_ch)
    if (c.moving || (c.done_pending && t < c.done_at)) return true;
  return false;
}

bool Dma::armed() const {
  for (unsigned n = 0; n < kChannels; ++n)
    if ((*m_ctl[n] & DMAEN) && tsel_of(n) != TSEL_DMAREQ) return true;
  return false;
}

sc_time Dma::moving_end(const Channel& c) const {  // moving_since is after the sync cycles
  const double cycles = static_cast<double>(kCyclesPerTransfer * c.count + c.waits);
  return c.moving_since + sc_time(cycles / c.hz, sc_core::SC_SEC);
}

void Dma::start_moving(unsigned n, const sc_time& at, unsigned sync_cycles) {
  Channel& c = m_ch[n];
  const uint16_t b = channel_base(n);
  const uint16_t ctl = m_regs.get(b + CTL);
  if (!(ctl & DMAEN) || m_regs.get(b + SZ) == 0) return;
  ++c.triggers;
  c.moving = true;
  c.ctl = ctl;
  c.count = (((ctl & DMADT) >> 12) & 3) == DT_SINGLE ? 1u : m_regs.get(b + SZ);
  c.moved = 0;
  c.waits = 0;
  c.sync = sync_cycles;
  c.halts = sync_cycles > 0;  // hardware-triggered: the wait states halt the CPU too
  c.hz = m_clocks.mclk_hz();  // the word times follow MCLK as the transfer starts
  c.moving_since = at + sc_time(sync_cycles / c.hz, sc_core::SC_SEC);
  m_cpu.stall(sync_cycles + kCyclesPerTransfer * c.count);
}

void Dma::b_transport(tlm::tlm_generic_payload& trans, sc_time& delay) {
  // Not for the DMA's own reads of its registers (HAWAII's DMA3SA = &DMA3SZ): mid-transfer.
  const bool from_cpu = initiator_of(trans) != Initiator::kDma;
  if (from_cpu) m_cpu.catch_up(sc_core::sc_time_stamp() + delay);
  Peripheral::b_transport(trans, delay);
  if (from_cpu && trans.is_write() && m_on_program) m_on_program();
}

bool Dma::serves(unsigned tx, unsigned rx, unsigned channels) const {
  for (unsigned n = 0; n < kChannels; ++n) {
    if (!(channels & (1u << n)) || !(m_regs.get(channel_base(n) + CTL) & DMAEN)) continue;
    const unsigned tsel = tsel_of(n);
    if (tsel == tx || tsel == rx) return true;
  }
  return false;
}

bool Dma::listens(unsigned tsel, uint64_t* silent) const {
  bool any = false;
  uint64_t s = UINT64_MAX;
  for (unsigned n = 0; n < kChannels; ++n) {
    const uint16_t b = channel_base(n);
    const uint16_t ctl = m_regs.get(b + CTL);
    if (!(ctl & DMAEN) || tsel_of(n) != tsel || m_regs.get(b + SZ) == 0) continue;
    any = true;
    if ((((ctl & DMADT) >> 12) & 3) != DT_SINGLE)
      s = 0;
    else if (ctl & DMAIE)
      s = std::min<uint64_t>(s, m_regs.get(b + SZ) - 1u);
  }
  *silent = s;
  return any;
}

namespace {
// `count` transfers of `size` bytes from addr, stepped by incr, stay inside SRAM or FRAM.
bool in_memory(uint32_t addr, unsigned incr, unsigned size, uint64_t count) {
  uint64_t lo = addr, len = size;
  if (incr == kIncrIncrement) len = count * size;
  if (incr == kIncrDecrement) {
    if ((count - 1) * size > addr) return false;
    lo = addr - (count - 1) * size, len = count * size;
  }
  const uint32_t a = static_cast<uint32_t>(lo);
  return range_inside(a, len, kSramBegin, kSramEnd) || range_inside(a, len, kFramBegin, kFramEnd) ||
         range_inside(a, len, kInfoFramBegin, kInfoFramEnd);
}
}  // namespace

DmaChainView Dma::chain_view(unsigned tx, unsigned rx, unsigned channels, uint32_t txbuf,
                             uint32_t rxbuf) const {
  DmaChainView v;
  unsigned tx_channels = 0, rx_channels = 0;
  for (unsigned n = 0; n < kChannels; ++n) {
    const Channel& c = m_ch[n];
    if (c.moving || c.start_pending || c.done_pending) return v;
    const uint16_t b = channel_base(n);
    const uint16_t ctl = m_regs.get(b + CTL);
    const unsigned tsel = tsel_of(n);
    if (!(channels & (1u << n)) || !(ctl & DMAEN) || (tsel != tx && tsel != rx)) continue;
    const uint64_t size = m_regs.get(b + SZ);
    if (size == 0) continue;
    if (((ctl & DMADT) >> 12) != DT_SINGLE) return v;
    const unsigned src_incr = (ctl & DMASRCINCR) >> 8, dst_incr = (ctl & DMADSTINCR) >> 10;
    const unsigned src_size = (ctl & DMASRCBYTE) ? 1 : 2, dst_size = (ctl & DMADSTBYTE) ? 1 : 2;
    const uint64_t silent = (ctl & DMAIE) ? size - 1 : UINT64_MAX;
    if (tsel == tx) {
      if (++tx_channels > 1 || c.dst != txbuf || dst_incr != kIncrFixed ||
          !in_memory(c.src, src_incr, src_size, size))
        return v;
      v.tx_silent = silent;
      v.feeds = size;
    } else {
      if (++rx_channels > 1 || c.src != rxbuf || src_incr != kIncrFixed ||
          !in_memory(c.dst, dst_incr, dst_size, size))
        return v;
      v.rx_silent = silent;
    }
  }
  v.ok = true;
  return v;
}

void Dma::settle(const sc_time& t) {
  advance(t);
  // Wait states a hardware-triggered block met extend its halt of the CPU. Passed on here (the
  // CPU thread, which counts them in its next slice), not from on_event: a stall added while
  // the CPU thread waits for the end of its slice would be lost.
  for (Channel& c : m_ch)
    if (c.owed) m_cpu.stall(c.owed), c.owed = 0;
}

void Dma::advance(const sc_time& t) {
  if (m_before_access) {
    for (const Channel& c : m_ch)
      if (c.moving) {
        m_before_access(sc_core::sc_time_stamp());
        break;
      }
  }
  for (unsigned n = 0; n < kChannels; ++n) {
    Channel& c = m_ch[n];
    if (!c.moving) continue;
    const double cycle_s = 1.0 / c.hz;
    while (c.moving) {
      if (c.moved == c.count) {  // all words in place: done at the end of the last one
        c.moving = false;
        const uint64_t cycles = kCyclesPerTransfer * c.count + c.waits;
        m_busy_cycles += c.sync + cycles;
        if (m_regs.get(channel_base(n) + SZ) == 0) {
          c.done_pending = true;
          c.done_at = c.moving_since + m_cycle_times.offset(cycles, cycle_s);
        }
        break;
      }
      const uint64_t start_cycles = kCyclesPerTransfer * c.moved + c.waits;
      const sc_time word_start = c.moving_since + m_cycle_times.offset(start_cycles, cycle_s);
      const sc_time word_end = word_start + m_cycle_times.offset(kCyclesPerTransfer, cycle_s);
      if (word_end > t) break;
      const sc_time now = sc_core::sc_time_stamp();
      sc_time d = word_start > now ? word_start - now : sc_core::SC_ZERO_TIME;
      const uint64_t waits_before = c.waits;
      const bool ok = move(n, c.ctl, d, &c.waits);
      if (c.halts) c.owed += c.waits - waits_before;
      if (!ok) {
        c.moving = false;
        uint16_t& ctl = m_regs[channel_base(n) + CTL];
        ctl = static_cast<uint16_t>((ctl & ~DMAEN) | DMAABORT);
        break;
      }
      --m_regs[channel_base(n) + SZ];
      ++c.moved;
    }
  }
}

void Dma::schedule() {
  const sc_time now = sc_core::sc_time_stamp();
  bool any = false;
  sc_time next = sc_core::sc_max_time();
  for (const Channel& c : m_ch) {
    if (c.start_pending && c.start_at < next) next = c.start_at, any = true;
    if (c.done_pending && c.done_at < next) next = c.done_at, any = true;
    if (c.moving && moving_end(c) < next) next = moving_end(c), any = true;
  }
  m_event.cancel();
  if (any) m_event.notify(next > now ? next - now : sc_core::SC_ZERO_TIME);
}

void Dma::on_event() {
  const sc_time now = sc_core::sc_time_stamp();
  for (unsigned n = 0; n < kChannels; ++n) {
    Channel& c = m_ch[n];
    if (c.done_pending && c.done_at <= now) {
      c.done_pending = false;
      finish_channel(n);
    }
    if (c.start_pending && c.start_at <= now) {
      c.start_pending = false;
      start_moving(n, now, 0);
    }
  }
  advance(now);
  for (unsigned n = 0; n < kChannels; ++n) {
    Channel& c = m_ch[n];
    if (c.done_pending && c.done_at <= now) {
      c.done_pending = false;
      finish_channel(n);
    }
  }
  schedule();
}

unsigned Dma::tsel_of(unsigned n) const {
  const uint16_t ctl = m_regs.get(static_cast<uint16_t>(DMACTL0 + 2 * (n / 2)));
  return (n & 1) ? (ctl >> 8) & 0x1F : ctl & 0x1F;
}

void Dma::latch(unsigned n) {
  const uint16_t b = channel_base(n);
  m_ch[n].src = (uint32_t{m_regs.get(b + SAH)} << 16 | m_regs.get(b + SAL)) & kMask20;
  m_ch[n].dst = (uint32_t{m_regs.get(b + DAH)} << 16 | m_regs.get(b + DAL)) & kMask20;
}

void Dma::write_ctl(unsigned n, uint16_t old_value, uint16_t v) {
  const uint16_t b = channel_base(n);
  if ((v & DMAEN) && !(old_value & DMAEN)) {
    latch(n);
    m_ch[n].saved_size = m_regs.get(b + SZ);
  }
  update_irq();  // DMAIE/DMAIFG may have changed
  if (v & DMAREQ) {
    m_regs[b + CTL] &= static_cast<uint16_t>(~DMAREQ);  // self-clearing
    if ((v & DMAEN) && tsel_of(n) == TSEL_DMAREQ) {
      m_ch[n].start_pending = true;
      m_ch[n].start_at = access_time() + sc_time(kSyncCycles / m_clocks.mclk_hz(), sc_core::SC_SEC);
      schedule();
      m_cpu.request_sync();  // the slice ends; the CPU runs on until the transfer starts
    }
  }
}

void Dma::trigger(unsigned tsel, unsigned channels, const sc_time& at) {
  bool started = false;
  for (unsigned n = 0; n < kChannels; ++n) {
    if (!(channels & (1u << n))) continue;
    const uint16_t ctl = *m_ctl[n];
    if (!(ctl & DMAEN) || tsel_of(n) != tsel) continue;
    if ((((ctl & DMADT) >> 12) & 3) == DT_SINGLE) {
      run_single(n, at);
      continue;
    }
    // A block or burst-block moves its words over time, as a DMAREQ block does (settle()).
    Channel& c = m_ch[n];
    if (c.done_pending && c.done_at <= at) {  // its completion event has not run yet
      c.done_pending = false;
      finish_channel(n);
      if (!(m_regs.get(channel_base(n) + CTL) & DMAEN)) continue;
    }
    // A block still in progress ignores the trigger.
    if (c.moving || c.done_pending) continue;
    if (m_regs.get(channel_base(n) + SZ) == 0) continue;  // no transfer (SLAU367P §11.2.6)
    if (m_before_access)
      m_before_access(at < sc_core::sc_time_stamp() ? at : sc_core::sc_time_stamp());
    start_moving(n, at, kBlockSyncCycles);
    started = true;
  }
  if (started) schedule();
}

bool Dma::move(unsigned n, uint16_t ctl, sc_time delay, uint64_t* wait_cycles) {
  Channel& c = m_ch[n];
  const unsigned src_size = (ctl & DMASRCBYTE) ? 1 : 2, dst_size = (ctl & DMADSTBYTE) ? 1 : 2;
  uint8_t data[2] = {0, 0};
  Pending direct;
  bool ok = access(false, c.src, data, src_size, delay, direct, wait_cycles);
  if (ok) {
    if (src_size == 1) data[1] = 0;  // byte -> word: high byte cleared (SLAU367P §11.2.4)
    ok = access(true, c.dst, data, dst_size, delay, direct, wait_cycles);
  }
  *wait_cycles += direct.waits;
  if (!ok) return false;
  auto step = [](uint32_t addr, unsigned incr, unsigned size) {
    if (incr == kIncrIncrement) addr += size;
    if (incr == kIncrDecrement) addr -= size;
    return addr & kMask20;
  };
  c.src = step(c.src, (ctl & DMASRCINCR) >> 8, src_size);
  c.dst = step(c.dst, (ctl & DMADSTINCR) >> 10, dst_size);
  ++m_transfers;
  ++c.transfers;
  return true;
}

bool Dma::access(bool write, uint32_t addr, uint8_t* data, unsigned len, sc_time& delay,
                 Pending& direct, uint64_t* wait_cycles) {
  for (const DirectMemory& m : m_direct)
    if (addr >= m.begin && addr < m.end) {
      direct.memory = m.memory;
      return m.memory->direct_access(Initiator::kDma, write, addr, data, len, &direct.waits);
    }
  // A target on the bus (or the DMA's registers) sees the wait states met before it as delay.
  if (direct.waits) {
    delay += direct.memory->wait_delay(direct.waits);
    *wait_cycles += direct.waits;
    direct.waits = 0;
  }
  if (addr >= kBase && addr < kBase + kSize)  // what the bus and Dma::b_transport would do
    return access_reg(write, addr - kBase, data, len, sc_core::sc_time_stamp() + delay);
  ++m_bus_accesses;
  // m_trans is tagged Initiator::kDma once; a transfer that a bus access triggers (MPY32)
  // nests, and builds a payload only then (its constructor allocates).
  std::optional<tlm::tlm_generic_payload> nested;
  if (m_on_bus) nested.emplace(), nested->set_extension(&m_ext);
  tlm::tlm_generic_payload& trans = m_on_bus ? *nested : m_trans;
  const bool outer = !m_on_bus;
  m_on_bus = true;
  trans.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  trans.set_address(addr);
  trans.set_data_ptr(data);
  trans.set_data_length(len);
  trans.set_streaming_width(len);
  trans.set_byte_enable_ptr(nullptr);
  trans.set_dmi_allowed(false);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  const sc_time before = delay;
  bus->b_transport(trans, delay);
  const bool ok = trans.is_response_ok();
  trans.set_data_ptr(nullptr);
  if (outer)
    m_on_bus = false;
  else
    nested->clear_extension(&m_ext);
  // Delay beyond what we passed in: wait states, in whole MCLK cycles.
  if (delay != before)
    *wait_cycles +=
        static_cast<uint64_t>(std::llround((delay - before).to_seconds() * m_clocks.mclk_hz()));
  return ok;
}

void Dma::run_single(unsigned n, const sc_time& at) {
  const uint16_t b = channel_base(n);
  const uint16_t ctl = m_regs.get(b + CTL);
  const sc_time now = sc_core::sc_time_stamp();
  const sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;

  uint16_t& size = m_regs[b + SZ];
  if (size == 0) return;  // DMAnSZ = 0: no transfer (SLAU367P §11.2.6)
  if (m_before_access) m_before_access(at < now ? at : now);
  ++m_ch[n].triggers;
  uint64_t waits = 0;
  // One cycle of synchronisation, then the transfer.
  sc_time d = delay + m_cycle_times.offset(1, 1.0 / m_clocks.mclk_hz());
  const bool ok = move(n, ctl, d, &waits);
  const uint64_t cycles = kSingleCycles + waits;
  m_busy_cycles += ok ? cycles : kSingleCycles - kCyclesPerTransfer + waits;
  m_cpu.stall(ok ? cycles : kSingleCycles - kCyclesPerTransfer + waits);
  if (!ok) {
    m_regs[b + CTL] = static_cast<uint16_t>((m_regs.get(b + CTL) & ~DMAEN) | DMAABORT);
    return;
  }
  if (--size == 0) finish_channel(n);
}

// Completed: flag, then disable (single/block/burst) or reload (repeated modes).
void Dma::finish_channel(unsigned n) {
  const uint16_t b = channel_base(n);
  uint16_t& c = m_regs[b + CTL];
  uint16_t& size = m_regs[b + SZ];
  const bool repeat = ((c & DMADT) >> 12) & DT_REPEAT;
  c |= DMAIFG;
  if (repeat) {
    latch(n);
    size = m_ch[n].saved_size;
  } else {
    c &= static_cast<uint16_t>(~DMAEN);
    size = m_ch[n].saved_size;  // DMAnSZ reloads when the transfer sequence ends
  }
  update_irq();
  if (c & DMAIE) m_cpu.request_sync();
}

void Dma::update_irq() {
  bool any = false;
  for (unsigned n = 0; n < kChannels; ++n) {
    const uint16_t ctl = m_regs.get(channel_base(n) + CTL);
    any |= (ctl & DMAIFG) && (ctl & DMAIE);
  }
  m_irq.set(kVectorDma, any);
}

uint16_t Dma::read_iv() {
  for (unsigned n = 0; n < kChannels; ++n) {
    uint16_t& ctl = m_regs[channel_base(n) + CTL];
    if ((ctl & DMAIFG) && (ctl & DMAIE)) {
      ctl &= static_cast<uint16_t>(~DMAIFG);
      update_irq();
      return static_cast<uint16_t>(2 * (n + 1));
    }
  }
  return 0;
}

}  // namespace ipsim
