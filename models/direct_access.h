#pragma once
// A memory that the DMA reaches without a TLM payload (Dma::add_direct_memory): the same
// access its b_transport makes, with the wait states returned as a count rather than added to
// a delay, so a transfer costs no payload set-up, no bus decode and no time arithmetic.
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/nvm_counters.h"

namespace ipsim {

struct AddrRange {
  uint32_t begin, end;  // [begin, end)
};

class DirectAccess {
 public:
  virtual ~DirectAccess() = default;
  // The absolute address ranges this memory answers (as it is mapped on the bus).
  virtual std::vector<AddrRange> direct_ranges() const = 0;
  // One read or write of len bytes at absolute addr by `who`, exactly as b_transport does it;
  // adds the wait states it meets to *waits. false: not inside the memory (nothing done).
  virtual bool direct_access(Initiator who, bool write, uint32_t addr, uint8_t* data, unsigned len,
                             unsigned* waits) = 0;
  // The delay b_transport adds for `waits` wait states (for an access that follows on the bus).
  virtual sc_core::sc_time wait_delay(unsigned waits) = 0;
};

}  // namespace ipsim
