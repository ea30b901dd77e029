// FRAM traffic of known shape for the hypothetical-NVM costs (platform.nvm.extra_*): CPU
// writes and reads of a persistent array, and a DMA copy from it to SRAM. No polling, so the
// extra cycles are exactly (extra read waits x cache misses + extra write waits x CPU writes).
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/dma.h"
#include "kernels/runtime/sections.h"

#define N 256
IPSIM_PERSISTENT volatile uint16_t nvm_cost_array[N];
__attribute__((used)) volatile uint16_t nvm_cost_copy[N];

int main(void) {
  clock_init_16mhz();
  for (uint16_t i = 0; i < N; ++i) nvm_cost_array[i] = (uint16_t)(i * 3u + 1u);
  uint16_t sum = 0;
  for (uint16_t i = 0; i < N; i += 3) sum += nvm_cost_array[i];
  dma_copy_words((uint32_t)(uintptr_t)nvm_cost_copy, (uint32_t)(uintptr_t)nvm_cost_array, N);
  nvm_cost_copy[0] = sum;
  dbg_exit(0);
}
