#include "models/fram.h"

#include <cstring>
#include <stdexcept>

#include "models/initiator_ext.h"
#include "models/memory_copy.h"

namespace ipsim {

namespace {
constexpr uint32_t kPadding = 16;
}

Fram::Fram(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name),
      socket("socket"),
      m_data(kFramEnd - kInfoFramBegin + kPadding, 0xFF) {
  socket.register_b_transport(this, &Fram::b_transport);
  socket.register_get_direct_mem_ptr(this, &Fram::get_direct_mem_ptr);
  socket.register_transport_dbg(this, &Fram::transport_dbg);
}

void Fram::load(uint32_t addr, const uint8_t* bytes, uint32_t len) {
  if (!contains(addr, len)) throw std::logic_error("Fram::load outside FRAM");
  std::memcpy(host(addr), bytes, len);
}

void Fram::erase() {
  std::fill(m_data.begin(), m_data.end(), 0xFF);
}

void Fram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  unsigned waits = 0;
  if (!direct_access(initiator_of(trans), !trans.is_read(),
                     static_cast<uint32_t>(trans.get_address()), trans.get_data_ptr(),
                     trans.get_data_length(), &waits)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (waits) delay += wait_time(waits);
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

bool Fram::direct_access(Initiator who, bool write, uint32_t addr, uint8_t* data, unsigned len,
                         unsigned* waits) {
  if (!contains(addr, len)) return false;
  unsigned w = 0;
  if (!write) {
    std::memcpy(data, host(addr), len);
    m_counters.count(who, NvmOp::kRead, addr, len);
    for (uint32_t a = addr & ~1u; a < addr + len; a += 2)
      if (!m_cache.read(a)) w += m_nwaits + m_extra_read_waits, ++m_transport_misses;
  } else {
    std::memcpy(host(addr), data, len);
    m_counters.count(who, NvmOp::kWrite, addr, len);
    for (uint32_t a = addr & ~1u; a < addr + len; a += 2) {
      m_cache.write(a);
      w += m_nwaits + m_extra_write_waits;
    }
  }
  if (m_clocks) *waits += w;  // no clocks: no wait time (set_wait_states)
  if (write && on_write) on_write();
  return true;
}

sc_core::sc_time Fram::wait_time(unsigned waits) {
  const double hz = m_clocks->mclk_hz();
  if (waits >= m_wait_times.size()) return sc_core::sc_time(waits / hz, sc_core::SC_SEC);
  if (hz != m_wait_hz) m_wait_hz = hz, m_wait_times.fill(sc_core::SC_ZERO_TIME);
  sc_core::sc_time& t = m_wait_times[waits];
  if (t == sc_core::SC_ZERO_TIME) t = sc_core::sc_time(waits / hz, sc_core::SC_SEC);
  return t;
}

bool Fram::get_direct_mem_ptr(tlm::tlm_generic_payload& trans, tlm::tlm_dmi& dmi) {
  const uint32_t addr = static_cast<uint32_t>(trans.get_address());
  const bool info = addr >= kInfoFramBegin && addr < kInfoFramEnd;
  const uint32_t begin = info ? kInfoFramBegin : kFramBegin;
  const uint32_t end = info ? kInfoFramEnd : kFramEnd;
  if (!contains(addr)) return false;
  dmi.set_dmi_ptr(host(begin));
  dmi.set_start_address(begin);
  dmi.set_end_address(end - 1);
  dmi.allow_read_write();
  return true;
}

unsigned Fram::transport_dbg(tlm::tlm_generic_payload& trans) {
  const uint32_t addr = static_cast<uint32_t>(trans.get_address());
  const unsigned len = trans.get_data_length();
  if (!contains(addr, len)) return 0;
  copy_payload(trans, host(addr));
  return len;
}

}  // namespace ipsim
