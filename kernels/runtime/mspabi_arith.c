// Integer compiler helpers for the MSP430 EABI (facts §2.6): division, remainder, software
// multiply and shifts, in portable C so the host tests compile the very same code.
//
// Each helper is written so clang never lowers it back into a call to itself: no / or %,
// no variable-count shift at the helper's own width, no multiply at the helper's width.
// Only single-bit and whole-word constant shifts are used, which clang inlines
// (add/addc, rrc, swpb, word moves). The build checks this with llvm-objdump.

#include <stdint.h>

#include "kernels/runtime/mspabi.h"

// ---- unsigned divide: libgcc-style normalise then shift-and-subtract ----
// Time depends on the quotient's size (small quotients are quick). A zero divisor gives
// quotient 0 (1 for 0/0) and remainder = dividend, as libgcc's udivmodhi4/udivmodsi4 do.

static uint16_t udivmod16(uint16_t num, uint16_t den, uint16_t* rem) {
  uint16_t bit = 1, res = 0;
  while (den < num && bit && !(den & 0x8000u)) {
    den = (uint16_t)(den << 1);
    bit = (uint16_t)(bit << 1);
  }
  while (bit) {
    if (num >= den) {
      num = (uint16_t)(num - den);
      res |= bit;
    }
    bit >>= 1;
    den >>= 1;
  }
  *rem = num;
  return res;
}

static uint32_t udivmod32(uint32_t num, uint32_t den, uint32_t* rem) {
  uint32_t bit = 1, res = 0;
  while (den < num && bit && !(den & 0x80000000ul)) {
    den <<= 1;
    bit <<= 1;
  }
  while (bit) {
    if (num >= den) {
      num -= den;
      res |= bit;
    }
    bit >>= 1;
    den >>= 1;
  }
  *rem = num;
  return res;
}

static uint64_t udivmod64(uint64_t num, uint64_t den, uint64_t* rem) {
  uint64_t bit = 1, res = 0;
  while (den < num && bit && !(den & 0x8000000000000000ull)) {
    den <<= 1;
    bit <<= 1;
  }
  while (bit) {
    if (num >= den) {
      num -= den;
      res |= bit;
    }
    bit >>= 1;
    den >>= 1;
  }
  *rem = num;
  return res;
}

// ---- 16-bit ----
uint16_t IPSIM_RT(__mspabi_divu)(uint16_t a, uint16_t b) {
  uint16_t r;
  return udivmod16(a, b, &r);
}

uint16_t IPSIM_RT(__mspabi_remu)(uint16_t a, uint16_t b) {
  uint16_t r;
  udivmod16(a, b, &r);
  return r;
}

// Signed forms work on magnitudes; unsigned negation keeps INT_MIN well defined.
int16_t IPSIM_RT(__mspabi_divi)(int16_t a, int16_t b) {
  uint16_t ua = (uint16_t)a, ub = (uint16_t)b, r;
  int neg = 0;
  if (a < 0) {
    ua = (uint16_t)(0u - ua);
    neg = !neg;
  }
  if (b < 0) {
    ub = (uint16_t)(0u - ub);
    neg = !neg;
  }
  uint16_t q = udivmod16(ua, ub, &r);
  return (int16_t)(neg ? (uint16_t)(0u - q) : q);
}

int16_t IPSIM_RT(__mspabi_remi)(int16_t a, int16_t b) {
  uint16_t ua = (uint16_t)a, ub = (uint16_t)b, r;
  if (a < 0) ua = (uint16_t)(0u - ua);
  if (b < 0) ub = (uint16_t)(0u - ub);
  udivmod16(ua, ub, &r);
  return (int16_t)(a < 0 ? (uint16_t)(0u - r) : r);  // remainder takes the dividend's sign
}

// ---- 32-bit ----
uint32_t IPSIM_RT(__mspabi_divul)(uint32_t a, uint32_t b) {
  uint32_t r;
  return udivmod32(a, b, &r);
}

uint32_t IPSIM_RT(__mspabi_remul)(uint32_t a, uint32_t b) {
  uint32_t r;
  udivmod32(a, b, &r);
  return r;
}

int32_t IPSIM_RT(__mspabi_divli)(int32_t a, int32_t b) {
  uint32_t ua = (uint32_t)a, ub = (uint32_t)b, r;
  int neg = 0;
  if (a < 0) {
    ua = 0u - ua;
    neg = !neg;
  }
  if (b < 0) {
    ub = 0u - ub;
    neg = !neg;
  }
  uint32_t q = udivmod32(ua, ub, &r);
  return (int32_t)(neg ? 0u - q : q);
}

int32_t IPSIM_RT(__mspabi_remli)(int32_t a, int32_t b) {
  uint32_t ua = (uint32_t)a, ub = (uint32_t)b, r;
  if (a < 0) ua = 0u - ua;
  if (b < 0) ub = 0u - ub;
  udivmod32(ua, ub, &r);
  return (int32_t)(a < 0 ? 0u - r : r);
}

// ---- 64-bit (reached through mspabi_builtin.S on the MSP430) ----
uint64_t ipsim_rt_divull(uint64_t a, uint64_t b) {
  uint64_t r;
  return udivmod64(a, b, &r);
}

uint64_t ipsim_rt_remull(uint64_t a, uint64_t b) {
  uint64_t r;
  udivmod64(a, b, &r);
  return r;
}

int64_t ipsim_rt_divlli(int64_t a, int64_t b) {
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b, r;
  int neg = 0;
  if (a < 0) {
    ua = 0u - ua;
    neg = !neg;
  }
  if (b < 0) {
    ub = 0u - ub;
    neg = !neg;
  }
  uint64_t q = udivmod64(ua, ub, &r);
  return (int64_t)(neg ? 0u - q : q);
}

