#pragma once
// FRAM: info A-D + TLV (0x1800-0x1AFF) and main FRAM (0x4000-0x43FFF), facts §1.1.
// Non-volatile: power_off() keeps everything; a word write is atomic (design.md §3).
// It owns the FRAM cache model (fram_cache.h) and the exact NVM counters (nvm_counters.h).
// The CPU reaches FRAM through DMI and counts its own accesses through the same counters;
// other initiators (DMA, LEA) go through b_transport, which counts by InitiatorExtension and
// treats them as the CPU's accesses are treated (facts §2.4): a read looks up the FRAM cache
// per 16-bit word and a miss adds FRCTL0.NWAITS MCLK cycles to the transaction's delay; a
// write goes around the cache and always adds NWAITS cycles.
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "models/clocks.h"
#include "models/direct_access.h"
#include "models/fram_cache.h"
#include "models/mem_map.h"
#include "models/nvm_counters.h"

namespace ipsim {

class Fram : public sc_core::sc_module, public DirectAccess {
 public:
  tlm_utils::simple_target_socket<Fram> socket;  // addresses are absolute

  explicit Fram(const sc_core::sc_module_name& name);
  // Called after every write through b_transport (the DMA's: the CPU writes by DMI).
  std::function<void()> on_write;

  static bool contains(uint32_t addr, uint32_t len = 1) {
    return range_inside(addr, len, kInfoFramBegin, kInfoFramEnd) ||
           range_inside(addr, len, kFramBegin, kFramEnd);
  }
  uint8_t* host(uint32_t addr) { return m_data.data() + (addr - kInfoFramBegin); }
  // Image load ("flashing"): not counted as NVM traffic.
  void load(uint32_t addr, const uint8_t* bytes, uint32_t len);
  void erase();  // all 0xFF, like a blank part

  // Wait states of b_transport accesses: FRCTL0.NWAITS at the MCLK of `clocks`.
  void set_wait_states(const Clocks* clocks, unsigned nwaits) {
    m_clocks = clocks;
    m_nwaits = nwaits;
  }

  // Hypothetical slower NVM (platform.nvm.extra_*_wait_states): wait states added to every
  // array read (cache miss) and write of a b_transport initiator (the DMA), as the CPU adds
  // them to its own accesses.
  void set_extra_waits(unsigned read, unsigned write) {
    m_extra_read_waits = read;
    m_extra_write_waits = write;
  }

  FramCache& cache() { return m_cache; }
  const FramCache& cache() const { return m_cache; }
  // Cache misses of b_transport accesses (the DMA's; the CPU's go through its DMI path).
  uint64_t transport_misses() const { return m_transport_misses; }
  NvmCounters& counters() { return m_counters; }
  const NvmCounters& counters() const { return m_counters; }

  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  // DirectAccess (the DMA's path): what b_transport does, its wait states counted (none
  // without set_wait_states' clocks, as b_transport adds no delay then).
  std::vector<AddrRange> direct_ranges() const override {
    return {{kFramBegin, kFramEnd}, {kInfoFramBegin, kInfoFramEnd}};
  }
  bool direct_access(Initiator who, bool write, uint32_t addr, uint8_t* data, unsigned len,
                     unsigned* waits) override;
  sc_core::sc_time wait_delay(unsigned waits) override {
    return waits && m_clocks ? wait_time(waits) : sc_core::SC_ZERO_TIME;
  }

 private:
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(tlm::tlm_generic_payload& trans);

  std::vector<uint8_t> m_data;  // 0x1800..0x44000 (the gap is unused), plus padding
  FramCache m_cache;
  NvmCounters m_counters;
  const Clocks* m_clocks = nullptr;
  unsigned m_nwaits = 0;
  unsigned m_extra_read_waits = 0, m_extra_write_waits = 0;
  uint64_t m_transport_misses = 0;
  // sc_time(double, unit) is slow: each wait count's delay at the MCLK of m_wait_hz, made by
  // it once (the same value).
  sc_core::sc_time wait_time(unsigned waits);
  double m_wait_hz = 0;
  std::array<sc_core::sc_time, 16> m_wait_times;
};

}  // namespace ipsim
