// Timer-paced DMA streaming of LEA outputs (see lea_paced.h). Register names from
// msp430fr5994.h; LEA command codes and parameter blocks as kernels/runtime/lea.c (facts §4.3).
#include "kernels/runtime/lea_paced.h"

#include "kernels/runtime/dma.h"
#include "kernels/runtime/msp430fr5994.h"
#include "kernels/runtime/sections.h"

#define LP_LOW(reg) (*(volatile uint16_t*)&(reg))  // low half of a 32-bit LEA register
#define LP_CMD_FIR 0x018u
#define LP_CMD_ADDMATRIX 0x040u
#define LP_TSEL_TA1CCR0 3u  // DMA trigger numbers (facts §4.2)
#define LP_TSEL_TA2CCR0 5u
#define LP_CTL_STREAM (DMADT_0 | DMALEVEL)  // single transfers, one per timer period

#define LP_SENTINEL 0x5A5A    // prefilled into a probe's output area (any value works)
#define LP_READBACK_WORDS 16  // chunk of a probe's FRAM read-back

IPSIM_PERSISTENT uint16_t lea_paced_overruns;
IPSIM_PERSISTENT lea_paced_cal_t lea_paced_cal[LEA_PACED_CAL_ENTRIES];
IPSIM_PERSISTENT static uint16_t lea_paced_probe_footprint;

static void lp_set_addr(volatile uint16_t* lo, uint32_t a) {
  lo[0] = (uint16_t)a;  // low word first, then bits 19:16
  lo[1] = (uint16_t)(a >> 16);
}

static lea_paced_cal_t* lp_cal(uint16_t cmd, uint16_t asked) {
  lea_paced_cal_t* free_entry = 0;
  for (uint16_t i = 0; i < LEA_PACED_CAL_ENTRIES; ++i) {
    lea_paced_cal_t* c = &lea_paced_cal[i];
    if (c->cmd == cmd && c->asked == asked && c->ccr0) return c;
    if (!c->ccr0 && !free_entry) free_entry = c;
  }
  if (!free_entry) free_entry = &lea_paced_cal[LEA_PACED_CAL_ENTRIES - 1];  // reuse the last
  free_entry->ccr0 = 0;  // no match until the key is complete
  free_entry->n_verified = 0;
  free_entry->cmd = cmd;
  free_entry->asked = asked;
  __asm__ volatile("" ::: "memory");
  free_entry->ccr0 = asked;
  return free_entry;
}

// Whether the n words at FRAM address `fram` equal the LEA's.
static int lp_same(uint32_t fram, const int16_t* lea, uint16_t n) {
  int16_t buf[LP_READBACK_WORDS];
  for (uint16_t i = 0; i < n; i = (uint16_t)(i + LP_READBACK_WORDS)) {
    const uint16_t m = n - i < LP_READBACK_WORDS ? (uint16_t)(n - i) : LP_READBACK_WORDS;
    dma_copy_words((uint32_t)(uintptr_t)buf, fram + 2u * i, m);
    for (uint16_t k = 0; k < m; ++k)
      if (buf[k] != lea[i + k]) return 0;
  }
  return 1;
}

