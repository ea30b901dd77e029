// memcpy, memset, memmove, memcmp: clang emits calls to these for struct copies and
// initialisers, and there is no C library for the MSP430 (design.md §5). Compiled with
// -fno-builtin so the loops are not turned back into calls to themselves.

#include <stddef.h>
#include <stdint.h>

#include "kernels/runtime/runtime_names.h"

void* IPSIM_RT(memcpy)(void* restrict dst, const void* restrict src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  // word copies when both are even: half the bus cycles on the 16-bit MSP430
  if ((((uintptr_t)d | (uintptr_t)s) & 1u) == 0) {
    for (; n >= 2; n -= 2, d += 2, s += 2) *(uint16_t*)d = *(const uint16_t*)s;
  }
  while (n--) *d++ = *s++;
  return dst;
}

void* IPSIM_RT(memset)(void* dst, int c, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  uint8_t b = (uint8_t)c;
  if (((uintptr_t)d & 1u) == 0) {
    uint16_t w = (uint16_t)(b | (uint16_t)(b << 8));
    for (; n >= 2; n -= 2, d += 2) *(uint16_t*)d = w;
  }
  while (n--) *d++ = b;
  return dst;
}

void* IPSIM_RT(memmove)(void* dst, const void* src, size_t n) {
  uint8_t* d = (uint8_t*)dst;
  const uint8_t* s = (const uint8_t*)src;
  if (d == s || n == 0) return dst;
  if (d < s || d >= s + n) {
    while (n--) *d++ = *s++;  // no harmful overlap: copy forwards
  } else {
    d += n;
    s += n;
    while (n--) *--d = *--s;  // destination overlaps the tail of the source: backwards
  }
  return dst;
}

int IPSIM_RT(memcmp)(const void* a, const void* b, size_t n) {
  const uint8_t* p = (const uint8_t*)a;
  const uint8_t* q = (const uint8_t*)b;
  for (; n; --n, ++p, ++q) {
    if (*p != *q) return (int)*p - (int)*q;
  }
  return 0;
}
