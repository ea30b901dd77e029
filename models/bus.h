#pragma once
// The FR5994 system bus: routes TLM transactions from initiators (CPU, DMA) to the target
// mapped at the address (facts §1.1-§1.2). Memories see absolute addresses; peripherals see
// offsets from their base. An address with no target answers TLM_ADDRESS_ERROR_RESPONSE,
// which the CPU turns into a vacant-access fault.
#include <cstdint>
#include <string>
#include <vector>

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>
#include <systemc>
#include <tlm>

namespace ipsim {

class Bus : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<Bus> targ;     // initiators bind here
  tlm_utils::multi_passthrough_initiator_socket<Bus> init;  // targets bind here, in map() order

  explicit Bus(const sc_core::sc_module_name& name);

  // Declares that the next init.bind() target answers [begin, end). relative: the target
  // receives addr - begin.
  void map(const std::string& name, uint32_t begin, uint32_t end, bool relative);
  // Maps another range to the target of the previous map() (no new binding), e.g. info FRAM.
  void map_also(const std::string& name, uint32_t begin, uint32_t end);

  // Name of the target at addr, or "" (for fault messages).
  std::string target_name(uint32_t addr) const;

 private:
  struct Range {
    std::string name;
    uint32_t begin, end;
    bool relative;
    int port;
  };
  const Range* decode(uint32_t addr) const;
  void b_transport(int id, tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi);
  unsigned transport_dbg(int id, tlm::tlm_generic_payload& trans);
  void invalidate_direct_mem_ptr(int id, sc_dt::uint64 begin, sc_dt::uint64 end);

  void add_range(Range range);
  std::vector<Range> m_ranges;
  int m_ports = 0;
  std::vector<int16_t> m_low_map;  // peripheral space, per 16-bit word -> range index
};

}  // namespace ipsim
