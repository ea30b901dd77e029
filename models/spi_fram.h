#pragma once
// CY15B104Q: 4-Mbit (512 K x 8) serial SPI F-RAM (Cypress/Infineon CY15B104Q datasheet, feature
// list and opcode table; facts §8.2). The external NVM of the Stateful-CNN / iNAS platform, on
// eUSCI_A3 with chip select P6.3 in the platform (sim/platform.h).
//
// Modelled: SPI modes 0 and 3, up to 40 MHz; opcodes WREN 0x06, WRDI 0x04, RDSR 0x05, WRSR 0x01,
// READ 0x03, FSTRD 0x0B (one dummy byte after the address), WRITE 0x02, SLEEP 0xB9, RDID 0x9F
// (9 bytes: six 0x7F continuation codes, manufacturer 0xC2, product 0x26 0x08; the product
// bytes as in NuttX's drivers/mtd/ramtron.c table, the byte order not re-checked against the
// datasheet); 3-byte addresses (the top 5 bits ignored), the address
// wrapping from 0x7FFFF to 0 in a burst; the write-enable latch (set by WREN, cleared by WRDI
// and at the end of WRITE and WRSR; WRITE and WRSR are ignored without it); status register
// WPEN (bit 7), BP1:BP0 (bits 3:2; block protection of the upper 1/4, 1/2 or all of the array:
// protected bytes are not written) and WEL (bit 1); sleep (entered when CS rises after SLEEP,
// left when CS falls). NoDelay writes: a byte is in the array once its eighth bit is clocked
// in, so a transfer cut by a brown-out keeps exactly the bytes already clocked in.
// Non-volatile: the array and the status register's WPEN/BP bits survive power loss; WEL, sleep
// and a command in progress do not.
// Supply current, drawn from the node's capacitor (defaults here; the platform passes
// energy/load_model.h's spi_fram_* coefficients, which platform.energy_model can override):
//   standby 100 uA (typ, CS high or idle), sleep 3 uA (typ)     datasheet feature list
//   active 300 uA at 1 MHz, APPROXIMATE: scaled linearly with the SCK frequency (the issue's
//   reading of the datasheet's one figure; it likely overstates the current at high clocks).
//   Booked as the standby (or sleep) current all the time the node is on, plus
//   (I_active(f) - I_standby) for the duration of each character (8 / f).
// Approximations: the WP pin is tied high (WPEN has no effect); the sleep recovery time tREC
// is not modelled (the first command after wake-up is accepted); a byte clocked in SPI mode 1
// or 2, or faster than 40 MHz, is ignored (MISO reads 0xFF) and counted in protocol_errors().
// NVM accounting: bytes per address read and written, and one access per READ/FSTRD/WRITE
// command at its start address; reports attribute them to the `.spifram` section's symbols,
// whose ELF addresses are kElfBase + device address (kernels/runtime/fr5994.ld).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include <systemc>

#include "models/nvm_counters.h"
#include "models/spi_device.h"

namespace ipsim {

namespace spi_fram {
inline constexpr uint8_t WREN = 0x06, WRDI = 0x04, RDSR = 0x05, WRSR = 0x01, READ = 0x03,
                         FSTRD = 0x0B, WRITE = 0x02, SLEEP = 0xB9, RDID = 0x9F;
inline constexpr uint8_t SR_WEL = 0x02, SR_BP = 0x0C, SR_WPEN = 0x80;
inline constexpr uint8_t kDeviceId[9] = {0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0x7F, 0xC2, 0x26, 0x08};
}  // namespace spi_fram

struct SpiFramCurrents {
  double active_per_mhz_a = 300e-6;  // at 1 MHz SCK, scaled linearly
  double standby_a = 100e-6;
  double sleep_a = 3e-6;
  double max_clock_hz = 40e6;
};

class SpiFram : public SpiDevice {
 public:
  static constexpr uint32_t kBytes = 512 * 1024;
  static constexpr uint32_t kElfBase = 0x01000000;  // `.spifram` VMA of device address 0

  using Cell = NvmCounters::Cell;

  explicit SpiFram(SpiFramCurrents currents = {});

  // Chip select (active low) from the GPIO pin.
  void chip_select(bool level, const sc_core::sc_time& at);
  uint8_t exchange(uint8_t mosi, const SpiFrame& frame) override;

  // Supply: the node browns out / comes back (the part shares the node's supply).
  void power_off(const sc_core::sc_time& at);
  void power_on(const sc_core::sc_time& at);
  // Charge drawn since construction, up to time t (for the capacitor).
  double charge_c(const sc_core::sc_time& t) const;
  // Highest current the part can draw at the given SCK (for the power model's slice bound).
  double max_current_a(double clock_hz) const;

  uint8_t* data() { return m_array.data(); }
  uint8_t status() const { return m_status; }
  bool sleeping() const { return m_sleep; }
  uint64_t protocol_errors() const { return m_protocol_errors; }
  uint64_t characters() const { return m_characters; }
  const Cell& reads_at(uint32_t addr) const { return m_reads[addr]; }
  const Cell& writes_at(uint32_t addr) const { return m_writes[addr]; }
  Cell total_reads() const { return m_total_reads; }
  Cell total_writes() const { return m_total_writes; }

 private:
  enum class State {
    kOpcode,
    kAddress,
    kDummy,
    kRead,
    kWrite,
    kStatusRead,
    kStatusWrite,
    kId,
    kIgnore
  };
  void settle(const sc_core::sc_time& t);  // fold the base current up to t
  bool protected_address(uint32_t addr) const;

  SpiFramCurrents m_currents;
  std::vector<uint8_t> m_array;
  struct Free {
    void operator()(Cell* p) const { std::free(p); }
  };
  std::unique_ptr<Cell[], Free> m_reads, m_writes;  // calloc: touched only where counted
  Cell m_total_reads, m_total_writes;
  uint8_t m_status = 0;
  bool m_selected = false, m_sleep = false, m_powered = true, m_sleep_pending = false;
  State m_state = State::kOpcode;
  uint8_t m_opcode = 0;
  unsigned m_address_bytes = 0, m_id_index = 0;
  uint32_t m_address = 0;
  uint64_t m_protocol_errors = 0, m_characters = 0;
  double m_charge_c = 0;
  sc_core::sc_time m_settled;
};

}  // namespace ipsim
