/* Helpers shared by the layer sources; not part of the API. */
#pragma once

#include <stddef.h>

#include "kernels/nn/nn.h"

/* SRAM buffer that holds one output channel's weights (or a chunk of an FC row). */
extern int16_t nn_wbuf[NN_WBUF_WORDS];

static inline const int16_t* nn_src_at(const nn_src_t* v, uint16_t c, uint16_t y, uint16_t x) {
  return v->data + ((ptrdiff_t)(c - v->c0) * v->chan_stride +
                    (ptrdiff_t)(y - v->y0) * v->row_stride + (ptrdiff_t)(x - v->x0));
}

static inline int16_t* nn_dst_at(const nn_dst_t* v, uint16_t c, uint16_t y, uint16_t x) {
  return v->data + ((ptrdiff_t)(c - v->c0) * v->chan_stride +
                    (ptrdiff_t)(y - v->y0) * v->row_stride + (ptrdiff_t)(x - v->x0));
}

static inline int16_t nn_finish(const nn_layer_t* layer, int32_t acc) {
  int16_t v = q15_requant(acc, layer->shift);
  return layer->relu ? q15_relu(v) : v;
}
