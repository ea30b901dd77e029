#pragma once
// SFR (0x0100), PMM (0x0120) and SYS (0x0180) registers that crt0 and runtimes touch
// (facts §1.2, §1.4, §4.4). Modelled: storage with reset values, the PMMCTL0 password and
// its software BOR/POR bits, PM5CTL0.LOCKLPM5 resetting to 1, SYSRSTIV reporting the last
// reset cause. Not modelled: SVS thresholds (the external supervisor in energy/ decides
// brown-out), LPMx.5.
#include <string>

#include "models/peripheral.h"
#include "models/reset.h"

namespace ipsim {

inline constexpr RegSpec kSfrRegs[] = {
    // offset name      reset   write_mask
    {0x00, "SFRIE1", 0x0000, 0xFFFF},
    {0x02, "SFRIFG1", 0x0082, 0xFFFF},
    {0x04, "SFRRPCR", 0x001C, 0x000F},
};

inline constexpr RegSpec kPmmRegs[] = {
    {0x00, "PMMCTL0", 0x9640, 0x0050},
    {0x0A, "PMMIFG", 0x0000, 0xFFFF},
    {0x10, "PM5CTL0", 0x0001, 0x0001},
};

inline constexpr RegSpec kSysRegs[] = {
    {0x00, "SYSCTL", 0x0000, 0x0007},   {0x06, "SYSJMBC", 0x0000, 0x00FF},
    {0x08, "SYSJMBI0", 0x0000, 0xFFFF}, {0x0A, "SYSJMBI1", 0x0000, 0xFFFF},
    {0x0C, "SYSJMBO0", 0x0000, 0xFFFF}, {0x0E, "SYSJMBO1", 0x0000, 0xFFFF},
    {0x1A, "SYSUNIV", 0x0000, 0x0000},  {0x1C, "SYSSNIV", 0x0000, 0x0000},
    {0x1E, "SYSRSTIV", 0x0002, 0x0000},
};

class Sfr : public Peripheral {
 public:
  explicit Sfr(const sc_core::sc_module_name& name) : Peripheral(name, 0x0100, 6, kSfrRegs) {}
};

class Pmm : public Peripheral {
 public:
  Pmm(const sc_core::sc_module_name& name, ResetRequest reset_request);

 private:
  ResetRequest m_reset_request;
};

class Sys : public Peripheral {
 public:
  explicit Sys(const sc_core::sc_module_name& name);
  // SYSRSTIV value for the next read: the ResetCause table in models/reset.h.
  void set_reset_cause(uint16_t code) { m_regs[0x1E] = code; }
  void reset() override;

 private:
  uint16_t m_cause = 0x02;
};

}  // namespace ipsim
