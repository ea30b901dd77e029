#include "models/gpio.h"

namespace ipsim {

using namespace gpio;

namespace {
std::vector<RegSpec> port_specs() {
  std::vector<RegSpec> specs;
  for (uint16_t off = 0; off < Gpio::kSize; off += 2) specs.push_back({off, "Pn", 0x0000, 0xFFFF});
  return specs;
}
const std::vector<RegSpec>& port_table() {
  static const std::vector<RegSpec> table = port_specs();
  return table;
}
}  // namespace

Gpio::Gpio(const sc_core::sc_module_name& name)
    : Peripheral(name, kBase, kSize, port_table().data(), port_table().size()) {}

void Gpio::reset() {
  Peripheral::reset();
  notify(sc_core::sc_time_stamp());  // pins become inputs: a driven-low chip select rises
}

bool Gpio::pin_level(unsigned port, unsigned bit) const {
  const uint16_t base = pair_offset(port);
  const unsigned shift = bit + (is_high_byte(port) ? 8 : 0);
  const auto b = [&](uint16_t reg) { return (m_regs.get(base + reg) >> shift) & 1u; };
  if (b(PxDIR) && !b(PxSEL0) && !b(PxSEL1)) return b(PxOUT) != 0;
  return true;
}

void Gpio::on_pin(unsigned port, unsigned bit, PinListener listener) {
  m_watches.push_back({port, bit, pin_level(port, bit), std::move(listener)});
  const uint16_t base = pair_offset(port);
  for (uint16_t reg : {PxOUT, PxDIR, PxSEL0, PxSEL1})
    m_regs.on_write(base + reg, [this](uint16_t, uint16_t) { notify(access_time()); });
}

void Gpio::notify(const sc_core::sc_time& at) {
  for (Watch& w : m_watches) {
    const bool level = pin_level(w.port, w.bit);
    if (level == w.level) continue;
    w.level = level;
    w.listener(level, at);
  }
}

}  // namespace ipsim
