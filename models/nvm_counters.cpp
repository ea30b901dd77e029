#include "models/nvm_counters.h"

#include <algorithm>
#include <new>

namespace ipsim {

const char* initiator_name(Initiator who) {
  switch (who) {
    case Initiator::kCpu:
      return "cpu";
    case Initiator::kDma:
      return "dma";
    case Initiator::kLea:
      return "lea";
  }
  return "?";
}

namespace {
NvmCounters::Cell* zeroed_cells() {
  void* p = std::calloc(NvmCounters::kWords, sizeof(NvmCounters::Cell));
  if (!p) throw std::bad_alloc();
  return static_cast<NvmCounters::Cell*>(p);
}
}  // namespace

NvmCounters::NvmCounters() {
  for (auto& v : m_cells) v.reset(zeroed_cells());
}

NvmCounters::~NvmCounters() {
  if (m_pending_fn) m_pending_fn(m_pending_ctx, true);
}

NvmCounters::Cell NvmCounters::range(Initiator who, NvmOp op, uint32_t begin, uint32_t end) const {
  Cell sum;
  begin = std::max(begin, kBase);
  end = std::min(end, kFramEnd);
  if (begin >= end) return sum;
  fold();
  const auto& cells = m_cells[index(who, op)];
  for (uint32_t w = (begin - kBase) >> 1; w < ((end - kBase + 1) >> 1); ++w) {
    sum.accesses += cells[w].accesses;
    sum.bytes += cells[w].bytes;
  }
  return sum;
}

void NvmCounters::clear() {
  fold();  // pending counts belong to the time before the clear
  for (auto& v : m_cells) v.reset(zeroed_cells());
  m_totals.fill(Cell{});
  m_touched.fill(false);
}

}  // namespace ipsim
