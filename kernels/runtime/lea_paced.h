// LEA commands whose outputs are streamed to FRAM by timer-paced DMA, as HAWAII does
// (Kang et al., TCAD 2020; its released convolution code; facts §4.2, §4.3). While the LEA runs:
// - Timer_A1 (up mode on SMCLK, period CCR0 + 1 cycles) triggers DMA2 once per period: one word of
//   the LEA's output vector (LEA RAM) goes to its place in FRAM;
// - Timer_A2, started just after Timer_A1 with the same period, triggers DMA3: it copies its
//   own DMA3SZ (DMA3SA = &DMA3SZ) into the caller's footprint word. DMA3SZ still counts the
//   transfer under way, so after k periods the footprint says n - k + 1 words remain while k
//   are in FRAM: it never claims a word FRAM does not hold. Its last value is 1.
// The CPU sleeps in LPM0 until DMA3's completion interrupt, waits for the LEA, stops the timers.
//
// The pacing is the caller's (a firmware parameter, HAWAII's 6 + Kw and 2): it must not be
// shorter than the LEA's time per output, or DMA2 copies words the LEA has not written yet and
// the footprint claims them. The LEA's rate is not published, so this helper does not trust a
// pacing it has not seen work (HAWAII's code does):
// - Per (command, asked CCR0) it keeps a calibration in FRAM (lea_paced_cal): the CCR0 in use
//   and the longest vector verified with it. A longer vector is a probe: its output area is
//   prefilled with a sentinel, DMA3 writes a scratch word (lea_paced_probe_footprint) instead
//   of the footprint, so a power failure during a probe loses nothing the footprint claimed,
//   and afterwards every FRAM word is read back and compared with the LEA's.
// - Every command is also checked at no cost: the LEA must be idle when DMA3 completes. (With
//   a steady LEA rate, a verified pacing is safe for vectors up to the verified length; words
//   are late by a delay that grows with their index.)
// - An overrun (either check) is counted in lea_paced_overruns and repaired by copying the
//   vector again by block DMA; the CCR0 in use grows by a quarter + 1 and must be verified
//   again. So results are right whatever the LEA's (steady) rate; a pacing that is too fast costs
//   probes and repairs, which the FRAM counters of these symbols show.
// Built with LEA_PACED_TRUST_PACING, it trusts the pacing as HAWAII's code does (no probe, no
// check, no repair): the tests' negative control.
// The DMA ISR is kernels/runtime/dma.c's; the LEA completion interrupt is off while a paced
// command runs (HAWAII clears LEAIE) and its flag is cleared afterwards.
#ifndef IPSIM_RUNTIME_LEA_PACED_H
#define IPSIM_RUNTIME_LEA_PACED_H
#include <stdint.h>

// Overruns detected since the image was loaded (in FRAM, so that a test can count them).
extern uint16_t lea_paced_overruns;
#define LEA_PACED_CAL_ENTRIES 4
typedef struct {
  uint16_t ccr0;        // CCR0 in use (>= the one asked)
  uint16_t n_verified;  // longest vector streamed without overrun at this CCR0
  uint16_t cmd, asked;  // key (written last: a cut while creating leaves no match)
} lea_paced_cal_t;
extern lea_paced_cal_t lea_paced_cal[LEA_PACED_CAL_ENTRIES];

typedef struct {
  int16_t* lea_out;              // the command's output vector in LEA RAM
  uint32_t fram_dst;             // 20-bit FRAM address of its first word
  volatile uint16_t* footprint;  // remaining-count word, written by DMA3
  uint16_t n;                    // outputs (even)
  uint16_t ccr0;                 // asked TA1CCR0 = TA2CCR0: a word per ccr0 + 1 SMCLK cycles
} lea_paced_t;

// dst[i] = sat16(floor(sum_j src[i+j] * coeffs[taps-1-j] / 2^15)), i < n (msp_fir_q15).
// Returns the LEA fault flags (0 = success).
uint16_t lea_paced_fir_q15(const int16_t* src, const int16_t* coeffs, uint16_t taps,
                           const lea_paced_t* p);
// dst[i] = sat16(a[i] + b[i * b_stride]), i < n (msp_add_q15; b_stride 0 adds a constant).
uint16_t lea_paced_add_q15(const int16_t* a, const int16_t* b, uint16_t b_stride,
                           const lea_paced_t* p);

#endif
