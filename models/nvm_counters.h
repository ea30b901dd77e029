#pragma once
// Exact NVM accounting (design.md §4): FRAM reads and writes in bytes and accesses, split by
// initiator and by address, so reports can attribute them to ELF symbols. Counters are kept
// per 16-bit FRAM word (the access's first byte), dense over info FRAM and main FRAM.
// Writes of an unchanged value still count: the hardware performs them.
// A counting source may batch its counts (the CPU core keeps instruction-fetch counts per
// decoded instruction) if it registers a pending-count hook: every reader (total, range, at,
// clear) folds the pending counts in first, so results are exact whenever they are read.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>

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
  // Counted chunks are flagged so that readers can skip the rest of FRAM (a report's walk
  // would otherwise read, and page in, every counter of the 256 KB).
  static constexpr unsigned kChunkBytes = 512;

  struct Cell {
    uint64_t accesses = 0;
    uint64_t bytes = 0;
  };

  NvmCounters();
  ~NvmCounters();
  NvmCounters(const NvmCounters&) = delete;
  NvmCounters& operator=(const NvmCounters&) = delete;

  // Pending-count hook: fn(ctx, false) must add the source's batched counts (with count_n);
  // fn(ctx, true) tells the source that these counters are being destroyed. One source at a
  // time; set_pending(nullptr, nullptr) removes it.
  using PendingFn = void (*)(void* ctx, bool detach);
  void set_pending(void* ctx, PendingFn fn) {
    m_pending_ctx = ctx;
    m_pending_fn = fn;
  }

  // Hot path: no bounds check beyond the caller's page check (addr is inside FRAM).
  void count(Initiator who, NvmOp op, uint32_t addr, unsigned bytes) {
    Cell& c = m_cells[index(who, op)][(addr - kBase) >> 1];
    m_touched[(addr - kBase) / kChunkBytes] = true;
    c.accesses += 1;
    c.bytes += bytes;
    Cell& t = m_totals[index(who, op)];
    t.accesses += 1;
    t.bytes += bytes;
  }
  // n accesses of `bytes` bytes each at addr: n calls of count() in one.
  void count_n(Initiator who, NvmOp op, uint32_t addr, unsigned bytes, uint64_t n) {
    Cell& c = m_cells[index(who, op)][(addr - kBase) >> 1];
    m_touched[(addr - kBase) / kChunkBytes] = true;
    c.accesses += n;
    c.bytes += n * bytes;
    Cell& t = m_totals[index(who, op)];
    t.accesses += n;
    t.bytes += n * bytes;
  }

  const Cell& total(Initiator who, NvmOp op) const {
    fold();
    return m_totals[index(who, op)];
  }
  // Bytes of op by every initiator without folding batched counts: exact for kRead and
  // kWrite (never batched) and cheap enough to call per instruction (the profiler does).
  uint64_t unfolded_bytes(NvmOp op) const {
    uint64_t sum = 0;
    for (unsigned w = 0; w < kNumInitiators; ++w)
      sum += m_totals[w * kNumNvmOps + unsigned(op)].bytes;
    return sum;
  }
  // Sum over [begin, end) of FRAM addresses.
  Cell range(Initiator who, NvmOp op, uint32_t begin, uint32_t end) const;
  const Cell& at(Initiator who, NvmOp op, uint32_t addr) const {
    fold();
    return m_cells[index(who, op)][(addr - kBase) >> 1];
  }
  // false: every counter of the kChunkBytes-aligned chunk holding addr is zero.
  bool touched(uint32_t addr) const {
    fold();
    return m_touched[(addr - kBase) / kChunkBytes];
  }
  void clear();

 private:
  static unsigned index(Initiator who, NvmOp op) {
    return static_cast<unsigned>(who) * kNumNvmOps + static_cast<unsigned>(op);
  }
  void fold() const {
    if (m_pending_fn) m_pending_fn(m_pending_ctx, false);
  }
  struct Free {
    void operator()(Cell* p) const { std::free(p); }
  };
  // calloc: large zeroed blocks come straight from the OS, touched only where counted.
  std::array<std::unique_ptr<Cell[], Free>, kNumInitiators * kNumNvmOps> m_cells;
  std::array<Cell, kNumInitiators * kNumNvmOps> m_totals{};
  std::array<bool, (kFramEnd - kBase + kChunkBytes - 1) / kChunkBytes> m_touched{};
  void* m_pending_ctx = nullptr;
  PendingFn m_pending_fn = nullptr;
};

}  // namespace ipsim
