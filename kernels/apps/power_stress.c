// Endless accelerator loops for the brown-out tests (tests/platform/test_power.cpp): they
// count finished rounds in FRAM and never exit, so a run under intermittent power meets many
// cuts while the accelerator works.
//   STRESS_LEA  one 64-point, 16-tap Q15 FIR on the LEA per round; the CPU sleeps in LPM0.
//   STRESS_DMA  one 512-word FRAM -> SRAM DMA block per round, started as HAWAII's released
//               code starts its blocks: with interrupts already enabled,
//               `DMA0CTL |= DMAEN + DMAREQ + DMAIE;` and then `__bis_SR_register(GIE +
//               LPM0_bits);`. The DMA interrupt must wake the CPU from that LPM0.
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/msp430fr5994.h"
#include "kernels/runtime/sections.h"

IPSIM_PERSISTENT volatile uint32_t stress_rounds = 0;

#if defined(STRESS_LEA)
#include "kernels/runtime/lea.h"

#define N 64
#define TAPS 16
IPSIM_LEARAM static int16_t lea_signal[N + TAPS];
IPSIM_LEARAM static int16_t lea_taps[TAPS];
IPSIM_LEARAM static int16_t lea_out[N];

int main(void) {
  clock_init_16mhz();
  dbg_marker(DBG_BOOT, 0);
  lea_init();
  for (uint16_t i = 0; i < N + TAPS; ++i) lea_signal[i] = (int16_t)(i * 977 - 20000);
  for (uint16_t i = 0; i < TAPS; ++i) lea_taps[i] = (int16_t)(4096 - i * 300);
  for (;;) {
    lea_fir_q15(lea_signal, lea_taps, TAPS, lea_out, N);
    lea_signal[0] = lea_out[N - 1];  // each round depends on the last
    ++stress_rounds;
  }
}

#elif defined(STRESS_DMA)
#define WORDS 512
static const uint16_t kSource[WORDS] = {1, 2, 3, 4, 5, 6, 7, 8};
static uint16_t sram_copy[WORDS];
extern volatile uint16_t dma_last_iv;  // kernels/runtime/dma.c, whose ISR wakes the CPU

int main(void) {
  clock_init_16mhz();
  dbg_marker(DBG_BOOT, 0);
  dma_last_iv = 0;
  __enable_interrupt();
  for (;;) {
    DMA0CTL = 0;
    DMACTL0 = (DMACTL0 & 0xFF00u) | DMA0TSEL__DMAREQ;
    DMA0SAL = (uint16_t)(uintptr_t)kSource;
    DMA0SAH = 0;
    DMA0DAL = (uint16_t)(uintptr_t)sram_copy;
    DMA0DAH = 0;
    DMA0SZ = WORDS;
    DMA0CTL = DMADT_1 | DMASRCINCR_3 | DMADSTINCR_3;
    DMA0CTL |= DMAEN + DMAREQ + DMAIE;
    __bis_SR_register(GIE + LPM0_bits);
    if (sram_copy[7] != 8) dbg_exit(1);  // the block did not arrive
    sram_copy[7] = 0;
    ++stress_rounds;
  }
}

#else
#error "define STRESS_LEA or STRESS_DMA"
#endif
