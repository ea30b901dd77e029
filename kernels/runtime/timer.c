// Timer_A0 driver (see timer.h). Register names from msp430fr5994.h.
#include "kernels/runtime/timer.h"

#include "kernels/runtime/msp430fr5994.h"

volatile uint16_t timer_periods;

void timer_start_up(uint16_t period, uint16_t irq) {
  TA0CTL = TACLR;
  timer_periods = 0;
  TA0CCR0 = period - 1;
  TA0CCTL0 = irq ? CCIE : 0;
  TA0CTL = TASSEL__SMCLK | ID__1 | MC__UP | TACLR;
}

uint16_t timer_read(void) {
  return TA0R;
}

void timer_stop(void) {
  TA0CTL = MC__STOP;
}

// TA0 CCR0 ISR (vector 45): the CCR0 CCIFG is cleared by the interrupt acknowledge. Counts and
// leaves LPM0 on return (no register pushed: the stacked SR is at 0(r1)).
__asm__(
    "  .section .text.timer0_a0_isr,\"ax\",@progbits\n"
    "  .globl timer0_a0_isr\n"
    "  .p2align 1\n"
    "timer0_a0_isr:\n"
    "  inc &timer_periods\n"
    "  bic #0x10, 0(r1)\n"
    "  reti\n"
    "  .section __interrupt_vector_45,\"ax\",@progbits\n"
    "  .short timer0_a0_isr\n"
    "  .text\n");
