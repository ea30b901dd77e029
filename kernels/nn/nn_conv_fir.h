/* lea-fir convolution: HAWAII's formulation of a conv layer as LEA FIRs and LEA adds, the
 * arithmetic of the `lea-fir` kernel (docs/kernels.md). Defined once here; the firmware runs
 * it on the LEA, the host golden model on an exact host model of the LEA FIR and ADD.
 *
 * Stride 1 (conv1d = conv2d with kh = 1). Zero padding (ph, pw) as the LEA would see it: the
 * band holds rows of the padded map, W = in.w + 2 pw words each (pw zero columns on each
 * side, zero rows above and below the map), and the formulation below runs over it as over
 * an unpadded input of width W; the FIRs over zero rows are run too (they give 0). Unpadded
 * layers (W = in.w) run the same code as before padding was supported.
 * For output channel oc:
 * - X_ic[i]: input channel ic's (padded) rows flattened row-major, zero past the band's last
 *   row;
 * - taps T = kw + (kw & 1); h[j] = w[oc][ic][r][j] for j < kw, h[kw] = 0 when padded;
 * - one FIR per kernel row over full-width rows, L = rows * W outputs (rounded up to even;
 *   columns >= out.w are junk and never used):
 *   F_r[i] = sat16(floor(sum_{j<T} X[r*W + i + j] * h[j] / 2^15))   (msp_fir_q15);
 * - row sum S_ic = ((F_0 + F_1) + F_2) + ...   saturating Q15 adds (msp_add_q15);
 * - channel sum A = ((S_0 + S_1) + S_2) + ...  likewise;
 * - finish (columns < out.w): t = sat16(A + b), b = nn_fir_bias(); out = requantize t from
 *   the FIR scale (accumulator / 2^15) to the layer's output scale (accumulator / 2^shift):
 *   a rounding right shift by shift - 15, or a saturating left shift by 15 - shift; then ReLU.
 * Only the final sum of the exact kernels is rounded; here every FIR floors, so the bias
 * carries back the mean loss of the C_in*kh floors (half an FIR LSB each).
 *
 * Every step is a function of its own (nn_fir_coeffs, nn_fir_row, nn_add_rows,
 * nn_fir_finish_row), so job-granular strategies that run the same steps in another order of
 * commits get the same bits by construction. */
#pragma once

#include <stdint.h>

#include "kernels/nn/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Taps of one FIR: kw padded to even (the LEA FIR takes an even tap count). */
static inline uint16_t nn_fir_taps(uint16_t kw) {
  return (uint16_t)(kw + (kw & 1u));
}

/* FIR outputs for `rows` output rows of a layer with FIR row width in_w (nn_fir_width),
 * rounded up to even (the LEA's vector length must be even). */
static inline uint16_t nn_fir_len(uint16_t rows, uint16_t in_w) {
  return (uint16_t)((rows * in_w + 1u) & ~1u);
}

/* Width of the rows the FIRs run over: the input's, plus pw zero columns on each side of a
 * zero-padded layer (the band holds the padded map's rows). */
static inline uint16_t nn_fir_width(const nn_layer_t* l) {
  return (uint16_t)(l->in.w + 2u * l->pw);
}

/* Input words one channel's FIR band needs for `rows` output rows: the band's rows of the
 * (padded) input (rows + kh - 1, each nn_fir_width words), then a zero tail long enough for
 * the last FIR window. */
static inline uint16_t nn_fir_x_words(const nn_layer_t* l, uint16_t rows) {
  return (uint16_t)((rows + l->kh - 1u) * nn_fir_width(l) + nn_fir_taps(l->kw) + 1u);
}

