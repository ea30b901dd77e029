/* Q15 fixed-point arithmetic shared by every layer and every strategy.
 * Saturation and rounding are defined here once, so a layer computed whole, by rows, by
 * tiles or on LEA yields the same bits. Products are accumulated in int32; the network
 * generators keep sum|w| * 32768 + |bias| < 2^31 per output, so no partial sum can
 * overflow and wrapping and saturating accumulation agree. */
#pragma once

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef int16_t q15_t;

#define Q15_MAX 32767
#define Q15_MIN (-32768)

static inline q15_t q15_sat(int32_t x) {
  if (x > Q15_MAX) return Q15_MAX;
  if (x < Q15_MIN) return Q15_MIN;
  return (q15_t)x;
}

/* out = sat16((acc + 2^(shift-1)) >> shift), round half up, arithmetic shift (clang shifts
 * signed values arithmetically on both targets). Written as (t >> 1) + (t & 1) with
 * t = acc >> (shift-1): the same value, but acc + 2^(shift-1) can never overflow. */
static inline q15_t q15_requant(int32_t acc, uint8_t shift) {
  if (shift == 0) return q15_sat(acc);
  int32_t t = acc >> (shift - 1);
  return q15_sat((t >> 1) + (t & 1));
}

static inline q15_t q15_relu(q15_t x) {
  return x < 0 ? 0 : x;
}

#ifdef __cplusplus
}
#endif
