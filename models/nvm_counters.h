#pragma once
// Exact NVM accounting (design.md §4): FRAM reads and writes in bytes and accesses, split by
// initiator and by address, so reports can attribute them to ELF symbols. Counters are kept
// per 16-bit FRAM word (the access's first byte), dense over info FRAM and main FRAM.
// Writes of an unchanged value still count: the hardware performs them.
#include <array>
#include <cstdint>
#include <vector>

#include "models/mem_map.h"

namespace ipsim {

enum class Initiator : uint8_t { kCpu = 0, kDma = 1, kLea = 2 };
inline constexpr unsigned kNumInitiators = 3;
const char* initiator_name(Initiator who);

// What an access does: instruction fetches are reads, but kept apart so code and data can be
// told apart in reports.
enum class NvmOp : uint8_t { kFetch = 0, kRead = 1, kWrite = 2 };
inline constexpr unsigned kNumNvmOps = 3;

class NvmCounters {
 public:
  static constexpr uint32_t kBase = kInfoFramBegin;
  static constexpr uint32_t kWords = (kFramEnd - kInfoFramBegin) / 2;

  struct Cell {
    uint64_t accesses = 0;
    uint64_t bytes = 0;
  };

  NvmCounters();

  // Hot path: no bounds check beyond the caller's page check (addr is inside FRAM).
  void count(Initiator who, NvmOp op, uint32_t addr, unsigned bytes) {
    Cell& c = m_cells[index(who, op)][(addr - kBase) >> 1];
    c.accesses += 1;
    c.bytes += bytes;
    Cell& t = m_totals[index(who, op)];
    t.accesses += 1;
    t.bytes += bytes;
  }

  const Cell& total(Initiator who, NvmOp op) const { return m_totals[index(who, op)]; }
  // Sum over [begin, end) of FRAM addresses.
  Cell range(Initiator who, NvmOp op, uint32_t begin, uint32_t end) const;
  const Cell& at(Initiator who, NvmOp op, uint32_t addr) const {
    return m_cells[index(who, op)][(addr - kBase) >> 1];
  }
  void clear();

 private:
  static unsigned index(Initiator who, NvmOp op) {
    return static_cast<unsigned>(who) * kNumNvmOps + static_cast<unsigned>(op);
  }
  std::array<std::vector<Cell>, kNumInitiators * kNumNvmOps> m_cells;
  std::array<Cell, kNumInitiators * kNumNvmOps> m_totals{};
};

}  // namespace ipsim
