// A long hardware-triggered DMA block for the brown-out test
// (tests/platform/test_dma_brownout.cpp). Each round arms DMA channel 0 for one block of DMA_WORDS
// words, trigger TA0CCR0 (DMA0TSEL 1), from one fixed SRAM word holding the round number to
// consecutive FRAM words, and then polls DMAIFG in a busy loop, so the trigger halts a running CPU.
// hw_use_timer = 1: Timer_A0 makes the trigger (CCR0 compare 200 SMCLK cycles after the start); 0:
// nothing on the chip does, and the test delivers trigger 1 itself at a time it records. A round's
// words hold its number, so at a power cut the destination shows how many words of the current
// round had arrived.
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/msp430fr5994.h"
#include "kernels/runtime/sections.h"

#define DMA_WORDS 1024
#define DMA0TSEL_TA0CCR0 0x0001u  // trigger 1 (facts §4.2)

IPSIM_PERSISTENT volatile uint16_t hw_dst[DMA_WORDS];
IPSIM_PERSISTENT volatile uint16_t hw_round = 0;  // the current round's number
IPSIM_PERSISTENT volatile uint16_t hw_armed = 0;  // 1 from the arming to the block's end
IPSIM_PERSISTENT volatile uint16_t hw_use_timer = 1;
static volatile uint16_t tag;  // the DMA's fixed source, in SRAM

int main(void) {
  clock_init_16mhz();
  dbg_marker(DBG_BOOT, 0);
  hw_armed = 0;  // a cut may have left it set
  for (;;) {
    const uint16_t r = (uint16_t)(hw_round + 1);
    // A round-dependent pause before the block, so the cuts of successive on-periods land at
    // different words even on a constant supply.
    for (volatile uint16_t i = (uint16_t)((r * 37u) % 256u); i != 0; --i) {
    }
    tag = r;
    DMA0CTL = 0;
    DMACTL0 = (DMACTL0 & 0xFF00u) | DMA0TSEL_TA0CCR0;
    DMA0SAL = (uint16_t)(uintptr_t)&tag;
    DMA0SAH = 0;
    DMA0DAL = (uint16_t)(uintptr_t)hw_dst;
    DMA0DAH = 0;
    DMA0SZ = DMA_WORDS;
    DMA0CTL = DMADT_1 | DMASRCINCR_0 | DMADSTINCR_3 | DMAEN;
    hw_round = r;
    hw_armed = 1;
    if (hw_use_timer) {
      TA0CTL = MC__STOP | TACLR;
      TA0CCTL0 = 0;
      TA0CCR0 = 200;
      TA0CTL = TASSEL__SMCLK | MC__CONTINUOUS | TACLR;
    }
    while (!(DMA0CTL & DMAIFG)) {
    }
    hw_armed = 0;
    TA0CTL = MC__STOP | TACLR;
    if (hw_dst[0] != r || hw_dst[DMA_WORDS - 1] != r) dbg_exit(1);  // the block did not arrive
  }
}
