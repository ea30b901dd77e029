// Firmware written without the project's conventions, built by tests/debug/foreign_run.py the
// way docs/foreign-firmware.md describes: it never writes DBG_EXIT and, like a real
// application, ends asleep in LPM4. A counter lives in FRAM (.persistent).
#include <stdint.h>

__attribute__((section(".persistent"))) volatile uint16_t runs = 0;
volatile uint16_t squares[32];

int main(void) {
  for (uint16_t i = 0; i < 32; ++i) squares[i] = (uint16_t)(i * i);
  runs = runs + 1;
  for (;;) __asm__ volatile("bis.w #0xF0, r2\n nop");  // LPM4, interrupts off
}