/* Work buffers of nn_conv_fir. On the MCU they are in LEA RAM, 4-byte aligned. */
typedef struct {
  int16_t* x; /* one input channel's band + zero tail */
  uint16_t x_words;
  int16_t* coeffs;    /* one kernel row's taps, in msp_fir_q15's order */
  uint16_t c_words;   /* >= nn_fir_taps(kw) */
  int16_t* row;       /* one FIR output (F_r) */
  int16_t* row_sum;   /* S_ic */
  int16_t* acc;       /* A */
  uint16_t out_words; /* words of row, row_sum and acc each */
} nn_fir_work_t;

/* Kernel row r of input channel ic (w = one output channel's weights, in_c x kh x kw) as
 * msp_fir_q15 coefficients: it applies them reversed, so coeffs[T - 1 - j] = h[j]. */
void nn_fir_coeffs(const int16_t* w, uint16_t kw, int16_t* coeffs);

/* The bias of the FIR scale, b = round(bias / 2^15 + n_firs / 2), n_firs = in_c * kh. */
int16_t nn_fir_bias(const nn_layer_t* l, int32_t bias);

/* One element of the finish: requantize t = sat16(a + b) to the output scale, then ReLU. */
int16_t nn_fir_finish(const nn_layer_t* l, int16_t a, int16_t b);

/* out[x] = nn_fir_finish(acc[x]) for x < out.w: one output row from one row of A. */
void nn_fir_finish_row(const nn_layer_t* l, const int16_t* acc, int16_t b, int16_t* out);

/* The two LEA operations, provided by the platform: the LEA on the MCU
 * (kernels/runtime/nn_fir_lea.c), an exact host model on the host (nn_fir_host.c).
 * nn_fir_row: y[i] = sat16(floor(sum_j x[i + j] * coeffs[taps - 1 - j] / 2^15)), i < n,
 *   x holds n + taps - 1 words (msp_fir_q15).
 * nn_add_rows: y[i] = sat16(a[i] + b[i]), i < n (msp_add_q15); y may be a or b.
 * n and taps even, operands 4-byte aligned (in LEA RAM on the MCU). */
void nn_fir_row(const int16_t* x, const int16_t* coeffs, uint16_t taps, int16_t* y, uint16_t n);
void nn_add_rows(const int16_t* a, const int16_t* b, int16_t* y, uint16_t n);
/* Copies n words into the work buffers (DMA on the MCU). */
void nn_fir_copy(int16_t* dst, const int16_t* src, uint16_t n);

/* The platform's work buffers (LEA RAM on the MCU, static arrays on the host), used by
 * nn_layer_forward_kernel; nn_conv_fir and the steps take their buffers as arguments. */
extern const nn_fir_work_t nn_fir_work;

/* Conv region on lea-fir: output channels [c0, c1), rows [y0, y1), all columns (region->x0
 * must be 0 and x1 = out.w). The source view must hold every input channel and all columns
 * of input rows [y0 - ph, y1 + kh - 1 - ph) clipped to the map (nn_input_rows). Rows are processed
 * in bands that fit `work`; the bits do not depend on the banding. Returns NN_OK, NN_ERR_OP (stride
 * or region not supported, or a padded layer: nn_conv_fir_padded) or NN_ERR_SCRATCH (a row does not
 * fit the work buffers or the weight buffer). */
int nn_conv_fir(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                const nn_region_t* region, const nn_fir_work_t* work);

/* nn_conv_fir for zero-padded layers too (unpadded ones go to nn_conv_fir). Apart from it so
 * that the images of unpadded networks neither link its code (their lower FRAM is nearly
 * full) nor run a check more: an image whose network pads calls this one (kernel_lea_fir.c:
 * NN_FIR_PADDED, set for mnist8's images in kernels/strategies/CMakeLists.txt). */
int nn_conv_fir_padded(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                       const nn_region_t* region, const nn_fir_work_t* work);

/* nn_layer_forward with the arithmetic of `kernel` (NN_KERNEL_*): lea-fir convolutions go
 * through nn_conv_fir with nn_fir_work, everything else as nn_layer_forward. */
int nn_layer_forward_kernel(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                            const nn_region_t* region, uint8_t kernel);

#ifdef __cplusplus
}
#endif
