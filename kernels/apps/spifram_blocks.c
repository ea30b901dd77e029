// External SPI FRAM blocks (kernels/runtime/spi_fram.h): checks the part's ID, writes blocks
// of several sizes from SRAM by DMA, reads them back (twice) and compares, and times each transfer
// with Timer_A0 on SMCLK (= MCLK), to compare with iNAS's fit of the same set-up (64n + 424
// cycles per read of n 16-bit words, 64n + 422 per write, at 16 MHz).
// Result (spifram_result, 16-bit words): [0] RDID mismatch, [1] bytes that read back wrong,
// [2 + 2k] write cycles and [3 + 2k] read cycles of kWords[k] words.
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/msp430fr5994.h"
#include "kernels/runtime/spi_fram.h"

#define MAX_WORDS 512
static const uint16_t kWords[] = {8, 32, 128, 512};
#define SIZES (sizeof kWords / sizeof kWords[0])

__attribute__((used)) volatile uint16_t spifram_result[2 + 2 * SIZES];

IPSIM_SPIFRAM_OBJECT(ext_small, 16);
IPSIM_SPIFRAM_OBJECT(ext_blocks, 4096);  // SIZES x MAX_WORDS words

static uint16_t out_buf[MAX_WORDS], in_buf[MAX_WORDS];

static uint16_t pattern(unsigned block, unsigned i) {
  return (uint16_t)(0x1357u * (block + 1) + 0x0101u * i);
}

int main(void) {
  clock_init_16mhz();
  TA0CTL = TASSEL__SMCLK | MC__CONTINUOUS | TACLR;
  spifram_result[0] = (uint16_t)spi_fram_init();
  uint16_t wrong = 0;

  // An odd-sized byte block at an odd address.
  static const uint8_t small[7] = {0xDE, 0xAD, 0xBE, 0xEF, 0x01, 0x80, 0x7F};
  uint8_t small_back[7];
  spi_fram_write(ext_small_addr + 3, small, sizeof small);
  spi_fram_read(small_back, ext_small_addr + 3, sizeof small);
  for (unsigned i = 0; i < sizeof small; ++i) wrong += small_back[i] != small[i];

  // Timed transfers first; the checks come in a second pass, so that the compiler has no
  // work of them to schedule between the timer reads.
  for (unsigned k = 0; k < SIZES; ++k) {
    const uint16_t n = kWords[k];
    const uint32_t at = ext_blocks_addr + 2ul * MAX_WORDS * k;
    for (unsigned i = 0; i < n; ++i) out_buf[i] = pattern(k, i);
    uint16_t t0 = TA0R;
    spi_fram_write(at, out_buf, (uint16_t)(2 * n));
    uint16_t t1 = TA0R;
    spifram_result[2 + 2 * k] = (uint16_t)(t1 - t0);
    t0 = TA0R;
    spi_fram_read(in_buf, at, (uint16_t)(2 * n));
    t1 = TA0R;
    spifram_result[3 + 2 * k] = (uint16_t)(t1 - t0);
  }
  for (unsigned k = 0; k < SIZES; ++k) {
    const uint16_t n = kWords[k];
    for (unsigned i = 0; i < n; ++i) in_buf[i] = 0;
    spi_fram_read(in_buf, ext_blocks_addr + 2ul * MAX_WORDS * k, (uint16_t)(2 * n));
    for (unsigned i = 0; i < n; ++i) wrong += in_buf[i] != pattern(k, i);
  }
  spifram_result[1] = wrong;
  dbg_exit(0);
}
