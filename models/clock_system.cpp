#include "models/clock_system.h"

namespace ipsim {

namespace {
constexpr uint16_t kCskey = 0xA5;  // CSCTL0_H password for writes; reads back 0x96
constexpr double kVloHz = 10e3, kModHz = 5e6;
}  // namespace

ClockSystem::ClockSystem(const sc_core::sc_module_name& name)
    : Peripheral(name, kBase, 0x10, kClockSystemRegs) {
  m_regs.override_write(0x00, [this](uint16_t value, unsigned size, bool high) {
    // Writing CSKEY to the high byte unlocks; any other value locks (SLAU367P §3.3).
    if (size == 2 || high) {
      const uint16_t key = size == 2 ? (value >> 8) : (value & 0xFF);
      m_unlocked = key == kCskey;
    }
  });
  m_regs.on_read(0x00, [](uint16_t) -> uint16_t { return 0x9600; });
  for (uint16_t off = 0x02; off <= 0x0C; off += 2) {
    m_regs.override_write(off, [this, off](uint16_t value, unsigned size, bool high) {
      if (!m_unlocked) return;  // locked: writes are ignored
      uint16_t& reg = m_regs[off];
      uint16_t merged = value;
      if (size == 1)
        merged = high ? static_cast<uint16_t>((reg & 0x00FF) | (value << 8))
                      : static_cast<uint16_t>((reg & 0xFF00) | (value & 0xFF));
      reg = merged;
      recompute();
    });
  }
  recompute();
}

void ClockSystem::reset() {
  Peripheral::reset();
  m_unlocked = false;
  recompute();
}

double ClockSystem::dco_hz(unsigned dcorsel, unsigned dcofsel) {
  // facts §4.5, device header DCOFSEL_n comments; DCOFSEL 7 behaves as 6.
  static constexpr double kLow[8] = {1e6, 2.67e6, 3.33e6, 4e6, 5.33e6, 6.67e6, 8e6, 8e6};
  static constexpr double kHigh[8] = {1e6, 5.33e6, 6.67e6, 8e6, 16e6, 21e6, 24e6, 24e6};
  return (dcorsel ? kHigh : kLow)[dcofsel & 7];
}

double ClockSystem::source_hz(unsigned sel) const {
  const uint16_t ctl1 = m_regs.get(0x02);
  switch (sel) {
    case 0:
      return kVloHz;  // LFXT absent -> VLO
    case 1:
      return kVloHz;
    case 2:
      return kModHz / 128;
    case 3:
      return dco_hz((ctl1 >> 6) & 1, (ctl1 >> 1) & 7);
    case 4:
      return kModHz;
    default:
      return kVloHz;  // HFXT absent
  }
}

void ClockSystem::recompute() {
  const uint16_t ctl2 = m_regs.get(0x04), ctl3 = m_regs.get(0x06);
  const auto div = [](unsigned code) { return double(1u << (code > 5 ? 5 : code)); };
  const double mclk = source_hz(ctl2 & 7) / div(ctl3 & 7);
  const double smclk = source_hz((ctl2 >> 4) & 7) / div((ctl3 >> 4) & 7);
  const double aclk = source_hz((ctl2 >> 8) & 7) / div((ctl3 >> 8) & 7);
  const bool changed = mclk != m_mclk_hz || smclk != m_smclk_hz || aclk != m_aclk_hz;
  m_mclk_hz = mclk, m_smclk_hz = smclk, m_aclk_hz = aclk;
  if (changed) notify_change();
}

}  // namespace ipsim
