#pragma once
// FRAM controller FRCTL_A, base 0x0140 (facts §3; SLAU367P §8).
// FRCTL0 needs password 0xA5 in the high byte (reads 0x96); a write without it is a password
// violation and causes a PUC (facts §1.4). NWAITS (bits 6:4) sets the FRAM wait states the
// CPU pays on cache misses (facts §2.4). Running MCLK above 8 MHz with NWAITS = 0 sets
// GCCTL1.ACCTEIFG, the access-time error flag (facts §3). Not modelled: ECC, FRPWR power-down.
#include <functional>

#include "models/clocks.h"
#include "models/peripheral.h"
#include "models/reset.h"

namespace ipsim {

inline constexpr RegSpec kFrctlRegs[] = {
    // offset name      reset   write_mask
    {0x00, "FRCTL0", 0x9600, 0x0070},
    {0x04, "GCCTL0", 0x0006, 0x00FE},
    {0x06, "GCCTL1", 0x0000, 0x000E},
};

class Frctl : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x0140;
  Frctl(const sc_core::sc_module_name& name, const Clocks& clocks, ResetRequest reset_request,
        std::function<void(unsigned)> nwaits_changed);
  unsigned nwaits() const { return (m_regs.get(0x00) >> 4) & 7; }
  void reset() override;

 private:
  void check_access_time();
  const Clocks& m_clocks;
  ResetRequest m_reset_request;
  std::function<void(unsigned)> m_nwaits_changed;
};

}  // namespace ipsim
