#pragma once
// The memory interface of Msp430Core. The core is a plain class (no SystemC kernel needed),
// so instruction tests can run it on a fake memory; the Msp430Cpu module adapts it to TLM.
//
// Fast path: a page table of 256-byte pages. A page that maps SRAM or FRAM carries a host
// pointer obtained by DMI; the core reads and writes it directly. FRAM pages additionally go
// through the FRAM cache model (wait states on misses, facts §2.4) and the NVM counters.
// Everything else (peripherals, vacant memory) goes through CoreBus::slow_read/slow_write.
#include <cstdint>

namespace ipsim {

class FramCache;
class NvmCounters;

enum class MemKind : uint8_t { kSlow = 0, kRam = 1, kFram = 2 };

struct PageEntry {
  uint8_t* host = nullptr;  // first byte of the page in host memory; null for kSlow
  MemKind kind = MemKind::kSlow;
  bool code = false;  // the core has decoded code here: a CPU write ends a block run
};

inline constexpr unsigned kPageShift = 8;
inline constexpr uint32_t kNumPages = (1u << 20) >> kPageShift;

// Result of a slow access. kVacant stops the run with a fault that names PC, address, cycle.
enum class BusStatus : uint8_t { kOk, kVacant };

class CoreBus {
 public:
  virtual ~CoreBus() = default;
  // size is 1 or 2 bytes (peripheral registers are byte or word). now_cycles is the core's
  // cycle count at the access, so a register that shows the present can compute it.
  virtual BusStatus slow_read(uint32_t addr, unsigned size, uint16_t& value,
                              uint64_t now_cycles) = 0;
  virtual BusStatus slow_write(uint32_t addr, unsigned size, uint16_t value,
                               uint64_t now_cycles) = 0;
  // True if a slow access at addr can change nothing but registers: no memory the core may
  // have decoded (a write to memory that it causes through another initiator is reported by
  // Msp430Core::memory_may_change instead). False, the safe answer, makes the core recheck
  // its decoded code against memory after the access.
  virtual bool registers_only(uint32_t /*addr*/) const { return false; }
};

}  // namespace ipsim
