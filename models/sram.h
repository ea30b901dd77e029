#pragma once
// SRAM 0x1C00-0x3BFF (facts §1.1): 4 KB CPU-only plus the 4 KB shared with the LEA.
// Volatile: power_off() loses the content, and power-on finds a seeded pattern rather than
// zeros (design.md §3), so firmware that forgets to initialise state fails in simulation too.
// Zero wait states (facts §2.4). DMI is granted for the whole range; the CPU counts its own
// accesses (Msp430Core::sram_accesses), b_transport counts the others' (the DMA's) for the
// energy model, one per byte or 16-bit word.
#include <cstdint>
#include <functional>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "models/direct_access.h"
#include "models/mem_map.h"

namespace ipsim {

class Sram : public sc_core::sc_module, public DirectAccess {
 public:
  tlm_utils::simple_target_socket<Sram> socket;  // addresses are absolute

  explicit Sram(const sc_core::sc_module_name& name);

  uint8_t* data() { return m_data.data(); }  // host copy of 0x1C00.., plus padding
  uint8_t* host(uint32_t addr) { return m_data.data() + (addr - kSramBegin); }
  bool contains(uint32_t addr, uint32_t len = 1) const {
    return range_inside(addr, len, kSramBegin, kSramEnd);
  }
  // Fills the whole SRAM with a pattern derived from seed (power-up content).
  void power_on_pattern(uint64_t seed);
  uint64_t accesses() const { return m_accesses; }  // through b_transport
  // Called after every write through b_transport (the DMA's: the CPU writes by DMI).
  std::function<void()> on_write;

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // DirectAccess (the DMA's path): what b_transport does; no wait states.
  std::vector<AddrRange> direct_ranges() const override { return {{kSramBegin, kSramEnd}}; }
  bool direct_access(Initiator who, bool write, uint32_t addr, uint8_t* data, unsigned len,
                     unsigned* waits) override;
  sc_core::sc_time wait_delay(unsigned) override { return sc_core::SC_ZERO_TIME; }

 private:
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);
  std::vector<uint8_t> m_data;
  uint64_t m_accesses = 0;
};

}  // namespace ipsim
