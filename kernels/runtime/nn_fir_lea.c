// The lea-fir kernel's LEA operations on the MCU (kernels/nn/nn_conv_fir.h): the FIR and the
// add are LEA commands (lea.c) and input bands reach LEA RAM by DMA. The work buffers
// (nn_fir_work, in LEA RAM) belong to the image (kernels/strategies/kernel_lea_fir.c). An LEA fault
// ends the run (dbg_exit 0xE3): a result is never silently wrong.
#include <stdint.h>

#include "kernels/nn/nn_conv_fir.h"
#include "kernels/runtime/debug_port.h"
#include "kernels/runtime/dma.h"
#include "kernels/runtime/lea.h"

void nn_fir_row(const int16_t* x, const int16_t* coeffs, uint16_t taps, int16_t* y, uint16_t n) {
  if (lea_fir_q15(x, coeffs, taps, y, n)) dbg_exit(0xE3);
}

void nn_add_rows(const int16_t* a, const int16_t* b, int16_t* y, uint16_t n) {
  if (lea_add_q15(a, b, y, n)) dbg_exit(0xE3);
}

void nn_fir_copy(int16_t* dst, const int16_t* src, uint16_t n) {
  dma_copy_words((uint32_t)(uintptr_t)dst, (uint32_t)(uintptr_t)src, n);
}
