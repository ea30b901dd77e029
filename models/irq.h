#pragma once
// Interrupt request lines into the CPU (facts §1.3): one bit per vector number 0..55, higher
// number = higher priority. A peripheral asserts its line while (IFG & IE) holds. When the
// core accepts a vector it calls acknowledge(), which runs the peripheral's hook, so
// single-source flags (e.g. TAxCCR0 CCIFG) are cleared automatically as on hardware.
#include <cstdint>
#include <functional>

namespace ipsim {

inline constexpr unsigned kNumVectors = 56;
inline constexpr unsigned kVectorLea = 18, kVectorDma = 42, kVectorWdt = 49;
inline constexpr unsigned kVectorTimer0A0 = 45, kVectorTimer0A1 = 44;
inline constexpr unsigned kVectorTimer1A0 = 41, kVectorTimer1A1 = 40;
inline constexpr unsigned kVectorTimer2A0 = 38, kVectorTimer2A1 = 37;
inline constexpr unsigned kVectorTimer3A0 = 35, kVectorTimer3A1 = 34;
inline constexpr unsigned kVectorUserNmi = 53, kVectorSysNmi = 54;

inline constexpr uint32_t vector_address(unsigned vector) {
  return 0xFF90 + 2 * vector;
}

class IrqLines {
 public:
  void set(unsigned vector, bool asserted) {
    const uint64_t bit = uint64_t{1} << vector;
    m_pending = asserted ? (m_pending | bit) : (m_pending & ~bit);
  }
  uint64_t pending() const { return m_pending; }
  bool any() const { return m_pending != 0; }

  // Highest pending vector; call only when any().
  unsigned highest() const { return 63u - static_cast<unsigned>(__builtin_clzll(m_pending)); }

  void on_acknowledge(unsigned vector, std::function<void()> hook) {
    m_ack[vector] = std::move(hook);
  }
  void acknowledge(unsigned vector) {
    if (m_ack[vector]) m_ack[vector]();
  }
  void clear_all() { m_pending = 0; }

 private:
  uint64_t m_pending = 0;
  std::function<void()> m_ack[kNumVectors];
};

}  // namespace ipsim