int64_t ipsim_rt_remlli(int64_t a, int64_t b) {
  uint64_t ua = (uint64_t)a, ub = (uint64_t)b, r;
  if (a < 0) ua = 0u - ua;
  if (b < 0) ub = 0u - ub;
  udivmod64(ua, ub, &r);
  return (int64_t)(a < 0 ? 0u - r : r);
}

// ---- software multiply (-mhwmult=none): shift-and-add over the multiplier's bits ----
static uint16_t umul16(uint16_t a, uint16_t b) {
  uint16_t r = 0;
  while (b) {
    if (b & 1u) r = (uint16_t)(r + a);
    a = (uint16_t)(a << 1);
    b >>= 1;
  }
  return r;
}

static uint32_t umul32(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  while (b) {
    if (b & 1u) r += a;
    a <<= 1;
    b >>= 1;
  }
  return r;
}

static uint64_t umul64(uint64_t a, uint64_t b) {
  uint64_t r = 0;
  while (b) {
    if (b & 1u) r += a;
    a <<= 1;
    b >>= 1;
  }
  return r;
}

int16_t IPSIM_RT(__mspabi_mpyi)(int16_t a, int16_t b) {
  return (int16_t)umul16((uint16_t)a, (uint16_t)b);
}

int32_t IPSIM_RT(__mspabi_mpyl)(int32_t a, int32_t b) {
  return (int32_t)umul32((uint32_t)a, (uint32_t)b);
}

int32_t IPSIM_RT(__mspabi_mpysl)(int16_t a, int16_t b) {
  return (int32_t)umul32((uint32_t)(int32_t)a, (uint32_t)(int32_t)b);
}

uint32_t IPSIM_RT(__mspabi_mpyul)(uint16_t a, uint16_t b) {
  return umul32(a, b);
}

int64_t IPSIM_RT(__mspabi_mpysll)(int32_t a, int32_t b) {
  return (int64_t)umul64((uint64_t)(int64_t)a, (uint64_t)(int64_t)b);
}

uint64_t IPSIM_RT(__mspabi_mpyull)(uint32_t a, uint32_t b) {
  return umul64(a, b);
}

uint64_t ipsim_rt_mpyll(uint64_t a, uint64_t b) {
  return umul64(a, b);
}

// ---- shifts: count modulo the width; whole words first, then single bits ----
int16_t IPSIM_RT(__mspabi_slli)(int16_t x, int16_t n) {
  uint16_t v = (uint16_t)x;
  for (n &= 15; n; --n) v = (uint16_t)(v << 1);
  return (int16_t)v;
}

int16_t IPSIM_RT(__mspabi_srai)(int16_t x, int16_t n) {
  for (n &= 15; n; --n) x = (int16_t)(x >> 1);  // arithmetic (rra)
  return x;
}

uint16_t IPSIM_RT(__mspabi_srli)(uint16_t x, int16_t n) {
  for (n &= 15; n; --n) x >>= 1;
  return x;
}

int32_t IPSIM_RT(__mspabi_slll)(int32_t x, int16_t n) {
  uint32_t v = (uint32_t)x;
  n &= 31;
  if (n & 16) v <<= 16;
  for (n &= 15; n; --n) v <<= 1;
  return (int32_t)v;
}

int32_t IPSIM_RT(__mspabi_sral)(int32_t x, int16_t n) {
  n &= 31;
  if (n & 16) x >>= 16;
  for (n &= 15; n; --n) x >>= 1;
  return x;
}

uint32_t IPSIM_RT(__mspabi_srll)(uint32_t x, int16_t n) {
  n &= 31;
  if (n & 16) x >>= 16;
  for (n &= 15; n; --n) x >>= 1;
  return x;
}

// 64-bit shifts split into 32-bit halves; the 32-bit variable shifts they use are
// __mspabi_slll/srll/sral above, never a 64-bit shift.
int64_t IPSIM_RT(__ashldi3)(int64_t x, int16_t n) {
  uint32_t lo = (uint32_t)x, hi = (uint32_t)((uint64_t)x >> 32);
  n &= 63;
  if (n & 32) {
    hi = lo;
    lo = 0;
    n &= 31;
  }
  if (n) {
    hi = (hi << n) | (lo >> (32 - n));
    lo <<= n;
  }
  return (int64_t)(((uint64_t)hi << 32) | lo);
}

uint64_t IPSIM_RT(__lshrdi3)(uint64_t x, int16_t n) {
  uint32_t lo = (uint32_t)x, hi = (uint32_t)(x >> 32);
  n &= 63;
  if (n & 32) {
    lo = hi;
    hi = 0;
    n &= 31;
  }
  if (n) {
    lo = (lo >> n) | (hi << (32 - n));
    hi >>= n;
  }
  return ((uint64_t)hi << 32) | lo;
}

int64_t IPSIM_RT(__ashrdi3)(int64_t x, int16_t n) {
  uint32_t lo = (uint32_t)x;
  int32_t hi = (int32_t)((uint64_t)x >> 32);
  n &= 63;
  if (n & 32) {
    lo = (uint32_t)hi;
    hi = hi < 0 ? -1 : 0;
    n &= 31;
  }
  if (n) {
    lo = (lo >> n) | ((uint32_t)hi << (32 - n));
    hi >>= n;
  }
  return (int64_t)(((uint64_t)(uint32_t)hi << 32) | lo);
}
