#pragma once
// LEA, the Low-Energy Accelerator, base 0x0A80 (facts §4.3; SLAU367P §"LEA"; TI DSPLib 1.30).
//
// Modelled: the register file (32-bit registers, each accessed as two 16-bit halves; the
// second half is named <REG>_H here), LEA RAM = the top 4 KB of SRAM (0x2C00-0x3BFF, given as
// a host pointer by the SRAM model), LEA word addressing (LEA address = byte address >> 2),
// the constant memory (0xA000 zeros, 0xAC00 0x7FFF, 0xB000 0x8000, 0xE000 IQ31 -1 [DSPLIB]),
// the command interface (LEAPMS0 = operand 0, LEAPMS1 = parameter block, LEAPMCB = command |
// LEAITFLG), DSPLib parameter blocks, LEACNF1.LEABUSY, LEAIFG/LEAIE/LEAIV/LEAIFGSET and the
// interrupt on vector 18; DMA trigger 27 at command completion.
// Commands: MAC, FIR, ADDMATRIX, SUBMATRIX, MPYMATRIX, MAXMATRIX, MINMATRIX, MPYMATRIXROW,
// MAX, MIN, MACMATRIX, and the Q31 (long) FIRLONG and ADDLONGMATRIX (DSPLib msp_fir_iq31,
// msp_add_iq31; FIRLONG without its circular buffer); arithmetic in models/lea_ops.h. Another
// command code throws std::runtime_error (a gap of the model, not a firmware fault: it must not
// pass silently).
//
// Timing (loosely timed, design.md §2): the LEAPMCB write starts the command at the writer's
// local time and asks the CPU to end its slice. Output element j is written to LEA RAM at
// start + kLeaStartupCycles + sum over outputs k <= j of (per_output + per_unit * units_k)
// MCLK cycles (table kLeaTiming; units = MACs or elements of that output), by one SC_METHOD
// re-notified per output; completion (LEABUSY falls, LEAPMCMDIFG, DMA trigger 27) follows the
// last output. A power cut (power_off()) drops what is not written yet, so a cut leaves a
// partial output, as HAWAII's footprinting relies on. Reading a LEA register first writes
// every output due by the reader's local time, so polling LEABUSY never sees stale data.
// Numbers: LEA cycle counts per command are not published (facts §7.8).
// - MAC per element 1.5 cycles: iNAS's DSPLib-level regression, 1.5 x n + 616 at 16 MHz
//   [INAS]; the CPU sleeps during the command, so the slope is the LEA's. The 616-cycle
//   intercept is mostly DSPLib's own CPU code (checks, lock, init test, allocation, LPM entry,
//   ISR); HAWAII starts its footprint DMA timers together with the command at the LEA's
//   output rate, which only works if the LEA starts almost at once, so the LEA's own start-up
//   is set small (kLeaStartupCycles = 24: parameter-block fetch and pipeline fill, a guess).
// - FIR per output 6 + 1 per tap, element-wise ops 2 per element: derived from HAWAII's
//   footprint-timer settings (TA1CCR0 = 6 + Kw for a FIR, 2 for an add; its convolution.h). Its
//   timers must not outrun the LEA, so their periods (CCR0 + 1 = 7 + Kw and 3 SMCLK cycles)
//   bound the LEA's time per output from above; the FIR rate equals that bound for odd Kw
//   (6 + taps = 7 + Kw), the add rate is the CCR0 value itself. This is the best available
//   guess, not a measurement, and it is circular when used to judge HAWAII. The firmware does
//   not read it: its pacing is its own parameter (kernels/strategies/hawaii_fir.c,
//   HF_FIR_CCR0_BASE and HF_ADD_CCR0), verified at run time against whatever rate this model
//   has (kernels/runtime/lea_paced.h). docs/results.md
//   ("What depends on the LEA timing guess") lists the figures that depend on it.
// - MPYMATRIXROW and MACMATRIX use the MAC rate (1.5 per MAC), MPYMATRIXROW plus 6 per output
//   like FIR; MAX/MIN 1 per element (single-operand streaming, a guess).
// - FIRLONG and ADDLONGMATRIX: twice the FIR and ADDMATRIX rates (two 16-bit halves per
//   operand, a guess; docs/validation.md compares their energy with the datasheet's).
// Other approximations:
// - Each operand range is checked before the command runs: an input outside LEA RAM and the
//   constant memory, an output outside LEA RAM, or a parameter block (of that command's
//   DSPLib size, kLeaTiming.param_words) not wholly in LEA RAM, sets LEAOORIFG; the command
//   then writes nothing and completes after the start-up cycles (so DSPLib-style firmware that
//   sleeps until LEAPMCMDIFG wakes up and reads the fault). Alignment is not checked.
// - A command written while LEABUSY sets LEACOVLIFG and is dropped; the running one goes on.
//   A command while LEAPMCTL.LEACMDEN = 0 is ignored.
// - LEAPMCMDIFG is set at completion when the command word had LEAITFLG1 (0x2, "interrupt on
//   completion"); explicit result update (LEAITFLG0) has no further effect.
// - Strides (input1Offset etc.) count Q15 elements (1 = contiguous). MAXMATRIX/MINMATRIX take
//   the ADDMATRIX parameter block; MACMATRIX the MACLONGMATRIX block {vectorSize, input2,
//   output, input1Offset, input2Offset, reserved} on Q15 data — DSPLib defines neither.
// Batching (models/sync.h): while the CPU sleeps, only the command's completion is an event;
// outputs are written when someone looks (a register read, a DMA access, a booking, a cut).
// - An MCLK change during a command does not stretch it. The code RAM, LEA timers, SUSPEND/
//   RESUME and low-power modes of LEA are not modelled. Reads of LEA RAM by the LEA are free.
#include <cstdint>
#include <functional>
#include <vector>

