#pragma once
// Digital I/O ports P1..P8 and PJ, 0x0200-0x033F (SLAU367P §12; base addresses facts §1.2 and
// the device header msp430fr5994.h: P1/P2 0x200, P3/P4 0x220, P5/P6 0x240, P7/P8 0x260, PJ
// 0x320). Ports come in 16-bit pairs: port 2k-1 is the low byte, port 2k the high byte of
// PxIN +0x00, PxOUT +0x02, PxDIR +0x04, PxREN +0x06, PxSEL0 +0x0A, PxSEL1 +0x0C, PxSELC +0x16,
// PxIES +0x18, PxIE +0x1A, PxIFG +0x1C.
//
// Modelled: every register as storage (firmware may touch any of them), and the level each
// output pin drives, reported to listeners (an SPI device's chip select) when it changes.
// A pin drives PxOUT while PxDIR is 1 and its function select is GPIO (PxSEL0 = PxSEL1 = 0);
// otherwise the model reports it high (the chip-select line of an external part is assumed
// to have a pull-up, as a deselected SPI device needs).
// A reset (PUC, BOR, power loss) makes every pin an input, so listeners see a low pin rise.
// Approximations: PxIN reads what was stored (no external inputs); no pin interrupts; the
// LOCKLPM5 lock after a BOR is not enforced on the pins (firmware clears it anyway, facts §1.4).
#include <cstdint>
#include <functional>
#include <vector>

#include "models/peripheral.h"

namespace ipsim {

namespace gpio {
inline constexpr uint16_t PxIN = 0x00, PxOUT = 0x02, PxDIR = 0x04, PxREN = 0x06, PxSEL0 = 0x0A,
                          PxSEL1 = 0x0C;
// Offset of port `port` (1..8) pair from the GPIO base, and whether it is the high byte.
inline constexpr uint16_t pair_offset(unsigned port) {
  return static_cast<uint16_t>(0x20 * ((port - 1) / 2));
}
inline constexpr bool is_high_byte(unsigned port) {
  return (port & 1) == 0;
}
}  // namespace gpio

class Gpio : public Peripheral {
 public:
  static constexpr uint32_t kBase = 0x0200, kSize = 0x140;
  // Called with the pin's new level and the time of the write that changed it.
  using PinListener = std::function<void(bool level, const sc_core::sc_time& at)>;

  explicit Gpio(const sc_core::sc_module_name& name);

  void reset() override;
  // Pin `bit` (0..7) of port `port` (1..8).
  void on_pin(unsigned port, unsigned bit, PinListener listener);
  bool pin_level(unsigned port, unsigned bit) const;

 private:
  struct Watch {
    unsigned port, bit;
    bool level;
    PinListener listener;
  };
  void notify(const sc_core::sc_time& at);
  std::vector<Watch> m_watches;
};

}  // namespace ipsim
