#pragma once
// Base of every memory-mapped peripheral: a TLM-2.0 target with a RegisterFile.
// b_transport never calls wait(): it handles the access at sc_time_stamp() + delay (the
// initiator's local time) and returns. Peripherals that start work (DMA, LEA) ask the CPU to
// end its slice through the SyncRequester they are given.
#include <tlm_utils/simple_target_socket.h>
#include <systemc>
#include <tlm>

#include "models/register_file.h"

namespace ipsim {

class Peripheral : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Peripheral> socket;

  template <std::size_t N>
  Peripheral(const sc_core::sc_module_name& name, uint32_t base, uint32_t size,
             const RegSpec (&specs)[N])
      : Peripheral(name, base, size, specs, N) {}
  Peripheral(const sc_core::sc_module_name& name, uint32_t base, uint32_t size,
             const RegSpec* specs, std::size_t count);

  uint32_t base() const { return m_base; }
  uint32_t size() const { return m_size; }

  virtual void reset() { m_regs.reset(); }  // PUC/BOR values
  virtual void power_off() { reset(); }     // registers are volatile

  // Direct register access for tests and for the platform (no TLM, no side effects of time).
  bool read_reg(uint32_t offset, unsigned size, uint16_t& value, const sc_core::sc_time& at);
  bool write_reg(uint32_t offset, unsigned size, uint16_t value, const sc_core::sc_time& at);
  // The same at now + period * cycles, computed only if the register's behaviour asks for
  // the time (access_time()): the CPU's accesses, most of which do not.
  struct LazyTime {
    sc_core::sc_time now, period;
    uint64_t cycles = 0;
  };
  bool read_reg(uint32_t offset, unsigned size, uint16_t& value, const LazyTime& at);
  bool write_reg(uint32_t offset, unsigned size, uint16_t value, const LazyTime& at);
  // One access of size 1 or 2 bytes at `data` (little-endian, as the payload carries them), as
  // b_transport makes it: the DMA's accesses of its own registers use it without a payload.
  bool access_reg(bool write, uint32_t offset, uint8_t* data, unsigned size,
                  const sc_core::sc_time& at);

 protected:
  // Time of the access being handled: sc_time_stamp() + the initiator's delay.
  const sc_core::sc_time& access_time() const {
    if (m_lazy) {
      m_access_time = m_lazy_at.now + m_lazy_at.period * static_cast<double>(m_lazy_at.cycles);
      m_lazy = false;
    }
    return m_access_time;
  }
  // A lower bound of access_time() that computes nothing: the CPU's slice start for its
  // accesses (their local offset is never negative).
  const sc_core::sc_time& access_time_floor() const {
    return m_lazy ? m_lazy_at.now : m_access_time;
  }
  virtual void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);

  RegisterFile m_regs;

 private:
  uint32_t m_base, m_size;
  mutable sc_core::sc_time m_access_time;
  mutable bool m_lazy = false;
  LazyTime m_lazy_at;
};

}  // namespace ipsim
