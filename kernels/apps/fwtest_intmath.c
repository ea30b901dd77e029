// Tests-as-firmware: integer arithmetic without multiply/divide: add/sub with carries at
// 16/32/64 bits, logic, compares, sign/zero extension, variable and constant shifts at
// every width (32/64-bit variable shifts go through __mspabi_sll*/__ashldi3 and friends),
// rotations and a CRC-16.

#include <stdint.h>

#include "kernels/apps/fwtest.h"

__attribute__((used)) volatile uint32_t fw_result[16];

static volatile uint32_t seeds[8] = {0x00000000u, 0x00000001u, 0x7FFFFFFFu, 0x80000000u,
                                     0xFFFFFFFFu, 0x12345678u, 0xDEADBEEFu, 0x0F0F00FFu};
static volatile int16_t counts[4] = {0, 1, 15, 31};
static volatile uint8_t message[] = "intermittent inference";

static uint16_t crc16_ccitt(const volatile uint8_t* p, uint16_t n) {
  uint16_t crc = 0xFFFF;
  while (n--) {
    crc ^= (uint16_t)(*p++ << 8);
    for (int b = 0; b < 8; ++b)
      crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
  }
  return crc;
}

int main(void) {
  uint32_t h[16] = {0};
  for (int i = 0; i < 8; ++i) {
    uint32_t x = seeds[i], y = seeds[(i + 3) & 7];
    uint64_t xx = ((uint64_t)x << 32) | y;
    uint16_t w = (uint16_t)x, v = (uint16_t)y;
    h[0] = fw_mix(h[0], x + y);
    h[0] = fw_mix(h[0], x - y);
    h[1] = fw_mix64(h[1], xx + ((uint64_t)y << 16) + 1);
    h[1] = fw_mix64(h[1], xx - ((uint64_t)x << 8));
    h[2] = fw_mix(h[2], (x & y) ^ (x | ~y));
    h[3] = fw_mix(h[3], ((int32_t)x < (int32_t)y) | (x < y) << 1 | (w < v) << 2 |
                            ((int16_t)w <= (int16_t)v) << 3 | (xx > ((uint64_t)y << 31)) << 4 |
                            ((int64_t)xx < 0) << 5);
    h[4] = fw_mix(h[4], (uint32_t)(int32_t)(int8_t)x);  // sign extension
    h[4] = fw_mix(h[4], (uint32_t)(int32_t)(int16_t)x);
    h[4] = fw_mix(h[4], (uint32_t)(uint8_t)(x >> 8));
    for (int c = 0; c < 4; ++c) {
      int16_t n = counts[c];
      h[5] = fw_mix(h[5], (uint16_t)(w << (n & 15)) | (uint32_t)(uint16_t)((int16_t)w >> (n & 15))
                                                          << 16);
      h[6] = fw_mix(h[6], x << n);
      h[6] = fw_mix(h[6], x >> n);
      h[6] = fw_mix(h[6], (uint32_t)((int32_t)x >> n));
      h[7] = fw_mix64(h[7], xx << (n * 2 + 1));
      h[7] = fw_mix64(h[7], xx >> (n * 2 + 1));
      h[7] = fw_mix64(h[7], (uint64_t)((int64_t)xx >> (n * 2 + 1)));
    }
    h[8] = fw_mix(h[8], (x << 13) | (x >> 19));  // constant rotations
    h[8] = fw_mix64(h[8], (xx << 40) | (xx >> 24));
    uint32_t pop = 0;
    for (uint32_t t = x; t; t &= t - 1) ++pop;
    h[9] = fw_mix(h[9], pop);
  }
  h[10] = crc16_ccitt(message, sizeof message - 1);
  // negative values and wrap-around in 16 bits
  int16_t acc = FW_HIDE16(30000);
  for (int i = 0; i < 10; ++i) acc = (int16_t)(acc + 1000);
  h[11] = (uint16_t)acc;
  h[12] = (uint32_t)(-(int32_t)seeds[5]);
  h[13] = (uint32_t)((int64_t)(int32_t)seeds[6] >> 3);
  h[14] = 0xC0FFEE00u | (uint32_t)(sizeof(int16_t) + 2 * sizeof(int32_t));
  h[15] = fw_mix(h[14], h[10]);
  for (int i = 0; i < 16; ++i) fw_result[i] = h[i];
  return fwtest_finish(fw_result, sizeof fw_result);
}
