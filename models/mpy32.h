#pragma once
// MPY32 32-bit hardware multiplier, base 0x04C0 (facts §4.1; SLAU367P §5.2-5.3).
//
// Modelled: MPY/MPYS/MAC/MACS with 8/16/24/32-bit operands. OP1 is written through MPY, MPYS,
// MAC, MACS (16-bit, clears MPYOP1_32) or MPY32L/H ... MACS32L/H (32-bit, sets MPYOP1_32); the
// written register selects the mode (MPYM). OP2 (16-bit) starts the operation; OP2L then OP2H
// give a 32-bit second operand (sets MPYOP2_32). Byte writes to operand registers sign-extend
// in signed modes (MPYS, MACS) and zero-extend otherwise (SLAU367P §5.2.3; a byte write to a
// ...32H register makes a 24-bit operand). MPYFRAC shifts the product left by one; MPYSAT
// saturates signed results. SUMEXT and MPYC follow SLAU367P Table 5-3 (MPY: 0, MPYS/MACS: sign
// of the true result, MAC: carry).
//
// Approximations:
// - The operation is computed when its last operand word is written (OP2, or OP2H for a
//   32-bit OP2); Table 5-5 lets RES0 be read after OP2L already (partial result) — here RES0
//   is updated at OP2H together with the rest.
// - Result latency (facts §4.1 Table 5-5, the MPYC/RES3 column, fractional table used for all
//   modes): 4 MCLK after OP2 for 16x16, 7 after OP2 for 32x16, 4 after OP2H for 16x32, 6 after
//   OP2H for 32x32. A read earlier than that returns the final value anyway (the CPU's
//   MOV &abs,Rn reaches the bus 3 cycles after the write, and libgcc's helpers rely on it,
//   facts §4.1); such reads are counted in early_reads() so firmware relying on it shows up.
//   The MPY DMA trigger (29) fires at the computing write, not when the result is ready.
// - Saturation acts on the read value: the result registers keep the wrapped value and
//   SUMEXT keeps the true sign; reading RESx with MPYSAT in a signed mode returns the
//   saturated value when SUMEXT disagrees with the result's sign bit. MPYDLYWRTEN/MPYDLY32
//   are stored but have no effect (no write is ever delayed, because results are immediate).
#include <cstdint>
#include <functional>

#include "models/clocks.h"
#include "models/peripheral.h"

namespace ipsim {

namespace mpy32 {
// Offsets from base 0x04C0 (facts §4.1).
inline constexpr uint16_t MPY = 0x00, MPYS = 0x02, MAC = 0x04, MACS = 0x06, OP2 = 0x08,
                          RESLO = 0x0A, RESHI = 0x0C, SUMEXT = 0x0E, MPY32L = 0x10, MPY32H = 0x12,
                          MPYS32L = 0x14, MPYS32H = 0x16, MAC32L = 0x18, MAC32H = 0x1A,
                          MACS32L = 0x1C, MACS32H = 0x1E, OP2L = 0x20, OP2H = 0x22, RES0 = 0x24,
                          RES1 = 0x26, RES2 = 0x28, RES3 = 0x2A, MPY32CTL0 = 0x2C;
// MPY32CTL0 bits
inline constexpr uint16_t MPYC = 0x0001, MPYFRAC = 0x0004, MPYSAT = 0x0008, MPYM = 0x0030,
                          MPYOP1_32 = 0x0040, MPYOP2_32 = 0x0080, MPYDLYWRTEN = 0x0100,
                          MPYDLY32 = 0x0200;
enum Mode : uint16_t { kMpy = 0, kMpys = 1, kMac = 2, kMacs = 3 };
}  // namespace mpy32

inline constexpr RegSpec kMpy32Regs[] = {
    // offset  name          reset   write_mask
    {0x00, "MPY", 0x0000, 0xFFFF},       {0x02, "MPYS", 0x0000, 0xFFFF},
    {0x04, "MAC", 0x0000, 0xFFFF},       {0x06, "MACS", 0x0000, 0xFFFF},
    {0x08, "OP2", 0x0000, 0xFFFF},       {0x0A, "RESLO", 0x0000, 0xFFFF},
    {0x0C, "RESHI", 0x0000, 0xFFFF},     {0x0E, "SUMEXT", 0x0000, 0x0000},
    {0x10, "MPY32L", 0x0000, 0xFFFF},    {0x12, "MPY32H", 0x0000, 0xFFFF},
    {0x14, "MPYS32L", 0x0000, 0xFFFF},   {0x16, "MPYS32H", 0x0000, 0xFFFF},
    {0x18, "MAC32L", 0x0000, 0xFFFF},    {0x1A, "MAC32H", 0x0000, 0xFFFF},
    {0x1C, "MACS32L", 0x0000, 0xFFFF},   {0x1E, "MACS32H", 0x0000, 0xFFFF},
    {0x20, "OP2L", 0x0000, 0xFFFF},      {0x22, "OP2H", 0x0000, 0xFFFF},
    {0x24, "RES0", 0x0000, 0xFFFF},      {0x26, "RES1", 0x0000, 0xFFFF},
    {0x28, "RES2", 0x0000, 0xFFFF},      {0x2A, "RES3", 0x0000, 0xFFFF},
    {0x2C, "MPY32CTL0", 0x0000, 0x03FD},
};

class Mpy32 : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x04C0, kSize = 0x30;
  static constexpr unsigned kDmaTrigger = 29;  // DMA0TSEL__MPY (facts §4.2)

  Mpy32(const sc_core::sc_module_name& name, const Clocks& clocks);

  void reset() override;
  // Called with kDmaTrigger whenever a result is computed (Dma::trigger).
  void set_dma_trigger(std::function<void(unsigned)> trigger) {
    m_dma_trigger = std::move(trigger);
  }

  uint64_t operations() const { return m_operations; }
  uint64_t early_reads() const { return m_early_reads; }

 private:
  void write_op1(uint16_t reg, uint16_t value, unsigned size, bool high_byte);
  void write_op2(uint16_t reg, uint16_t value, unsigned size, bool high_byte);
  void compute();
  uint16_t read_result(unsigned index);  // 0..3 = RES0..RES3
  // Result latency (Table 5-5) at the current MCLK.
  const sc_core::sc_time& latency(bool op1_32, bool op2_32);
  bool early() const;  // the access is before the result is ready
  bool is_signed() const;

  const Clocks& m_clocks;
  std::function<void(unsigned)> m_dma_trigger;
  uint32_t m_op1 = 0, m_op2 = 0;
  uint64_t m_res = 0;   // RES3:RES2:RES1:RES0
  bool m_wide = false;  // last operation had a 32-bit operand (64-bit result)
  sc_core::sc_time m_ready;
  double m_latency_hz = 0;
  sc_core::sc_time m_latency[4];  // [op1_32 * 2 + op2_32] at m_latency_hz
  uint64_t m_operations = 0, m_early_reads = 0;
};

}  // namespace ipsim