#include "models/clocks.h"
#include "models/cycle_times.h"
#include "models/irq.h"
#include "models/peripheral.h"
#include "models/sync.h"

namespace ipsim {

namespace lea {
// Offsets from base 0x0A80 (facts §4.3); each register's high half is at +2.
inline constexpr uint16_t LEACAP = 0x00, LEACNF0 = 0x04, LEACNF1 = 0x08, LEACNF2 = 0x0C,
                          LEAMB = 0x10, LEAMT = 0x14, LEACMA = 0x18, LEACMCTL = 0x1C,
                          LEACMDSTAT = 0x28, LEAS1STAT = 0x2C, LEAS0STAT = 0x30, LEADSTSTAT = 0x34,
                          LEAPMCTL = 0x40, LEAPMDST = 0x44, LEAPMS1 = 0x48, LEAPMS0 = 0x4C,
                          LEAPMCB = 0x50, LEAIFGSET = 0x70, LEAIE = 0x74, LEAIFG = 0x78,
                          LEAIV = 0x7C;
inline constexpr uint16_t LEABUSY = 0x0001, LEAMODE = 0x00F0, LEAMODE_READY = 0x0010,
                          LEAMODE_RUNS = 0x0020;
inline constexpr uint16_t LEACMDEN = 0x0001;
inline constexpr uint16_t LEAITFLG0 = 0x0001, LEAITFLG1 = 0x0002, LEACMD = 0x03FC;
inline constexpr uint16_t LEACOVLIFG = 0x01, LEATIFG = 0x02, LEAOORIFG = 0x04, LEASDIIFG = 0x08,
                          LEAPMCMDIFG = 0x10;
// Command codes (facts §4.3, header v1.206)
inline constexpr uint16_t CMD_FIR = 0x018, CMD_MPYMATRIXROW = 0x034, CMD_MPYMATRIX = 0x03C,
                          CMD_ADDMATRIX = 0x040, CMD_MAXMATRIX = 0x044, CMD_MINMATRIX = 0x048,
                          CMD_MAC = 0x054, CMD_SUBMATRIX = 0x070, CMD_MACMATRIX = 0x100,
                          CMD_MAX = 0x104, CMD_MIN = 0x108, CMD_ADDLONGMATRIX = 0x07C,
                          CMD_FIRLONG = 0x0C8;
// LEA word addresses
inline constexpr uint32_t kRamWordBegin = 0x2C00 >> 2, kRamWordEnd = 0x3C00 >> 2;
inline constexpr uint32_t CONST_ZERO = 0xA000, CONST_ONE = 0xAC00, Q15_CONST_NEG_ONE = 0xB000,
                          IQ31_CONST_NEG_ONE = 0xE000;
inline constexpr uint32_t kConstRegionWords = 0x400;  // extent of each constant region (guess)
}  // namespace lea

#define IPSIM_LEA_REG(off, name, reset, mask) \
  {off, name, reset, mask}, {                 \
    off + 2, name "_H", 0x0000, 0x0000        \
  }
inline constexpr RegSpec kLeaRegs[] = {
    // offset  name          reset   write_mask
    IPSIM_LEA_REG(0x00, "LEACAP", 0x0001, 0x0000),
    IPSIM_LEA_REG(0x04, "LEACNF0", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x08, "LEACNF1", 0x0000, 0xFF00),
    IPSIM_LEA_REG(0x0C, "LEACNF2", 0x0F00, 0xFFFF),
    IPSIM_LEA_REG(0x10, "LEAMB", 0x2C00, 0x0000),
    IPSIM_LEA_REG(0x14, "LEAMT", 0x3C00, 0x0000),
    IPSIM_LEA_REG(0x18, "LEACMA", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x1C, "LEACMCTL", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x28, "LEACMDSTAT", 0x0000, 0x0000),
    IPSIM_LEA_REG(0x2C, "LEAS1STAT", 0x0000, 0x0000),
    IPSIM_LEA_REG(0x30, "LEAS0STAT", 0x0000, 0x0000),
    IPSIM_LEA_REG(0x34, "LEADSTSTAT", 0x0000, 0x0000),
    IPSIM_LEA_REG(0x40, "LEAPMCTL", 0x0000, 0x0001),
    IPSIM_LEA_REG(0x44, "LEAPMDST", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x48, "LEAPMS1", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x4C, "LEAPMS0", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x50, "LEAPMCB", 0x0000, 0xFFFF),
    IPSIM_LEA_REG(0x70, "LEAIFGSET", 0x0000, 0x001F),
    IPSIM_LEA_REG(0x74, "LEAIE", 0x0000, 0x001F),
    IPSIM_LEA_REG(0x78, "LEAIFG", 0x0000, 0x001F),
    IPSIM_LEA_REG(0x7C, "LEAIV", 0x0000, 0x0000),
};
#undef IPSIM_LEA_REG

// Per command: cycle coefficients (see header comment for sources; output j finishes at
// start + kLeaStartupCycles + sum_{k<=j} (per_output + per_unit * units_k)) and the size of
// its parameter block in LEA (32-bit) words, which must lie wholly in LEA RAM. Block sizes
// are sizeof() of DSPLib 1.30's structures in DSPLib_lea.h (16-bit fields, 2 per word):
//   MAC          MSP_LEA_MAC_PARAMS          {vectorSize, input2, output, reserved}       2
//   MACMATRIX    MSP_LEA_MACLONG_PARAMS      {vectorSize, input2, output, input1Offset,
//                                             input2Offset, reserved}                     3
//   FIR          MSP_LEA_FIR_PARAMS          {vectorSize, coeffs, output, tapLength,
//                                             bufferMask, reserved}                       3
//   MPYMATRIXROW MSP_LEA_MPYMATRIXROW_PARAMS {rowSize, colSize, colVector, output}        2
//   ADD/SUB/MPYMATRIX MSP_LEA_{ADD,SUB,MPY}MATRIX_PARAMS {vectorSize, input2, output,
//                                             input1Offset, input2Offset, outputOffset}   3
//   MAX/MINMATRIX the ADDMATRIX block (the model's choice, see above)                    3
//   MAX, MIN     MSP_LEA_MAX_PARAMS / MSP_LEA_MIN_PARAMS {vectorSize, output}            1
//   FIRLONG      MSP_LEA_FIRLONG_PARAMS, the FIR layout                                  3
//   ADDLONGMATRIX MSP_LEA_ADDLONGMATRIX_PARAMS, the ADDMATRIX layout (strides in IQ31
//                                             elements)                                  3
// (MACMATRIX takes the MACLONGMATRIX block, DSPLib has no Q15 MACMATRIX structure.)
struct LeaTiming {
  uint16_t cmd;
  const char* name;
  double per_output;    // MCLK cycles per output element
  double per_unit;      // MCLK cycles per MAC / input element of that output
  uint8_t param_words;  // parameter block size in LEA words (DSPLib structure, above)
};
inline constexpr unsigned kLeaStartupCycles = 24;
inline constexpr LeaTiming kLeaTiming[] = {
    {lea::CMD_MAC, "MAC", 0.0, 1.5, 2},
    {lea::CMD_MACMATRIX, "MACMATRIX", 0.0, 1.5, 3},
    {lea::CMD_FIR, "FIR", 6.0, 1.0, 3},
    {lea::CMD_MPYMATRIXROW, "MPYMATRIXROW", 6.0, 1.5, 2},
    {lea::CMD_ADDMATRIX, "ADDMATRIX", 2.0, 0.0, 3},
    {lea::CMD_SUBMATRIX, "SUBMATRIX", 2.0, 0.0, 3},
    {lea::CMD_MPYMATRIX, "MPYMATRIX", 2.0, 0.0, 3},
    {lea::CMD_MAXMATRIX, "MAXMATRIX", 2.0, 0.0, 3},
    {lea::CMD_MINMATRIX, "MINMATRIX", 2.0, 0.0, 3},
    {lea::CMD_MAX, "MAX", 0.0, 1.0, 1},
    {lea::CMD_MIN, "MIN", 0.0, 1.0, 1},
    {lea::CMD_FIRLONG, "FIRLONG", 12.0, 2.0, 3},
    {lea::CMD_ADDLONGMATRIX, "ADDLONGMATRIX", 4.0, 0.0, 3},
};

class Lea : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x0A80, kSize = 0x80;
  static constexpr unsigned kDmaTrigger = 27;  // DMA0TSEL__LEA (facts §4.2)
  static constexpr uint32_t kRamBytes = 0x1000;

