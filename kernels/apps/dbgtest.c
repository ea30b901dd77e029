// Debugger test firmware (tests/debug): a function to break at, an FRAM counter that survives
// power failures, an SRAM value that does not, and an exit code a debugger can change
// (40 + fram_bonus: 42 unless fram_bonus is written).
#include <stdint.h>

#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/sections.h"

IPSIM_PERSISTENT volatile uint16_t fram_counter = 0;
IPSIM_PERSISTENT volatile uint16_t fram_bonus = 2;
volatile uint16_t sram_value;  // .bss: cleared by crt0 at every boot
volatile uint16_t result;

__attribute__((noinline)) uint16_t work(uint16_t x) {
  fram_counter = fram_counter + 1;
  sram_value = (uint16_t)(x * 3u + 1u);
  return sram_value;
}

int main(void) {
  uint16_t sum = 0;
  for (uint16_t i = 0; i < 8; ++i) {
    sum = (uint16_t)(sum + work(i));
    dbg_marker(DBG_PROGRESS, i);
  }
  result = sum;
  return 40 + fram_bonus;
}
