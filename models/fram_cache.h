#pragma once
// FRAM read cache (approximate; facts §3 and §7.3). TI does not document the geometry; we take
// Fused's model [FUSED Cache.cpp]: 2 sets x 2 ways x 8-byte lines (four 64-bit lines), LRU,
// write-around (a write goes to the array and drops a hitting line). A read miss fills one
// line and costs FRCTL0.NWAITS extra MCLK cycles (facts §2.4); a write always reaches the
// array and costs NWAITS (facts §3: write time equals read time).
// Speed: the most recently looked-up line is present and most recently used, so a repeated
// lookup of it is a hit that changes no state; read() answers it with one compare, and the
// CPU's fetch path skips it altogether (touch_line, add_hits).
#include <cstdint>

namespace ipsim {

class FramCache {
 public:
  static constexpr unsigned kLineShift = 3;

  // Drops every line (power loss); the hit, miss and write statistics keep counting.
  void invalidate_all() {
    for (auto& set : m_sets) set = Set{};
    m_last = 0;
  }

  static uint32_t line_of(uint32_t addr) { return (addr >> kLineShift) + 1; }  // 0: invalid

  // Returns true on a hit. A miss fills the least recently used way of the set.
  bool read(uint32_t addr) {
    const uint32_t line = line_of(addr);
    if (line == m_last || touch_line(line)) {
      ++m_hits;
      return true;
    }
    return false;
  }

  // The lookup of read() that counts a miss but not a hit: for a caller that counts its hits
  // in bulk with add_hits() (the CPU's instruction fetch).
  bool touch_line(uint32_t line) {
    m_last = line;
    const bool miss = touch_set(m_sets[line & 1], line);
    m_misses += miss;
    return !miss;
  }
  // touch_line() of first, first + 1, ..., first + n - 1 (n >= 1; a straight-line run's
  // fetches, which touch the sets in turn): returns the misses.
  unsigned touch_run(uint32_t first, unsigned n) {
    unsigned misses = 0;
    const uint32_t end = first + n;
    for (uint32_t line = first; line != end; ++line) misses += touch_set(m_sets[line & 1], line);
    m_last = end - 1;
    m_misses += misses;
    return misses;
  }
  uint32_t last_line() const { return m_last; }
  void add_hits(uint64_t n) { m_hits += n; }

  // Every FRAM word write goes through here (the energy model counts them).
  void write(uint32_t addr) {
    ++m_writes;
    const uint32_t line = line_of(addr);
    Set& s = m_sets[line & 1];
    if (s.mru == line) s.mru = s.lru, s.lru = 0;  // the dropped way is replaced next
    if (s.lru == line) s.lru = 0;
    if (line == m_last) m_last = 0;
  }

  uint64_t hits() const { return m_hits; }
  uint64_t misses() const { return m_misses; }
  uint64_t writes() const { return m_writes; }

 private:
  // The two ways by recency: lru is the line replaced next. 0: an empty way.
  struct Set {
    uint32_t mru = 0, lru = 0;
  };
  // The lookup of line in its set s, without the counts: whether it missed.
  static bool touch_set(Set& s, uint32_t line) {
    if (s.mru == line) return false;
    // A hit in the LRU way and a miss update the set alike: line becomes MRU, the old MRU
    // LRU (a miss evicts the old LRU line). Only the count differs, so no branch on it.
    const bool miss = s.lru != line;
    s.lru = s.mru;
    s.mru = line;
    return miss;
  }
  Set m_sets[2];
  uint64_t m_hits = 0, m_misses = 0, m_writes = 0;
  uint32_t m_last = 0;  // line of the latest lookup (present, most recently used); 0 = none
};

}  // namespace ipsim
