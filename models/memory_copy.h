#pragma once
// The data move shared by the memories' b_transport and transport_dbg: a read copies from
// host memory into the payload, a write the other way.
#include <cstdint>
#include <cstring>

#include <tlm>

namespace ipsim {

inline void copy_payload(tlm::tlm_generic_payload& trans, uint8_t* host) {
  if (trans.is_read())
    std::memcpy(trans.get_data_ptr(), host, trans.get_data_length());
  else
    std::memcpy(host, trans.get_data_ptr(), trans.get_data_length());
}

}  // namespace ipsim
