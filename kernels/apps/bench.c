// Compute-heavy benchmark firmware for scripts/bench: CRC-16 over an FRAM table, an
// insertion sort of SRAM data and a xorshift generator, repeated. It uses no multiplier, no
// upper FRAM and no peripherals beyond the debug port, so mspdebug's simulator runs the very
// same ELF (mspdebug ignores the clock-system writes). About 100 million instructions with the
// default BENCH_ROUNDS.
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"

#ifndef BENCH_ROUNDS
#define BENCH_ROUNDS 1800
#endif

#define TABLE_WORDS 512
#define SORT_WORDS 64

// FRAM: read on every CRC round, so NVM read accounting is exercised.
static const uint16_t kTable[TABLE_WORDS] = {
#define ROW(x) \
  (x), (x) ^ 0x1021, (x) + 0x3333, (x) ^ 0xA5A5, (x) + 7, (x) ^ 0x0F0F, (x) + 0x55, (x) ^ 0xFFFF
#define BLOCK(x)                                                                                   \
  ROW(x), ROW((x) + 8), ROW((x) + 16), ROW((x) + 24), ROW((x) + 32), ROW((x) + 40), ROW((x) + 48), \
      ROW((x) + 56)
    BLOCK(0), BLOCK(64), BLOCK(128), BLOCK(192), BLOCK(256), BLOCK(320), BLOCK(384), BLOCK(448)};

static uint16_t g_sort[SORT_WORDS];              // SRAM
__attribute__((used)) uint16_t bench_result[4];  // checked by scripts/bench in both sims
static uint16_t g_state = 0xACE1;

static uint16_t xorshift16(void) {
  g_state ^= (uint16_t)(g_state << 7);
  g_state ^= (uint16_t)(g_state >> 9);
  g_state ^= (uint16_t)(g_state << 8);
  return g_state;
}

static uint16_t crc16(const uint16_t* data, uint16_t words, uint16_t crc) {
  for (uint16_t i = 0; i < words; ++i) {
    crc ^= data[i];
    for (uint8_t b = 0; b < 16; ++b)
      crc = (crc & 1) ? (uint16_t)((crc >> 1) ^ 0xA001) : (uint16_t)(crc >> 1);
  }
  return crc;
}

static void insertion_sort(uint16_t* v, uint16_t n) {
  for (uint16_t i = 1; i < n; ++i) {
    const uint16_t key = v[i];
    uint16_t j = i;
    while (j > 0 && v[j - 1] > key) {
      v[j] = v[j - 1];
      --j;
    }
    v[j] = key;
  }
}

int main(void) {
  clock_init_16mhz();
  uint16_t crc = 0xFFFF, mix = 0;
  for (uint16_t round = 0; round < BENCH_ROUNDS; ++round) {
    crc = crc16(kTable, TABLE_WORDS, crc);
    for (uint16_t i = 0; i < SORT_WORDS; ++i) g_sort[i] = xorshift16();
    insertion_sort(g_sort, SORT_WORDS);
    mix ^= (uint16_t)(g_sort[0] + g_sort[SORT_WORDS - 1] + round);
  }
  bench_result[0] = crc;
  bench_result[1] = mix;
  bench_result[2] = g_state;
  bench_result[3] = BENCH_ROUNDS;
  return 0;
}
