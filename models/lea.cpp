#include "models/lea.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "models/lea_ops.h"

namespace ipsim {

using namespace lea;
using sc_core::sc_time;

namespace {

const LeaTiming* timing_of(uint16_t cmd) {
  for (const auto& t : kLeaTiming)
    if (t.cmd == cmd) return &t;
  return nullptr;
}

bool in_const_region(uint32_t word, uint32_t* base) {
  for (uint32_t c : {CONST_ZERO, CONST_ONE, Q15_CONST_NEG_ONE, IQ31_CONST_NEG_ONE}) {
    if (word >= c && word < c + kConstRegionWords) {
      *base = c;
      return true;
    }
  }
  return false;
}

// Words spanned by n Q15 elements at stride s (elements) from a word-aligned start.
uint32_t span_words(uint32_t n, uint32_t stride) {
  if (n == 0) return 0;
  return ((n - 1) * stride) / 2 + 1;
}

}  // namespace

Lea::Lea(const sc_core::sc_module_name& name, uint8_t* lea_ram, const Clocks& clocks, IrqLines& irq,
         CpuHooks& cpu)
    : Peripheral(name, kBase, kSize, kLeaRegs),
      m_ram(lea_ram),
      m_clocks(clocks),
      m_irq(irq),
      m_cpu(cpu) {
  if (!m_ram) throw std::logic_error("Lea: no LEA RAM");
  SC_METHOD(on_event);
  sensitive << m_event;
  dont_initialize();

  m_regs.on_read(LEACNF1, [this](uint16_t stored) {
    commit_until(access_time());
    const bool busy = busy_at(access_time());
    return static_cast<uint16_t>((stored & ~(LEABUSY | LEAMODE)) |
                                 (busy ? (LEABUSY | LEAMODE_RUNS) : LEAMODE_READY));
  });
  m_regs.on_write(LEAPMCB, [this](uint16_t, uint16_t v) { start_command(v); });
  m_regs.on_write(LEAIFGSET, [this](uint16_t, uint16_t v) {
    m_regs[LEAIFG] |= v & 0x1F;
    m_regs[LEAIFGSET] = 0;
    update_irq();
  });
  m_regs.override_write(LEAIFG, [this](uint16_t v, unsigned size, bool high) {
    if (size == 1 && high) return;
    m_regs[LEAIFG] &= static_cast<uint16_t>(~v);  // write 1 to clear (DSPLib's ISR: LEAIFG |= f)
    update_irq();
  });
  m_regs.on_read(LEAIFG, [this](uint16_t) {
    commit_until(access_time());
    return m_regs.get(LEAIFG);
  });
  m_regs.on_write(LEAIE, [this](uint16_t, uint16_t) { update_irq(); });
  m_regs.on_read(LEAIV, [this](uint16_t) { return read_iv(); });
}

void Lea::reset() {
  m_event.cancel();
  m_running = false;
  m_lazy = false;
  m_outs.clear();
  m_next = 0;
  Peripheral::reset();
  m_irq.set(kVectorLea, false);
}

uint64_t Lea::busy_cycles_at(const sc_time& t) const {
  if (!m_running || t <= m_start) return m_busy_cycles;
  if (t >= m_end)
    return m_busy_cycles +
           static_cast<uint64_t>(std::llround((m_end - m_start).to_seconds() / m_cycle_s));
  return m_busy_cycles + static_cast<uint64_t>((t - m_start).to_seconds() / m_cycle_s);
}

void Lea::power_off() {
  const sc_time now = sc_core::sc_time_stamp();
  commit_until(now);  // what was written before the cut stays written
  if (m_running && now > m_start) {
    const uint64_t ran = busy_cycles_at(now) - m_busy_cycles;
    m_busy_cycles += ran;
    m_stats[m_current].busy_cycles += ran;
  }
  reset();
}

void Lea::update_irq() {
  m_irq.set(kVectorLea, (m_regs.get(LEAIFG) & m_regs.get(LEAIE) & 0x1F) != 0);
}

uint16_t Lea::read_iv() {
  commit_until(access_time());
  const uint16_t pending = m_regs.get(LEAIFG) & m_regs.get(LEAIE) & 0x1F;
  if (!pending) return 0;
  const unsigned bit = static_cast<unsigned>(__builtin_ctz(pending));  // COVL first (LEAIV 2)
  m_regs[LEAIFG] &= static_cast<uint16_t>(~(1u << bit));
  update_irq();
  return static_cast<uint16_t>(2 * (bit + 1));
}

bool Lea::readable(uint32_t word_addr, uint32_t words) const {
  if (words == 0) return true;
  const uint32_t last = word_addr + words - 1;
  if (word_addr >= kRamWordBegin && last < kRamWordEnd) return true;
  uint32_t base = 0;
  return in_const_region(word_addr, &base) && last < base + kConstRegionWords;
}

bool Lea::writable(uint32_t word_addr, uint32_t words) const {
  return word_addr >= kRamWordBegin && word_addr + words <= kRamWordEnd;
}

int16_t Lea::element(uint32_t word_addr, uint32_t k) const {
  const uint32_t byte = word_addr * 4 + 2 * k;
  const uint32_t word = byte >> 2;
  if (word >= kRamWordBegin && word < kRamWordEnd) {
    const uint32_t off = byte - (kRamWordBegin << 2);
    return static_cast<int16_t>(m_ram[off] | (m_ram[off + 1] << 8));
  }
  uint32_t base = 0;
  if (!in_const_region(word, &base)) throw std::logic_error("Lea: unchecked operand address");
  switch (base) {
    case CONST_ZERO:
      return 0;
    case CONST_ONE:
      return 0x7FFF;
    case Q15_CONST_NEG_ONE:
      return INT16_MIN;
    default:
      return (byte & 2) ? INT16_MIN : 0;  // IQ31 -1 = 0x80000000, little-endian halves
  }
}

int32_t Lea::element32(uint32_t word_addr, uint32_t k) const {
  const uint32_t lo = static_cast<uint16_t>(element(word_addr + k, 0));
  const uint32_t hi = static_cast<uint16_t>(element(word_addr + k, 1));
  return static_cast<int32_t>(lo | hi << 16);
}

uint16_t Lea::param(unsigned field) const {
  const uint32_t off = ((m_regs.get(LEAPMS1) - kRamWordBegin) << 2) + 2 * field;
  return static_cast<uint16_t>(m_ram[off] | (m_ram[off + 1] << 8));
}

void Lea::start_command(uint16_t word) {
  commit_until(access_time());
  if (!(m_regs.get(LEAPMCTL) & LEACMDEN)) return;
  if (m_running) {
    m_regs[LEAIFG] |= LEACOVLIFG;
    update_irq();
    return;
  }
  const uint16_t cmd = word & LEACMD;
  const LeaTiming* timing = timing_of(cmd);
  if (!timing) {
    char msg[96];
    std::snprintf(msg, sizeof msg, "LEA command 0x%03X is not modelled", cmd);
    throw std::runtime_error(msg);
  }
  m_cpu.request_sync();
  m_current = static_cast<std::size_t>(timing - kLeaTiming);
  const uint64_t units_before = m_units;
  const sc_time start = access_time();
  const double cycle_s = 1.0 / m_clocks.mclk_hz();
  m_outs.clear();
  m_next = 0;
  if (!plan(cmd, start, cycle_s)) {
    m_outs.clear();
    m_regs[LEAIFG] |= LEAOORIFG;
    update_irq();
    m_end = start + m_cycle_times.offset(kLeaStartupCycles, cycle_s);
  }
  m_start = start;
  m_cycle_s = cycle_s;
  m_running = true;
  m_irq_on_done = (word & LEAITFLG1) != 0;
  ++m_commands;
  ++m_stats[m_current].commands;
  m_stats[m_current].units += m_units - units_before;
  const sc_time next = m_outs.empty() ? m_end : m_outs.front().due;
  const sc_time now = sc_core::sc_time_stamp();
  m_event.notify(next > now ? next - now : sc_core::SC_ZERO_TIME);
}

bool Lea::plan(uint16_t cmd, const sc_time& start, double cycle_s) {
  const uint32_t s0 = m_regs.get(LEAPMS0);
  const LeaTiming& tm = *timing_of(cmd);
  if (!writable(m_regs.get(LEAPMS1), tm.param_words)) return false;  // DSPLib block size
  double cycles = kLeaStartupCycles;
  auto due_after = [&](uint32_t units) {
    cycles += tm.per_output + tm.per_unit * units;
    m_units += units;
    return start + m_cycle_times.offset(static_cast<uint64_t>(std::ceil(cycles)), cycle_s);
  };
  auto out_byte = [](uint32_t word_addr, uint32_t k) {
    return static_cast<uint16_t>(((word_addr - kRamWordBegin) << 2) + 2 * k);
  };
  std::vector<int16_t> a, b;
  auto gather = [&](std::vector<int16_t>& v, uint32_t addr, uint32_t n, uint32_t stride) {
    v.resize(n);
    for (uint32_t k = 0; k < n; ++k) v[k] = element(addr, k * stride);
  };

  switch (cmd) {
    case CMD_MAC:
    case CMD_MACMATRIX: {
      const uint32_t n = param(0), in2 = param(1), out = param(2);
      const uint32_t st1 = cmd == CMD_MAC ? 1 : param(3), st2 = cmd == CMD_MAC ? 1 : param(4);
      if (!readable(s0, span_words(n, st1)) || !readable(in2, span_words(n, st2)) ||
          !writable(out, 1))
        return false;
      gather(a, s0, n, st1), gather(b, in2, n, st2);
      const uint32_t r = static_cast<uint32_t>(lea_ops::mac_q15(a.data(), b.data(), n));
      const sc_time due = due_after(n);
      m_outs.push_back({due, out_byte(out, 0), static_cast<uint16_t>(r)});
      m_outs.push_back({due, out_byte(out, 1), static_cast<uint16_t>(r >> 16)});
      break;
    }
    case CMD_FIR: {
      const uint32_t n = param(0), coeffs = param(1), out = param(2), taps = param(3);
      const uint16_t mask = param(4);
      const uint32_t in_elems = n + taps - (taps ? 1 : 0);
      if (!readable(coeffs, span_words(taps, 1)) || !writable(out, span_words(n, 1))) return false;
      if (mask == 0xFFFF) {
        if (!readable(s0, span_words(in_elems, 1))) return false;
        gather(a, s0, in_elems, 1);
      } else {  // circular input buffer of mask+1 words, aligned (msp_fir_q15 bufferMask)
        const uint32_t base = s0 & ~uint32_t{mask};
        if (!readable(base, uint32_t{mask} + 1)) return false;
        a.resize(in_elems);
        for (uint32_t e = 0; e < in_elems; ++e) {
          const uint32_t w = (s0 - base + e / 2) & mask;
          a[e] = element(base + w, e & 1);
        }
      }
      gather(b, coeffs, taps, 1);
      for (uint32_t i = 0; i < n; ++i) {
        const int16_t y = lea_ops::fir_q15_output(a.data() + i, b.data(), taps);
        m_outs.push_back({due_after(taps), out_byte(out, i), static_cast<uint16_t>(y)});
      }
      break;
    }
    case CMD_MPYMATRIXROW: {
      const uint32_t rows = param(0), cols = param(1), mat = param(2), out = param(3);
      if (!readable(s0, span_words(rows, 1)) || !readable(mat, span_words(rows * cols, 1)) ||
          !writable(out, span_words(cols, 1)))
        return false;
      gather(a, s0, rows, 1), gather(b, mat, rows * cols, 1);
      for (uint32_t c = 0; c < cols; ++c) {
        const int16_t y = lea_ops::mpy_matrix_row_q15_output(a.data(), b.data(), rows, cols, c);
        m_outs.push_back({due_after(rows), out_byte(out, c), static_cast<uint16_t>(y)});
      }
      break;
    }
    case CMD_ADDMATRIX:
    case CMD_SUBMATRIX:
    case CMD_MPYMATRIX:
    case CMD_MAXMATRIX:
    case CMD_MINMATRIX: {
      const uint32_t n = param(0), in2 = param(1), out = param(2);
      const uint32_t st1 = param(3), st2 = param(4), sto = param(5);
      if (!readable(s0, span_words(n, st1)) || !readable(in2, span_words(n, st2)) ||
          !writable(out, span_words(n, sto)))
        return false;
      gather(a, s0, n, st1), gather(b, in2, n, st2);
      for (uint32_t i = 0; i < n; ++i) {
        int16_t y;
        switch (cmd) {
          case CMD_ADDMATRIX:
            y = lea_ops::add_q15(a[i], b[i]);
            break;
          case CMD_SUBMATRIX:
            y = lea_ops::sub_q15(a[i], b[i]);
            break;
          case CMD_MPYMATRIX:
            y = lea_ops::mpy_q15(a[i], b[i]);
            break;
          case CMD_MAXMATRIX:
            y = lea_ops::max_q15(a[i], b[i]);
            break;
          default:
            y = lea_ops::min_q15(a[i], b[i]);
            break;
        }
        m_outs.push_back({due_after(1), out_byte(out, i * sto), static_cast<uint16_t>(y)});
      }
      break;
    }
    case CMD_MAX:
    case CMD_MIN: {
      const uint32_t n = param(0), out = param(1);
      if (!readable(s0, span_words(n, 1)) || !writable(out, 1)) return false;
      gather(a, s0, n, 1);
      const auto e = cmd == CMD_MAX ? lea_ops::max_q15_vector(a.data(), n)
                                    : lea_ops::min_q15_vector(a.data(), n);
      const sc_time due = due_after(n);
      m_outs.push_back({due, out_byte(out, 0), static_cast<uint16_t>(e.value)});
      m_outs.push_back({due, out_byte(out, 1), e.index});
      break;
    }
    case CMD_FIRLONG: {
      const uint32_t n = param(0), coeffs = param(1), out = param(2), taps = param(3);
      if (param(4) != 0xFFFF)
        throw std::runtime_error("LEA FIRLONG circular buffer is not modelled");
      const uint32_t in_elems = n + taps - (taps ? 1 : 0);
      if (!readable(coeffs, taps) || !writable(out, n) || !readable(s0, in_elems)) return false;
      std::vector<int32_t> x(in_elems), c(taps);
      for (uint32_t e = 0; e < in_elems; ++e) x[e] = element32(s0, e);
      for (uint32_t e = 0; e < taps; ++e) c[e] = element32(coeffs, e);
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t y =
            static_cast<uint32_t>(lea_ops::fir_q31_output(x.data() + i, c.data(), taps));
        const sc_time due = due_after(taps);
        m_outs.push_back({due, out_byte(out, 2 * i), static_cast<uint16_t>(y)});
        m_outs.push_back({due, out_byte(out, 2 * i + 1), static_cast<uint16_t>(y >> 16)});
      }
      break;
    }
    case CMD_ADDLONGMATRIX: {
      const uint32_t n = param(0), in2 = param(1), out = param(2);
      const uint32_t st1 = param(3), st2 = param(4), sto = param(5);
      auto span = [](uint32_t count, uint32_t stride) {
        return count ? (count - 1) * stride + 1 : 0;
      };
      if (!readable(s0, span(n, st1)) || !readable(in2, span(n, st2)) ||
          !writable(out, span(n, sto)))
        return false;
      for (uint32_t i = 0; i < n; ++i) {
        const uint32_t y = static_cast<uint32_t>(
            lea_ops::add_q31(element32(s0, i * st1), element32(in2, i * st2)));
        const sc_time due = due_after(1);
        m_outs.push_back({due, out_byte(out, 2 * i * sto), static_cast<uint16_t>(y)});
        m_outs.push_back({due, out_byte(out, 2 * i * sto + 1), static_cast<uint16_t>(y >> 16)});
      }
      break;
    }
    default:
      throw std::logic_error("Lea::plan: command without a case");
  }
  const uint64_t total = static_cast<uint64_t>(std::ceil(cycles));
  m_end = start + m_cycle_times.offset(total, cycle_s);
  return true;
}

