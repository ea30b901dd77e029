// Idle firmware: configures the clock and sleeps in LPM3 for ever, like a node that waits for
// an event. scripts/bench runs it under a mostly-dark solar trace to measure how fast ipsim
// fast-forwards off periods and long sleeps.
#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"

int main(void) {
  clock_init_16mhz();
  dbg_marker(DBG_BOOT, 0);
  for (;;) __asm__ volatile("bis.w #0xD0, r2");  // LPM3: CPUOFF | SCG0 | SCG1, GIE clear
  return 0;
}
