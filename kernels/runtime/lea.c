// LEA driver (see lea.h). Register and bit names from msp430fr5994.h (facts §4.3).
#include "kernels/runtime/lea.h"

#include "kernels/runtime/msp430fr5994.h"

#define LEA_LOW(reg) (*(volatile uint16_t*)&(reg))  // low half of a 32-bit LEA register

// LEA command codes (facts §4.3, header v1.206).
enum {
  LEACMD_FIR = 0x018,
  LEACMD_MPYMATRIXROW = 0x034,
  LEACMD_MPYMATRIX = 0x03C,
  LEACMD_ADDMATRIX = 0x040,
  LEACMD_MAC = 0x054,
  LEACMD_SUBMATRIX = 0x070,
  LEACMD_MAX = 0x104,
  LEACMD_MIN = 0x108,
  LEACMD_ADDLONGMATRIX = 0x07C,
  LEACMD_FIRLONG = 0x0C8,
};

volatile uint16_t lea_flags;  // LEAIFG at the last completion (set by the ISR)

void lea_init(void) {
  LEACNF0 = LEALPR | LEAILPM;
  LEACNF1 = 0;
  LEACNF2 = LEAMT >> 2;  // LEA stack pointer (word address) at the top of LEA RAM
  LEAPMS0 = 0;
  LEAPMS1 = 0;
  LEAPMDST = 0;
  LEAPMCTL |= LEACMDEN;
  LEAIE |= LEAPMCMDIE;
  LEACMCTL = 0;
}

// Parameter blocks live on the LEA stack: LEACNF2 counts 32-bit words down.
static uint16_t* lea_alloc(uint16_t words) {
  uint16_t sp = LEA_LOW(LEACNF2) - words;
  LEA_LOW(LEACNF2) = sp;
  return (uint16_t*)(uintptr_t)((uint32_t)sp << 2);
}
static void lea_free(uint16_t words) {
  LEA_LOW(LEACNF2) += words;
}

static uint16_t lea_run(const void* src0, const uint16_t* params, uint16_t cmd) {
  if (!(LEA_LOW(LEAPMCTL) & LEACMDEN)) lea_init();
  while (LEA_LOW(LEACNF1) & LEABUSY) {
  }
  lea_flags = 0;
  LEA_LOW(LEAPMS0) = LEA_ADDR(src0);
  LEA_LOW(LEAPMS1) = LEA_ADDR(params);
  __disable_interrupt();
  LEA_LOW(LEAPMCB) = cmd | LEAITFLG1;
  // Enter LPM0 with GIE in one instruction: a completion that is already pending is taken
  // right away and its ISR clears CPUOFF in the stacked SR, so this returns awake.
  __asm__ volatile("nop\n\tbis %0, r2\n\tnop" ::"i"(GIE | CPUOFF) : "memory");
  return lea_flags & (LEACOVLIFG | LEAOORIFG | LEASDIIFG);
}

// LEA ISR (vector 18), in assembly so that no register is pushed and the SR stacked by the
// interrupt stays at 0(r1): save and clear the flags (write 1 to clear, as DSPLib's ISR does),
// then clear CPUOFF in the stacked SR so RETI leaves LPM0.
__asm__(
    "  .section .text.lea_isr,\"ax\",@progbits\n"
    "  .globl lea_isr\n"
    "  .p2align 1\n"
    "lea_isr:\n"
    "  mov &0x0AF8, &lea_flags\n"
    "  mov &lea_flags, &0x0AF8\n"
    "  bic #0x10, 0(r1)\n"
    "  reti\n"
    "  .section __interrupt_vector_18,\"ax\",@progbits\n"
    "  .short lea_isr\n"
    "  .text\n");

uint16_t lea_mac_q15(const int16_t* a, const int16_t* b, uint16_t n, int32_t* result) {
  uint16_t* p = lea_alloc(2);
  p[0] = n, p[1] = LEA_ADDR(b), p[2] = LEA_ADDR(result), p[3] = 0;
  uint16_t f = lea_run(a, p, LEACMD_MAC);
  lea_free(2);
  return f;
}

