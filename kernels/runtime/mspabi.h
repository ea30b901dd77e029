// Prototypes of the MSP430 EABI compiler helpers implemented in kernels/runtime/
// (facts §2.6). Firmware never calls these by name; clang emits the calls. The host test
// build sees them under the ipsim_rt prefix (runtime_names.h).
//
// Semantics where C leaves them undefined (chosen to match libgcc's shift-and-subtract):
//   x / 0 == 0 for x != 0, 0 / 0 == 1 (the subtract loop's first step succeeds), and
//   x % 0 == x, for every width, signed and unsigned;
//   INT_MIN / -1 == INT_MIN and INT_MIN % -1 == 0 (two's-complement wrap);
//   shift counts are taken modulo the operand width (16, 32 or 64).
#pragma once

#include <stdint.h>

#include "kernels/runtime/runtime_names.h"

#ifdef __cplusplus
extern "C" {
#endif

int16_t IPSIM_RT(__mspabi_divi)(int16_t a, int16_t b);
int16_t IPSIM_RT(__mspabi_remi)(int16_t a, int16_t b);
uint16_t IPSIM_RT(__mspabi_divu)(uint16_t a, uint16_t b);
uint16_t IPSIM_RT(__mspabi_remu)(uint16_t a, uint16_t b);
int32_t IPSIM_RT(__mspabi_divli)(int32_t a, int32_t b);
int32_t IPSIM_RT(__mspabi_remli)(int32_t a, int32_t b);
uint32_t IPSIM_RT(__mspabi_divul)(uint32_t a, uint32_t b);
uint32_t IPSIM_RT(__mspabi_remul)(uint32_t a, uint32_t b);

// 64-bit division and the software 64-bit multiply use the MSP430_BUILTIN convention
// (operand 1 in R8-R11, operand 2 in R12-R15); mspabi_builtin.S adapts them to these
// plain-C functions, which keep one name on both sides.
int64_t ipsim_rt_divlli(int64_t a, int64_t b);
int64_t ipsim_rt_remlli(int64_t a, int64_t b);
uint64_t ipsim_rt_divull(uint64_t a, uint64_t b);
uint64_t ipsim_rt_remull(uint64_t a, uint64_t b);
uint64_t ipsim_rt_mpyll(uint64_t a, uint64_t b);

// Software multiplies (-mhwmult=none).
int16_t IPSIM_RT(__mspabi_mpyi)(int16_t a, int16_t b);
int32_t IPSIM_RT(__mspabi_mpyl)(int32_t a, int32_t b);
int32_t IPSIM_RT(__mspabi_mpysl)(int16_t a, int16_t b);
uint32_t IPSIM_RT(__mspabi_mpyul)(uint16_t a, uint16_t b);
int64_t IPSIM_RT(__mspabi_mpysll)(int32_t a, int32_t b);
uint64_t IPSIM_RT(__mspabi_mpyull)(uint32_t a, uint32_t b);

// Shifts: value, count.
int16_t IPSIM_RT(__mspabi_slli)(int16_t x, int16_t n);
int16_t IPSIM_RT(__mspabi_srai)(int16_t x, int16_t n);
uint16_t IPSIM_RT(__mspabi_srli)(uint16_t x, int16_t n);
int32_t IPSIM_RT(__mspabi_slll)(int32_t x, int16_t n);
int32_t IPSIM_RT(__mspabi_sral)(int32_t x, int16_t n);
uint32_t IPSIM_RT(__mspabi_srll)(uint32_t x, int16_t n);
int64_t IPSIM_RT(__ashldi3)(int64_t x, int16_t n);
int64_t IPSIM_RT(__ashrdi3)(int64_t x, int16_t n);
uint64_t IPSIM_RT(__lshrdi3)(uint64_t x, int16_t n);

#ifdef __cplusplus
}
#endif
