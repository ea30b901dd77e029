// Shared scaffolding for the tests-as-firmware (kernels/apps/fwtest_*.c). Each test fills
// `volatile uint32_t fw_result[]` and ends with fwtest_finish(). On the MSP430 that exits
// through the debug mailbox (code 0) and the harness dumps fw_result from memory; the host
// build of the same file prints the bytes of fw_result as one hex line on stdout, in memory
// order (both are little-endian), so the two can be compared byte for byte.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "kernels/runtime/debug_port.h"

// Hides a constant from the optimiser so the operation really runs on the target.
#define FW_HIDE16(x) (*(volatile uint16_t*)&(uint16_t){(uint16_t)(x)})

// Order-sensitive 32-bit mix using only xor, add and constant shifts (no multiply or
// divide, so it does not depend on the helpers under test).
static inline uint32_t fw_mix(uint32_t h, uint32_t v) {
  h ^= v;
  h = (h << 7) | (h >> 25);
  return h + 0x9E3779B9ul;
}

static inline uint32_t fw_mix64(uint32_t h, uint64_t v) {
  return fw_mix(fw_mix(h, (uint32_t)v), (uint32_t)(v >> 32));
}

#ifdef __MSP430__
static inline int fwtest_finish(const volatile void* result, size_t bytes) {
  (void)result;
  (void)bytes;
  dbg_exit(0);
}
#else
#include <stdio.h>
static inline int fwtest_finish(const volatile void* result, size_t bytes) {
  const volatile uint8_t* p = (const volatile uint8_t*)result;
  for (size_t i = 0; i < bytes; ++i) printf("%02x", (unsigned)p[i]);
  printf("\n");
  return 0;
}
#endif
