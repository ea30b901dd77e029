#pragma once
// CS clock system, base 0x0160 (facts §4.5, §2.5; SLAU367P §3).
// Models the DCO frequency table, the MCLK/SMCLK/ACLK source selects and dividers, and the
// CSKEY lock. After reset: DCO 8 MHz, MCLK = SMCLK = DCO/8 = 1 MHz (facts §2.5).
// Approximations: frequencies are the nominal table values (no DCO tolerance, facts §7.6);
// LFXT is assumed absent, so a select of LFXT gives VLO (10 kHz), as the header's SELA__LFXTCLK
// note describes; MODCLK 5 MHz, LFMODCLK = MODCLK/128; no oscillator start-up delays.
#include "models/clocks.h"
#include "models/peripheral.h"

namespace ipsim {

inline constexpr RegSpec kClockSystemRegs[] = {
    // offset name      reset   write_mask
    {0x00, "CSCTL0", 0x9600, 0xFF00}, {0x02, "CSCTL1", 0x000C, 0x004E},
    {0x04, "CSCTL2", 0x0033, 0x0777}, {0x06, "CSCTL3", 0x0033, 0x0777},
    {0x08, "CSCTL4", 0xCDC9, 0xFFFF}, {0x0A, "CSCTL5", 0x00C0, 0x00FF},
    {0x0C, "CSCTL6", 0x0007, 0x000F},
};

class ClockSystem : public Peripheral, public Clocks {
 public:
  static constexpr uint32_t kBase = 0x0160;
  ClockSystem(const sc_core::sc_module_name& name);

  double mclk_hz() const override { return m_mclk_hz; }
  double smclk_hz() const override { return m_smclk_hz; }
  double aclk_hz() const override { return m_aclk_hz; }
  void reset() override;

  static double dco_hz(unsigned dcorsel, unsigned dcofsel);

 private:
  void recompute();
  double source_hz(unsigned sel) const;
  bool m_unlocked = false;
  double m_mclk_hz = 1e6, m_smclk_hz = 1e6, m_aclk_hz = 10e3;
};

}  // namespace ipsim
