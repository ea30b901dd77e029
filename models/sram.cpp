#include "models/sram.h"

#include <cstring>
#include <random>

#include "models/initiator_ext.h"
#include "models/memory_copy.h"

namespace ipsim {

namespace {
// The core may read a few bytes past an instruction at the end of a region when it compares
// raw instruction bytes; padding keeps that read inside the buffer.
constexpr uint32_t kPadding = 16;
}  // namespace

Sram::Sram(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name), socket("socket"), m_data(kSramEnd - kSramBegin + kPadding, 0) {
  socket.register_b_transport(this, &Sram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Sram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Sram::transport_dbg);
}

void Sram::power_on_pattern(uint64_t seed) {
  std::mt19937_64 rng(seed ^ 0x5352414D5EEDull);  // "SRAM" salt keeps streams apart
  for (uint32_t i = 0; i < kSramEnd - kSramBegin; i += 8) {
    const uint64_t word = rng();
    std::memcpy(&m_data[i], &word, 8);
  }
}

void Sram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time&) {
  unsigned waits = 0;
  if (!direct_access(initiator_of(trans), !trans.is_read(),
                     static_cast<uint32_t>(trans.get_address()), trans.get_data_ptr(),
                     trans.get_data_length(), &waits)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  trans.set_dmi_allowed(true);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool Sram::direct_access(Initiator, bool write, uint32_t addr, uint8_t* data, unsigned len,
                         unsigned*) {
  if (!contains(addr, len)) return false;
  if (write)
    std::memcpy(host(addr), data, len);
  else
    std::memcpy(data, host(addr), len);
  m_accesses += (len + 1) / 2;
  if (write && on_write) on_write();
  return true;
}

bool Sram::get_direct_mem_ptr(tlm::tlm_generic_payload&, tlm::tlm_dmi& dmi) {
  dmi.set_dmi_ptr(m_data.data());
  dmi.set_start_address(kSramBegin);
  dmi.set_end_address(kSramEnd - 1);
  dmi.allow_read_write();
  dmi.set_read_latency(sc_core::SC_ZERO_TIME);
  dmi.set_write_latency(sc_core::SC_ZERO_TIME);
  return true;
}

unsigned Sram::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint32_t addr = static_cast<uint32_t>(trans.get_address());
  const unsigned len = trans.get_data_length();
  if (!contains(addr, len)) return 0;
  copy_payload(trans, host(addr));
  return len;
}

}  // namespace ipsim
