// Speed benchmark for Msp430Core (not a test): runs a hand-encoded loop from FRAM with the
// FRAM cache, NVM counters and NWAITS = 1 enabled, and prints simulated MIPS.
// Usage: bench_core [million instructions, default 200]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <vector>

#include "models/cpu/msp430_core.h"
#include "models/fram_cache.h"
#include "models/mem_map.h"
#include "models/nvm_counters.h"

namespace {

class NullBus : public ipsim::CoreBus {
 public:
  ipsim::BusStatus slow_read(uint32_t, unsigned, uint16_t& v, uint64_t) override {
    v = 0;
    return ipsim::BusStatus::kOk;
  }
  ipsim::BusStatus slow_write(uint32_t, unsigned, uint16_t, uint64_t) override {
    return ipsim::BusStatus::kOk;
  }
};

}  // namespace

int main(int argc, char** argv) {
  using namespace ipsim;
  const uint64_t target = (argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200) * 1000000ull;

  std::vector<uint8_t> mem(kAddressSpace, 0);
  NullBus bus;
  IrqLines irq;
  FramCache cache;
  NvmCounters counters;
  Msp430Core core(bus, irq);
  for (uint32_t p = 0; p < kNumPages; ++p) {
    const uint32_t a = p << kPageShift;
    MemKind k = MemKind::kSlow;
    if ((a >= kInfoFramBegin && a < kInfoFramEnd) || (a >= kFramBegin && a < kFramEnd))
      k = MemKind::kFram;
    else if (a >= kSramBegin && a < kSramEnd)
      k = MemKind::kRam;
    core.map_page(p, k == MemKind::kSlow ? nullptr : &mem[a], k);
  }
  core.set_fram(&cache, &counters);
  core.set_nwaits(1);

  // Loop at 0x4400 (FRAM); data in SRAM (r4) and FRAM (r6); stack in SRAM.
  const uint16_t code[] = {
      0x4425,          // 4400 mov @r4, r5        SRAM load
      0x5507,          // 4402 add r5, r7
      0x4784, 0x0002,  // 4404 mov r7, 2(r4)      SRAM store
      0x4628,          // 4408 mov @r6, r8        FRAM load
      0x5318,          // 440A add #1, r8
      0x4886, 0x0000,  // 440C mov r8, 0(r6)      FRAM store
      0xE509,          // 4410 xor r5, r9
      0x12B0, 0x4420,  // 4412 call #0x4420
      0x831A,          // 4416 sub #1, r10
      0x23F3,          // 4418 jne 0x4400
      0x3FF2,          // 441A jmp 0x4400
      0x0000, 0x0000,  // 441C
      0x590B,          // 4420 add r9, r11
      0x110B,          // 4422 rra r11
      0x4130,          // 4424 ret
  };
  uint32_t a = 0x4400;
  for (uint16_t w : code) mem[a] = w & 0xFF, mem[a + 1] = w >> 8, a += 2;
  core.set_reg(0, 0x4400);
  core.set_reg(1, 0x3B00);
  core.set_reg(4, 0x2000);
  core.set_reg(6, 0x4800);

  const std::clock_t c0 = std::clock();
  const auto t0 = std::chrono::steady_clock::now();
  while (core.instructions() < target) {
    const StopReason why = core.run(core.cycles() + 10000000);
    if (why != StopReason::kBudget) {
      std::printf("unexpected stop %d: %s\n", static_cast<int>(why),
                  core.fault().message().c_str());
      return 1;
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double cpu_secs = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
  std::printf("CPU time %.3f s: %.1f MIPS per CPU second (the machine may be shared)\n", cpu_secs,
              core.instructions() / cpu_secs / 1e6);
  const auto fetch = counters.total(Initiator::kCpu, NvmOp::kFetch);
  std::printf("instructions %llu cycles %llu in %.3f s: %.1f MIPS (CPI %.3f)\n",
              static_cast<unsigned long long>(core.instructions()),
              static_cast<unsigned long long>(core.cycles()), secs,
              core.instructions() / secs / 1e6,
              static_cast<double>(core.cycles()) / core.instructions());
  std::printf("FRAM fetch accesses %llu, cache hits %llu misses %llu\n",
              static_cast<unsigned long long>(fetch.accesses),
              static_cast<unsigned long long>(cache.hits()),
              static_cast<unsigned long long>(cache.misses()));
  return 0;
}
