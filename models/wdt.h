#pragma once
// Watchdog timer WDT_A, WDTCTL at 0x015C (facts §4.6, §2.5).
// After every BOR/PUC it runs in watchdog mode from SMCLK with WDTIS = 4 (/2^15, about 32 ms at
// 1 MHz); firmware must hold or service it. Expiry in watchdog mode, or a write without the
// 0x5A password, causes a PUC. Interval mode (WDTTMSEL) raises the WDT vector (49) instead.
// The reset value 0x6904 is assumed (facts §7.7: not confirmed). Approximation: a clock change
// restarts the count from the moment of the change.
#include "models/clocks.h"
#include "models/irq.h"
#include "models/peripheral.h"
#include "models/reset.h"

namespace ipsim {

inline constexpr RegSpec kWdtRegs[] = {
    // offset name      reset   write_mask
    {0x00, "WDTCTL", 0x6904, 0x00FF},
};

class Wdt : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x015C;
  SC_HAS_PROCESS(Wdt);
  Wdt(const sc_core::sc_module_name& name, const Clocks& clocks, IrqLines& irq,
      ResetRequest reset_request);
  void reset() override;
  void power_off() override;
  bool held() const { return (m_regs.get(0x00) & 0x80) != 0; }

 private:
  void restart(const sc_core::sc_time& now);
  void expire();
  double clock_hz() const;
  const Clocks& m_clocks;
  IrqLines& m_irq;
  ResetRequest m_reset_request;
  sc_core::sc_event m_expiry;
  bool m_powered = true;
};

}  // namespace ipsim
