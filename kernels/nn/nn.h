/* Q15 layer kernels, portable C99 for the MSP430 firmware and the host golden model.
 *
 * Feature maps are int16 CHW. A layer computes any output region (channels x rows x
 * columns) from a source view into a destination view, with exactly the arithmetic of a
 * whole-layer call (q15.h), so depth-first slices, tiles and jobs match the golden model
 * bit for bit. Views address element (c, y, x), in the layer's absolute coordinates, at
 * data[(c - c0) * chan_stride + (y - y0) * row_stride + (x - x0)]: a buffer can hold just a
 * band of rows or columns of a map. Pools use valid padding; convolutions pad with zeros
 * (nn_layer_t.ph/pw, 0 = valid): output (y, x) reads input rows y*sh - ph + ky and columns
 * x*sw - pw + kx, and those outside the map count as 0. Views then hold only the rows and
 * columns inside the map (nn_input_rows/cols clip to it).
 *
 * Weights are OIHW int16 (FC: out x in, input flattened in CHW order), biases int32 in
 * accumulator scale, both at far addresses (nn_platform.h); a layer copies one output
 * channel's weights at a time into a static SRAM buffer of NN_WBUF_WORDS. */
#pragma once

#include <stdint.h>

#include "kernels/nn/nn_platform.h"
#include "kernels/nn/q15.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  NN_OP_CONV2D = 1, /* weights out_c x in_c x kh x kw */
  NN_OP_CONV1D = 2, /* a conv2d over maps of height 1 (kh = 1) */
  NN_OP_MAXPOOL = 3,
  NN_OP_AVGPOOL = 4, /* sum of the window requantized by shift = log2(kh*kw) */
  NN_OP_FC = 5,      /* out_c x (in.c*in.h*in.w); output shape out_c x 1 x 1 */
  NN_OP_RELU = 6
};

/* How convolutions and FC layers are computed (workload.kernel, docs/kernels.md). cpu and
 * lea-mac compute the exact int32 sums (the same bits); lea-fir is HAWAII's FIR formulation
 * (nn_conv_fir.h), with FC layers as exact MACs. */
enum { NN_KERNEL_CPU = 0, NN_KERNEL_LEA_MAC = 1, NN_KERNEL_LEA_FIR = 2 };

enum { NN_OK = 0, NN_ERR_SCRATCH = -1, NN_ERR_OP = -2 };

typedef struct {
  uint16_t c, h, w;
} nn_shape_t;

typedef struct {
  uint8_t op;
  uint8_t relu;    /* ReLU applied after requantization */
  uint8_t shift;   /* requantization shift (q15_requant) */
  int8_t out_frac; /* fractional bits of the output map (informative: tests, tools) */
  uint8_t kh, kw;  /* kernel or window */
  uint8_t sh, sw;  /* stride */
  nn_shape_t in, out;
  const nn_far_addr_t* weights; /* points to the far address; NULL for pool and ReLU */
  const nn_far_addr_t* bias;
  /* Zero padding of a convolution: ph rows above and below, pw columns left and right
   * (out.h = (in.h + 2*ph - kh) / sh + 1). Last, so that tables without them are valid. */
  uint8_t ph, pw;
} nn_layer_t;

typedef struct {
  const int16_t* data;
  uint16_t c0, y0, x0;
  uint16_t chan_stride, row_stride;
} nn_src_t;

typedef struct {
  int16_t* data;
  uint16_t c0, y0, x0;
  uint16_t chan_stride, row_stride;
} nn_dst_t;

/* Output region, half-open: channels [c0, c1), rows [y0, y1), columns [x0, x1). */
typedef struct {
  uint16_t c0, c1, y0, y1, x0, x1;
} nn_region_t;

/* Views over a whole dense CHW map. */
nn_src_t nn_src_dense(const int16_t* data, nn_shape_t shape);
nn_dst_t nn_dst_dense(int16_t* data, nn_shape_t shape);
/* The layer's whole output. */
nn_region_t nn_region_full(const nn_layer_t* layer);

/* Input rows [*in_y0, *in_y1) (and columns) that output rows [y0, y1) depend on, clipped
 * to the input map (zero padding is not stored). For FC the whole input. */
void nn_input_rows(const nn_layer_t* layer, uint16_t y0, uint16_t y1, uint16_t* in_y0,
                   uint16_t* in_y1);
void nn_input_cols(const nn_layer_t* layer, uint16_t x0, uint16_t x1, uint16_t* in_x0,
                   uint16_t* in_x1);

/* Layer kernels. Each returns NN_OK or an NN_ERR_* code; region must lie in the output. */
int nn_conv2d(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
              const nn_region_t* region);
int nn_conv1d(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
              const nn_region_t* region);
int nn_maxpool(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
               const nn_region_t* region);
int nn_avgpool(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
               const nn_region_t* region);
int nn_fc(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
          const nn_region_t* region);
int nn_relu(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
            const nn_region_t* region);

/* Dispatches on layer->op. */
int nn_layer_forward(const nn_layer_t* layer, const nn_src_t* in, const nn_dst_t* out,
                     const nn_region_t* region);

/* Convenience: rows [y0, y1) of all channels and columns, in a buffer holding only those
 * output rows (row stride out.w, channel stride (y1 - y0) * out.w) from a buffer holding
 * input rows [in_y0, ...) with row stride in.w and channel stride in_rows * in.w. */
int nn_layer_rows(const nn_layer_t* layer, const int16_t* in, uint16_t in_y0, uint16_t in_rows,
                  int16_t* out, uint16_t y0, uint16_t y1);

#ifdef __cplusplus
}
#endif