void Lea::commit_outputs(const sc_time& t) {
  if (!m_running) return;
  while (m_next < m_outs.size() && m_outs[m_next].due <= t) {
    const Out& o = m_outs[m_next++];
    m_ram[o.byte_offset] = static_cast<uint8_t>(o.value);
    m_ram[o.byte_offset + 1] = static_cast<uint8_t>(o.value >> 8);
  }
}

void Lea::commit_until(const sc_time& t) {
  if (!m_running) return;
  commit_outputs(t);
  if (m_next == m_outs.size() && m_end <= t) complete();
}

void Lea::refine() {
  if (!m_lazy) return;
  m_lazy = false;
  const sc_time now = sc_core::sc_time_stamp();
  commit_outputs(now);
  if (!m_running) return;
  const sc_time next = m_next < m_outs.size() ? m_outs[m_next].due : m_end;
  m_event.cancel();
  m_event.notify(next > now ? next - now : sc_core::SC_ZERO_TIME);
}

void Lea::complete() {
  const uint64_t ran = busy_cycles_at(m_end) - m_busy_cycles;
  m_running = false;
  m_lazy = false;
  m_busy_cycles += ran;
  m_stats[m_current].busy_cycles += ran;
  m_outs.clear();
  m_next = 0;
  if (m_irq_on_done) {
    m_regs[LEAIFG] |= LEAPMCMDIFG;
    update_irq();
  }
  if (m_dma_trigger) m_dma_trigger(kDmaTrigger);
}

void Lea::on_event() {
  commit_until(sc_core::sc_time_stamp());
  if (!m_running) return;
  m_lazy = m_cpu.batch && m_cpu.asleep();  // nothing sees an output before someone looks
  const sc_time next = !m_lazy && m_next < m_outs.size() ? m_outs[m_next].due : m_end;
  m_event.notify(next - sc_core::sc_time_stamp());
}

}  // namespace ipsim
