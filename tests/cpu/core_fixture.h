#pragma once
// Test fixture for Msp430Core: a flat 1 MB host memory mapped as on the MSP430FR5994
// (facts §1.1): peripherals 0x0100-0x0FFF answer through a fake CoreBus, info FRAM and main
// FRAM are kFram pages, SRAM is kRam, everything else is vacant (kSlow, bus says kVacant).
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <vector>

#include "models/cpu/msp430_core.h"
#include "models/fram_cache.h"
#include "models/mem_map.h"
#include "models/nvm_counters.h"

namespace ipsim::test {

class FakeBus : public CoreBus {
 public:
  static constexpr uint32_t kPeriphOkBegin = 0x0100;
  uint16_t regs[0x1000] = {};
  unsigned reads = 0, writes = 0;

  BusStatus slow_read(uint32_t addr, unsigned size, uint16_t& value, uint64_t) override {
    if (addr < kPeriphOkBegin || addr >= kPeriphEnd) return BusStatus::kVacant;
    ++reads;
    const uint16_t w = regs[addr & ~1u];
    value = size == 1 ? ((addr & 1) ? (w >> 8) : (w & 0xFF)) : w;
    return BusStatus::kOk;
  }
  BusStatus slow_write(uint32_t addr, unsigned size, uint16_t value, uint64_t) override {
    if (addr < kPeriphOkBegin || addr >= kPeriphEnd) return BusStatus::kVacant;
    ++writes;
    uint16_t& w = regs[addr & ~1u];
    if (size == 2)
      w = value;
    else if (addr & 1)
      w = static_cast<uint16_t>((w & 0xFF) | (value << 8));
    else
      w = static_cast<uint16_t>((w & 0xFF00) | (value & 0xFF));
    if (on_write) on_write(addr, value);
    return BusStatus::kOk;
  }
  // Called after every peripheral write (a test's stand-in for a peripheral's reaction).
  std::function<void(uint32_t addr, uint16_t value)> on_write;
  // What registers_only() answers for every address (CoreBus: false is the safe default).
  bool vouch_registers_only = false;
  bool registers_only(uint32_t) const override { return vouch_registers_only; }
};

struct CoreFixture {
  static constexpr uint32_t kCode = 0x4400;  // main FRAM

  FakeBus bus;
  IrqLines irq;
  std::vector<uint8_t> mem = std::vector<uint8_t>(kAddressSpace, 0);
  Msp430Core core{bus, irq};
  FramCache cache;
  NvmCounters counters;

  CoreFixture() {
    for (uint32_t p = 0; p < kNumPages; ++p) {
      const uint32_t a = p << kPageShift;
      MemKind k = MemKind::kSlow;
      if ((a >= kInfoFramBegin && a < kInfoFramEnd) || (a >= kFramBegin && a < kFramEnd))
        k = MemKind::kFram;
      else if (a >= kSramBegin && a < kSramEnd)
        k = MemKind::kRam;
      core.map_page(p, k == MemKind::kSlow ? nullptr : &mem[a], k);
    }
    core.set_reg(1, 0x3B00);  // SP near the top of SRAM
  }

  void enable_fram(unsigned nwaits) {
    core.set_fram(&cache, &counters);
    core.set_nwaits(nwaits);
  }

  void w16(uint32_t a, uint16_t v) {
    mem[a] = static_cast<uint8_t>(v);
    mem[a + 1] = static_cast<uint8_t>(v >> 8);
  }
  uint16_t r16(uint32_t a) const { return static_cast<uint16_t>(mem[a] | (mem[a + 1] << 8)); }
  uint32_t r20(uint32_t a) const { return (r16(a) | (uint32_t{r16(a + 2)} << 16)) & 0xFFFFF; }

  // Writes code words at addr and points the PC there.
  void load(uint32_t addr, std::initializer_list<uint16_t> words) {
    uint32_t a = addr;
    for (uint16_t w : words) w16(a, w), a += 2;
    core.set_reg(0, addr);
  }
  void load(uint32_t addr, const std::vector<uint16_t>& words) {
    uint32_t a = addr;
    for (uint16_t w : words) w16(a, w), a += 2;
    core.set_reg(0, addr);
  }

  // Steps one instruction; returns the cycles it took.
  uint64_t step() {
    const uint64_t before = core.cycles();
    core.step();
    return core.cycles() - before;
  }
};

// SR bits (facts §2.1).
inline constexpr uint16_t kC = 0x0001, kZ = 0x0002, kN = 0x0004, kGie = 0x0008;
inline constexpr uint16_t kCpuOff = 0x0010, kScg0 = 0x0040, kV = 0x0100;
inline constexpr uint16_t kFlagMask = kC | kZ | kN | kV;

}  // namespace ipsim::test
