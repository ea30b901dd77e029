#pragma once
// Helpers shared by the peripheral tests.
#include <tlm_utils/simple_initiator_socket.h>
#include <systemc>
#include <tlm>

namespace ipsim::test {

// Binds a peripheral's target socket so the SystemC kernel can elaborate; tests drive
// registers through read_reg/write_reg or through this socket.
struct Poker : sc_core::sc_module {
  tlm_utils::simple_initiator_socket<Poker> socket{"socket"};
  explicit Poker(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}
};

}  // namespace ipsim::test
