// DMA driver (facts §4.2): block copies on channel 0 between FRAM, upper FRAM (20-bit
// addresses) and SRAM/LEA RAM, sleeping in LPM0 until the DMA ISR (vector 42) wakes the CPU.
#ifndef IPSIM_RUNTIME_DMA_H
#define IPSIM_RUNTIME_DMA_H
#include <stdint.h>

// Copies `words` 16-bit words from 20-bit address src to 20-bit address dst.
void dma_copy_words(uint32_t dst, uint32_t src, uint16_t words);
// Copies `bytes` bytes from a 20-bit address (e.g. weights in upper FRAM) to dst.
void dma_far_read(void* dst, uint32_t far_src, uint16_t bytes);

#endif