uint16_t lea_fir_q15(const int16_t* src, const int16_t* coeffs, uint16_t taps, int16_t* dst,
                     uint16_t n) {
  uint16_t* p = lea_alloc(3);
  p[0] = n, p[1] = LEA_ADDR(coeffs), p[2] = LEA_ADDR(dst), p[3] = taps, p[4] = 0xFFFF, p[5] = 0;
  uint16_t f = lea_run(src, p, LEACMD_FIR);
  lea_free(3);
  return f;
}

uint16_t lea_fir_iq31(const int32_t* src, const int32_t* coeffs, uint16_t taps, int32_t* dst,
                      uint16_t n) {
  uint16_t* p = lea_alloc(3);
  p[0] = n, p[1] = LEA_ADDR(coeffs), p[2] = LEA_ADDR(dst), p[3] = taps, p[4] = 0xFFFF, p[5] = 0;
  uint16_t f = lea_run(src, p, LEACMD_FIRLONG);
  lea_free(3);
  return f;
}

uint16_t lea_add_iq31(const int32_t* a, const int32_t* b, int32_t* dst, uint16_t n) {
  uint16_t* p = lea_alloc(3);
  p[0] = n, p[1] = LEA_ADDR(b), p[2] = LEA_ADDR(dst), p[3] = 1, p[4] = 1, p[5] = 1;
  uint16_t f = lea_run(a, p, LEACMD_ADDLONGMATRIX);
  lea_free(3);
  return f;
}

static uint16_t lea_matrix(uint16_t cmd, const int16_t* a, const int16_t* b, int16_t* dst,
                           uint16_t n) {
  uint16_t* p = lea_alloc(3);
  p[0] = n, p[1] = LEA_ADDR(b), p[2] = LEA_ADDR(dst), p[3] = 1, p[4] = 1, p[5] = 1;
  uint16_t f = lea_run(a, p, cmd);
  lea_free(3);
  return f;
}
uint16_t lea_add_q15(const int16_t* a, const int16_t* b, int16_t* dst, uint16_t n) {
  return lea_matrix(LEACMD_ADDMATRIX, a, b, dst, n);
}
uint16_t lea_sub_q15(const int16_t* a, const int16_t* b, int16_t* dst, uint16_t n) {
  return lea_matrix(LEACMD_SUBMATRIX, a, b, dst, n);
}
uint16_t lea_mpy_q15(const int16_t* a, const int16_t* b, int16_t* dst, uint16_t n) {
  return lea_matrix(LEACMD_MPYMATRIX, a, b, dst, n);
}

static uint16_t lea_extremum(uint16_t cmd, const int16_t* src, uint16_t n, int16_t* value,
                             uint16_t* index) {
  uint16_t* p = lea_alloc(1);
  int16_t* out = (int16_t*)lea_alloc(1);  // {value, index}
  p[0] = n, p[1] = LEA_ADDR(out);
  uint16_t f = lea_run(src, p, cmd);
  *value = out[0];
  *index = (uint16_t)out[1];
  lea_free(2);
  return f;
}
uint16_t lea_max_q15(const int16_t* src, uint16_t n, int16_t* max, uint16_t* index) {
  return lea_extremum(LEACMD_MAX, src, n, max, index);
}
uint16_t lea_min_q15(const int16_t* src, uint16_t n, int16_t* min, uint16_t* index) {
  return lea_extremum(LEACMD_MIN, src, n, min, index);
}

uint16_t lea_mpy_matrix_row_q15(const int16_t* row, const int16_t* mat, uint16_t rows,
                                uint16_t cols, int16_t* dst) {
  uint16_t* p = lea_alloc(2);
  p[0] = rows, p[1] = cols, p[2] = LEA_ADDR(mat), p[3] = LEA_ADDR(dst);
  uint16_t f = lea_run(row, p, LEACMD_MPYMATRIXROW);
  lea_free(2);
  return f;
}
