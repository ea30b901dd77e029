#pragma once
// sc_time(n * cycle_s, SC_SEC) for whole cycle counts n, each made once per cycle period:
// sc_time's constructor from a double is an out-of-line call into the kernel's time
// parameters, and the LEA's plan and the DMA's blocks make one per output or word. The value is
// the constructor's own (made by it the first time), so times are those of the direct form.
#include <cstdint>
#include <vector>

#include <systemc>

namespace ipsim {

class CycleTimes {
 public:
  const sc_core::sc_time& offset(uint64_t n, double cycle_s) {
    if (cycle_s != m_cycle_s) m_cycle_s = cycle_s, m_times.clear(), m_made.clear();
    if (n >= kCached) return m_spare = make(n);
    if (n >= m_times.size()) m_times.resize(n + 1), m_made.resize(n + 1, false);
    if (!m_made[n]) m_times[n] = make(n), m_made[n] = true;
    return m_times[n];
  }

 private:
  static constexpr uint64_t kCached = uint64_t{1} << 16;
  sc_core::sc_time make(uint64_t n) const {
    return sc_core::sc_time(static_cast<double>(n) * m_cycle_s, sc_core::SC_SEC);
  }
  double m_cycle_s = 0;
  std::vector<sc_core::sc_time> m_times;
  std::vector<bool> m_made;
  sc_core::sc_time m_spare;
};

}  // namespace ipsim