  // lea_ram: host memory of SRAM 0x2C00-0x3BFF (4 KB), owned by the SRAM model.
  Lea(const sc_core::sc_module_name& name, uint8_t* lea_ram, const Clocks& clocks, IrqLines& irq,
      CpuHooks& cpu);

  void reset() override;
  void power_off() override;  // cuts a running command: outputs not yet written are lost
  void set_dma_trigger(std::function<void(unsigned)> trigger) {
    m_dma_trigger = std::move(trigger);
  }

  // Energy-model counters.
  uint64_t busy_cycles() const { return m_busy_cycles; }  // MCLK cycles of finished/cut commands
  uint64_t commands() const { return m_commands; }
  uint64_t macs() const { return m_units; }  // MACs / elements processed
  bool busy_at(const sc_core::sc_time& t) const { return m_running && t < m_end; }
  // busy_cycles() plus the cycles the running command has computed by time t: what the energy
  // model books per stretch, so that a cut mid-command bills the LEA to its own on-period.
  uint64_t busy_cycles_at(const sc_core::sc_time& t) const;
  // Per command of kLeaTiming (same index): commands issued, MACs/elements processed, busy
  // MCLK cycles (a cut command counts what it ran). Kept across resets: per run.
  struct CommandStats {
    uint64_t commands = 0, units = 0, busy_cycles = 0;
  };
  const CommandStats& command_stats(std::size_t timing_index) const {
    return m_stats[timing_index];
  }
  // Writes the running command's outputs due by t (not its completion, which is an event).
  void commit_outputs(const sc_core::sc_time& t);
  // Batching: outputs kept back while the CPU slept are written up to t / the CPU runs again:
  // back to one event per output.
  void catch_up(const sc_core::sc_time& t) {
    if (m_lazy) commit_outputs(t);
  }
  void refine();

