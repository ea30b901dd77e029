// 64x64 -> 64 multiply on the MPY32 (facts §2.6: clang -mhwmult=f5series calls
// __mspabi_mpyll_f5hw with the plain EABI convention; libgcc only branches to software).
// Low 64 bits of a*b = al*bl + ((al*bh + ah*bl) << 32): one 32x32->64 on the MPY32 plus two
// 32-bit multiplies, which clang lowers to __mspabi_mpyl_f5hw (never to this function).

#include <stdint.h>

uint64_t __mspabi_mpyull_f5hw(uint32_t a, uint32_t b);
uint64_t __mspabi_mpyll_f5hw(uint64_t a, uint64_t b);

uint64_t __mspabi_mpyll_f5hw(uint64_t a, uint64_t b) {
  uint32_t al = (uint32_t)a, ah = (uint32_t)(a >> 32);
  uint32_t bl = (uint32_t)b, bh = (uint32_t)(b >> 32);
  uint32_t cross = al * bh + ah * bl;
  return __mspabi_mpyull_f5hw(al, bl) + ((uint64_t)cross << 32);
}
