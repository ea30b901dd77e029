#pragma once
// MSP430FR5994 address map (facts §1.1, datasheet SLASE54D Table 9-41 [DS-MM]).
#include <cstdint>

namespace ipsim {

inline constexpr uint32_t kAddressSpace = 1u << 20;  // 20-bit MSP430X address bus

inline constexpr uint32_t kPeriphBegin = 0x00000, kPeriphEnd = 0x01000;
inline constexpr uint32_t kInfoFramBegin = 0x01800, kInfoFramEnd = 0x01B00;  // info A-D + TLV
inline constexpr uint32_t kSramBegin = 0x01C00, kSramEnd = 0x03C00;
inline constexpr uint32_t kLeaRamBegin = 0x02C00, kLeaRamEnd = 0x03C00;  // top 4 KB of SRAM
inline constexpr uint32_t kFramBegin = 0x04000, kFramEnd = 0x44000;      // main FRAM, 256 KB
inline constexpr uint32_t kLowFramEnd = 0x10000;
inline constexpr uint32_t kVectorsBegin = 0x0FF90, kResetVector = 0x0FFFE;

inline constexpr uint32_t kMask20 = 0xFFFFF;

// [addr, addr + len) lies inside [lo, hi). Computed without addr + len, which can wrap in
// 32 bits and let a hostile length pass (an ELF segment at 0xFFFFFFF0, say).
inline constexpr bool range_inside(uint32_t addr, uint64_t len, uint32_t lo, uint32_t hi) {
  return addr >= lo && addr <= hi && len <= uint64_t{hi} - addr;
}

}  // namespace ipsim
