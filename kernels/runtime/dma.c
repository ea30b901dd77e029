// DMA driver (see dma.h). Register names from msp430fr5994.h.
#include "kernels/runtime/dma.h"

#include "kernels/runtime/msp430fr5994.h"

volatile uint16_t dma_last_iv;  // DMAIV read by the ISR

static void dma_block(uint32_t dst, uint32_t src, uint16_t count, uint16_t byte_mode) {
  if (count == 0) return;
  DMA0CTL = 0;
  DMACTL0 = (DMACTL0 & 0xFF00u) | DMA0TSEL__DMAREQ;
  DMA0SAL = (uint16_t)src;  // low word first, then bits 19:16
  DMA0SAH = (uint16_t)(src >> 16);
  DMA0DAL = (uint16_t)dst;
  DMA0DAH = (uint16_t)(dst >> 16);
  DMA0SZ = count;
  const uint16_t ctl = DMADT_1 | DMASRCINCR_3 | DMADSTINCR_3 | byte_mode | DMAIE | DMAEN;
  DMA0CTL = ctl;
  __disable_interrupt();
  DMA0CTL = ctl | DMAREQ;
  // The CPU is halted during a block transfer; the completion interrupt is pending by the time
  // it runs again. Sleep with GIE set in one instruction so the ISR's LPM0 exit cannot be lost.
  __asm__ volatile("nop\n\tbis %0, r2\n\tnop" ::"i"(GIE | CPUOFF) : "memory");
}

void dma_copy_words(uint32_t dst, uint32_t src, uint16_t words) {
  dma_block(dst, src, words, 0);
}

void dma_far_read(void* dst, uint32_t far_src, uint16_t bytes) {
  const uint32_t d = (uint32_t)(uintptr_t)dst;
  if (((d | far_src | bytes) & 1u) == 0)
    dma_block(d, far_src, bytes >> 1, 0);
  else
    dma_block(d, far_src, bytes, DMASRCBYTE | DMADSTBYTE);
}

// DMA ISR (vector 42): reading DMAIV clears the highest pending DMAIFG; then leave LPM0 on
// return by clearing CPUOFF in the stacked SR (no register is pushed, so it is at 0(r1)).
__asm__(
    "  .section .text.dma_isr,\"ax\",@progbits\n"
    "  .globl dma_isr\n"
    "  .p2align 1\n"
    "dma_isr:\n"
    "  mov &0x050E, &dma_last_iv\n"
    "  bic #0x10, 0(r1)\n"
    "  reti\n"
    "  .section __interrupt_vector_42,\"ax\",@progbits\n"
    "  .short dma_isr\n"
    "  .text\n");
