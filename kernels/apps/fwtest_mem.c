// Tests-as-firmware: memcpy/memset/memmove/memcmp from kernels/runtime/mem.c at every
// alignment and length 0..40, overlapping moves both ways, and compiler-generated copies
// (struct assignment, large initialisers).

#include <stdint.h>

#include "kernels/apps/fwtest.h"
#include "kernels/runtime/ipsim_string.h"

__attribute__((used)) volatile uint32_t fw_result[8];

static uint8_t src[64], dst[80];
static volatile uint8_t seed = 0x3D;

struct Big {
  int16_t w[24];
  uint8_t tag;
};

static uint32_t hash_buf(uint32_t h, const uint8_t* p, int n) {
  for (int i = 0; i < n; ++i) h = fw_mix(h, p[i]);
  return h;
}

__attribute__((noinline)) static void copy_struct(struct Big* d, const struct Big* s) {
  *d = *s;
}

int main(void) {
  uint32_t h[8] = {0};
  uint8_t s = seed;
  for (int i = 0; i < 64; ++i) src[i] = s = (uint8_t)(s * 5 + 17);

  for (int so = 0; so < 2; ++so)
    for (int d0 = 0; d0 < 2; ++d0)
      for (int n = 0; n <= 40; n += 3) {
        memset(dst, 0xEE, sizeof dst);
        memcpy(dst + d0, src + so, (size_t)n);
        h[0] = hash_buf(h[0], dst, 48);
      }
  for (int off = 0; off < 3; ++off)
    for (int n = 0; n <= 40; n += 5) {
      memset(dst, 0, sizeof dst);
      memset(dst + off, (int)(0x40 + n), (size_t)n);
      h[1] = hash_buf(h[1], dst, 48);
    }
  // overlapping moves in both directions
  for (int shift = -5; shift <= 5; ++shift) {
    memcpy(dst, src, 64);
    memmove(dst + 8 + shift, dst + 8, 40);
    h[2] = hash_buf(h[2], dst, 64);
  }
  // memcmp sign and length handling
  memcpy(dst, src, 64);
  for (int i = 0; i < 64; i += 7) {
    dst[i] ^= 0x80;
    int c1 = memcmp(dst, src, 64), c2 = memcmp(src, dst, (size_t)i),
        c3 = memcmp(src, dst, (size_t)i + 1);
    h[3] = fw_mix(h[3], (uint32_t)((c1 > 0) - (c1 < 0)) ^ (uint32_t)((c2 > 0) - (c2 < 0)) << 4 ^
                            (uint32_t)((c3 > 0) - (c3 < 0)) << 8);
    dst[i] ^= 0x80;
  }
  // struct copy and zero-initialised locals (clang emits memcpy/memset)
  struct Big a = {{0}, 0}, b;
  for (int i = 0; i < 24; ++i) a.w[i] = (int16_t)(src[i] << 8 | src[i + 1]);
  a.tag = src[63];
  copy_struct(&b, &a);
  h[4] = hash_buf(0, (const uint8_t*)b.w, sizeof b.w) ^ b.tag;
  uint16_t zeros[32] = {0};
  zeros[(uint8_t)seed & 31] = 7;
  h[5] = hash_buf(0, (const uint8_t*)zeros, sizeof zeros);
  h[6] = (uint32_t)(memcmp(&a, &b, sizeof a.w) == 0);
  h[7] = hash_buf(0, src, 64);
  for (int i = 0; i < 8; ++i) fw_result[i] = h[i];
  return fwtest_finish(fw_result, sizeof fw_result);
}
