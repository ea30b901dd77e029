// A brown-out in the middle of a DMA write to the external SPI FRAM (kernels/runtime/spi_fram.h).
// Run on a supply too weak to finish a 2 KB write in one power cycle. Progress lives in
// internal FRAM, so every step is redone from its start after a power failure:
//   phase 0: fill the 2 KB victim with 0x00 and build the pattern in internal FRAM, 64 bytes
//            per step;
//   phase 1: mark `started`, then write the pattern (j mod 128) + 1 (never 0) over all 2 KB
//            with one DMA transfer; it is expected to be cut;
//   phase 2: read the victim back 64 bytes per step and record, per chunk, how many bytes
//            hold the pattern and how many still hold the fill, and whether every pattern byte
//            precedes every fill byte (a cut transfer leaves a prefix).
// spifram_bo_result: [0] phase reached (3: done, 4: the write was never cut), [1] RDID
// mismatch, then per chunk i: [2 + 3i] pattern bytes, [3 + 3i] fill bytes, [4 + 3i] 1 if the
// pattern bytes form a prefix of the chunk.
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/sections.h"
#include "kernels/runtime/spi_fram.h"

#define VICTIM_BYTES 2048u
#define CHUNK 64u
#define CHUNKS (VICTIM_BYTES / CHUNK)

IPSIM_SPIFRAM_OBJECT(ext_victim, 2048);

IPSIM_PERSISTENT volatile uint16_t spifram_bo_result[2 + 3 * CHUNKS];
IPSIM_PERSISTENT volatile uint16_t bo_phase, bo_next_chunk, bo_started;
IPSIM_PERSISTENT uint8_t bo_pattern[VICTIM_BYTES];

static uint8_t buf[CHUNK];

static uint8_t pattern(unsigned j) {
  return (uint8_t)((j & 0x7Fu) + 1u);
}

int main(void) {
  clock_init_16mhz();
  spifram_bo_result[1] = (uint16_t)spi_fram_init();
  if (bo_phase == 0) {
    for (unsigned j = 0; j < CHUNK; ++j) buf[j] = 0;
    while (bo_next_chunk < CHUNKS) {
      const unsigned c = bo_next_chunk;
      spi_fram_write(ext_victim_addr + CHUNK * c, buf, CHUNK);
      for (unsigned j = CHUNK * c; j < CHUNK * (c + 1); ++j) bo_pattern[j] = pattern(j);
      bo_next_chunk = (uint16_t)(c + 1);
    }
    bo_next_chunk = 0;
    bo_phase = 1;
  }
  if (bo_phase == 1) {
    if (bo_started) {
      bo_phase = 2;  // the write below was cut by a power failure
    } else {
      bo_started = 1;
      spi_fram_write(ext_victim_addr, bo_pattern, VICTIM_BYTES);
      spifram_bo_result[0] = 4;
      dbg_exit(1);
    }
  }
  if (bo_phase == 2) {
    while (bo_next_chunk < CHUNKS) {
      const unsigned c = bo_next_chunk;
      spi_fram_read(buf, ext_victim_addr + CHUNK * c, CHUNK);
      uint16_t pat = 0, fill = 0, prefix = 1;
      for (unsigned j = 0; j < CHUNK; ++j) {
        if (buf[j] == bo_pattern[CHUNK * c + j]) {
          ++pat;
          if (fill) prefix = 0;
        } else if (buf[j] == 0) {
          ++fill;
        }
      }
      spifram_bo_result[2 + 3 * c] = pat;
      spifram_bo_result[3 + 3 * c] = fill;
      spifram_bo_result[4 + 3 * c] = prefix;
      bo_next_chunk = (uint16_t)(c + 1);
    }
    bo_phase = 3;
  }
  spifram_bo_result[0] = bo_phase;
  dbg_exit(0);
}
