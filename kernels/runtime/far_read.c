// nn_far_read on the MCU: clang emits only 16-bit code (facts §2.6), so data in upper FRAM is
// read by the DMA, which has 20-bit source addresses (facts §4.2). Small reads inside the
// lower 64 KB are plain copies.
#include <stdint.h>
#include "kernels/runtime/ipsim_string.h"

#include "kernels/nn/nn_platform.h"
#include "kernels/runtime/dma.h"

void nn_far_read(void* dst, nn_far_addr_t src, uint16_t bytes) {
  if (src + bytes <= 0x10000ul && bytes <= 8) {
    memcpy(dst, (const void*)(uint16_t)src, bytes);
    return;
  }
  dma_far_read(dst, src, bytes);
}
