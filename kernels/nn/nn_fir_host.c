/* Host model of the two LEA operations of the lea-fir kernel (nn_conv_fir.h), exact to
 * DSPLib's msp_fir_q15 and msp_add_q15: products summed exactly, the FIR sum floored
 * (arithmetic shift) to Q15 and saturated, adds saturated. Pinned against models/lea_ops
 * and DSPLib's formulas by tests/nn/nn_fir_test.cpp. Not part of the firmware build. */
#if !defined(__MSP430__)
#include <string.h>

#include "kernels/nn/nn_conv_fir.h"

void nn_fir_row(const int16_t* x, const int16_t* coeffs, uint16_t taps, int16_t* y, uint16_t n) {
  for (uint16_t i = 0; i < n; ++i) {
    int64_t sum = 0;
    for (uint16_t j = 0; j < taps; ++j) sum += (int32_t)x[i + j] * coeffs[taps - 1u - j];
    sum >>= 15;
    y[i] = (int16_t)(sum > Q15_MAX ? Q15_MAX : sum < Q15_MIN ? Q15_MIN : sum);
  }
}

void nn_add_rows(const int16_t* a, const int16_t* b, int16_t* y, uint16_t n) {
  for (uint16_t i = 0; i < n; ++i) y[i] = q15_sat((int32_t)a[i] + b[i]);
}

void nn_fir_copy(int16_t* dst, const int16_t* src, uint16_t n) {
  memmove(dst, src, (size_t)n * sizeof *dst);
}

/* As large as on the MCU (kernels/strategies/kernel_lea_fir.c), so the host bands
 * rows the same way; the bits would not change with other sizes. */
enum { HOST_X_WORDS = 656, HOST_C_WORDS = 16, HOST_OUT_WORDS = 424 };
static int16_t host_x[HOST_X_WORDS], host_c[HOST_C_WORDS];
static int16_t host_row[HOST_OUT_WORDS], host_row_sum[HOST_OUT_WORDS], host_acc[HOST_OUT_WORDS];
const nn_fir_work_t nn_fir_work = {host_x,   HOST_X_WORDS, host_c,   HOST_C_WORDS,
                                   host_row, host_row_sum, host_acc, HOST_OUT_WORDS};
#endif
