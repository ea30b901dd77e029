#include "models/wdt.h"

namespace ipsim {

namespace {
constexpr uint16_t kWdtHold = 0x80, kWdtTmsel = 0x10, kWdtCntcl = 0x08;
constexpr unsigned kIntervalLog2[8] = {31, 27, 23, 19, 15, 13, 9, 6};  // WDTIS, device header
}  // namespace

Wdt::Wdt(const sc_core::sc_module_name& name, const Clocks& clocks, IrqLines& irq,
         ResetRequest reset_request)
    : Peripheral(name, kBase, 2, kWdtRegs),
      m_clocks(clocks),
      m_irq(irq),
      m_reset_request(std::move(reset_request)) {
  m_regs.override_write(0x00, [this](uint16_t value, unsigned size, bool) {
    if (size == 1 || (value >> 8) != 0x5A) {
      m_reset_request(kResetWdtPassword);
      return;
    }
    m_regs[0x00] = static_cast<uint16_t>(0x6900 | (value & 0x00F7));  // WDTCNTCL reads 0
    restart(access_time());
  });
  m_irq.on_acknowledge(kVectorWdt, [this] { m_irq.set(kVectorWdt, false); });
  const_cast<Clocks&>(m_clocks).on_change([this] { restart(sc_core::sc_time_stamp()); });
  SC_METHOD(expire);
  sensitive << m_expiry;
  dont_initialize();
  (void)kWdtCntcl;
}

double Wdt::clock_hz() const {
  switch ((m_regs.get(0x00) >> 5) & 3) {
    case 0:
      return m_clocks.smclk_hz();
    case 1:
      return m_clocks.aclk_hz();
    default:
      return 10e3;  // VLO
  }
}

void Wdt::restart(const sc_core::sc_time& now) {
  m_expiry.cancel();
  if (held() || !m_powered) return;
  const double period_s =
      static_cast<double>(uint64_t{1} << kIntervalLog2[m_regs.get(0x00) & 7]) / clock_hz();
  const sc_core::sc_time at = now + sc_core::sc_time(period_s, sc_core::SC_SEC);
  m_expiry.notify(at - sc_core::sc_time_stamp());
}

void Wdt::expire() {
  if (held() || !m_powered) return;
  if (m_regs.get(0x00) & kWdtTmsel) {
    m_irq.set(kVectorWdt, true);
    restart(sc_core::sc_time_stamp());
  } else {
    m_reset_request(kResetWdtTimeout);
  }
}

void Wdt::reset() {
  Peripheral::reset();
  m_powered = true;
  m_irq.set(kVectorWdt, false);
  restart(sc_core::sc_time_stamp());
}

void Wdt::power_off() {
  Peripheral::reset();
  m_powered = false;
  m_expiry.cancel();
}

}  // namespace ipsim