// Issues the command whose parameter block is `params` (on the LEA stack), streams its outputs
// and returns the LEA fault flags.
static uint16_t lp_run(uint16_t cmd, const void* src0, const uint16_t* params,
                       const lea_paced_t* p) {
  lea_paced_cal_t* cal = lp_cal(cmd, p->ccr0);
  const uint16_t ccr0 = cal->ccr0;
#ifdef LEA_PACED_TRUST_PACING  // HAWAII's code: no probe, no check (tests' negative control)
  const int probe = 0;
#else
  const int probe = p->n > cal->n_verified;
#endif
  if (probe)
    for (uint16_t i = 0; i < p->n; ++i) p->lea_out[i] = (int16_t)LP_SENTINEL;
  volatile uint16_t* footprint = probe ? &lea_paced_probe_footprint : p->footprint;
  while (LP_LOW(LEACNF1) & LEABUSY) {
  }
  const uint16_t lea_ie = LP_LOW(LEAIE);
  LP_LOW(LEAIE) = 0;  // completion is seen by polling LEABUSY, as HAWAII does
  __disable_interrupt();
  LP_LOW(LEAPMS0) = LEA_ADDR(src0);
  LP_LOW(LEAPMS1) = LEA_ADDR(params);
  LP_LOW(LEAPMCB) = cmd | LEAITFLG1;
  // The DMA channels and timers are armed after the command is issued, so the first timer
  // period ends well after the LEA's start-up (HAWAII's order).
  DMA2CTL = 0;
  DMA3CTL = 0;
  DMACTL1 = LP_TSEL_TA1CCR0 | (LP_TSEL_TA2CCR0 << 8);
  TA1CCTL0 = 0;  // a CCIFG left by the last command's final period must not trigger now
  TA2CCTL0 = 0;
  lp_set_addr(&IPSIM_DMA_SAL(2), (uint32_t)(uintptr_t)p->lea_out);
  lp_set_addr(&IPSIM_DMA_DAL(2), p->fram_dst);
  DMA2SZ = p->n;
  DMA2CTL = LP_CTL_STREAM | DMASRCINCR_3 | DMADSTINCR_3 | DMAEN;
  lp_set_addr(&IPSIM_DMA_SAL(3), (uint32_t)(uintptr_t)&DMA3SZ);
  lp_set_addr(&IPSIM_DMA_DAL(3), (uint32_t)(uintptr_t)footprint);
  DMA3SZ = p->n;
  DMA3CTL = LP_CTL_STREAM | DMASRCINCR_0 | DMADSTINCR_0 | DMAIE | DMAEN;
  TA1CCR0 = ccr0;
  TA2CCR0 = ccr0;
  TA1CTL = TASSEL__SMCLK | MC__UP | TACLR;
  TA2CTL = TASSEL__SMCLK | MC__UP | TACLR;
  // Sleep with GIE set in one instruction: DMA3's completion interrupt wakes the CPU.
  __asm__ volatile("nop\n\tbis %0, r2\n\tnop" ::"i"(GIE | CPUOFF) : "memory");
  int overrun = (LP_LOW(LEACNF1) & LEABUSY) != 0;
  while (LP_LOW(LEACNF1) & LEABUSY) {
  }
  TA2CTL = MC__STOP | TACLR;
  TA1CTL = MC__STOP | TACLR;
  const uint16_t flags = LP_LOW(LEAIFG);
  LP_LOW(LEAIFG) = flags;  // write 1 to clear, so the restored LEAIE sees nothing stale
  LP_LOW(LEAIE) = lea_ie;
  if (!overrun && probe) overrun = !lp_same(p->fram_dst, p->lea_out, p->n);
#ifdef LEA_PACED_TRUST_PACING
  overrun = 0;
#endif
  if (overrun) {
    ++lea_paced_overruns;
    dma_copy_words(p->fram_dst, (uint32_t)(uintptr_t)p->lea_out, p->n);
    cal->n_verified = 0;
    cal->ccr0 = (uint16_t)(ccr0 + 1u + (ccr0 >> 2));
  } else if (probe) {
    cal->n_verified = p->n;
  }
  return flags & (uint16_t)(LEACOVLIFG | LEAOORIFG | LEASDIIFG);
}

// Parameter blocks live on the LEA stack (LEACNF2 counts 32-bit words down), as in lea.c.
static uint16_t* lp_alloc(uint16_t words) {
  const uint16_t sp = LP_LOW(LEACNF2) - words;
  LP_LOW(LEACNF2) = sp;
  return (uint16_t*)(uintptr_t)((uint32_t)sp << 2);
}
static void lp_free(uint16_t words) {
  LP_LOW(LEACNF2) += words;
}

uint16_t lea_paced_fir_q15(const int16_t* src, const int16_t* coeffs, uint16_t taps,
                           const lea_paced_t* p) {
  uint16_t* b = lp_alloc(3);  // MSP_LEA_FIR_PARAMS
  b[0] = p->n, b[1] = LEA_ADDR(coeffs), b[2] = LEA_ADDR(p->lea_out), b[3] = taps;
  b[4] = 0xFFFF, b[5] = 0;
  const uint16_t f = lp_run(LP_CMD_FIR, src, b, p);
  lp_free(3);
  return f;
}

uint16_t lea_paced_add_q15(const int16_t* a, const int16_t* b, uint16_t b_stride,
                           const lea_paced_t* p) {
  uint16_t* q = lp_alloc(3);  // MSP_LEA_ADDMATRIX_PARAMS
  q[0] = p->n, q[1] = LEA_ADDR(b), q[2] = LEA_ADDR(p->lea_out), q[3] = 1, q[4] = b_stride;
  q[5] = 1;
  const uint16_t f = lp_run(LP_CMD_ADDMATRIX, a, q, p);
  lp_free(3);
  return f;
}