 private:
  struct Out {
    sc_core::sc_time due;
    uint16_t byte_offset;  // into LEA RAM
    uint16_t value;
  };
  SC_HAS_PROCESS(Lea);

  void start_command(uint16_t command_word);
  bool plan(uint16_t cmd, const sc_core::sc_time& start, double cycle_s);
  void commit_until(const sc_core::sc_time& t);
  void on_event();
  void complete();
  void update_irq();
  uint16_t read_iv();

  // LEA-side memory: word address -> 16-bit element k of a vector.
  bool readable(uint32_t word_addr, uint32_t words) const;
  bool writable(uint32_t word_addr, uint32_t words) const;
  int16_t element(uint32_t word_addr, uint32_t k) const;    // Q15 element k (stride applied)
  int32_t element32(uint32_t word_addr, uint32_t k) const;  // IQ31 element k (one LEA word)
  uint16_t param(unsigned field) const;                     // parameter block field (16-bit)

  uint8_t* m_ram;
  const Clocks& m_clocks;
  IrqLines& m_irq;
  CpuHooks& m_cpu;
  std::function<void(unsigned)> m_dma_trigger;
  sc_core::sc_event m_event;

  bool m_running = false;
  bool m_irq_on_done = false;
  bool m_lazy = false;  // outputs kept back, the pending event is the completion
  sc_core::sc_time m_start, m_end;
  double m_cycle_s = 0;
  CycleTimes m_cycle_times;  // the outputs' due times (plan)
  std::vector<Out> m_outs;
  std::size_t m_next = 0;
  uint64_t m_busy_cycles = 0, m_commands = 0, m_units = 0;
  std::size_t m_current = 0;  // kLeaTiming index of the running command
  CommandStats m_stats[sizeof(kLeaTiming) / sizeof(kLeaTiming[0])];
};

}  // namespace ipsim
