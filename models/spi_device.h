#pragma once
// What an SPI master (models/eusci_spi.h) sees of a device on its bus: one byte exchanged per
// eight bit clocks. The device's chip select is a GPIO pin (models/gpio.h); a device that is
// not selected leaves MISO floating, which the master reads as 0xFF.
#include <cstdint>

#include <systemc>

namespace ipsim {

struct SpiFrame {
  unsigned mode;        // SPI mode 0..3: CPOL * 2 + CPHA
  double clock_hz;      // bit clock
  sc_core::sc_time at;  // when the last bit was clocked
};

class SpiDevice {
 public:
  virtual ~SpiDevice() = default;
  // The byte the master shifted out (MSB first on the wire); returns the byte on MISO.
  virtual uint8_t exchange(uint8_t mosi, const SpiFrame& frame) = 0;
};

}  // namespace ipsim
