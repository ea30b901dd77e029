#include "models/nvm_counters.h"

#include <algorithm>

namespace ipsim {

const char* initiator_name(Initiator who) {
  switch (who) {
    case Initiator::kCpu: return "cpu";
    case Initiator::kDma: return "dma";
    case Initiator::kLea: return "lea";
  }
  return "?";
}

NvmCounters::NvmCounters() {
  for (auto& v : m_cells) v.assign(kWords, Cell{});
}

NvmCounters::Cell NvmCounters::range(Initiator who, NvmOp op, uint32_t begin,
                                     uint32_t end) const {
  Cell sum;
  begin = std::max(begin, kBase);
  end = std::min(end, kFramEnd);
  if (begin >= end) return sum;
  const auto& cells = m_cells[index(who, op)];
  for (uint32_t w = (begin - kBase) >> 1; w < ((end - kBase + 1) >> 1); ++w) {
    sum.accesses += cells[w].accesses;
    sum.bytes += cells[w].bytes;
  }
  return sum;
}

void NvmCounters::clear() {
  for (auto& v : m_cells) std::fill(v.begin(), v.end(), Cell{});
  m_totals.fill(Cell{});
}

}  // namespace ipsim
