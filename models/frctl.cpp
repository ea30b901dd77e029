#include "models/frctl.h"

namespace ipsim {

Frctl::Frctl(const sc_core::sc_module_name& name, const Clocks& clocks, ResetRequest reset_request,
             std::function<void(unsigned)> nwaits_changed)
    : Peripheral(name, kBase, 0x10, kFrctlRegs),
      m_clocks(clocks),
      m_reset_request(std::move(reset_request)),
      m_nwaits_changed(std::move(nwaits_changed)) {
  m_regs.override_write(0x00, [this](uint16_t value, unsigned size, bool high) {
    if (size == 1 && high) return;  // the password byte alone changes nothing
    if (size == 1 || (value >> 8) != 0xA5) {
      m_reset_request(kResetFrctlPassword);
      return;
    }
    m_regs[0x00] = static_cast<uint16_t>(0x9600 | (value & 0x0070));
    m_nwaits_changed(nwaits());
    check_access_time();
  });
  const_cast<Clocks&>(m_clocks).on_change([this] { check_access_time(); });
}

void Frctl::reset() {
  Peripheral::reset();
  m_nwaits_changed(nwaits());
}

void Frctl::check_access_time() {
  // facts §3: FRAM runs without wait states only up to 8 MHz.
  if (m_clocks.mclk_hz() > 8e6 && nwaits() == 0) m_regs[0x06] |= 0x0008;  // ACCTEIFG
}

}  // namespace ipsim
