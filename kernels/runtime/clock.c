#include "kernels/runtime/clock.h"

#include "kernels/runtime/msp430fr5994.h"

static void clock_set(uint16_t csctl1, uint16_t nwaits) {
  // facts §2.5: LOCKLPM5 resets to 1 and keeps the I/O configuration locked.
  PM5CTL0 &= ~LOCKLPM5;
  // facts §3: wait states must be set before MCLK exceeds 8 MHz.
  FRCTL0 = FRCTLPW | nwaits;
  CSCTL0_H = CSKEY >> 8;  // unlock CS
  // facts §4.5: DriverLib divides by 4 while the DCO changes (overshoot transient).
  CSCTL3 = DIVA__4 | DIVS__4 | DIVM__4;
  CSCTL1 = csctl1;
  CSCTL2 = SELA__VLOCLK | SELS__DCOCLK | SELM__DCOCLK;
  CSCTL3 = DIVA__1 | DIVS__1 | DIVM__1;
  CSCTL0_H = 0;  // lock CS
}

void clock_init_16mhz(void) {
  clock_set(DCORSEL | DCOFSEL_4, NWAITS_1);
}

void clock_init_8mhz(void) {
  clock_set(DCOFSEL_6, NWAITS_0);
}
