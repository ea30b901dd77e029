#include "models/peripheral.h"

#include <cstring>

namespace ipsim {

Peripheral::Peripheral(const sc_core::sc_module_name& name, uint32_t base, uint32_t size,
                       const RegSpec* specs, std::size_t count)
    : sc_core::sc_module(name), socket("socket"), m_regs(specs, count), m_base(base), m_size(size) {
  socket.register_b_transport(this, &Peripheral::b_transport);
}

bool Peripheral::read_reg(uint32_t offset, unsigned size, uint16_t& value,
                          const sc_core::sc_time& at) {
  m_access_time = at;
  m_lazy = false;
  return m_regs.read(offset, size, value);
}

bool Peripheral::write_reg(uint32_t offset, unsigned size, uint16_t value,
                           const sc_core::sc_time& at) {
  m_access_time = at;
  m_lazy = false;
  return m_regs.write(offset, size, value);
}

bool Peripheral::read_reg(uint32_t offset, unsigned size, uint16_t& value, const LazyTime& at) {
  m_lazy_at = at;
  m_lazy = true;
  return m_regs.read(offset, size, value);
}

bool Peripheral::write_reg(uint32_t offset, unsigned size, uint16_t value, const LazyTime& at) {
  m_lazy_at = at;
  m_lazy = true;
  return m_regs.write(offset, size, value);
}

bool Peripheral::access_reg(bool write, uint32_t offset, uint8_t* data, unsigned size,
                            const sc_core::sc_time& at) {
  uint16_t value = 0;
  if (write) {
    std::memcpy(&value, data, size);
    return write_reg(offset, size, value, at);
  }
  const bool ok = read_reg(offset, size, value, at);
  std::memcpy(data, &value, size);  // host is little-endian, like MSP430
  return ok;
}

void Peripheral::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const uint32_t offset = static_cast<uint32_t>(trans.get_address());  // bus made it relative
  const unsigned size = trans.get_data_length();
  const sc_core::sc_time at = sc_core::sc_time_stamp() + delay;
  if (size != 1 && size != 2) {
    trans.set_response_status(tlm::TLM_BURST_ERROR_RESPONSE);
    return;
  }
  const bool ok = access_reg(!trans.is_read(), offset, trans.get_data_ptr(), size, at);
  trans.set_response_status(ok ? tlm::TLM_OK_RESPONSE : tlm::TLM_ADDRESS_ERROR_RESPONSE);
}

}  // namespace ipsim
