// Micro-benchmarks for scripts/validate (docs/validation.md), all at MCLK 16 MHz.
//   VALIDATE_OPS     C-level add, multiply and divide loops over N int16 elements, and LEA
//                    MACs of two lengths; a DBG_USER marker (arg = phase) before and after
//                    each, so cycles per element follow from the marker times. Then exits.
//   VALIDATE_ACTIVE  the add and multiply loops for ever, from FRAM with data in SRAM (the
//                    active-current benchmark: energy per simulated second between two stops).
//   VALIDATE_LPM0    LPM0 for ever, woken by Timer_A0 every 1 ms (the LPM0-current benchmark).
//   VALIDATE_LEA_FIR / VALIDATE_LEA_ADD  one Q31 LEA command for ever (a 128-tap FIR on
//                    LEA_N outputs, or an add of LEA_N elements), counting rounds in
//                    lea_rounds: energy per command from two stops, for two LEA_N.
#include <stdint.h>

#include "kernels/runtime/clock.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/msp430fr5994.h"

#define N 256

// Not static and written through volatile seeds, so the compiler keeps every operation.
int16_t va[N], vb[N], vout[N];
volatile int16_t seed = 7;

__attribute__((unused)) static void fill(void) {
  int16_t s = seed;
  for (uint16_t i = 0; i < N; ++i) {
    va[i] = (int16_t)(s * 31 + i);
    vb[i] = (int16_t)((i & 15) + 3);  // never zero: the divide loop divides by it
    s = (int16_t)(s + 97);
  }
}

__attribute__((noinline)) void loop_add(void) {
  for (uint16_t i = 0; i < N; ++i) vout[i] = (int16_t)(va[i] + vb[i]);
}
__attribute__((noinline)) void loop_mul(void) {
  for (uint16_t i = 0; i < N; ++i) vout[i] = (int16_t)(va[i] * vb[i]);
}
__attribute__((noinline)) void loop_div(void) {
  for (uint16_t i = 0; i < N; ++i) vout[i] = (int16_t)(va[i] / vb[i]);
}

#if defined(VALIDATE_OPS)
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"

#define MAC_SHORT 32
#define MAC_LONG 256
IPSIM_LEARAM static int16_t lea_a[MAC_LONG];
IPSIM_LEARAM static int16_t lea_b[MAC_LONG];
IPSIM_LEARAM static int32_t lea_result;

static void timed(uint16_t phase, void (*fn)(void)) {
  dbg_marker(DBG_USER, phase);
  fn();
  dbg_marker(DBG_USER, phase);
}

static void mac_short(void) {
  lea_mac_q15(lea_a, lea_b, MAC_SHORT, &lea_result);
}
static void mac_long(void) {
  lea_mac_q15(lea_a, lea_b, MAC_LONG, &lea_result);
}

int main(void) {
  clock_init_16mhz();
  lea_init();
  fill();
  for (uint16_t i = 0; i < MAC_LONG; ++i) lea_a[i] = va[i], lea_b[i] = vb[i];
  timed(1, loop_add);
  timed(2, loop_mul);
  timed(3, loop_div);
  timed(4, mac_short);
  timed(5, mac_long);
  dbg_exit(0);
}

#elif defined(VALIDATE_ACTIVE)
int main(void) {
  clock_init_16mhz();
  fill();
  for (;;) {
    loop_add();
    loop_mul();
  }
}

#elif defined(VALIDATE_LPM0)
#include "kernels/runtime/timer.h"

int main(void) {
  clock_init_16mhz();
  timer_start_up(16000, 1);  // 1 ms at SMCLK = 16 MHz
  for (;;) __bis_SR_register(GIE + LPM0_bits);
}

#elif defined(VALIDATE_LEA_FIR) || defined(VALIDATE_LEA_ADD)
#include "kernels/runtime/lea.h"
#include "kernels/runtime/sections.h"

#define TAPS 128
IPSIM_LEARAM static int32_t lea_x[LEA_N + TAPS];
IPSIM_LEARAM static int32_t lea_c[TAPS];
IPSIM_LEARAM static int32_t lea_y[LEA_N];
IPSIM_PERSISTENT volatile uint32_t lea_rounds = 0;

int main(void) {
  clock_init_16mhz();
  lea_init();
  for (uint16_t i = 0; i < LEA_N + TAPS; ++i)
    lea_x[i] = (int32_t)i * 1000003 - 90000000;  // non-zero data
  for (uint16_t i = 0; i < TAPS; ++i) lea_c[i] = (int32_t)(i + 1) * 4000037;
  for (;;) {
#if defined(VALIDATE_LEA_FIR)
    lea_fir_iq31(lea_x, lea_c, TAPS, lea_y, LEA_N);
#else
    lea_add_iq31(lea_x, lea_c, lea_y, LEA_N);
#endif
    ++lea_rounds;
  }
}

#else
#error "define VALIDATE_OPS, VALIDATE_ACTIVE, VALIDATE_LPM0 or VALIDATE_LEA_*"
#endif
