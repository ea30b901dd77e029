// Minimal Timer_A0 API (SLAU367P §25): up mode on SMCLK with a CCR0 interrupt that counts
// periods and wakes the CPU from LPM0.
#ifndef IPSIM_RUNTIME_TIMER_H
#define IPSIM_RUNTIME_TIMER_H
#include <stdint.h>

extern volatile uint16_t timer_periods;  // CCR0 interrupts since timer_start_up()

// Counts SMCLK/divider ticks 0..period-1; interrupt (vector 45) at each CCR0 match if irq.
void timer_start_up(uint16_t period, uint16_t irq);
uint16_t timer_read(void);  // TA0R
void timer_stop(void);

#endif
