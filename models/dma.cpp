#include "models/dma.h"

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
  for (unsigned n = 0; n < kChannels; ++n) {
    m_regs.on_write(channel_base(n) + CTL,
                    [this, n](uint16_t old_value, uint16_t v) { write_ctl(n, old_value, v); });
  }
  m_regs.on_read(DMAIV, [this](uint16_t) { return read_iv(); });
}

void Dma::reset() {
  Peripheral::reset();
  for (auto& c : m_ch) c = Channel{};
  m_irq.set(kVectorDma, false);
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
    if ((v & DMAEN) && tsel_of(n) == TSEL_DMAREQ) run_channel(n, access_time());
  }
}

void Dma::trigger(unsigned tsel, unsigned channels, const sc_time& at) {
  for (unsigned n = 0; n < kChannels; ++n) {
    if (!(channels & (1u << n))) continue;
    if ((m_regs.get(channel_base(n) + CTL) & DMAEN) && tsel_of(n) == tsel) run_channel(n, at);
  }
}

bool Dma::move(unsigned n, uint16_t ctl, sc_time& delay) {
  Channel& c = m_ch[n];
  const unsigned src_size = (ctl & DMASRCBYTE) ? 1 : 2, dst_size = (ctl & DMADSTBYTE) ? 1 : 2;
  uint8_t data[2] = {0, 0};
  InitiatorExtension ext(Initiator::kDma);
  tlm::tlm_generic_payload trans;
  trans.set_extension(&ext);
  trans.set_command(tlm::TLM_READ_COMMAND);
  trans.set_address(c.src);
  trans.set_data_ptr(data);
  trans.set_data_length(src_size);
  trans.set_streaming_width(src_size);
  trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
  bus->b_transport(trans, delay);
  bool ok = trans.is_response_ok();
  if (ok) {
    if (src_size == 1) data[1] = 0;  // byte -> word: high byte cleared (SLAU367P §11.2.4)
    trans.set_command(tlm::TLM_WRITE_COMMAND);
    trans.set_address(c.dst);
    trans.set_data_length(dst_size);
    trans.set_streaming_width(dst_size);
    trans.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    bus->b_transport(trans, delay);
    ok = trans.is_response_ok();
  }
  trans.clear_extension(&ext);
  if (!ok) return false;
  auto step = [](uint32_t addr, unsigned incr, unsigned size) {
    if (incr == kIncrIncrement) addr += size;
    if (incr == kIncrDecrement) addr -= size;
    return addr & kMask20;
  };
  c.src = step(c.src, (ctl & DMASRCINCR) >> 8, src_size);
  c.dst = step(c.dst, (ctl & DMADSTINCR) >> 10, dst_size);
  ++m_transfers;
  return true;
}

void Dma::run_channel(unsigned n, const sc_time& at) {
  const uint16_t b = channel_base(n);
  const uint16_t ctl = m_regs.get(b + CTL);
  const unsigned dt = (ctl & DMADT) >> 12;
  const bool repeat = dt & DT_REPEAT;
  const bool single = (dt & 3) == DT_SINGLE;
  const sc_time cycle(1.0 / m_clocks.mclk_hz(), sc_core::SC_SEC);
  const sc_time now = sc_core::sc_time_stamp();
  sc_time delay = at > now ? at - now : sc_core::SC_ZERO_TIME;

  uint16_t& size = m_regs[b + SZ];
  if (size == 0) return;  // DMAnSZ = 0: no transfer (SLAU367P §11.2.6)
  const unsigned count = single ? 1u : size;
  uint64_t cycles = single ? kSingleCycles : kBlockSyncCycles;
  bool ok = true;
  for (unsigned k = 0; k < count && ok; ++k) {
    sc_time d = delay + (single ? 1 : kBlockSyncCycles + kCyclesPerTransfer * k) * cycle;
    ok = move(n, ctl, d);
    if (ok) {
      --size;
      if (!single) cycles += kCyclesPerTransfer;
    }
  }
  m_busy_cycles += cycles;
  m_cpu.stall(cycles);
  if (!ok) {
    m_regs[b + CTL] = static_cast<uint16_t>((m_regs.get(b + CTL) & ~DMAEN) | DMAABORT);
    return;
  }
  if (size != 0) return;
  // Completed: flag, then disable (single/block/burst) or reload (repeated modes).
  uint16_t& c = m_regs[b + CTL];
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
