// LEA driver: a small DSPLib-like API (facts §4.3). Operands must lie in LEA RAM
// (0x2C00-0x3BFF) and be 4-byte aligned; lengths even. Each call allocates its parameter block
// on the LEA stack (LEACNF2), issues the command with "interrupt on completion" and sleeps in
// LPM0 until the LEA ISR (vector 18) wakes it. Returns the LEA fault flags (LEACOVLIFG,
// LEAOORIFG, LEASDIIFG) seen for the command; 0 = success.
#ifndef IPSIM_RUNTIME_LEA_H
#define IPSIM_RUNTIME_LEA_H
#include <stdint.h>

void lea_init(void);
// *result = IQ31 sat(2 * sum a[i]*b[i])  (msp_mac_q15)
uint16_t lea_mac_q15(const int16_t* a, const int16_t* b, uint16_t n, int32_t* result);
// dst[i] = sat((sum_j src[i+j] * coeffs[taps-1-j]) >> 15), i < n; src holds n+taps-1 samples
uint16_t lea_fir_q15(const int16_t* src, const int16_t* coeffs, uint16_t taps, int16_t* dst,
                     uint16_t n);
uint16_t lea_add_q15(const int16_t* a, const int16_t* b, int16_t* dst, uint16_t n);
uint16_t lea_sub_q15(const int16_t* a, const int16_t* b, int16_t* dst, uint16_t n);
uint16_t lea_mpy_q15(const int16_t* a, const int16_t* b, int16_t* dst, uint16_t n);
uint16_t lea_max_q15(const int16_t* src, uint16_t n, int16_t* max, uint16_t* index);
uint16_t lea_min_q15(const int16_t* src, uint16_t n, int16_t* min, uint16_t* index);
// dst[c] = sat((sum_r row[r] * mat[r*cols + c]) >> 15), c < cols  (msp_matrix_mpy_q15 per row)
uint16_t lea_mpy_matrix_row_q15(const int16_t* row, const int16_t* mat, uint16_t rows,
                                uint16_t cols, int16_t* dst);

// Q31 (long) forms (msp_fir_iq31 without circular buffer, msp_add_iq31): see models/lea_ops.h.
uint16_t lea_fir_iq31(const int32_t* src, const int32_t* coeffs, uint16_t taps, int32_t* dst,
                      uint16_t n);
uint16_t lea_add_iq31(const int32_t* a, const int32_t* b, int32_t* dst, uint16_t n);

#endif
