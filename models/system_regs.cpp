#include "models/system_regs.h"

namespace ipsim {

Pmm::Pmm(const sc_core::sc_module_name& name, ResetRequest reset_request)
    : Peripheral(name, 0x0120, 0x20, kPmmRegs), m_reset_request(std::move(reset_request)) {
  m_regs.override_write(0x00, [this](uint16_t value, unsigned size, bool high) {
    if (size == 1 && high) return;  // writing the password byte alone
    if (size == 1 || (value >> 8) != 0xA5) {
      m_reset_request(kResetPmmPassword);
      return;
    }
    if (value & 0x0004) return m_reset_request(kResetSoftwareBor);
    if (value & 0x0008) return m_reset_request(kResetSoftwarePor);
    m_regs[0x00] = static_cast<uint16_t>(0x9600 | (value & 0x0050));
  });
  m_regs.on_read(0x00, [](uint16_t stored) -> uint16_t { return 0x9600 | (stored & 0xFF); });
}

Sys::Sys(const sc_core::sc_module_name& name) : Peripheral(name, 0x0180, 0x20, kSysRegs) {
  // Reading SYSRSTIV returns the pending cause once, then 0 (highest pending first).
  m_regs.on_read(0x1E, [this](uint16_t stored) -> uint16_t {
    m_regs[0x1E] = 0;
    return stored;
  });
}

void Sys::reset() {
  const uint16_t cause = m_regs.get(0x1E);
  Peripheral::reset();
  m_regs[0x1E] = cause;  // the cause survives the reset it describes
}

}  // namespace ipsim
