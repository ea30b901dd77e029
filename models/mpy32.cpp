#include "models/mpy32.h"

namespace ipsim {

using namespace mpy32;

namespace {

int64_t sign_extend(uint32_t value, unsigned bits) {
  const uint64_t m = uint64_t{1} << (bits - 1);
  const uint64_t v = value & ((uint64_t{1} << bits) - 1);
  return static_cast<int64_t>((v ^ m) - m);
}

int64_t sign_extend64(uint64_t value, unsigned bits) {
  return bits == 64 ? static_cast<int64_t>(value) : sign_extend(static_cast<uint32_t>(value), bits);
}

Mode mode_of_op1_register(uint16_t reg) {
  switch (reg) {  // OP1 registers come in groups: MPY, MPYS, MAC, MACS and their 32-bit pairs
    case MPY:
    case MPY32L:
    case MPY32H:
      return kMpy;
    case MPYS:
    case MPYS32L:
    case MPYS32H:
      return kMpys;
    case MAC:
    case MAC32L:
    case MAC32H:
      return kMac;
    default:
      return kMacs;
  }
}

// Value of an operand word after a byte or word write: byte writes extend (SLAU367P §5.2.3).
uint16_t extend_write(uint16_t stored, uint16_t written, unsigned size, bool high_byte,
                      bool is_signed) {
  if (size == 2) return written;
  if (high_byte) return static_cast<uint16_t>((stored & 0x00FF) | ((written & 0xFF) << 8));
  const uint16_t b = written & 0xFF;
  return static_cast<uint16_t>(is_signed && (b & 0x80) ? (b | 0xFF00) : b);
}

// Result latency in MCLK cycles after the computing write (facts §4.1 Table 5-5, RES3/MPYC).
unsigned ready_cycles(bool op1_32, bool op2_32) {
  if (!op2_32) return op1_32 ? 7 : 4;  // after OP2
  return op1_32 ? 6 : 4;               // after OP2H
}

}  // namespace

Mpy32::Mpy32(const sc_core::sc_module_name& name, const Clocks& clocks)
    : Peripheral(name, kBase, kSize, kMpy32Regs), m_clocks(clocks) {
  for (uint16_t reg :
       {MPY, MPYS, MAC, MACS, MPY32L, MPY32H, MPYS32L, MPYS32H, MAC32L, MAC32H, MACS32L, MACS32H}) {
    m_regs.override_write(
        reg, [this, reg](uint16_t v, unsigned size, bool high) { write_op1(reg, v, size, high); });
  }
  for (uint16_t reg : {OP2, OP2L, OP2H}) {
    m_regs.override_write(
        reg, [this, reg](uint16_t v, unsigned size, bool high) { write_op2(reg, v, size, high); });
  }
  const uint16_t res_regs[] = {RES0, RES1, RES2, RES3};
  for (unsigned i = 0; i < 4; ++i) {
    m_regs.on_read(res_regs[i], [this, i](uint16_t) { return read_result(i); });
    m_regs.on_write(res_regs[i], [this, i](uint16_t, uint16_t v) {
      m_res = (m_res & ~(uint64_t{0xFFFF} << (16 * i))) | (uint64_t{v} << (16 * i));
    });
  }
  m_regs.on_read(RESLO, [this](uint16_t) { return read_result(0); });
  m_regs.on_read(RESHI, [this](uint16_t) { return read_result(1); });
  m_regs.on_write(RESLO, [this](uint16_t, uint16_t v) { m_res = (m_res & ~uint64_t{0xFFFF}) | v; });
  m_regs.on_write(RESHI, [this](uint16_t, uint16_t v) {
    m_res = (m_res & ~(uint64_t{0xFFFF} << 16)) | (uint64_t{v} << 16);
  });
  m_regs.on_read(SUMEXT, [this](uint16_t stored) {
    if (early()) ++m_early_reads;
    return stored;
  });
}

void Mpy32::reset() {
  Peripheral::reset();
  m_op1 = m_op2 = 0;
  m_res = 0;
  m_wide = false;
  m_ready = sc_core::SC_ZERO_TIME;
}

bool Mpy32::is_signed() const {
  const unsigned mode = (m_regs.get(MPY32CTL0) & MPYM) >> 4;
  return mode == kMpys || mode == kMacs;
}

void Mpy32::write_op1(uint16_t reg, uint16_t value, unsigned size, bool high_byte) {
  const Mode mode = mode_of_op1_register(reg);
  const bool sgn = mode == kMpys || mode == kMacs;
  uint16_t& ctl = m_regs[MPY32CTL0];
  ctl = static_cast<uint16_t>((ctl & ~MPYM) | (mode << 4));
  const uint16_t word = extend_write(m_regs.get(reg), value, size, high_byte, sgn);
  m_regs[reg] = word;
  if (reg <= MACS) {  // 16-bit OP1
    m_op1 = word;
    ctl &= ~MPYOP1_32;
  } else if ((reg & 2) == 0) {  // ...32L: low word, high word follows the low word's sign
    const bool neg = sgn && (word & 0x8000);
    m_op1 = (neg ? 0xFFFF0000u : 0u) | word;
    ctl |= MPYOP1_32;
  } else {  // ...32H
    m_op1 = (m_op1 & 0xFFFF) | (uint32_t{word} << 16);
    ctl |= MPYOP1_32;
  }
}

void Mpy32::write_op2(uint16_t reg, uint16_t value, unsigned size, bool high_byte) {
  const bool sgn = is_signed();
  const uint16_t word = extend_write(m_regs.get(reg), value, size, high_byte, sgn);
  m_regs[reg] = word;
  uint16_t& ctl = m_regs[MPY32CTL0];
  if (reg == OP2) {
    m_op2 = word;
    ctl &= ~MPYOP2_32;
    compute();
  } else if (reg == OP2L) {
    m_op2 = ((sgn && (word & 0x8000)) ? 0xFFFF0000u : 0u) | word;
    ctl |= MPYOP2_32;
  } else {
    m_op2 = (m_op2 & 0xFFFF) | (uint32_t{word} << 16);
    ctl |= MPYOP2_32;
    compute();
  }
}

void Mpy32::compute() {
  uint16_t& ctl = m_regs[MPY32CTL0];
  const Mode mode = static_cast<Mode>((ctl & MPYM) >> 4);
  const bool sgn = mode == kMpys || mode == kMacs;
  const bool acc = mode == kMac || mode == kMacs;
  const bool op1_32 = ctl & MPYOP1_32, op2_32 = ctl & MPYOP2_32;
  const unsigned w1 = op1_32 ? 32 : 16, w2 = op2_32 ? 32 : 16;
  m_wide = op1_32 || op2_32;
  const unsigned n = m_wide ? 64 : 32;
  const unsigned __int128 mask =
      m_wide ? ~uint64_t{0} : static_cast<unsigned __int128>(0xFFFFFFFFu);

  __int128 a, b;
  if (sgn) {
    a = sign_extend(m_op1, w1), b = sign_extend(m_op2, w2);
  } else {
    a = m_op1 & ((uint64_t{1} << w1) - 1), b = m_op2 & ((uint64_t{1} << w2) - 1);
  }
  __int128 product = a * b;
  if (ctl & MPYFRAC) product *= 2;  // fractional mode: result shifted left by one

  const uint64_t old = m_wide ? m_res : (m_res & 0xFFFFFFFFu);
  __int128 acc_value = 0;
  if (acc) {
    acc_value = sgn ? static_cast<__int128>(sign_extend64(old, n)) : static_cast<__int128>(old);
  }
  const __int128 sum = acc_value + product;
  const uint64_t low = static_cast<uint64_t>(static_cast<unsigned __int128>(sum) & mask);
  const bool carry = ((static_cast<unsigned __int128>(acc_value) & mask) +
                      (static_cast<unsigned __int128>(product) & mask)) >>
                         n &
                     1;

  uint16_t sumext = 0;
  bool mpyc = false;
  switch (mode) {
    case kMpy:
      break;
    case kMpys:
      sumext = sum < 0 ? 0xFFFF : 0;
      mpyc = sum < 0;
      break;
    case kMac:
      sumext = carry ? 1 : 0;
      mpyc = carry;
      break;
    case kMacs:
      sumext = sum < 0 ? 0xFFFF : 0;
      mpyc = carry;
      break;
  }
  m_res = m_wide ? low : ((m_res & ~uint64_t{0xFFFFFFFFu}) | low);
  m_regs[SUMEXT] = sumext;
  ctl = static_cast<uint16_t>(mpyc ? (ctl | MPYC) : (ctl & ~MPYC));

  ++m_operations;
  m_ready = access_time() + latency(op1_32, op2_32);
  if (m_dma_trigger) m_dma_trigger(kDmaTrigger);
}

const sc_core::sc_time& Mpy32::latency(bool op1_32, bool op2_32) {
  const double hz = m_clocks.mclk_hz();
  if (hz != m_latency_hz) {  // the same values as computed at each operation, once per clock
    m_latency_hz = hz;
    for (unsigned i = 0; i < 4; ++i)
      m_latency[i] = sc_core::sc_time(ready_cycles(i & 2, i & 1) / hz, sc_core::SC_SEC);
  }
  return m_latency[(op1_32 ? 2 : 0) | (op2_32 ? 1 : 0)];
}

bool Mpy32::early() const {
  // The access is no earlier than the CPU's slice start: most reads need no exact time.
  return m_ready > access_time_floor() && access_time() < m_ready;
}

uint16_t Mpy32::read_result(unsigned index) {
  if (early()) ++m_early_reads;
  uint64_t value = m_res;
  const uint16_t ctl = m_regs.get(MPY32CTL0);
  const unsigned n = m_wide ? 64 : 32;
  if ((ctl & MPYSAT) && is_signed() && (m_wide || index < 2)) {
    const uint64_t mask = m_wide ? ~uint64_t{0} : 0xFFFFFFFFu;
    const uint64_t msb = uint64_t{1} << (n - 1);
    const bool neg_true = m_regs.get(SUMEXT) == 0xFFFF;
    const bool neg_res = (value & msb) != 0;
    if (neg_true != neg_res) {
      const uint64_t sat = neg_true ? msb : (msb - 1);
      value = (value & ~mask) | sat;
    }
  }
  return static_cast<uint16_t>(value >> (16 * index));
}

}  // namespace ipsim
