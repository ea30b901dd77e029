// Access layer of the external FRAM (see nvm_store.h).
#include "kernels/runtime/nvm_store.h"

#include "kernels/runtime/debug_port.h"

static uint8_t nvm_ready;  // .bss: cleared at every boot

void nvm_init(void) {
  if (nvm_ready) return;
  if (spi_fram_init() != 0) dbg_exit(0xD5);
  nvm_ready = 1;
}

uint16_t nvm_load_counter(nvm_addr_t a) {
  uint16_t g;
  nvm_read(&g, a, 2);
  g ^= (uint16_t)(g >> 8);
  g ^= (uint16_t)(g >> 4);
  g ^= (uint16_t)(g >> 2);
  g ^= (uint16_t)(g >> 1);
  return g;
}

void nvm_store_counter(nvm_addr_t a, uint16_t n) {
  const uint16_t g = (uint16_t)(n ^ (n >> 1));
  nvm_write(a, &g, 2);
}
